#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_INTERNAL_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_INTERNAL_H_

// What the fake Doris files share: Doris' JSON envelopes (ResponseEntityBuilder),
// the ports nodes register with, and reading pods and conf files. Not for
// use outside fake_doris*.cc.

#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim::fake_doris_internal {

inline constexpr int kEditLogPort = 9010;
inline constexpr int kHeartbeatPort = 9050;
inline constexpr int kBrokerPort = 8000;

inline HttpResponse Envelope(const Json& data, const Json& extra = Json::object()) {
  HttpResponse r;
  Json body = {{"msg", "success"}, {"code", 0}, {"data", data}, {"count", 0}};
  for (const auto& [k, v] : extra.items()) body[k] = v;
  r.body = body.dump();
  return r;
}

inline HttpResponse DorisError(const std::string& detail) {
  HttpResponse r;
  r.body = Json{{"msg", "Error"}, {"code", 1},
                {"data", absl::StrCat("errCode = 2, detailMessage = ", detail)}, {"count", 0}}
               .dump();
  return r;
}

inline HttpResponse Refused(const std::string& text) {
  HttpResponse r;
  r.status = 503;
  r.content_type = "text/plain";
  r.body = text;
  return r;
}

inline bool Ready(const Json& pod) {
  if (!pod.contains("status") || !pod["status"].contains("conditions")) return false;
  for (const Json& c : pod["status"]["conditions"]) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

inline int ElectNumber(const Json& pod) {
  if (!pod.contains("spec") || !pod["spec"].contains("containers")) return 3;
  for (const Json& c : pod["spec"]["containers"]) {
    for (const Json& e : c.value("env", Json::array())) {
      int v = 0;
      if (e.value("name", "") == "ELECT_NUMBER" && absl::SimpleAtoi(e.value("value", ""), &v)) return v;
    }
  }
  return 3;
}

// `key = value` lines of a Doris conf file; the last one wins, as in Doris'
// ConfigBase (java.util.Properties).
inline std::map<std::string, std::string> ParseConf(const std::string& conf) {
  std::map<std::string, std::string> out;
  for (absl::string_view line : absl::StrSplit(conf, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) continue;
    out[std::string(absl::StripAsciiWhitespace(line.substr(0, eq)))] =
        std::string(absl::StripAsciiWhitespace(line.substr(eq + 1)));
  }
  return out;
}

// StmtExecutionAction.executeQuery: a statement that fails is answered
// okWithCommonError("Failed to execute sql: " + ExecutionException message),
// whose message is the JDBC exception's toString (the FE runs the statement
// over its own MySQL port with the MariaDB driver).
inline HttpResponse SqlError(const std::string& detail) {
  HttpResponse r;
  r.body = Json{{"msg", "Error"},
                {"code", 1},
                {"data", absl::StrCat("Failed to execute sql: java.sql.SQLException: (conn=1) errCode = 2, "
                                      "detailMessage = ", detail)},
                {"count", 0}}
               .dump();
  return r;
}

// Consumes a keyword (any case) followed by white space or the end.
inline bool ConsumeKeyword(absl::string_view* s, absl::string_view word) {
  *s = absl::StripLeadingAsciiWhitespace(*s);
  if (s->size() < word.size() || !absl::EqualsIgnoreCase(s->substr(0, word.size()), word)) return false;
  if (s->size() > word.size() && !absl::ascii_isspace(static_cast<unsigned char>((*s)[word.size()]))) {
    return false;
  }
  s->remove_prefix(word.size());
  return true;
}

// A string literal in ' or " quotes (no escapes: host:port and proc paths
// need none); false when there is none.
inline bool ConsumeString(absl::string_view* s, std::string* out) {
  *s = absl::StripLeadingAsciiWhitespace(*s);
  if (s->empty() || ((*s)[0] != '\'' && (*s)[0] != '"')) return false;
  const char quote = (*s)[0];
  const size_t end = s->find(quote, 1);
  if (end == absl::string_view::npos) return false;
  *out = std::string(s->substr(1, end - 1));
  s->remove_prefix(end + 1);
  return true;
}

inline std::string HostOf(const std::string& hp) { return hp.substr(0, hp.rfind(':')); }
inline std::string PortOf(const std::string& hp) { return hp.substr(hp.rfind(':') + 1); }

}  // namespace doris_operator::kubesim::fake_doris_internal

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_INTERNAL_H_
