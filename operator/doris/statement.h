#ifndef DORIS_OPERATOR_OPERATOR_DORIS_STATEMENT_H_
#define DORIS_OPERATOR_OPERATOR_DORIS_STATEMENT_H_

// Parses the answer of the FE's Statement Execution Action
// (POST /api/query/<ns>/<db> with {"stmt": "..."}; StmtExecutionAction):
// a result set {"type":"result_set","meta":[{"name","type"}],"data":[[...]]}
// for SHOW and queries, or {"type":"exec_status"} for a DDL statement that
// ran, inside the usual {"code":0,"msg":"success","data":...} envelope.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "operator/doris/node_list.h"

namespace doris_operator::doris {

// The namespace and database the operator's statements run in: the
// internal catalog (default_cluster names it) and a database every FE has.
inline constexpr char kStatementPath[] = "/api/query/default_cluster/information_schema";

struct StatementResult {
  bool result_set = false;  // false: exec_status (a statement without rows)
  std::vector<std::string> columns;
  std::vector<NodeRow> rows;  // column name -> cell as text
};

// code 0 is a result; any other code is FailedPrecondition "<what>: <Doris'
// text>" (a statement Doris refused: "Failed to execute sql: ..."); an answer
// that is not an envelope or whose data has another shape is InvalidArgument.
absl::StatusOr<StatementResult> ParseStatementAnswer(std::string_view body, const std::string& what);

// `text` as a SQL string literal in double quotes (backslash escapes).
std::string SqlString(std::string_view text);

}  // namespace doris_operator::doris

#endif  // DORIS_OPERATOR_OPERATOR_DORIS_STATEMENT_H_
