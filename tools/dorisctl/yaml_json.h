#ifndef DORIS_OPERATOR_TOOLS_DORISCTL_YAML_JSON_H_
#define DORIS_OPERATOR_TOOLS_DORISCTL_YAML_JSON_H_

// YAML in and out for dorisctl: reads (multi-document) YAML as JSON values
// with Kubernetes' scalar rules, and writes JSON values as block YAML with
// sorted keys, quoting any string a YAML reader could mistake for something
// else.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace doris_operator::dorisctl {

absl::StatusOr<std::vector<nlohmann::json>> ParseYamlDocuments(std::string_view text);
std::string ToYaml(const nlohmann::json& value);

}  // namespace doris_operator::dorisctl

#endif  // DORIS_OPERATOR_TOOLS_DORISCTL_YAML_JSON_H_
