#include "operator/doris/node_list.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "translator/canonical_json.h"

namespace doris_operator::doris {

namespace {

using translator::Json;

std::string Cell(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return translator::Canonical(v);
}

const std::string* Get(const NodeRow& row, const char* column) {
  auto it = row.find(column);
  return it == row.end() ? nullptr : &it->second;
}

bool IsTrue(const std::string* v) { return v != nullptr && absl::AsciiStrToLower(*v) == "true"; }

}  // namespace

absl::Status ParseWriteAnswer(std::string_view body, const std::string& what) {
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return absl::InternalError(absl::StrCat(what, ": FE answered with no JSON"));
  const Json code = j.contains("code") ? j["code"] : Json();
  if (code.is_number_integer() && code.get<int64_t>() == 0) return absl::OkStatus();
  std::string detail = j.contains("data") && j["data"].is_string() ? j["data"].get<std::string>()
                                                                     : Cell(j.contains("msg") ? j["msg"] : Json());
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
    const std::string detail = j.contains("data") ? Cell(j["data"]) : Cell(j.value("msg", Json()));
    return absl::FailedPreconditionError(absl::StrCat("FE answered an error: ", detail));
  }
  const Json& data = j.contains("data") ? j["data"] : Json();
  if (!data.is_object() || !data.contains("column_names") || !data["column_names"].is_array() ||
      !data.contains("rows") || !data["rows"].is_array()) {
    return absl::InvalidArgumentError("FE node list: data lacks column_names/rows");
  }
  std::vector<std::string> columns;
  for (const Json& c : data["column_names"]) columns.push_back(Cell(c));
  std::vector<NodeRow> out;
  for (const Json& r : data["rows"]) {
    if (!r.is_array() || r.size() != columns.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("FE node list: a row has ", r.is_array() ? r.size() : 0, " cells for ",
                       columns.size(), " columns"));
    }
    NodeRow row;
    for (size_t i = 0; i < columns.size(); ++i) row[columns[i]] = Cell(r[i]);
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<std::string> RowHosts(const NodeRow& row) {
  std::vector<std::string> out;
  for (const char* column : {"Host", "IP", "HostName"}) {
    const std::string* v = Get(row, column);
    if (v != nullptr && !v->empty()) out.push_back(*v);
  }
  return out;
}

absl::StatusOr<BackendList> BackendsOf(const std::vector<NodeRow>& rows, const std::string& component,
                                       const reconcile::NodeMap& pods) {
  BackendList out;
  for (const NodeRow& row : rows) {
    const std::vector<std::string> hosts = RowHosts(row);
    const std::string* port = Get(row, "HeartbeatPort");
    if (hosts.empty() || port == nullptr) {
      return absl::InvalidArgumentError("FE backends list lacks Host (or IP) or HeartbeatPort");
    }
    const std::string host_port = absl::StrCat(hosts.front(), ":", *port);
    const std::optional<reconcile::NodePlace> place = pods.FindAny(hosts);
    if (!place) {
      out.unmapped.push_back(host_port);
      continue;
    }
    if (place->component != component) continue;
    reconcile::BackendView b;
    b.host_port = host_port;
    b.ordinal = place->ordinal;
    b.alive = IsTrue(Get(row, "Alive"));
    b.decommissioned = IsTrue(Get(row, "SystemDecommissioned"));
    const std::string* tablets = Get(row, "TabletNum");
    if (tablets != nullptr && !absl::SimpleAtoi(*tablets, &b.tablets)) {
      return absl::InvalidArgumentError(
          absl::StrCat("FE backends list: TabletNum \"", *tablets, "\" is not a number"));
    }
    out.mine.push_back(std::move(b));
  }
  return out;
}

absl::StatusOr<FrontendList> FrontendsOf(const std::vector<NodeRow>& rows, const reconcile::NodeMap& pods) {
  FrontendList out;
  for (const NodeRow& row : rows) {
    const std::vector<std::string> hosts = RowHosts(row);
    const std::string* port = Get(row, "EditLogPort");
    if (hosts.empty() || port == nullptr) {
      return absl::InvalidArgumentError("FE frontends list lacks Host (or IP) or EditLogPort");
    }
    const std::string host_port = absl::StrCat(hosts.front(), ":", *port);
    const std::optional<reconcile::NodePlace> place = pods.FindAny(hosts);
    const bool master = IsTrue(Get(row, "IsMaster"));
    if (master) {
      out.master_host = hosts.front();
      const std::string* http = Get(row, "HttpPort");
      if (http == nullptr || !absl::SimpleAtoi(*http, &out.master_http_port)) out.master_http_port = 0;
      if (place && place->component == "fe") out.master_pod = place->pod;
    }
    if (!place) {
      out.unmapped.push_back(host_port);
      continue;
    }
    if (place->component != "fe") continue;
    reconcile::FrontendView v;
    v.host_port = host_port;
    v.ordinal = place->ordinal;
    const std::string* role = Get(row, "Role");
    v.role = role == nullptr ? "" : *role;
    v.alive = IsTrue(Get(row, "Alive"));
    v.is_master = master;
    out.mine.push_back(std::move(v));
  }
  return out;
}

}  // namespace doris_operator::doris
