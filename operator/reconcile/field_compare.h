#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_FIELD_COMPARE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_FIELD_COMPARE_H_

// The one comparison of an object the operator wants with the one the API
// server holds, shared by the diff, the rollout check and the drift report so
// the three agree on what is a change. Only fields the desired object sets
// count (the rest is the server's defaulting or other controllers'), and a
// field whose live value is how the API server stores the desired one is not
// a change: a quantity of equal value ("1024Mi" stored as "1Gi", 8 as "8") or
// an empty value ({}, [], "", null) the server omitted. Pure.

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace doris_operator::reconcile {

struct FieldDifference {
  std::string path;               // JSON pointer, e.g. /spec/template/spec/containers/0/image
  const nlohmann::json* desired;  // never null
  const nlohmann::json* live;     // null: missing in the live object
  // Not a change: the live value is the API server's form of the desired one
  // (equal quantities, an omitted empty). Reported only so drift can say so.
  bool as_stored = false;
};

// Every difference under `tops` (top-level keys, e.g. "metadata", "spec",
// "data"), including the as_stored ones. Pointers refer into `desired` and
// `live`, which must outlive the result.
std::vector<FieldDifference> CompareOwnedFields(const nlohmann::json& desired,
                                                const nlohmann::json& live,
                                                const std::vector<std::string>& tops);

// Differences between two values found at JSON pointer `path` (whose last
// keys say whether a value is a quantity, e.g. /spec/template).
std::vector<FieldDifference> CompareFieldsAt(const std::string& path, const nlohmann::json& desired,
                                             const nlohmann::json& live);

// True when `live` holds every field of `desired` as the API server would
// store it (no difference other than as_stored ones).
bool SameAsStored(const std::string& path, const nlohmann::json& desired,
                  const nlohmann::json& live);

// Whether the value at JSON pointer `path` is a Kubernetes quantity in the
// objects the operator writes: a ResourceList entry (…/requests/<name>,
// …/limits/<name>), an emptyDir's sizeLimit, an HPA target's value or
// averageValue.
bool IsQuantityPath(const std::string& path);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_FIELD_COMPARE_H_
