#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_STRUCTURAL_SCHEMA_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_STRUCTURAL_SCHEMA_H_

// What the API server does with a custom resource and its CRD version's
// openAPIV3Schema on every write: prune undeclared fields, apply `default`s,
// validate, with the real server's field paths and wording.
// x-kubernetes-validations (CEL) rules are cel_evaluator.h's (see admission.h).

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace doris_operator::kubesim {

// One field.Error of the API server, rendered as a metav1.StatusCause.
struct FieldError {
  std::string reason;   // FieldValueInvalid, FieldValueTypeInvalid, FieldValueRequired, ...
  std::string field;    // "spec.feSpec.replicas"
  std::string message;  // the ErrorBody: `Invalid value: "string": ...`

  std::string ToString() const { return field + ": " + message; }
};

// Removes fields `schema` does not declare (except under
// x-kubernetes-preserve-unknown-fields) and nulls of non-nullable fields
// that have no default, from `value` in place. Returns the dropped unknown
// fields' paths ("spec.beSepc"), which strict field validation refuses.
// apiVersion, kind and metadata of the root (and of embedded resources) are
// the ObjectMeta machinery's, not the schema's.
std::vector<std::string> PruneUnknownFields(const nlohmann::json& schema, nlohmann::json& value);

// Fills absent (or null non-nullable) properties that have a `default`.
void ApplySchemaDefaults(const nlohmann::json& schema, nlohmann::json& value);

// Validates `value` against `schema`; `path` names `value` ("" for the root,
// "status" for the status subresource's part).
std::vector<FieldError> ValidateAgainstSchema(const nlohmann::json& schema, const nlohmann::json& value,
                                              const std::string& path);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_STRUCTURAL_SCHEMA_H_
