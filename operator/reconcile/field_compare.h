#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_FIELD_COMPARE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_FIELD_COMPARE_H_

// Compares the fields the operator sets in an object with the live object:
// only fields present in the desired object count (the rest is the API
// server's defaulting or other controllers'), and quantities that the server
// rewrote to canonical form ("1Gi" vs 1073741824) are told apart from
// changes someone made. Pure; shared by the reconciler and the drift report.

#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace doris_operator::reconcile {

struct FieldDifference {
  std::string path;                   // JSON pointer, e.g. /spec/template/spec/containers/0/image
  const nlohmann::json* desired;      // null: never (desired fields only)
  const nlohmann::json* live;         // null: missing in the live object
  bool same_quantity = false;         // both are quantities of equal value
};

// Differences under `tops` (top-level keys, e.g. "metadata", "spec", "data").
// Pointers refer into `desired` and `live`, which must outlive the result.
std::vector<FieldDifference> CompareOwnedFields(const nlohmann::json& desired,
                                                const nlohmann::json& live,
                                                const std::vector<std::string>& tops);

// The value of a Kubernetes quantity ("500m", "1Gi", 3), if it is one.
std::optional<double> QuantityValue(const nlohmann::json& v);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_FIELD_COMPARE_H_
