#ifndef DORIS_OPERATOR_TRANSLATOR_TRANSLATOR_H_
#define DORIS_OPERATOR_TRANSLATOR_TRANSLATOR_H_

// The pure translation of a DorisCluster into the Kubernetes objects that
// should exist for it. No clock, no I/O, no randomness, no environment: the
// same cluster and inputs give the same bytes on any machine, which is what
// makes replay and drift reports trustworthy.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/doris_cluster.pb.h"
#include "translator/component.h"
#include "translator/desired_object.h"
#include "translator/field_problem.h"

namespace doris_operator::translator {

// Observed facts the translation depends on, besides the cluster itself.
struct TranslateInputs {
  // Data of the ConfigMaps the spec references (same namespace), by
  // ConfigMap name: file key ("fe.conf") -> content. A missing ConfigMap or
  // key means defaults, as in the reference operator.
  std::map<std::string, std::map<std::string, std::string>> config_maps;
  // RollingUpdate partition per component, set by the operator while it
  // steps a rollout one pod at a time; 0 = no restriction.
  PerComponent<int32_t> partitions;
  // Restart stamps the operator decided (config change), per component ("" =
  // none); they win over the DorisCluster's own restartedAt annotations and
  // land in the pod template's `apache.doris.<c>/restartedAt`, which rolls the pods.
  PerComponent<std::string> restarted_at;
};

// InvalidArgument listing every validation problem ("path: message", one per
// line) when the cluster is not valid.
absl::StatusOr<DesiredSet> Translate(const model::v1::DorisCluster& cluster,
                                     const TranslateInputs& inputs);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_TRANSLATOR_H_
