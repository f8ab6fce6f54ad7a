#ifndef DORIS_OPERATOR_OPERATOR_KUBE_OBJECT_FIELDS_H_
#define DORIS_OPERATOR_OPERATOR_KUBE_OBJECT_FIELDS_H_

// Safe reads of Kubernetes API objects held as JSON, the one family every
// part of the operator uses: API objects come from outside, so a missing or
// mistyped field reads as null / the default, never an assertion or exception.

#include <cstdint>
#include <initializer_list>
#include <string>

#include "nlohmann/json.hpp"

namespace doris_operator::kube {

// The value at `path` (object keys, outermost first), or null when any step
// is missing or not an object. The reference stays valid while `j` does.
const nlohmann::json& FieldAt(const nlohmann::json& j, std::initializer_list<const char*> path);

// The string at `path`, "" when absent or not a string.
std::string StringAt(const nlohmann::json& j, std::initializer_list<const char*> path);

// The integer at `path`, `fallback` when absent or not an integer.
int64_t IntAt(const nlohmann::json& j, std::initializer_list<const char*> path,
              int64_t fallback = 0);

// The boolean at `path`, false when absent or not a boolean.
bool BoolAt(const nlohmann::json& j, std::initializer_list<const char*> path);

// metadata.labels[key] when it is a string, else null.
const std::string* LabelOf(const nlohmann::json& object, const std::string& key);

}  // namespace doris_operator::kube

#endif  // DORIS_OPERATOR_OPERATOR_KUBE_OBJECT_FIELDS_H_
