#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_ADMISSION_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_ADMISSION_H_

// What happens to an object between decoding and storage: the API server's
// defaults for built-in kinds, and the structural-schema treatment of custom
// resources (pruning, defaulting, validation).

#include <optional>
#include <string>
#include <vector>

#include "tools/kubesim/cel_evaluator.h"
#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"
#include "tools/kubesim/structural_schema.h"

namespace doris_operator::kubesim {

// The defaults the real API server fills in for the kinds the operator
// writes, so clients see the same objects back.
Json WithDefaults(const ResourceType& t, Json obj);

// What the API server does to a built-in object past its defaults, in its
// order: quantities decoded and re-encoded in canonical form (a malformed
// one fails decoding: 400 for a create or update, 422 on field `patch` for
// a JSON, merge or strategic merge patch), Service cluster IPs and node
// ports allocated (service_allocation.h), StatefulSet updates limited to the
// fields that may change (statefulset_validation.h), a CRD's stored
// versions. `old` is the stored object for an update, null for a create;
// `store` is read for allocations, which a `dry_run` does not make.
// Custom resources pass untouched.
std::optional<ApiError> AdmitBuiltIn(const HttpRequest& req, const ResourceType& t, const ObjectStore& store,
                                     const std::string& ns, const Json* old, bool status_only, bool dry_run,
                                     Json& obj);


// The API server's validation of the built-in kinds it checks here (today
// HorizontalPodAutoscaler's spec); a 422 Invalid with causes, as it answers.
std::optional<ApiError> ValidateBuiltIn(const ResourceType& t, const Json& obj, bool status_only);

// Undeclared fields are pruned (refused with fieldValidation=Strict, as
// kubectl sends, and reported in `warnings` with the default Warn), defaults
// applied, then the object validated, or only its status for the status
// subresource: against the schema, then by `cel` (may be null: rules not
// evaluated) unless a schema error blocks the rules, as in the API server.
// `obj` is changed in place; built-in kinds pass untouched.
std::optional<ApiError> AdmitCustomResource(const HttpRequest& req, const ResourceType& t,
                                            bool create, bool status_only, CelEvaluator* cel,
                                            Json& obj, std::vector<std::string>& warnings);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_ADMISSION_H_
