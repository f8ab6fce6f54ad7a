#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/kubesim/fake_doris_cloud.h"
#include "tools/kubesim/fake_doris_cloud_internal.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers
using namespace fake_doris_cloud_internal;  // NOLINT

namespace {

HttpResponse ResultSet(const Json& titles, const Json& rows, int64_t limit) {
  Json meta = Json::array();
  for (const Json& t : titles) meta.push_back({{"name", t}, {"type", "VARCHAR"}});
  Json data = Json::array();
  for (const Json& row : rows) {
    if (static_cast<int64_t>(data.size()) >= limit) break;
    data.push_back(row);
  }
  return Envelope({{"type", "result_set"}, {"meta", meta}, {"data", data}, {"time", 0}});
}

HttpResponse ExecStatus() { return Envelope({{"type", "exec_status"}, {"status", Json::object()}, {"time", 0}}); }

// "a"[, "b" ...]: false when the list is malformed.
bool ConsumeStringList(absl::string_view* s, std::vector<std::string>* out) {
  for (;;) {
    std::string item;
    if (!ConsumeString(s, &item)) return false;
    out->push_back(item);
    *s = absl::StripLeadingAsciiWhitespace(*s);
    if (!absl::ConsumePrefix(s, ",")) return true;
  }
}

// PROPERTIES ("k" = "v"[, ...]): false when malformed.
bool ConsumeProperties(absl::string_view* s, std::map<std::string, std::string>* out) {
  if (!ConsumeKeyword(s, "PROPERTIES")) return false;
  *s = absl::StripLeadingAsciiWhitespace(*s);
  if (!absl::ConsumePrefix(s, "(")) return false;
  for (;;) {
    std::string k, v;
    if (!ConsumeString(s, &k)) return false;
    *s = absl::StripLeadingAsciiWhitespace(*s);
    if (!absl::ConsumePrefix(s, "=") || !ConsumeString(s, &v)) return false;
    (*out)[k] = v;
    *s = absl::StripLeadingAsciiWhitespace(*s);
    if (absl::ConsumePrefix(s, ")")) return true;
    if (!absl::ConsumePrefix(s, ",")) return false;
  }
}

}  // namespace

// POST /api/query/<ns>/<db> on a cloud-mode FE: the Statement Execution
// Action (request checks as in fake_doris_statements.cc) running what an
// operator of a ddc sends: SHOW BACKENDS, SHOW FRONTENDS, SHOW COMPUTE
// GROUPS, SHOW PROC '/backends'|'/frontends', ALTER SYSTEM ADD BACKEND ...
// [PROPERTIES ("tag.compute_group_name" = ...)], ALTER SYSTEM DECOMMISSION |
// DROP | DROPP BACKEND ..., ALTER SYSTEM DROP OBSERVER | FOLLOWER "...".
// Anything else fails (stricter than Doris).
HttpResponse FakeDorisCloud::Statement(Cluster& c, const Config& conf, const std::string& fe_pod,
                                       const std::string& path, const HttpRequest& req) {
  const std::vector<std::string> parts = absl::StrSplit(path.substr(std::string("/api/query/").size()), '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    HttpResponse r;
    r.status = 404;
    r.body = Json{{"msg", "Not Found"}, {"code", 404}, {"data", path}, {"count", 0}}.dump();
    return r;
  }
  const Json body = Json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    HttpResponse r;
    r.body = Json{{"msg", "Internal Error"}, {"code", 500},
                  {"data", "com.google.gson.JsonSyntaxException: the body is not a JSON object"}, {"count", 0}}
                 .dump();
    return r;
  }
  const std::string text = body.contains("stmt") && body["stmt"].is_string() ? body["stmt"].get<std::string>() : "";
  if (text.empty()) {
    HttpResponse r;
    r.body = Json{{"msg", "Bad Request"}, {"code", 403}, {"data", "Missing statement request body"}, {"count", 0}}
                 .dump();
    return r;
  }
  if (body.contains("is_sync") && body["is_sync"].is_boolean() && !body["is_sync"].get<bool>()) {
    HttpResponse r;
    r.body = Json{{"msg", "Error"}, {"code", 1}, {"data", "Not support async query execution"}, {"count", 0}}.dump();
    return r;
  }
  int64_t limit = 1000;
  if (body.contains("limit") && body["limit"].is_number_integer()) limit = body["limit"].get<int64_t>();
  if (parts[0] != "default_cluster" && parts[0] != "internal") {
    return SqlError(absl::StrCat("Unknown catalog '", parts[0], "'"));
  }
  if (parts[1] != "information_schema" && parts[1] != "mysql") {
    return SqlError(absl::StrCat("Unknown database '", parts[1], "'"));
  }
  absl::string_view s = absl::StripAsciiWhitespace(text);
  absl::ConsumeSuffix(&s, ";");
  s = absl::StripTrailingAsciiWhitespace(s);
  const std::string syntax = absl::StrCat("Syntax error in line 1:\n", text);

  absl::string_view r = s;
  if (ConsumeKeyword(&r, "SHOW")) {
    absl::string_view rest = absl::StripAsciiWhitespace(r);
    if (absl::EqualsIgnoreCase(rest, "BACKENDS")) return ResultSet(BackendColumns(), BackendRows(c, conf), limit);
    if (absl::EqualsIgnoreCase(rest, "FRONTENDS")) return ResultSet(FrontendColumns(), FrontendRows(c, conf), limit);
    absl::string_view groups = rest;
    if (ConsumeKeyword(&groups, "COMPUTE") && ConsumeKeyword(&groups, "GROUPS") &&
        absl::StripAsciiWhitespace(groups).empty()) {
      // ShowClustersCommand (3.0 columns): groups the FE knows, i.e. with
      // backends, sorted by name; IsCurrent is FALSE as the statement's
      // session has no compute group set; Users lists explicit grants (none).
      std::map<std::string, size_t> named;
      for (const auto& [id, g] : c.groups) {
        if (!g.backends.empty()) named[g.name] = g.backends.size();
      }
      Json rows = Json::array();
      for (const auto& [name, n] : named) rows.push_back(Json::array({name, "FALSE", "", std::to_string(n)}));
      return ResultSet(Json::array({"Name", "IsCurrent", "Users", "BackendNum"}), rows, limit);
    }
    absl::string_view proc = rest;
    std::string proc_path;
    if (ConsumeKeyword(&proc, "PROC") && ConsumeString(&proc, &proc_path) &&
        absl::StripAsciiWhitespace(proc).empty()) {
      if (proc_path == "/backends") return ResultSet(BackendColumns(), BackendRows(c, conf), limit);
      if (proc_path == "/frontends") return ResultSet(FrontendColumns(), FrontendRows(c, conf), limit);
      return SqlError(absl::StrCat("Proc path '", proc_path, "' doesn't exist"));
    }
    return SqlError(absl::StrCat("kubesim: the fake FE does not run this statement: ", text));
  }
  r = s;
  if (!ConsumeKeyword(&r, "ALTER") || !ConsumeKeyword(&r, "SYSTEM")) {
    return SqlError(absl::StrCat("kubesim: the fake FE does not run this statement: ", text));
  }
  // Membership statements are the master's; the FE forwards them there.
  bool master = false;
  for (const auto& [hp, fe] : c.frontends) master |= fe.is_master && fe.alive;
  if (!master) return SqlError("Node catalog is not ready, please wait for a while.");
  std::string verb;
  for (const char* v : {"ADD", "DROPP", "DROP", "DECOMMISSION"}) {
    if (verb.empty() && ConsumeKeyword(&r, v)) verb = v;
  }
  if (verb.empty()) return SqlError(absl::StrCat("kubesim: the fake FE does not run this statement: ", text));
  absl::string_view t = r;
  std::string role;
  if (verb == "DROP" && ConsumeKeyword(&t, "OBSERVER")) role = "OBSERVER";
  if (verb == "DROP" && role.empty() && ConsumeKeyword(&t, "FOLLOWER")) role = "FOLLOWER";
  if (!role.empty()) {
    std::string hp;
    if (!ConsumeString(&t, &hp) || !absl::StripAsciiWhitespace(t).empty()) return SqlError(syntax);
    const std::string error = DropFrontend(c, role, hp);
    Log(c, "DROP/fe", Json::array({hp}), req.Header("user-agent"), error.empty() ? 0 : 1, fe_pod);
    return error.empty() ? ExecStatus() : SqlError(error);
  }
  if (!ConsumeKeyword(&r, "BACKEND")) return SqlError(syntax);
  std::vector<std::string> hps;
  if (!ConsumeStringList(&r, &hps)) return SqlError(syntax);
  std::map<std::string, std::string> props;
  r = absl::StripAsciiWhitespace(r);
  if (verb == "ADD" && !r.empty() && !ConsumeProperties(&r, &props)) return SqlError(syntax);
  if (!absl::StripAsciiWhitespace(r).empty()) return SqlError(syntax);
  std::string error;
  std::string op;
  if (verb == "ADD") {
    op = "ADD/be";
    for (size_t i = 0; i < hps.size() && error.empty(); ++i) {
      if (FindBackend(c, hps[i]) != nullptr || std::find(hps.begin(), hps.begin() + i, hps[i]) != hps.begin() + i) {
        error = absl::StrCat("Same backend already exists[", hps[i], "]");
      }
    }
    for (const std::string& hp : hps) {
      if (error.empty()) error = AddBackend(c, hp, props["tag.compute_group_name"]);
    }
  } else if (verb == "DECOMMISSION") {
    op = "DECOMMISSION/be";
    error = DecommissionBackends(c, hps);
  } else {
    op = "DROP/be";
    error = DropBackends(c, hps);
  }
  Log(c, op, hps, req.Header("user-agent"), error.empty() ? 0 : 1, fe_pod);
  return error.empty() ? ExecStatus() : SqlError(error);
}

}  // namespace doris_operator::kubesim
