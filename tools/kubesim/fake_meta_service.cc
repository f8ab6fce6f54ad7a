// The meta service's HTTP API (cloud/src/meta-service/meta_service_http.cpp):
// /MetaService/http/<op>?token=<http_token>, JSON bodies parsed as the op's
// request message, answers {"code": "OK", "msg": "", "result": ...} or
// {"code": <HTTP status name>, "msg": ...} with the HTTP status of the code.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/kubesim/fake_doris_cloud.h"
#include "tools/kubesim/fake_doris_cloud_internal.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers
using namespace fake_doris_cloud_internal;  // NOLINT

namespace {

// http_json_reply: MetaServiceCode -> HTTP status and its name
// (convert_ms_code_to_http_code), pretty-printed by rapidjson, plus "\n".
HttpResponse MsReply(const std::string& code, const std::string& msg, const Json* result = nullptr) {
  static const std::map<std::string, std::pair<int, std::string>> kCodes = {
      {"OK", {200, "OK"}},
      {"INVALID_ARGUMENT", {400, "INVALID_ARGUMENT"}},
      {"PROTOBUF_PARSE_ERR", {400, "INVALID_ARGUMENT"}},
      {"CLUSTER_NOT_FOUND", {404, "NOT_FOUND"}},
      {"ALREADY_EXISTED", {409, "ALREADY_EXISTED"}}};
  auto it = kCodes.find(code);
  const auto [status, name] = it == kCodes.end() ? std::pair<int, std::string>{500, "INTERNAL_ERROR"} : it->second;
  Json body = {{"code", name}, {"msg", code == "OK" ? "" : msg}};
  if (result != nullptr) body["result"] = *result;
  HttpResponse r;
  r.status = status;
  r.body = body.dump(4) + "\n";
  return r;
}

std::string Seconds(int64_t ms) { return std::to_string(std::max<int64_t>(ms, 0) / 1000); }

}  // namespace

// ClusterPB as proto_to_json prints it (field names kept, enums by name,
// 64-bit integers as strings).
Json FakeDorisCloud::ClusterJson(const Cluster& c, const ComputeGroup& g) const {
  Json nodes = Json::array();
  for (const auto& [hp, be] : g.backends) {
    Json n = {{"cloud_unique_id", be.cloud_unique_id}, {"ctime", Seconds(g.ctime_ms)}, {"mtime", Seconds(g.ctime_ms)},
              {"heartbeat_port", std::stoi(PortOf(hp))}, {"status", StatusName(be.status)}};
    // The FE registers a node by the host it was added with: ip, or host in
    // FQDN mode.
    const std::string host = HostOf(hp);
    const bool ip = host.find_first_not_of("0123456789.") == std::string::npos;
    n[ip ? "ip" : "host"] = host;
    nodes.push_back(n);
  }
  return {{"cluster_id", g.id}, {"cluster_name", g.name}, {"type", "COMPUTE"}, {"nodes", nodes},
          {"cluster_status", "NORMAL"}};
}

// The FE nodes' cluster (type SQL) the FE keeps in the meta service.
Json FakeDorisCloud::SqlClusterJson(const Cluster& c, const Config& conf) const {
  Json nodes = Json::array();
  for (const auto& [hp, fe] : c.frontends) {
    const std::string host = HostOf(hp);
    const bool ip = host.find_first_not_of("0123456789.") == std::string::npos;
    nodes.push_back({{"cloud_unique_id", fe.cloud_unique_id},
                     {ip ? "ip" : "host", host},
                     {"ctime", Seconds(c.instance_ctime_ms)},
                     {"mtime", Seconds(c.instance_ctime_ms)},
                     {"edit_log_port", conf.fe_edit_log_port},
                     {"node_type", fe.is_master ? "FE_MASTER" : (fe.role == "OBSERVER" ? "FE_OBSERVER" : "FE_FOLLOWER")},
                     {"status", "NODE_STATUS_RUNNING"}});
  }
  return {{"cluster_id", kSqlClusterId}, {"cluster_name", kSqlClusterName}, {"type", "SQL"}, {"nodes", nodes}};
}

HttpResponse FakeDorisCloud::ServeMs(const std::string& ns, const std::string& ddc, const Config& conf,
                                     const std::string& port, const std::string& path, const HttpRequest& req) {
  // brpc serves the HTTP API on brpc_listen_port, where MS listens.
  if (!port.empty() && port != std::to_string(conf.ms_port)) {
    return Refused(absl::StrCat("kubesim: connection refused: the meta service of ", ddc, " listens on ",
                                conf.ms_port, ", not ", port));
  }
  std::lock_guard<std::mutex> l(mu_);
  Cluster& c = ClusterFor(ns, ddc);
  if (!c.ms_up) return Refused(absl::StrCat("kubesim: no endpoints available for the meta service of ", ddc));
  absl::string_view op(path);
  if (!absl::ConsumePrefix(&op, "/MetaService/http/")) {
    HttpResponse r;
    r.status = 404;
    r.content_type = "text/plain";
    r.body = absl::StrCat("Fail to find method on `", path, "'\n");
    return r;
  }
  // MetaServiceImpl::http: the token is checked before anything else.
  auto tok = req.query.find("token");
  const std::string token = tok == req.query.end() ? "" : tok->second;
  if (token != conf.ms_token) {
    HttpResponse r;
    r.status = 403;
    r.content_type = "text/plain";
    r.body = absl::StrCat("incorrect token, token=", token.empty() ? "(not given)" : token, "\n");
    return r;
  }
  absl::ConsumePrefix(&op, "v1/");
  Json body = Json::object();
  if (!req.body.empty()) {
    body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) {
      return MsReply("PROTOBUF_PARSE_ERR",
                     absl::StrCat("parse http request '", path.substr(18), "': INVALID_ARGUMENT: invalid JSON"));
    }
  }
  auto instance_of = [&](const std::string& cloud_unique_id, const std::string& instance_id) -> std::string {
    if (c.instance_id.empty()) return "";
    // get_instance_id: a node's own id, or the degraded form 1:<instance_id>:<any>.
    for (const auto& [hp, fe] : c.frontends) {
      if (!cloud_unique_id.empty() && fe.cloud_unique_id == cloud_unique_id) return c.instance_id;
    }
    for (const auto& [id, g] : c.groups) {
      for (const auto& [hp, be] : g.backends) {
        if (!cloud_unique_id.empty() && be.cloud_unique_id == cloud_unique_id) return c.instance_id;
      }
    }
    const std::vector<std::string> parts = absl::StrSplit(cloud_unique_id, ':');
    if (parts.size() == 3 && parts[0] == "1" && parts[1] == c.instance_id) return c.instance_id;
    return instance_id == c.instance_id ? c.instance_id : "";
  };
  if (op == "get_instance") {
    auto q = [&](const char* k) { return req.query.count(k) ? req.query.at(k) : std::string(); };
    const std::string id = instance_of(q("cloud_unique_id"), q("instance_id"));
    if (id.empty()) {
      return MsReply("CLUSTER_NOT_FOUND", absl::StrCat("instance not found, instance_id=", q("instance_id")));
    }
    Json clusters = Json::array({SqlClusterJson(c, conf)});
    for (const auto& [gid, g] : c.groups) clusters.push_back(ClusterJson(c, g));
    const Json result = {{"instance_id", c.instance_id}, {"name", c.instance_id}, {"clusters", clusters},
                         {"status", "NORMAL"}, {"ctime", Seconds(c.instance_ctime_ms)},
                         {"mtime", Seconds(c.instance_ctime_ms)}};
    return MsReply("OK", "", &result);
  }
  if (op == "get_cluster") {
    const std::string cloud_unique_id = body.value("cloud_unique_id", "");
    if (cloud_unique_id.empty()) return MsReply("INVALID_ARGUMENT", "cloud_unique_id must be given");
    if (instance_of(cloud_unique_id, body.value("instance_id", "")).empty()) {
      return MsReply("INVALID_ARGUMENT", "empty instance_id");
    }
    // cluster_id wins over cluster_name, which wins over mysql_user_name.
    const std::string id = body.value("cluster_id", "");
    const std::string name = id.empty() ? body.value("cluster_name", "") : "";
    Json found = Json::array();
    if (id.empty() && name.empty() && body.value("mysql_user_name", "").empty()) {
      found.push_back(SqlClusterJson(c, conf));
      for (const auto& [gid, g] : c.groups) found.push_back(ClusterJson(c, g));
      const Json result = {{"cluster", found}, {"enable_storage_vault", false}};
      return MsReply("OK", "", &result);
    }
    for (const auto& [gid, g] : c.groups) {
      if ((!id.empty() && g.id == id) || (!name.empty() && g.name == name)) found.push_back(ClusterJson(c, g));
    }
    if ((!id.empty() && id == kSqlClusterId) || (!name.empty() && name == kSqlClusterName)) {
      found.push_back(SqlClusterJson(c, conf));
    }
    if (found.empty()) return MsReply("CLUSTER_NOT_FOUND", absl::StrCat("fail to get cluster with ", body.dump()));
    return MsReply("OK", "", &found[0]);  // ATTN in Doris: only the first cluster
  }
  if (op == "drop_node" || op == "decommission_node") {
    std::string instance = body.value("instance_id", "");
    if (instance.empty()) instance = instance_of(body.value("cloud_unique_id", ""), "");
    if (instance.empty() || !body.contains("cluster") || !body["cluster"].is_object()) {
      return MsReply("INVALID_ARGUMENT", "invalid request instance_id or cluster not given");
    }
    if (instance != c.instance_id) {
      return MsReply("UNDEFINED_ERR", absl::StrCat("failed to get instance, instance_id=", instance));
    }
    const Json& cluster = body["cluster"];
    auto g = c.groups.find(cluster.value("cluster_id", ""));
    if (g == c.groups.end() || g->second.name != cluster.value("cluster_name", "")) {
      return MsReply("UNDEFINED_ERR", absl::StrCat("cluster not found, cluster_id=", cluster.value("cluster_id", "")));
    }
    std::vector<std::string> hps;
    for (const Json& n : cluster.value("nodes", Json::array())) {
      const std::string host = n.contains("ip") ? n.value("ip", "") : n.value("host", "");
      const std::string hp = absl::StrCat(host, ":", n.value("heartbeat_port", 0));
      if (g->second.backends.count(hp) == 0) {
        return MsReply("UNDEFINED_ERR", absl::StrCat("node not found in cluster, node=", hp));
      }
      hps.push_back(hp);
    }
    if (hps.empty()) return MsReply("UNDEFINED_ERR", "no node given");
    const std::string error = op == "drop_node" ? DropBackends(c, hps) : DecommissionBackends(c, hps);
    Log(c, absl::StrCat("ms:", op), hps, req.Header("user-agent"), error.empty() ? 0 : 1);
    return error.empty() ? MsReply("OK", "") : MsReply("UNDEFINED_ERR", error);
  }
  static const std::set<std::string> kUnsimulated = {
      "add_cluster", "drop_cluster", "rename_cluster", "update_cluster_endpoint",
      "update_cluster_mysql_user_name", "add_node", "set_cluster_status", "notify_decommissioned",
      "create_instance", "drop_instance", "rename_instance", "enable_instance_sse", "disable_instance_sse",
      "set_instance_status", "add_obj_info", "legacy_update_ak_sk", "update_ak_sk", "show_storage_vaults",
      "add_hdfs_vault", "add_s3_vault", "alter_s3_vault", "drop_s3_vault", "drop_hdfs_vault", "decode_key",
      "encode_key", "get_value", "get_obj_store_info", "get_tablet_stats", "get_stage", "get_cluster_status",
      "abort_txn", "abort_tablet_job", "alter_ram_user", "alter_iam"};
  if (kUnsimulated.count(std::string(op))) {
    return MsReply("UNDEFINED_ERR", absl::StrCat("kubesim: ", op, " is not simulated"));
  }
  // process_unknown: an op this meta service does not know is answered OK
  // (for cloud managers newer than the meta service).
  return MsReply("OK", "");
}

}  // namespace doris_operator::kubesim
