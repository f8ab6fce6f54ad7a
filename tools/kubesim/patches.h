#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_PATCHES_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_PATCHES_H_

// The three non-apply patch types of the API server: JSON merge patch
// (RFC 7386), strategic merge patch and JSON patch (RFC 6902).

#include <variant>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

Json MergePatch(Json target, const Json& patch);

// Strategic merge patch of a built-in kind: lists merge by their
// patchMergeKey (containers, env and volumes by name, container ports by
// containerPort, Service ports by port, volumeMounts by mountPath, ...),
// finalizers as a set, other lists (tolerations, volumeClaimTemplates, args)
// are replaced; the `$patch`, `$retainKeys`, `$deleteFromPrimitiveList` and
// `$setElementOrder` directives are honoured.
Json StrategicMerge(const ResourceType& t, Json target, const Json& patch);

std::variant<Json, ApiError> JsonPatch(const Json& target, const Json& patch);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_PATCHES_H_
