#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_STATEFULSET_VALIDATION_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_STATEFULSET_VALIDATION_H_

// Which parts of a StatefulSet's spec an update may change, as
// kube-apiserver 1.32 checks it (pkg/apis/apps/validation/validation.go
// ValidateStatefulSetUpdate).

#include <optional>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// 422 Invalid (`spec: Forbidden: updates to statefulset spec for fields
// other than ...`) when the defaulted `next` changes any spec field besides
// replicas, ordinals, template, updateStrategy,
// persistentVolumeClaimRetentionPolicy and minReadySeconds of `old`.
std::optional<ApiError> ValidateStatefulSetUpdate(const ResourceType& t, const Json& old, const Json& next);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_STATEFULSET_VALIDATION_H_
