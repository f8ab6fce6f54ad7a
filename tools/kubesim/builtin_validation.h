#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_BUILTIN_VALIDATION_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_BUILTIN_VALIDATION_H_

// What kube-apiserver refuses in a built-in object: a body its decoder
// cannot read (a type mismatch; unknown fields under
// fieldValidation=Strict), then the validation rules of the kind as far as
// kubesim knows them (required fields, enums, object and container names,
// port numbers and names), with the real status codes and wording.

#include <optional>
#include <string>
#include <vector>

#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"
#include "tools/kubesim/structural_schema.h"

namespace doris_operator::kubesim {

struct BuiltinCheck {
  bool known = false;  // kubesim has the kind's schema
  std::vector<std::string> unknown_fields;
  std::string type_error;  // the decoder's, "" if none
  std::vector<FieldError> errors;
};

// Checks `obj` (apiVersion and kind as written in it) without a request:
// unknown fields are removed from `obj`. For tests of rendered manifests.
BuiltinCheck CheckBuiltinObject(nlohmann::json& obj);

// The admission step for a write of a built-in kind: a 400 for a type error,
// or for unknown fields with fieldValidation=Strict (Warn, the default, puts
// them in `warnings`; Ignore drops them silently); a 422 Invalid with one
// cause per broken rule. Custom resources pass untouched.
std::optional<ApiError> DecodeAndValidateBuiltIn(const HttpRequest& req, const ResourceType& t, bool status_only,
                                     Json& obj, std::vector<std::string>& warnings);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_BUILTIN_VALIDATION_H_
