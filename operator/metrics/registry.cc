#include "operator/metrics/registry.h"

#include <utility>

#include "prometheus/text_serializer.h"

namespace doris_operator::metrics {

Registry::Registry() : families_(std::make_shared<prometheus::Registry>()) {}

void Registry::AddCollector(std::shared_ptr<prometheus::Collectable> collector) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::Render() const {
  std::vector<prometheus::MetricFamily> all;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectors;
  {
    absl::MutexLock lock(&mu_);
    collectors = collectors_;
  }
  // Collectors first: the process-wide series lead the page, as they did
  // before prometheus-cpp.
  for (const auto& c : collectors) {
    for (prometheus::MetricFamily& f : c->Collect()) all.push_back(std::move(f));
  }
  for (prometheus::MetricFamily& f : families_->Collect()) all.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(all);
}

}  // namespace doris_operator::metrics
