#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_PATCHES_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_PATCHES_H_

// The three non-apply patch types of the API server: JSON merge patch
// (RFC 7386), strategic merge patch and JSON patch (RFC 6902).

#include <variant>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

Json MergePatch(Json target, const Json& patch);

// Lists of objects with a `name` (containers, env, ports, volumes) merge by
// name; other lists replace; `$patch: delete` entries remove by name.
Json StrategicMerge(Json target, const Json& patch);

std::variant<Json, ApiError> JsonPatch(const Json& target, const Json& patch);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_PATCHES_H_
