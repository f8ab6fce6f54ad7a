#include "operator/doris/statement.h"

#include "absl/strings/str_cat.h"
#include "translator/canonical_json.h"

namespace doris_operator::doris {

using translator::Json;

absl::StatusOr<StatementResult> ParseStatementAnswer(std::string_view body, const std::string& what) {
  // Errors first: they share the membership writes' envelope.
  if (absl::Status s = ParseWriteAnswer(body, what); !s.ok()) return s;
  absl::StatusOr<Json> parsed = translator::ParseJson(body);
  if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", parsed.status().message()));
  const Json& data = (*parsed).contains("data") ? (*parsed)["data"] : Json();
  if (!data.is_object() || !data.contains("type") || !data["type"].is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": the FE's answer has no data.type"));
  }
  StatementResult out;
  const std::string type = data["type"].get<std::string>();
  if (type == "exec_status") return out;
  if (type != "result_set") {
    return absl::InvalidArgumentError(absl::StrCat(what, ": unknown answer type \"", type, "\""));
  }
  out.result_set = true;
  const Json& meta = data.contains("meta") ? data["meta"] : Json();
  const Json& rows = data.contains("data") ? data["data"] : Json();
  if (!meta.is_array() || !rows.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": a result set without meta/data"));
  }
  for (const Json& m : meta) {
    if (!m.is_object() || !m.contains("name")) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": a column without a name"));
    }
    out.columns.push_back(CellText(m["name"]));
  }
  for (const Json& r : rows) {
    if (!r.is_array() || r.size() != out.columns.size()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": a row has ", r.is_array() ? r.size() : 0,
                                                     " cells for ", out.columns.size(), " columns"));
    }
    NodeRow row;
    for (size_t i = 0; i < r.size(); ++i) row[out.columns[i]] = CellText(r[i]);
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::string SqlString(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  out.push_back('"');
  return out;
}

}  // namespace doris_operator::doris
