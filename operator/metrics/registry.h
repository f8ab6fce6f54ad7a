#ifndef DORIS_OPERATOR_OPERATOR_METRICS_REGISTRY_H_
#define DORIS_OPERATOR_OPERATOR_METRICS_REGISTRY_H_

// The operator's /metrics: a prometheus-cpp registry for series kept up to
// date as things happen (per cluster, API requests, write failures) plus
// collectors that read process-wide figures at scrape time, rendered in the
// Prometheus text format by prometheus-cpp's serializer. Thread-safe.
// docs/metrics.md lists every series.

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/collectable.h"
#include "prometheus/registry.h"

namespace doris_operator::metrics {

class Registry {
 public:
  Registry();

  // Where families are built (prometheus::BuildGauge()...Register(families())).
  prometheus::Registry& families() { return *families_; }
  // A collector asked for its families at every scrape, after the registry's.
  void AddCollector(std::shared_ptr<prometheus::Collectable> collector);
  // The exposition, text format 0.0.4.
  std::string Render() const;

 private:
  const std::shared_ptr<prometheus::Registry> families_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectors_ ABSL_GUARDED_BY(mu_);
};

// The Content-Type of Render()'s text.
inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace doris_operator::metrics

#endif  // DORIS_OPERATOR_OPERATOR_METRICS_REGISTRY_H_
