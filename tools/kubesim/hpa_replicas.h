#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_HPA_REPLICAS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_HPA_REPLICAS_H_

// What one metric of a HorizontalPodAutoscaler proposes, as the real
// replica calculator works it out: the replica count, the metric's status
// for `status.currentMetrics`, or why it could not (the ScalingActive=False
// reason and message). Pure: the pods and the metric values come in.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

struct ReplicaInputs {
  int32_t current = 0;          // the target's spec.replicas
  int32_t status_replicas = 0;  // the target's status.replicas
  const std::vector<Json>* pods = nullptr;  // the pods of the target's selector
  double tolerance = 0.1;
  std::string ns;
  // The value a metric (by name) reports now; nullopt: no metrics.
  std::function<std::optional<double>(const std::string&)> value_of;
};

struct MetricProposal {
  bool ok = false;
  int32_t replicas = 0;
  std::string metric_name;  // for the ValidMetricFound message
  Json status;              // the MetricStatus
  std::string reason;       // when !ok: the ScalingActive=False reason
  std::string error;        // when !ok
};

// `metric` is one entry of an autoscaling/v2 spec.metrics.
MetricProposal ProposeReplicas(const Json& metric, const ReplicaInputs& in);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_HPA_REPLICAS_H_
