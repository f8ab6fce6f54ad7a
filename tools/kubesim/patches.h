#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_PATCHES_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_PATCHES_H_

// The three non-apply patch types of the API server: JSON merge patch
// (RFC 7386), strategic merge patch and JSON patch (RFC 6902).

#include <optional>
#include <string>
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

// What the API server answers for a merge or strategic merge patch body
// that is not a JSON object, before patching (apiserver handlers/patch.go:
// under fieldValidation Strict or Warn, the default, the body is decoded
// strictly into a map), or nullopt when patching goes on. `directive` is
// the request's fieldValidation ("Warn" when absent).
std::optional<ApiError> RefuseNonObjectPatch(const Json& patch, bool strategic, const std::string& directive);

// A patched document that does not decode into the object (an array from a
// merge patch under fieldValidation=Ignore, a JSON patch replacing the
// root): 422 Invalid on field "patch", as jsonPatcher.applyPatchToCurrentObject.
ApiError UndecodablePatchResult(const Json& patched);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_PATCHES_H_
