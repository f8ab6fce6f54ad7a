#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_MANAGER_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_MANAGER_H_

// Server-side apply and the metadata.managedFields bookkeeping behind it.

#include <string>
#include <variant>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// Applies `body` for `manager` to `cur`: removes what the manager applied
// before and no longer does (unless another applier owns it), merges the
// body, and records ownership. Conflicts with other appliers' values fail
// unless forced.
std::variant<Json, ApiError> ServerSideApply(Json cur, const Json& body, const std::string& manager,
                                             bool force);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_MANAGER_H_
