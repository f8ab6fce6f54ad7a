#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_DRY_RUN_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_DRY_RUN_H_

// The `dryRun` option of a write (create, update, patch, delete): whether
// the request is a dry run, or the 422 kube-apiserver answers for a value it
// does not support (apimachinery meta/v1/validation ValidateDryRun; "All" is
// the only one).

#include <variant>

#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// Reads dryRun where the API server does: the query of a POST, PUT or PATCH;
// for a DELETE the DeleteOptions body when there is one, else the query.
// Other methods have no dryRun (false).
std::variant<bool, ApiError> DryRunOf(const HttpRequest& req);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_DRY_RUN_H_
