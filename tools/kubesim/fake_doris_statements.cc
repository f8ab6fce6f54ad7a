#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/kubesim/fake_doris.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers


// POST /api/query/<ns>/<db> with {"stmt": "...", "is_sync": true, "limit": N}
// (StmtExecutionAction.executeSQL, StatementSubmitter). Runs the statements
// an operator needs: SHOW PROC '<path>' (a result set of VARCHAR columns)
// and CANCEL DECOMMISSION BACKEND "<host:port>"|"<id>"[, ...] (an exec
// status). Any other statement fails as one the fake cannot run (stricter:
// Doris runs any query, SHOW, DDL or EXPORT statement).
HttpResponse FakeDoris::ExecuteStatement(Cluster& c, const FeConfig& conf, const std::string& path,
                                         const HttpRequest& req) {
  const std::vector<std::string> parts = absl::StrSplit(path.substr(std::string("/api/query/").size()), '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    HttpResponse r;
    r.status = 404;
    r.body = Json{{"msg", "Not Found"}, {"code", 404}, {"data", path}, {"count", 0}}.dump();
    return r;
  }
  const Json body = Json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    // Gson's JsonSyntaxException reaches RestApiExceptionHandler's
    // unexpectedExceptionHandler: internalError.
    HttpResponse r;
    r.body = Json{{"msg", "Internal Error"}, {"code", 500},
                  {"data", "com.google.gson.JsonSyntaxException: the body is not a JSON object"}, {"count", 0}}
                 .dump();
    return r;
  }
  const std::string stmt_text = body.contains("stmt") && body["stmt"].is_string() ? body["stmt"].get<std::string>() : "";
  if (stmt_text.empty()) {
    HttpResponse r;
    r.body = Json{{"msg", "Bad Request"}, {"code", 403}, {"data", "Missing statement request body"}, {"count", 0}}
                 .dump();
    return r;
  }
  if (body.contains("is_sync") && body["is_sync"].is_boolean() && !body["is_sync"].get<bool>()) {
    HttpResponse r;
    r.body = Json{{"msg", "Error"}, {"code", 1}, {"data", "Not support async query execution"}, {"count", 0}}
                 .dump();
    return r;
  }
  int64_t limit = 1000;  // StatementSubmitter's DEFAULT_ROW_LIMIT
  if (body.contains("limit") && body["limit"].is_number_integer()) limit = body["limit"].get<int64_t>();
  // default_cluster names the internal catalog; the session's database must
  // exist (the FE's JDBC connection names it).
  if (parts[0] != "default_cluster" && parts[0] != "internal") {
    return SqlError(absl::StrCat("Unknown catalog '", parts[0], "'"));
  }
  if (parts[1] != "information_schema" && parts[1] != "mysql" && parts[1] != kDatabaseName) {
    return SqlError(absl::StrCat("Unknown database '", parts[1], "'"));
  }

  absl::string_view s = absl::StripAsciiWhitespace(stmt_text);
  absl::ConsumeSuffix(&s, ";");
  s = absl::StripTrailingAsciiWhitespace(s);
  absl::string_view rest = s;
  if (ConsumeKeyword(&rest, "SHOW") && ConsumeKeyword(&rest, "PROC")) {
    std::string proc;
    if (!ConsumeString(&rest, &proc) || !absl::StripAsciiWhitespace(rest).empty()) {
      return SqlError(absl::StrCat("Syntax error in line 1:\n", stmt_text));
    }
    Json titles, rows;
    std::string error;
    if (!ProcNode(c, conf, proc, &titles, &rows, &error)) return SqlError(error);
    // ShowProcStmt's metadata: every column VARCHAR; the MariaDB driver
    // names the type "VARCHAR". Cells come back as strings.
    Json meta = Json::array();
    for (const Json& t : titles) meta.push_back({{"name", t}, {"type", "VARCHAR"}});
    Json data = Json::array();
    for (const Json& row : rows) {
      if (static_cast<int64_t>(data.size()) >= limit) break;
      data.push_back(row);
    }
    return Envelope({{"type", "result_set"}, {"meta", meta}, {"data", data}, {"time", 0}});
  }
  rest = s;
  if (ConsumeKeyword(&rest, "CANCEL") && ConsumeKeyword(&rest, "DECOMMISSION") &&
      ConsumeKeyword(&rest, "BACKEND")) {
    std::vector<std::string> ids;
    for (;;) {
      std::string id;
      if (!ConsumeString(&rest, &id)) return SqlError(absl::StrCat("Syntax error in line 1:\n", stmt_text));
      ids.push_back(id);
      rest = absl::StripLeadingAsciiWhitespace(rest);
      if (rest.empty()) break;
      if (!absl::ConsumePrefix(&rest, ",")) {
        return SqlError(absl::StrCat("Syntax error in line 1:\n", stmt_text));
      }
    }
    // SystemHandler.cancel: every named backend must exist (else nothing
    // changes); one that is not decommissioned is skipped; the others stop
    // decommissioning and keep the tablets they still hold.
    std::vector<Node*> found;
    for (const std::string& id : ids) {
      Node* node = nullptr;
      int64_t backend_id = 0;
      const bool by_id = id.find(':') == std::string::npos;
      if (by_id && !absl::SimpleAtoi(id, &backend_id)) {
        return SqlError(absl::StrCat("Invalid host port: ", id));
      }
      for (auto& [hp, be] : c.backends) {
        if (by_id ? be.id == backend_id : hp == id) node = &be;
      }
      if (node == nullptr) return SqlError(absl::StrCat("Backend does not exist[", id, "]"));
      found.push_back(node);
    }
    auto refused = c.knobs.refuse.find("CANCEL_DECOMMISSION/be");
    const bool refuse = refused != c.knobs.refuse.end();
    if (!refuse) {
      for (Node* n : found) n->decommissioned = false;
    }
    c.membership_log.push_back({{"op", "CANCEL_DECOMMISSION/be"},
                                {"hostPorts", ids},
                                {"by", req.Header("user-agent")},
                                {"resourceVersion", store_->CurrentRv()},
                                {"code", refuse ? 1 : 0}});
    if (refuse) return SqlError(refused->second);
    return Envelope({{"type", "exec_status"}, {"status", Json::object()}, {"time", 0}});
  }
  return SqlError(absl::StrCat("kubesim: the fake FE does not run this statement: ", stmt_text));
}

}  // namespace doris_operator::kubesim
