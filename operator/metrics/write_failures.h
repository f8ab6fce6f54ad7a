#ifndef DORIS_OPERATOR_OPERATOR_METRICS_WRITE_FAILURES_H_
#define DORIS_OPERATOR_OPERATOR_METRICS_WRITE_FAILURES_H_

// Failed writes of reconciles (Kubernetes API and Doris calls) by cause:
// doris_operator_write_failures_total{cause}. Every cause is exported from
// the start (at 0), so rates and alerts see the series before a failure.
// Thread-safe.

#include <map>
#include <string>

#include "absl/status/status.h"
#include "operator/metrics/registry.h"
#include "prometheus/counter.h"

namespace doris_operator::metrics {

// conflict | invalid | forbidden | not_found | server_error | unavailable |
// doris_refused | other, from how the write failed. `verb` is the reconcile
// record's ("create", "apply", "doris:drop_backend", ...).
std::string WriteFailureCause(const std::string& verb, const absl::Status& failure);

class WriteFailures {
 public:
  explicit WriteFailures(Registry* registry);
  void Count(const std::string& verb, const absl::Status& failure);

 private:
  std::map<std::string, prometheus::Counter*> by_cause_;  // every cause, set at construction
};

}  // namespace doris_operator::metrics

#endif  // DORIS_OPERATOR_OPERATOR_METRICS_WRITE_FAILURES_H_
