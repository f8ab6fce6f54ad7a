#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_ADMISSION_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_ADMISSION_H_

// What happens to an object between decoding and storage: the API server's
// defaults for built-in kinds, and the structural-schema treatment of custom
// resources (pruning, defaulting, validation).

#include <optional>
#include <string>
#include <vector>

#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// The defaults the real API server fills in for the kinds the operator
// writes, so clients see the same objects back.
Json WithDefaults(const ResourceType& t, Json obj);

// The API server's validation of the built-in kinds it checks here (today
// HorizontalPodAutoscaler's spec); a 422 Invalid with causes, as it answers.
std::optional<ApiError> ValidateBuiltIn(const ResourceType& t, const Json& obj, bool status_only);

// Undeclared fields are pruned (refused with fieldValidation=Strict, as
// kubectl sends, and reported in `warnings` with the default Warn), defaults
// applied, then the object validated, or only its status for the status
// subresource. `obj` is changed in place; built-in kinds pass untouched.
std::optional<ApiError> AdmitCustomResource(const HttpRequest& req, const ResourceType& t,
                                            bool create, bool status_only, Json& obj,
                                            std::vector<std::string>& warnings);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_ADMISSION_H_
