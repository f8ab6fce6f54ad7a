#ifndef DORIS_OPERATOR_OPERATOR_DORIS_NODE_LIST_H_
#define DORIS_OPERATOR_OPERATOR_DORIS_NODE_LIST_H_

// Parses the FE node-management API's answers
// (GET /rest/v2/manager/node/{frontends,backends,brokers}): a JSON envelope
// {"code":0,"msg":"success","data":{"column_names":[...],"rows":[[...]]}}
// with the same columns as SHOW FRONTENDS / SHOW BACKENDS.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace doris_operator::doris {

using NodeRow = std::map<std::string, std::string>;  // column name -> value

// Error envelopes (code != 0) become FailedPrecondition carrying Doris' text.
absl::StatusOr<std::vector<NodeRow>> ParseNodeList(std::string_view body);

// A membership write's answer ({"code":0,...} is done): Internal when it
// is not a JSON object, FailedPrecondition "<what>: <Doris' text>" for any
// other code, also one that is not an integer (never an exception).
absl::Status ParseWriteAnswer(std::string_view body, const std::string& what);

// The hosts a row names its node by, the one membership writes use first:
// 2.x lists `Host` (FQDN or IP, as the node registered); 1.2 lists `IP` and
// `HostName`. Empty when the row has none of them.
std::vector<std::string> RowHosts(const NodeRow& row);

// A cell of a Doris answer as text: strings as they are, null as "",
// anything else as canonical JSON.
std::string CellText(const nlohmann::json& v);

// The cell of `column`, null when the row has no such column.
const std::string* CellOf(const NodeRow& row, std::string_view column);
// Whether the cell of `column` says true (any case); false when absent.
bool CellIsTrue(const NodeRow& row, std::string_view column);

}  // namespace doris_operator::doris

#endif  // DORIS_OPERATOR_OPERATOR_DORIS_NODE_LIST_H_
