#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/kubesim/doris_account.h"
#include "tools/kubesim/fake_doris_cloud.h"
#include "tools/kubesim/fake_doris_cloud_internal.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers
using namespace fake_doris_cloud_internal;  // NOLINT

namespace {

HttpResponse NotFound(const std::string& path) {
  HttpResponse r;
  r.status = 404;
  r.body = Json{{"msg", "Not Found"}, {"code", 404}, {"data", path}, {"count", 0}}.dump();
  return r;
}

// BaseController.checkPassword refusing: HTTP 200, code 401 (as FakeDoris).
HttpResponse Unauthorized(const HttpRequest& req) {
  std::string user = "root", decoded;
  const std::string header = req.Header("authorization");
  if (header.rfind("Basic ", 0) == 0 && absl::Base64Unescape(header.substr(6), &decoded)) {
    user = decoded.substr(0, decoded.find(':'));
  }
  HttpResponse r;
  r.body = Json{{"msg", "Unauthorized"},
                {"code", 401},
                {"data", header.empty() ? std::string("Need auth information.")
                                        : absl::StrCat("Access denied for ", user, "@127.0.0.1")},
                {"count", 0}}
               .dump();
  return r;
}

}  // namespace

// BackendsProcDir.TITLE_NAMES (3.x), a subset in the same order.
Json FakeDorisCloud::BackendColumns() const {
  return Json::array({"BackendId", "Host", "HeartbeatPort", "BePort", "HttpPort", "BrpcPort", "ArrowFlightSqlPort",
                      "LastStartTime", "LastHeartbeat", "Alive", "SystemDecommissioned", "TabletNum", "Tag",
                      "Version", "NodeRole"});
}

// One row per backend of every compute group, sorted by host as
// BackendsProcDir does. Tag is Backend.getTagMapString() of the cloud tags
// (compute_group_name and compute_group_id among them, as the reference
// operator reads them); SystemDecommissioned follows the meta service's
// node status; NodeRole is shown only while the backend is alive.
Json FakeDorisCloud::BackendRows(const Cluster& c, const Config& conf) const {
  std::map<std::string, Json> by_host;
  for (const auto& [id, g] : c.groups) {
    for (const auto& [hp, be] : g.backends) {
      const std::string tag = absl::StrCat(
          "{\"cloud_unique_id\" : \"", be.cloud_unique_id, "\", \"compute_group_status\" : \"NORMAL\", ",
          "\"private_endpoint\" : \"\", \"compute_group_name\" : \"", g.name, "\", \"location\" : \"default\", ",
          "\"public_endpoint\" : \"\", \"compute_group_id\" : \"", g.id, "\"}");
      by_host[hp] = Json::array({std::to_string(be.id), HostOf(hp), PortOf(hp), "9060", "8040", "8060", "-1",
                                 TimeString(be.last_start_ms), be.alive ? TimeString(c.last_tick_ms) : "NULL",
                                 be.alive ? "true" : "false",
                                 be.status == NodeStatus::kRunning ? "false" : "true", std::to_string(be.tablets),
                                 tag, absl::StrCat("doris-", conf.major, ".", conf.minor, "-kubesim"),
                                 be.alive ? "mix" : ""});
    }
  }
  Json rows = Json::array();
  for (auto& [hp, row] : by_host) rows.push_back(std::move(row));
  return rows;
}

// FrontendsProcNode.TITLE_NAMES (3.x), a subset in the same order (Role is
// the 8th column, IsMaster the 9th, as the entrypoints' parsers expect).
Json FakeDorisCloud::FrontendColumns() const {
  return Json::array({"Name", "Host", "EditLogPort", "HttpPort", "QueryPort", "RpcPort", "ArrowFlightSqlPort",
                      "Role", "IsMaster", "ClusterId", "Join", "Alive", "LastStartTime", "Version"});
}

Json FakeDorisCloud::FrontendRows(const Cluster& c, const Config& conf) const {
  Json rows = Json::array();
  for (const auto& [hp, fe] : c.frontends) {
    rows.push_back(Json::array({fe.pod, HostOf(hp), PortOf(hp), std::to_string(conf.fe_http_port),
                                std::to_string(conf.fe_query_port), "9020", "-1", fe.role,
                                fe.is_master ? "true" : "false", c.instance_id, "true", fe.alive ? "true" : "false",
                                TimeString(fe.last_start_ms),
                                absl::StrCat("doris-", conf.major, ".", conf.minor, "-kubesim")}));
  }
  return rows;
}

HttpResponse FakeDorisCloud::ServeFe(const std::string& ns, const std::string& ddc, const Config& conf,
                                     const std::string& fe_pod, const std::string& port, const std::string& path,
                                     const HttpRequest& req) {
  if (!port.empty() && port != std::to_string(conf.fe_http_port)) {
    return Refused(absl::StrCat("kubesim: connection refused: the FE of ", ddc, " serves HTTP on ", conf.fe_http_port,
                                ", not ", port));
  }
  if (fe_pod.empty()) return Refused(absl::StrCat("kubesim: no endpoints available for the FE service of ", ddc));
  if (path == "/api/health") {
    std::lock_guard<std::mutex> l(mu_);
    const Cluster& c = ClusterFor(ns, ddc);
    int online = 0, total = 0;
    for (const auto& [id, g] : c.groups) {
      for (const auto& [hp, be] : g.backends) {
        online += be.alive;
        ++total;
      }
    }
    bool master = false;
    for (const auto& [hp, fe] : c.frontends) master |= fe.is_master && fe.alive;
    if (!master) return Refused("no FE master yet");
    return Envelope({{"online_backend_num", online}, {"total_backend_num", total}});
  }
  const DorisAccount account = DisaggregatedAccountOf(*store_, ns, ddc);
  std::string decoded;
  const std::string header = req.Header("authorization");
  if (header.rfind("Basic ", 0) != 0 || !absl::Base64Unescape(header.substr(6), &decoded) ||
      decoded != account.user + ":" + account.password) {
    return Unauthorized(req);
  }
  std::lock_guard<std::mutex> l(mu_);
  Cluster& c = ClusterFor(ns, ddc);
  if (req.method == "GET" && path == "/rest/v2/manager/node/frontends") {
    return Envelope({{"column_names", FrontendColumns()}, {"rows", FrontendRows(c, conf)}});
  }
  if (req.method == "GET" && path == "/rest/v2/manager/node/backends") {
    return Envelope({{"column_names", BackendColumns()}, {"rows", BackendRows(c, conf)}});
  }
  if (req.method == "GET" && path == "/api/show_proc") {
    auto it = req.query.find("path");
    const std::string proc = it == req.query.end() ? "/" : it->second;
    if (proc == "/backends") return Envelope(BackendRows(c, conf));
    if (proc == "/frontends") return Envelope(FrontendRows(c, conf));
    return DorisError(absl::StrCat("Proc path '", proc, "' doesn't exist"));
  }
  if (std::optional<HttpResponse> sim = Simulator(c, ns, path, req)) return *std::move(sim);
  if (req.method == "POST" && absl::StartsWith(path, "/api/query/")) return Statement(c, conf, fe_pod, path, req);
  if (req.method != "POST" || !absl::StartsWith(path, "/rest/v2/manager/node/")) return NotFound(path);

  // Membership writes: NodeAction forwards them to the master (3.x).
  bool master = false;
  for (const auto& [hp, fe] : c.frontends) master |= fe.is_master && fe.alive;
  if (!master) return DorisError("Node catalog is not ready, please wait for a while.");
  const Json body = Json::parse(req.body, nullptr, false);
  if (!body.is_object()) return DorisError("request body is not JSON");
  const std::string op = path.substr(std::string("/rest/v2/manager/node/").size());
  std::string error;
  Json hosts = Json::array();
  if (op == "ADD/be" || op == "DROP/be" || op == "DECOMMISSION/be") {
    if (!body.contains("hostPorts") || !body["hostPorts"].is_array()) return DorisError("hostPorts is required");
    std::vector<std::string> hps;
    for (const Json& hp : body["hostPorts"]) {
      if (!hp.is_string() || hp.get<std::string>().find(':') == std::string::npos) {
        return DorisError(absl::StrCat("Invalid host port: ", hp.is_string() ? hp.get<std::string>() : hp.dump()));
      }
      hps.push_back(hp);
    }
    hosts = hps;
    if (op == "ADD/be") {
      // PropertyAnalyzer.analyzeBackendTagsProperties: the tag.* properties.
      const Json props = body.value("properties", Json::object());
      const std::string group = props.is_object() ? props.value("tag.compute_group_name", "") : "";
      // addBackends checks every node before it adds any.
      for (size_t i = 0; i < hps.size() && error.empty(); ++i) {
        const bool twice = std::find(hps.begin(), hps.begin() + i, hps[i]) != hps.begin() + i;
        if (FindBackend(c, hps[i]) != nullptr || twice) {
          error = absl::StrCat("Same backend already exists[", hps[i], "]");
        }
      }
      for (const std::string& hp : hps) {
        if (error.empty()) error = AddBackend(c, hp, group);
      }
    } else if (op == "DROP/be") {
      error = DropBackends(c, hps);
    } else {
      // NodeAction marks the listed backends it finds and ignores the rest.
      std::vector<std::string> found;
      for (const std::string& hp : hps) {
        if (FindBackend(c, hp) != nullptr) found.push_back(hp);
      }
      error = DecommissionBackends(c, found);
    }
  } else if (op == "DROP/fe") {
    const std::string role = body.value("role", "");
    const std::string hp = body.value("hostPort", "");
    if (hp.empty() || (role != "FOLLOWER" && role != "OBSERVER")) {
      return DorisError("role (FOLLOWER|OBSERVER) and hostPort are required");
    }
    hosts.push_back(hp);
    error = DropFrontend(c, role, hp);
  } else {
    return DorisError(absl::StrCat("unknown operation ", op));
  }
  Log(c, op, hosts, req.Header("user-agent"), error.empty() ? 0 : 1, fe_pod);
  return error.empty() ? Envelope(nullptr) : DorisError(error);
}

}  // namespace doris_operator::kubesim
