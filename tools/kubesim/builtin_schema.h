#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_BUILTIN_SCHEMA_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_BUILTIN_SCHEMA_H_

// Kubernetes' OpenAPI v3 schemas of the built-in kinds kubesim serves
// (tools/kubesim/openapi/builtin_schemas.json, compiled in), and what the
// API server's decoder makes of a body against them: unknown fields dropped
// (and named, for fieldValidation), the first JSON type mismatch in Go's
// words, missing required fields and unsupported enum values.

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tools/kubesim/structural_schema.h"

namespace doris_operator::kubesim {

// {"components":{"schemas":{"io.k8s.api.apps.v1.StatefulSet":{...},...}}}.
const nlohmann::json& BuiltinSchemas();

// The definition that carries x-kubernetes-group-version-kind for a kind
// ("io.k8s.api.apps.v1.StatefulSet"), "" for a kind without one.
std::string BuiltinDefinition(const std::string& group, const std::string& version, const std::string& kind);

// Every definition `definition` reaches through $ref, itself included.
std::vector<std::string> ReachableDefinitions(const std::string& definition);

struct DecodeResult {
  std::vector<std::string> unknown_fields;  // "spec.template.spec.containers[0].readinesProbe"
  // The decoder's first type error ("json: cannot unmarshal string into Go
  // struct field StatefulSetSpec.spec.replicas of type int32"), "" if none.
  std::string type_error;
  std::vector<FieldError> errors;  // Required value, Unsupported value
};

// Decodes `obj` as an object of `definition`: unknown fields are removed
// from `obj` in place. Required fields and enums are checked outside
// `status` for a main-resource write and only inside it when `status_only`.
DecodeResult DecodeBuiltin(const std::string& definition, nlohmann::json& obj, bool status_only);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_BUILTIN_SCHEMA_H_
