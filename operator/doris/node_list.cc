#include "operator/doris/node_list.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "translator/canonical_json.h"

namespace doris_operator::doris {

using translator::Json;

std::string CellText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return translator::Canonical(v);
}

absl::Status ParseWriteAnswer(std::string_view body, const std::string& what) {
  // "msg" is walked below (Cell): a document nested without bound is refused first.
  if (absl::Status deep = translator::CheckJsonDepth(body); !deep.ok()) {
    return absl::InternalError(absl::StrCat(what, ": FE answer: ", deep.message()));
  }
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return absl::InternalError(absl::StrCat(what, ": FE answered with no JSON"));
  const Json code = j.contains("code") ? j["code"] : Json();
  if (code.is_number_integer() && code.get<int64_t>() == 0) return absl::OkStatus();
  std::string detail = j.contains("data") && j["data"].is_string() ? j["data"].get<std::string>()
                                                                     : CellText(j.contains("msg") ? j["msg"] : Json());
  if (!code.is_number_integer()) {
    detail = absl::StrCat("not a Doris API envelope (code ", code.is_null() ? "missing" : translator::Canonical(code), ")",
                          detail.empty() ? "" : ": ", detail);
  }
  return absl::FailedPreconditionError(absl::StrCat(what, ": ", detail));
}

absl::StatusOr<std::vector<NodeRow>> ParseNodeList(std::string_view body) {
  absl::StatusOr<Json> parsed = translator::ParseJson(body);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("FE node list: ", parsed.status().message()));
  }
  const Json& j = *parsed;
  if (!j.is_object() || !j.contains("code")) {
    return absl::InvalidArgumentError("FE node list: not a Doris API envelope (no \"code\")");
  }
  if (!j["code"].is_number_integer() || j["code"].get<int>() != 0) {
    const std::string detail = j.contains("data") ? CellText(j["data"]) : CellText(j.value("msg", Json()));
    return absl::FailedPreconditionError(absl::StrCat("FE answered an error: ", detail));
  }
  const Json& data = j.contains("data") ? j["data"] : Json();
  if (!data.is_object() || !data.contains("column_names") || !data["column_names"].is_array() ||
      !data.contains("rows") || !data["rows"].is_array()) {
    return absl::InvalidArgumentError("FE node list: data lacks column_names/rows");
  }
  std::vector<std::string> columns;
  for (const Json& c : data["column_names"]) columns.push_back(CellText(c));
  std::vector<NodeRow> out;
  for (const Json& r : data["rows"]) {
    if (!r.is_array() || r.size() != columns.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("FE node list: a row has ", r.is_array() ? r.size() : 0, " cells for ",
                       columns.size(), " columns"));
    }
    NodeRow row;
    for (size_t i = 0; i < columns.size(); ++i) row[columns[i]] = CellText(r[i]);
    out.push_back(std::move(row));
  }
  return out;
}

const std::string* CellOf(const NodeRow& row, std::string_view column) {
  auto it = row.find(std::string(column));
  return it == row.end() ? nullptr : &it->second;
}

bool CellIsTrue(const NodeRow& row, std::string_view column) {
  const std::string* v = CellOf(row, column);
  return v != nullptr && absl::AsciiStrToLower(*v) == "true";
}

std::vector<std::string> RowHosts(const NodeRow& row) {
  std::vector<std::string> out;
  for (const char* column : {"Host", "IP", "HostName"}) {
    const std::string* v = CellOf(row, column);
    if (v != nullptr && !v->empty()) out.push_back(*v);
  }
  return out;
}

}  // namespace doris_operator::doris
