#include "operator/reconcile/doris_nodes.h"

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile {

absl::StatusOr<BackendList> BackendsOf(const std::vector<doris::NodeRow>& rows, const std::string& component,
                                       const NodeMap& pods) {
  BackendList out;
  for (const doris::NodeRow& row : rows) {
    const std::vector<std::string> hosts = doris::RowHosts(row);
    const std::string* port = doris::CellOf(row, "HeartbeatPort");
    if (hosts.empty() || port == nullptr) {
      return absl::InvalidArgumentError("FE backends list lacks Host (or IP) or HeartbeatPort");
    }
    const std::string host_port = absl::StrCat(hosts.front(), ":", *port);
    const std::optional<NodePlace> place = pods.FindAny(hosts);
    if (!place) {
      out.unmapped.push_back(host_port);
      continue;
    }
    if (place->component != component) continue;
    BackendView b;
    b.host_port = host_port;
    b.ordinal = place->ordinal;
    b.alive = doris::CellIsTrue(row, "Alive");
    b.decommissioned = doris::CellIsTrue(row, "SystemDecommissioned");
    const std::string* tablets = doris::CellOf(row, "TabletNum");
    if (tablets != nullptr && !absl::SimpleAtoi(*tablets, &b.tablets)) {
      return absl::InvalidArgumentError(
          absl::StrCat("FE backends list: TabletNum \"", *tablets, "\" is not a number"));
    }
    out.mine.push_back(std::move(b));
  }
  return out;
}

absl::StatusOr<FrontendList> FrontendsOf(const std::vector<doris::NodeRow>& rows, const NodeMap& pods) {
  FrontendList out;
  for (const doris::NodeRow& row : rows) {
    const std::vector<std::string> hosts = doris::RowHosts(row);
    const std::string* port = doris::CellOf(row, "EditLogPort");
    if (hosts.empty() || port == nullptr) {
      return absl::InvalidArgumentError("FE frontends list lacks Host (or IP) or EditLogPort");
    }
    const std::string host_port = absl::StrCat(hosts.front(), ":", *port);
    const std::optional<NodePlace> place = pods.FindAny(hosts);
    const bool master = doris::CellIsTrue(row, "IsMaster");
    if (master) {
      out.master_host = hosts.front();
      const std::string* http = doris::CellOf(row, "HttpPort");
      if (http == nullptr || !absl::SimpleAtoi(*http, &out.master_http_port)) out.master_http_port = 0;
      if (place && place->component == "fe") out.master_pod = place->pod;
    }
    if (!place) {
      out.unmapped.push_back(host_port);
      continue;
    }
    if (place->component != "fe") continue;
    FrontendView v;
    v.host_port = host_port;
    v.ordinal = place->ordinal;
    const std::string* role = doris::CellOf(row, "Role");
    v.role = role == nullptr ? "" : *role;
    v.alive = doris::CellIsTrue(row, "Alive");
    v.is_master = master;
    out.mine.push_back(std::move(v));
  }
  return out;
}

}  // namespace doris_operator::reconcile
