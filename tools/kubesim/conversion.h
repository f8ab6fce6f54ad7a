#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_CONVERSION_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_CONVERSION_H_

// Versions of one resource are views of one stored object, as in the real
// registry: an object is kept in its resource's storage version and
// converted on the way in and out. Today that is HorizontalPodAutoscaler,
// stored as autoscaling/v2 and served as v1 too; what v1 cannot say (other
// metrics, their current values, conditions, behavior) rides in the
// `autoscaling.alpha.kubernetes.io/*` annotations
// (kubernetes pkg/apis/autoscaling/v1/conversion.go, annotations.go).

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// true when objects written or read as `t` are stored in another version.
bool ConvertsToStorage(const ResourceType& t);
// `t`'s view -> the stored form (apiVersion included); identity otherwise.
Json ToStorageVersion(const ResourceType& t, Json obj);
// The stored form -> `t`'s view; identity otherwise.
Json FromStorageVersion(const ResourceType& t, Json obj);

// The two HPA views, exposed for tests.
Json HpaV2ToV1(const Json& v2);
Json HpaV1ToV2(const Json& v1);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_CONVERSION_H_
