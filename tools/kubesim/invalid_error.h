#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_INVALID_ERROR_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_INVALID_ERROR_H_

// The API server's 422 Invalid for an object's field errors: the message
// kubectl prints (`StatefulSet.apps "x" is invalid: [a, b]`) and
// details.{name,group,kind,causes}.

#include <string>
#include <vector>

#include "tools/kubesim/object_store.h"
#include "tools/kubesim/structural_schema.h"

namespace doris_operator::kubesim {

ApiError InvalidError(const ResourceType& t, const std::string& name, const std::vector<FieldError>& errors);
// The same, named by `obj`'s metadata.name.
ApiError InvalidError(const ResourceType& t, const Json& obj, const std::vector<FieldError>& errors);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_INVALID_ERROR_H_
