#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_LIST_TYPE_VALIDATION_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_LIST_TYPE_VALIDATION_H_

// The uniqueness a custom resource's lists owe their schema's
// x-kubernetes-list-type: "set" (no two equal items) and "map" (no two items
// with the same x-kubernetes-list-map-keys), checked by the API server after
// the structural schema and before the CEL rules (apiextensions-apiserver
// pkg/apiserver/schema/listtype/validation.go, pkg/registry/customresource/strategy.go).

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tools/kubesim/structural_schema.h"

namespace doris_operator::kubesim {

// `value` against `schema`, `path` naming `value` ("" for the root): one
// FieldValueDuplicate per item that repeats an earlier one (its first
// repetition only, as the API server reports them).
std::vector<FieldError> ValidateListSetsAndMaps(const nlohmann::json& schema, const nlohmann::json& value,
                                                const std::string& path);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_LIST_TYPE_VALIDATION_H_
