#ifndef DORIS_OPERATOR_OPERATOR_METRICS_API_REQUESTS_H_
#define DORIS_OPERATOR_OPERATOR_METRICS_API_REQUESTS_H_

// Kubernetes API requests by verb and HTTP code
// (doris_operator_api_requests_total{verb, code}; code -1: no answer).
// Thread-safe: every client's response callback counts here.

#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "operator/metrics/registry.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"

namespace doris_operator::metrics {

class ApiRequests {
 public:
  explicit ApiRequests(Registry* registry);
  void Count(const std::string& verb, int code);

 private:
  prometheus::Family<prometheus::Counter>& family_;
  absl::Mutex mu_;
  // Verbs and codes are few (a handful of each): the series stay few.
  std::map<std::pair<std::string, int>, prometheus::Counter*> counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace doris_operator::metrics

#endif  // DORIS_OPERATOR_OPERATOR_METRICS_API_REQUESTS_H_
