#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_SIM_METRICS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_SIM_METRICS_H_

// The simulated metrics pipeline behind the HPA controller (what
// metrics-server and the custom/external metrics APIs would report): per
// HorizontalPodAutoscaler, the current value of its metrics, set by tests
// through POST /kubesim/hpa-metric. An HPA with no value set gets no
// metrics, as when the metrics API has nothing for it.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace doris_operator::kubesim {

class SimMetrics {
 public:
  struct Values {
    std::optional<double> all;                // for every metric without its own value
    std::map<std::string, double> by_metric;  // by metric name ("cpu", "qps", ...)
  };
  void Set(const std::string& ns, const std::string& hpa, Values v) {
    std::lock_guard<std::mutex> l(mu_);
    values_[ns + "/" + hpa] = std::move(v);
  }
  // The value `hpa`'s metric `metric` reports now, if any.
  std::optional<double> Get(const std::string& ns, const std::string& hpa,
                            const std::string& metric) const {
    std::lock_guard<std::mutex> l(mu_);
    auto it = values_.find(ns + "/" + hpa);
    if (it == values_.end()) return std::nullopt;
    auto m = it->second.by_metric.find(metric);
    if (m != it->second.by_metric.end()) return m->second;
    return it->second.all;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Values> values_;  // "ns/name" ->
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_SIM_METRICS_H_
