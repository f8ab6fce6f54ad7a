#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_QUANTITY_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_QUANTITY_H_

// Resource quantities ("500m", "1Gi") as kube-apiserver reads and writes
// them: parsed by apimachinery's rules (pkg/api/resource/quantity.go, 1.32)
// and re-emitted in the form its JSON encoder produces.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace doris_operator::kubesim {

// The string the API server stores and returns for the quantity `text`
// ("0.5" -> "500m", "1024Mi" -> "1Gi", "2000m" -> "2"), or
// InvalidArgument with the decoder's message ("quantities must match the
// regular expression ...", "unable to parse quantity's suffix", ...).
// Like apimachinery, a well-formed input already in canonical form is
// returned as written ("1e3" stays "1e3", "+8" stays "+8").
absl::StatusOr<std::string> CanonicalQuantity(absl::string_view text);

// The same for a JSON value, read as Quantity.UnmarshalJSON reads the raw
// bytes Go's decoder hands it: a string without its quotes and with outer
// white space trimmed, a number as written; anything else is malformed.
// `null` is the zero quantity, "0".
absl::StatusOr<std::string> CanonicalQuantityValue(const nlohmann::json& value);

// Quantity.Cmp: -1, 0 or 1 as `a` is less than, equal to or greater than
// `b`, exactly; InvalidArgument when either does not parse. A missing value
// (null) is the zero quantity.
absl::StatusOr<int> CompareQuantities(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_QUANTITY_H_
