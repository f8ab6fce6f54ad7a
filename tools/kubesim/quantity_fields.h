#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_QUANTITY_FIELDS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_QUANTITY_FIELDS_H_

// Where built-in kinds carry resource.Quantity values (resource requests and
// limits, claim sizes, emptyDir limits, downward-API divisors, HPA targets)
// and their rewriting into the form kube-apiserver stores and returns.

#include <optional>
#include <string>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// Rewrites every quantity of the built-in object `obj` of kind `t` in
// canonical form, as decoding into the Go type and encoding it again does.
// Returns the decoder's message for the first malformed quantity (the object
// is then refused); custom resources pass untouched.
std::optional<std::string> CanonicalizeQuantities(const ResourceType& t, Json& obj);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_QUANTITY_FIELDS_H_
