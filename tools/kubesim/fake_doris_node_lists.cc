#include "tools/kubesim/fake_doris.h"

#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

HttpResponse FakeDoris::NodeList(const Cluster& c, const FeConfig& conf, const std::string& path) const {
  // Columns as FrontendsProcNode / BackendsProcDir name them: 1.2 lists a
  // node's IP and HostName, 2.x one Host (FQDN or IP, as it registered).
  const bool v12 = conf.major < 2;
  auto host_cells = [&](const std::string& hp, const Node& n) {
    return v12 ? Json::array({n.ip, n.fqdn}) : Json::array({HostOf(hp)});
  };
  auto row = [](Json head, const Json& hosts, std::initializer_list<Json> tail) {
    for (const Json& h : hosts) head.push_back(h);
    for (const Json& t : tail) head.push_back(t);
    return head;
  };
  const std::string tf[] = {"false", "true"};
  if (path == "/rest/v2/manager/node/frontends") {
    Json rows = Json::array();
    for (const auto& [hp, fe] : c.frontends) {
      rows.push_back(row({fe.pod}, host_cells(hp, fe),
                         {PortOf(hp), std::to_string(conf.http_port), "9030", "9020", fe.role,
                          tf[fe.is_master], tf[fe.alive],
                          absl::StrCat("doris-", conf.major, ".", conf.minor, "-kubesim")}));
    }
    Json cols = v12 ? Json::array({"Name", "IP", "HostName"}) : Json::array({"Name", "Host"});
    for (const char* col : {"EditLogPort", "HttpPort", "QueryPort", "RpcPort", "Role", "IsMaster", "Alive", "Version"}) {
      cols.push_back(col);
    }
    return Envelope({{"column_names", cols}, {"rows", rows}});
  }
  if (path == "/rest/v2/manager/node/backends") {
    Json rows = Json::array();
    for (const auto& [hp, be] : c.backends) {
      rows.push_back(row({std::to_string(be.id)}, host_cells(hp, be),
                         {PortOf(hp), "9060", "8040", "8060", tf[be.alive], tf[be.decommissioned],
                          std::to_string(be.tablets), be.role == "COMPUTE" ? "computation" : "mix"}));
    }
    Json cols = v12 ? Json::array({"BackendId", "IP", "HostName"}) : Json::array({"BackendId", "Host"});
    for (const char* col : {"HeartbeatPort", "BePort", "HttpPort", "BrpcPort", "Alive",
                            "SystemDecommissioned", "TabletNum", "NodeRole"}) {
      cols.push_back(col);
    }
    return Envelope({{"column_names", cols}, {"rows", rows}});
  }
  if (path == "/rest/v2/manager/node/brokers") {
    Json rows = Json::array();
    for (const auto& [hp, b] : c.brokers) {
      rows.push_back(row({b.pod}, host_cells(hp, b), {PortOf(hp), tf[b.alive]}));
    }
    Json cols = v12 ? Json::array({"Name", "IP", "HostName", "Port", "Alive"})
                    : Json::array({"Name", "Host", "Port", "Alive"});
    return Envelope({{"column_names", cols}, {"rows", rows}});
  }
  HttpResponse r;
  r.status = 404;
  r.body = Json{{"msg", "Not Found"}, {"code", 404}, {"data", path}, {"count", 0}}.dump();
  return r;
}

}  // namespace doris_operator::kubesim
