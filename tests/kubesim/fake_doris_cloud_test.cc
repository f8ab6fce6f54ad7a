// Fake Doris in compute-storage decoupled mode (a DorisDisaggregatedCluster's
// meta service and cloud-mode FE), over real HTTP: through the API server's
// service and pod proxies and through the cluster network, on a simulated
// clock.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/cluster_network.h"
#include "tools/kubesim/fake_doris.h"
#include "tools/kubesim/http_server.h"
#include "tools/kubesim/workloads.h"

namespace doris_operator::kubesim {
namespace {

constexpr char kToken[] = "greedisgood9999";
constexpr char kInstance[] = "1234567890";

struct Answer {
  int status = 0;
  std::string body;
  Json json;  // null unless the body is JSON
};

// One HTTP/1.1 exchange on 127.0.0.1:port with Connection: close.
Answer Http(int port, const std::string& method, const std::string& target, const std::string& body,
            const std::map<std::string, std::string>& headers) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  Answer a;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return a;
  }
  std::string request = absl::StrCat(method, " ", target, " HTTP/1.1\r\nConnection: close\r\nContent-Length: ",
                                     body.size(), "\r\nContent-Type: application/json\r\n");
  if (!headers.count("Host")) absl::StrAppend(&request, "Host: 127.0.0.1\r\n");
  for (const auto& [k, v] : headers) absl::StrAppend(&request, k, ": ", v, "\r\n");
  absl::StrAppend(&request, "\r\n", body);
  for (size_t off = 0; off < request.size();) {
    const ssize_t n = send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += n;
  }
  std::string raw;
  char buf[8192];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) raw.append(buf, n);
  close(fd);
  if (raw.size() < 12) return a;
  a.status = std::stoi(raw.substr(9, 3));
  const size_t head = raw.find("\r\n\r\n");
  a.body = head == std::string::npos ? "" : raw.substr(head + 4);
  a.json = Json::parse(a.body, nullptr, false);
  if (a.json.is_discarded()) a.json = Json();
  return a;
}

class FakeDorisCloudTest : public ::testing::Test {
 protected:
  FakeDorisCloudTest()
      : workloads_(&api_.store(), {.start_ms = 100, .ready_ms = 100}),
        doris_(&api_.store(), {.tablets_per_backend = 100, .tablets_moved_per_second = 500}),
        network_(&api_.store(), &doris_) {
    api_.SetServiceProxy([this](const std::string& ns, const std::string& svc, const std::string& path,
                                const HttpRequest& req) { return doris_.Handle(ns, svc, path, req); });
    api_.SetPodProxy([this](const std::string& ns, const std::string& pod, const std::string& path,
                            const HttpRequest& req) { return doris_.HandlePod(ns, pod, path, req); });
    auto api = HttpServer::Start(0, [this](const HttpRequest& r) { return api_.Handle(r); });
    auto net = HttpServer::Start(0, [this](const HttpRequest& r) { return network_.Handle(r); });
    EXPECT_TRUE(api.ok() && net.ok());
    api_server_ = std::move(*api);
    network_server_ = std::move(*net);
    Api("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        {{"metadata", {{"name", "dorisdisaggregatedclusters.disaggregated.cluster.doris.com"}}},
         {"spec",
          {{"group", "disaggregated.cluster.doris.com"},
           {"scope", "Namespaced"},
           {"names", {{"plural", "dorisdisaggregatedclusters"}, {"kind", "DorisDisaggregatedCluster"},
                      {"shortNames", {"ddc"}}}},
           {"versions", Json::array({{{"name", "v1"}, {"served", true}, {"storage", true}}})}}}});
  }

  // A request to the API server; the parsed answer.
  Answer Api(const std::string& method, const std::string& path, const Json& body = Json(),
             const std::map<std::string, std::string>& headers = {}) {
    return Http(api_server_->port(), method, path, body.is_null() ? "" : body.dump(), headers);
  }

  // The ddc `d` and the objects the reference operator generates for it:
  // Services and StatefulSets of MS, FE and the compute groups.
  void Deploy(const Json& fe_env_extra = Json::array(), bool fdb = true, bool fe_meta_claim = false) {
    ASSERT_EQ(Api("POST", "/apis/disaggregated.cluster.doris.com/v1/namespaces/default/dorisdisaggregatedclusters",
                  {{"metadata", {{"name", "d"}}},
                   {"spec", {{"metaService", {{"image", "apache/doris:ms-3.0.3"}}},
                             {"feSpec", {{"image", "apache/doris:fe-3.0.3"}, {"electionNumber", 2}}},
                             {"computeGroups", Json::array({{{"uniqueId", "cg1"}}, {{"uniqueId", "cg2"}}})}}}})
                  .status,
              201);
    Service("d-ms", "ms", 5000, false);
    Service("d-fe", "fe", 8030, false);
    Service("d-fe-internal", "fe", 9030, true);
    Json ms_env = Json::array();
    if (fdb) ms_env.push_back({{"name", "FDB_ENDPOINT"}, {"value", "fdb:xyz@10.0.0.9:4500"}});
    Sts("d-ms", "ms", "", 1, "d-ms", ms_env);
    Json fe_env = Json::array({{{"name", "MS_ENDPOINT"}, {"value", "d-ms.default:5000"}},
                               {{"name", "CLUSTER_ID"}, {"value", kInstance}},
                               {{"name", "ELECT_NUMBER"}, {"value", "2"}}});
    for (const Json& e : fe_env_extra) fe_env.push_back(e);
    Sts("d-fe", "fe", "", 3, "d-fe-internal", fe_env, fe_meta_claim);
    for (const char* cg : {"cg1", "cg2"}) {
      Service(absl::StrCat("d-", cg), "", 9050, true, cg);
      Sts(absl::StrCat("d-", cg), "compute", cg, 2, absl::StrCat("d-", cg),
          Json::array({{{"name", "COMPUTE_GROUP_NAME"}, {"value", cg}}, {{"name", "HOST_TYPE"}, {"value", "FQDN"}}}));
    }
  }

  void Service(const std::string& name, const std::string& type, int port, bool headless,
               const std::string& cg = "") {
    Json labels = {{"app.doris.disaggregated.cluster", "d"}};
    if (!type.empty()) labels["app.doris.disaggregated.type"] = type;
    if (!cg.empty()) labels["app.doris.disaggregated.cg-uniqueid"] = cg;
    Json spec = {{"selector", labels}, {"ports", Json::array({{{"name", "p"}, {"port", port}}})}};
    if (headless) spec["clusterIP"] = "None";
    ASSERT_EQ(Api("POST", "/api/v1/namespaces/default/services",
                  {{"metadata", {{"name", name}, {"labels", labels}}}, {"spec", spec}})
                  .status,
              201);
  }

  // `meta_claim`: a claim template mounted at the FE's default meta_dir.
  void Sts(const std::string& name, const std::string& type, const std::string& cg, int replicas,
           const std::string& service, const Json& env, bool meta_claim = false) {
    Json labels = {{"app.doris.disaggregated.cluster", "d"}, {"app.doris.disaggregated.type", type}};
    if (!cg.empty()) labels["app.doris.disaggregated.cg-uniqueid"] = cg;
    Json container = {{"name", type}, {"image", "apache/doris:3.0.3"}, {"env", env}};
    if (auto it = lifecycle_.find(cg); it != lifecycle_.end()) container["lifecycle"] = it->second;
    Json spec = {{"replicas", replicas}, {"podManagementPolicy", "Parallel"}, {"serviceName", service},
                 {"selector", {{"matchLabels", labels}}},
                 {"template", {{"metadata", {{"labels", labels}}}, {"spec", Json::object()}}}};
    if (meta_claim) {
      container["volumeMounts"] = Json::array({{{"name", "doris-meta"}, {"mountPath", "/opt/apache-doris/fe/doris-meta"}}});
      spec["volumeClaimTemplates"] = Json::array(
          {{{"metadata", {{"name", "doris-meta"}}},
            {"spec", {{"accessModes", Json::array({"ReadWriteOnce"})},
                      {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}});
    }
    spec["template"]["spec"]["containers"] = Json::array({container});
    const Answer a = Api("POST", "/apis/apps/v1/namespaces/default/statefulsets",
                         {{"metadata", {{"name", name}}}, {"spec", spec}});
    ASSERT_EQ(a.status, 201) << a.body;
  }

  void RunUntil(int64_t until) {
    for (; now_ <= until; now_ += 50) {
      workloads_.Tick(now_);
      doris_.Tick(now_);
    }
  }
  // Runs the simulated clock until `done` holds (at most `limit` ms more).
  bool RunUntilTrue(const std::function<bool()>& done, int64_t limit = 60000) {
    for (const int64_t end = now_ + limit; now_ <= end; now_ += 50) {
      workloads_.Tick(now_);
      doris_.Tick(now_);
      if (done()) return true;
    }
    return false;
  }

  // The FE through the API server's service proxy (or a pod proxy).
  Answer Fe(const std::string& method, const std::string& path, const Json& body = Json(),
            const std::string& user = "root:", const std::string& target = "services/d-fe:8030") {
    std::map<std::string, std::string> h;
    if (!user.empty()) h["Authorization"] = "Basic " + absl::Base64Escape(user);
    return Api(method, absl::StrCat("/api/v1/namespaces/default/", target, "/proxy", path), body, h);
  }
  Answer Sql(const std::string& stmt) {
    return Fe("POST", "/api/query/default_cluster/information_schema", {{"stmt", stmt}});
  }
  // The meta service through the cluster network, as a pod reaches it.
  Answer Ms(const std::string& op, const std::string& query, const Json& body = Json()) {
    return Http(network_server_->port(), "POST", absl::StrCat("/MetaService/http/", op, query),
                body.is_null() ? "" : body.dump(), {{"Host", "d-ms.default.svc.cluster.local:5000"}});
  }

  // SHOW BACKENDS as column -> value per row, by pod-ish host prefix (d-cgN-M).
  std::map<std::string, Json> Backends() {
    const Answer a = Sql("SHOW BACKENDS");
    std::map<std::string, Json> out;
    if (a.json.is_null() || a.json["code"] != 0) return out;
    const Json& meta = a.json["data"]["meta"];
    for (const Json& row : a.json["data"]["data"]) {
      Json named = Json::object();
      for (size_t i = 0; i < meta.size(); ++i) named[meta[i]["name"].get<std::string>()] = row[i];
      const std::string host = named["Host"];
      out[host.substr(0, host.find('.'))] = named;
    }
    return out;
  }
  static Json TagOf(const Json& row) { return Json::parse(row["Tag"].get<std::string>()); }
  static std::string Hp(const std::string& pod) {
    const std::string sts = pod.substr(0, pod.rfind('-'));
    return absl::StrCat(pod, ".", sts, ".default.svc.cluster.local:9050");
  }

  ApiServer api_;
  WorkloadController workloads_;
  FakeDoris doris_;
  ClusterNetwork network_;
  std::unique_ptr<HttpServer> api_server_;
  std::unique_ptr<HttpServer> network_server_;
  int64_t now_ = 0;
  // A compute group's container lifecycle (its preStop hook), by uniqueId.
  std::map<std::string, Json> lifecycle_;
};

TEST_F(FakeDorisCloudTest, NothingServesWithoutAnFdbAddress) {
  Deploy(Json::array(), /*fdb=*/false);
  RunUntil(1500);
  // The MS pod is Ready for Kubernetes but the meta service cannot run
  // without FoundationDB, so the FE never starts and no BE registers.
  EXPECT_EQ(Ms("get_instance", absl::StrCat("?token=", kToken, "&instance_id=", kInstance)).status, 503);
  EXPECT_EQ(Fe("GET", "/api/health", Json(), "").status, 503);
}

TEST_F(FakeDorisCloudTest, NodesRegisterIntoTheirComputeGroups) {
  Deploy();
  ASSERT_TRUE(RunUntilTrue([&] { return Backends().size() == 4; }));
  // FEs: pod 0 founds the group; ordinals below ELECT_NUMBER follow, the rest observe.
  const Answer fes = Fe("GET", "/rest/v2/manager/node/frontends");
  ASSERT_EQ(fes.json["code"], 0) << fes.body;
  std::map<std::string, std::string> roles;
  const Json& cols = fes.json["data"]["column_names"];
  for (const Json& row : fes.json["data"]["rows"]) {
    std::map<std::string, std::string> named;
    for (size_t i = 0; i < cols.size(); ++i) named[cols[i]] = row[i];
    roles[named["Name"]] = named["Role"] + (named["IsMaster"] == "true" ? "+master" : "");
    EXPECT_EQ(named["ClusterId"], kInstance);
    EXPECT_EQ(named["Host"].rfind(named["Name"] + ".d-fe-internal.default.svc.cluster.local", 0), 0u);
  }
  EXPECT_EQ(roles, (std::map<std::string, std::string>{
                       {"d-fe-0", "FOLLOWER+master"}, {"d-fe-1", "FOLLOWER"}, {"d-fe-2", "OBSERVER"}}));
  // BEs: by FQDN, each tagged with its group's name and id.
  auto bes = Backends();
  ASSERT_EQ(bes.size(), 4u);
  EXPECT_EQ(bes["d-cg1-0"]["Host"], "d-cg1-0.d-cg1.default.svc.cluster.local");
  EXPECT_EQ(TagOf(bes["d-cg1-0"])["compute_group_name"], "cg1");
  EXPECT_EQ(TagOf(bes["d-cg2-1"])["compute_group_name"], "cg2");
  EXPECT_EQ(TagOf(bes["d-cg1-0"])["compute_group_id"], TagOf(bes["d-cg1-1"])["compute_group_id"]);
  EXPECT_NE(TagOf(bes["d-cg1-0"])["compute_group_id"], TagOf(bes["d-cg2-0"])["compute_group_id"]);
  EXPECT_EQ(bes["d-cg1-0"]["Alive"], "true");
  EXPECT_EQ(bes["d-cg1-0"]["SystemDecommissioned"], "false");
  EXPECT_EQ(bes["d-cg1-0"]["NodeRole"], "mix");
  const Answer groups = Sql("show compute groups;");
  ASSERT_EQ(groups.json["code"], 0) << groups.body;
  EXPECT_EQ(groups.json["data"]["data"], Json::parse(R"([["cg1","FALSE","","2"],["cg2","FALSE","","2"]])"));
  EXPECT_EQ(groups.json["data"]["meta"][3]["name"], "BackendNum");
}

TEST_F(FakeDorisCloudTest, MetaServiceHttpApi) {
  Deploy();
  ASSERT_TRUE(RunUntilTrue([&] { return Backends().size() == 4; }));
  // MetaServiceImpl::http checks the token before anything: 403, plain text.
  Answer a = Ms("get_cluster", "", {{"cloud_unique_id", "1:x:y"}});
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.body, "incorrect token, token=(not given)\n");
  EXPECT_EQ(Ms("get_cluster", "?token=wrong", Json::object()).body, "incorrect token, token=wrong\n");
  const std::string token = absl::StrCat("?token=", kToken);
  a = Ms("get_cluster", token, {{"cluster_name", "cg1"}});
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.json, Json::parse(R"({"code":"INVALID_ARGUMENT","msg":"cloud_unique_id must be given"})"));
  const std::string cuid = absl::StrCat("1:", kInstance, ":probe");
  a = Ms("get_cluster", token, {{"cloud_unique_id", cuid}, {"cluster_name", "cg1"}});
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json["code"], "OK");
  EXPECT_EQ(a.json["msg"], "");
  EXPECT_EQ(a.json["result"]["cluster_name"], "cg1");
  EXPECT_EQ(a.json["result"]["type"], "COMPUTE");
  EXPECT_EQ(a.json["result"]["cluster_id"], TagOf(Backends()["d-cg1-0"])["compute_group_id"]);
  ASSERT_EQ(a.json["result"]["nodes"].size(), 2u);
  EXPECT_EQ(a.json["result"]["nodes"][0]["host"], "d-cg1-0.d-cg1.default.svc.cluster.local");
  EXPECT_EQ(a.json["result"]["nodes"][0]["heartbeat_port"], 9050);
  EXPECT_EQ(a.json["result"]["nodes"][0]["status"], "NODE_STATUS_RUNNING");
  a = Ms("get_cluster", token, {{"cloud_unique_id", cuid}, {"cluster_name", "nope"}});
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.json["code"], "NOT_FOUND");
  // All clusters: the FEs' SQL cluster and every compute group.
  a = Ms("get_cluster", token, {{"cloud_unique_id", cuid}});
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(a.json["result"]["cluster"].size(), 3u);
  EXPECT_EQ(a.json["result"]["cluster"][0]["cluster_name"], "RESERVED_CLUSTER_NAME_FOR_SQL_SERVER");
  EXPECT_EQ(a.json["result"]["cluster"][0]["nodes"].size(), 3u);
  a = Ms("get_instance", absl::StrCat(token, "&instance_id=", kInstance));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.json["result"]["instance_id"], kInstance);
  EXPECT_EQ(Ms("get_instance", absl::StrCat(token, "&instance_id=42")).status, 404);
  // An operation this meta service does not know is answered OK
  // (process_unknown); brpc knows no other service path.
  EXPECT_EQ(Ms("some_future_op", token).json, Json::parse(R"({"code":"OK","msg":""})"));
  EXPECT_EQ(Http(network_server_->port(), "GET", "/metrics", "", {{"Host", "d-ms.default.svc:5000"}}).status, 404);
  // The API server's proxy reaches the same meta service; another port refuses.
  a = Api("POST", absl::StrCat("/api/v1/namespaces/default/services/d-ms:5000/proxy/MetaService/http/get_cluster",
                               token),
          {{"cloud_unique_id", cuid}, {"cluster_name", "cg2"}});
  EXPECT_EQ(a.json["result"]["cluster_name"], "cg2") << a.body;
  EXPECT_EQ(Ms("get_cluster", token).status, 400);
  EXPECT_EQ(Http(network_server_->port(), "POST", "/MetaService/http/get_instance", "",
                 {{"Host", "d-ms.default.svc:5001"}})
                .status,
            503);
}

TEST_F(FakeDorisCloudTest, DecommissionDrainsWithinItsGroupAndStaysUntilDropped) {
  Deploy();
  ASSERT_TRUE(RunUntilTrue([&] { return Backends().size() == 4; }));
  ASSERT_EQ(Fe("POST", "/api/_sim/config", {{"tabletsMovedPerSecond", 100}}).json["code"], 0);
  Answer a = Sql(absl::StrCat("ALTER SYSTEM DECOMMISSION BACKEND \"", Hp("d-cg1-1"), "\""));
  ASSERT_EQ(a.json["code"], 0) << a.body;
  EXPECT_EQ(a.json["data"]["type"], "exec_status");
  EXPECT_EQ(Backends()["d-cg1-1"]["SystemDecommissioned"], "true");
  // Queries of cg1 no longer land on the leaving backend.
  for (int i = 0; i < 4; ++i) {
    const Answer q = Fe("POST", "/api/_sim/query", {{"computeGroup", "cg1"}});
    ASSERT_EQ(q.json["code"], 0) << q.body;
    EXPECT_EQ(q.json["data"]["backend"], Hp("d-cg1-0"));
  }
  const std::string cuid = absl::StrCat("1:", kInstance, ":probe");
  auto ms_status = [&](const std::string& group, const std::string& host) {
    const Answer g = Ms("get_cluster", absl::StrCat("?token=", kToken), {{"cloud_unique_id", cuid}, {"cluster_name", group}});
    for (const Json& n : g.json["result"]["nodes"]) {
      if (n.value("host", "") == host) return n["status"].get<std::string>();
    }
    return std::string("absent");
  };
  const std::string host = Hp("d-cg1-1").substr(0, Hp("d-cg1-1").rfind(':'));
  EXPECT_EQ(ms_status("cg1", host), "NODE_STATUS_DECOMMISSIONING");
  // Its tablets go to the other backend of cg1 only.
  ASSERT_TRUE(RunUntilTrue([&] { return ms_status("cg1", host) == "NODE_STATUS_DECOMMISSIONED"; }));
  auto bes = Backends();
  EXPECT_EQ(bes["d-cg1-1"]["TabletNum"], "0");
  EXPECT_EQ(bes["d-cg1-1"]["SystemDecommissioned"], "true");  // still listed
  EXPECT_EQ(bes["d-cg1-0"]["TabletNum"], "200");
  EXPECT_EQ(bes["d-cg2-0"]["TabletNum"], "100");
  EXPECT_EQ(bes["d-cg2-1"]["TabletNum"], "100");
  // Dropping it removes it from the FE and the meta service.
  a = Sql(absl::StrCat("ALTER SYSTEM DROPP BACKEND \"", Hp("d-cg1-1"), "\";"));
  ASSERT_EQ(a.json["code"], 0) << a.body;
  EXPECT_EQ(Backends().count("d-cg1-1"), 0u);
  EXPECT_EQ(ms_status("cg1", host), "absent");
  // Its pod does not come back as a node until it restarts.
  RunUntil(now_ + 1000);
  EXPECT_EQ(Backends().count("d-cg1-1"), 0u);
  // The last backend of a group is decommissioned at once (nowhere to move
  // its tablets), keeps them, and once dropped its group is gone from the
  // FE while the meta service keeps the (empty) group.
  ASSERT_EQ(Sql(absl::StrCat("ALTER SYSTEM DECOMMISSION BACKEND '", Hp("d-cg1-0"), "'")).json["code"], 0);
  const std::string host0 = Hp("d-cg1-0").substr(0, Hp("d-cg1-0").rfind(':'));
  ASSERT_TRUE(RunUntilTrue([&] { return ms_status("cg1", host0) == "NODE_STATUS_DECOMMISSIONED"; }, 200));
  EXPECT_EQ(Backends()["d-cg1-0"]["TabletNum"], "200");
  ASSERT_EQ(Sql(absl::StrCat("ALTER SYSTEM DROP BACKEND '", Hp("d-cg1-0"), "'")).json["code"], 0);
  EXPECT_EQ(Sql("SHOW COMPUTE GROUPS").json["data"]["data"], Json::parse(R"([["cg2","FALSE","","2"]])"));
  const Answer g = Ms("get_cluster", absl::StrCat("?token=", kToken), {{"cloud_unique_id", cuid}, {"cluster_name", "cg1"}});
  EXPECT_EQ(g.status, 200);
  EXPECT_EQ(g.json["result"]["nodes"].size(), 0u);
  // The membership log has the FE's own notification between the two.
  const Answer log = Fe("GET", "/api/_sim/membership-log");
  std::vector<std::string> ops;
  for (const Json& e : log.json["data"]["entries"]) {
    if (e["hostPorts"][0] == Hp("d-cg1-1")) ops.push_back(e["op"]);
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"ADD/be", "DECOMMISSION/be", "NOTIFY_DECOMMISSIONED/be", "DROP/be"}));
}

TEST_F(FakeDorisCloudTest, MembershipErrorsChangeNothing) {
  Deploy();
  ASSERT_TRUE(RunUntilTrue([&] { return Backends().size() == 4; }));
  // Every backend of a DROP must exist (SystemInfoService's text).
  Answer a = Sql(absl::StrCat("ALTER SYSTEM DROPP BACKEND \"", Hp("d-cg1-0"), "\", \"nobody:9050\""));
  EXPECT_EQ(a.json["code"], 1);
  EXPECT_NE(a.json["data"].get<std::string>().find("backend does not exists[nobody:9050]"), std::string::npos)
      << a.body;
  EXPECT_EQ(Backends().size(), 4u);
  a = Sql("ALTER SYSTEM DECOMMISSION BACKEND \"nobody:9050\"");
  EXPECT_NE(a.json["data"].get<std::string>().find("Backend does not exist[nobody:9050]"), std::string::npos);
  // The master FE cannot be dropped; an observer can, by its role.
  std::string master, observer;
  const Answer fes = Sql("SHOW FRONTENDS");
  for (const Json& row : fes.json["data"]["data"]) {
    const std::string hp = absl::StrCat(row[1].get<std::string>(), ":", row[2].get<std::string>());
    if (row[8] == "true") master = hp;
    if (row[7] == "OBSERVER") observer = hp;
  }
  a = Sql(absl::StrCat("ALTER SYSTEM DROP FOLLOWER \"", master, "\""));
  EXPECT_NE(a.json["data"].get<std::string>().find("can not drop current master node."), std::string::npos);
  a = Sql(absl::StrCat("ALTER SYSTEM DROP FOLLOWER \"", observer, "\""));
  EXPECT_NE(a.json["data"].get<std::string>().find(absl::StrCat("FOLLOWER does not exist[", observer, "]")),
            std::string::npos);
  ASSERT_EQ(Sql(absl::StrCat("ALTER SYSTEM DROP OBSERVER \"", observer, "\"")).json["code"], 0);
  EXPECT_EQ(Sql("SHOW FRONTENDS").json["data"]["data"].size(), 2u);
  // Statements the fake does not run fail instead of pretending.
  a = Sql("CANCEL DECOMMISSION BACKEND \"x:9050\"");
  EXPECT_EQ(a.json["code"], 1);
}

// fe_disaggregated_entrypoint.sh starts an FE whose meta_dir holds
// image/ROLE with that meta and does not join; the group refuses the node it
// dropped. So an observer dropped and started again on its old meta claim
// never serves; on a new claim it joins as a new observer.
TEST_F(FakeDorisCloudTest, AnFeStartedOnADroppedFesMetaClaimNeverJoins) {
  Deploy(Json::array(), true, /*fe_meta_claim=*/true);
  auto frontends = [&] {
    std::map<std::string, std::string> out;  // pod -> role
    const Answer a = Sql("SHOW FRONTENDS");
    if (a.json.is_null() || a.json["code"] != 0) return out;
    for (const Json& row : a.json["data"]["data"]) out[row[0].get<std::string>()] = row[7].get<std::string>();
    return out;
  };
  ASSERT_TRUE(RunUntilTrue([&] { return frontends().size() == 3; }));
  std::string observer;
  const Answer listed = Sql("SHOW FRONTENDS");
  for (const Json& row : listed.json["data"]["data"]) {
    if (row[7] == "OBSERVER") observer = absl::StrCat(row[1].get<std::string>(), ":", row[2].get<std::string>());
  }
  ASSERT_EQ(observer.rfind("d-fe-2.", 0), 0u) << listed.body;
  const std::string claim = "/api/v1/namespaces/default/persistentvolumeclaims/doris-meta-d-fe-2";
  const std::string claim_uid = Api("GET", claim).json["metadata"]["uid"];
  // The refuse knob: the master refuses (Env.dropFrontend's busy lock), nothing changes.
  ASSERT_EQ(Fe("POST", "/api/_sim/config", {{"refuse", {{"DROP/fe", true}}}}).json["code"], 0);
  Answer refused = Sql(absl::StrCat("ALTER SYSTEM DROP OBSERVER \"", observer, "\""));
  EXPECT_EQ(refused.json["code"], 1);
  EXPECT_NE(refused.body.find("Failed to acquire env lock. Try again"), std::string::npos) << refused.body;
  refused = Fe("POST", "/rest/v2/manager/node/DROP/fe", {{"role", "OBSERVER"}, {"hostPort", observer}});
  EXPECT_NE(refused.body.find("Failed to acquire env lock. Try again"), std::string::npos) << refused.body;
  EXPECT_EQ(frontends().size(), 3u);
  ASSERT_EQ(Fe("POST", "/api/_sim/config", {{"refuse", {{"DROP/fe", false}}}}).json["code"], 0);
  ASSERT_EQ(Sql(absl::StrCat("ALTER SYSTEM DROP OBSERVER \"", observer, "\"")).json["code"], 0);
  auto scale = [&](int replicas) {
    return Api("PATCH", "/apis/apps/v1/namespaces/default/statefulsets/d-fe", {{"spec", {{"replicas", replicas}}}},
               {{"Content-Type", "application/merge-patch+json"}})
        .status;
  };
  auto pod_uid = [&] {
    const Answer p = Api("GET", "/api/v1/namespaces/default/pods/d-fe-2");
    return p.status == 200 ? p.json["metadata"].value("uid", "") : "";
  };
  const std::string first_pod = pod_uid();
  ASSERT_EQ(scale(2), 200);
  ASSERT_TRUE(RunUntilTrue([&] { return pod_uid().empty(); }));
  // Back to 3 on the same claim (Retain): the pod runs, the FE never joins.
  ASSERT_EQ(scale(3), 200);
  ASSERT_TRUE(RunUntilTrue([&] {
    const Answer p = Api("GET", "/api/v1/namespaces/default/pods/d-fe-2");
    bool ready = false;
    for (const Json& c : p.json.is_object() ? p.json["status"].value("conditions", Json::array()) : Json::array()) {
      ready |= c.value("type", "") == "Ready" && c.value("status", "") == "True";
    }
    return ready && p.json["metadata"].value("uid", "") != first_pod;
  }));
  EXPECT_EQ(Api("GET", claim).json["metadata"]["uid"], claim_uid);
  RunUntil(now_ + 10000);  // simulated: many registration ticks
  EXPECT_EQ(frontends().size(), 2u);
  // On a new claim (the old one deleted with its pod) it joins again.
  ASSERT_EQ(scale(2), 200);
  ASSERT_TRUE(RunUntilTrue([&] { return pod_uid().empty(); }));
  ASSERT_EQ(Api("DELETE", claim).status, 200);
  ASSERT_TRUE(RunUntilTrue([&] { return Api("GET", claim).status == 404; }));
  ASSERT_EQ(scale(3), 200);
  ASSERT_TRUE(RunUntilTrue([&] { return frontends().size() == 3; }));
  EXPECT_EQ(frontends()["d-fe-2"], "OBSERVER");
  EXPECT_NE(Api("GET", claim).json["metadata"]["uid"], claim_uid);
}

TEST_F(FakeDorisCloudTest, AddBackendWithAComputeGroupOverHttpAndSql) {
  Deploy();
  ASSERT_TRUE(RunUntilTrue([&] { return Backends().size() == 4; }));
  // NodeAction ADD/be takes the tag.compute_group_name property; the group
  // is created with its first backend; without it, default_compute_group.
  Answer a = Fe("POST", "/rest/v2/manager/node/ADD/be",
                {{"hostPorts", {"10.9.9.1:9050"}}, {"properties", {{"tag.compute_group_name", "cg3"}}}});
  ASSERT_EQ(a.json["code"], 0) << a.body;
  a = Sql("ALTER SYSTEM ADD BACKEND \"10.9.9.2:9050\"");
  ASSERT_EQ(a.json["code"], 0) << a.body;
  a = Sql("ALTER SYSTEM ADD BACKEND \"10.9.9.3:9050\" PROPERTIES (\"tag.compute_group_name\" = \"cg1\")");
  ASSERT_EQ(a.json["code"], 0) << a.body;
  auto bes = Backends();
  EXPECT_EQ(TagOf(bes["10"])["compute_group_name"], "cg1");  // keyed by the first host label
  const Answer groups = Sql("SHOW COMPUTE GROUPS");
  EXPECT_EQ(groups.json["data"]["data"],
            Json::parse(R"([["cg1","FALSE","","3"],["cg2","FALSE","","2"],["cg3","FALSE","","1"],)"
                        R"(["default_compute_group","FALSE","","1"]])"));
  // A node added by hand has no process behind it: not alive.
  const Answer list = Fe("GET", "/rest/v2/manager/node/backends");
  for (const Json& row : list.json["data"]["rows"]) {
    if (row[1] == "10.9.9.1") EXPECT_EQ(row[9], "false");
  }
  // Same node twice; a group name the reference operator never makes.
  a = Sql("ALTER SYSTEM ADD BACKEND \"10.9.9.2:9050\"");
  EXPECT_NE(a.json["data"].get<std::string>().find("Same backend already exists[10.9.9.2:9050]"), std::string::npos);
  a = Fe("POST", "/rest/v2/manager/node/ADD/be",
         {{"hostPorts", {"10.9.9.4:9050"}}, {"properties", {{"tag.compute_group_name", "bad-name"}}}});
  EXPECT_EQ(a.json["code"], 1);
  EXPECT_EQ(Sql("SHOW BACKENDS").json["data"]["data"].size(), 7u);
}

// NodeAction.checkForwardToMaster: a membership write reaching a non-master
// FE is forwarded to the master and done there (Doris 3.x; the answer is the
// master's). The membership log says which FE the client reached and
// whether it had to forward, so a test can tell a write addressed to the
// master from one that only got there.
TEST_F(FakeDorisCloudTest, AMembershipWriteOnANonMasterIsForwardedToTheMaster) {
  Deploy();
  ASSERT_TRUE(RunUntilTrue(
      [&] { return Backends().size() == 4 && Sql("SHOW FRONTENDS").json["data"]["data"].size() == 3; }));
  const Json knobs = {{"serviceLandsOn", "non-master"}, {"tabletsMovedPerSecond", 0}};
  ASSERT_EQ(Fe("POST", "/api/_sim/config", knobs).json["code"], 0);
  // Through the Service (a non-master FE), over HTTP and SQL: done.
  Answer a = Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be", {{"hostPorts", {Hp("d-cg1-1")}}});
  ASSERT_EQ(a.json["code"], 0) << a.body;
  EXPECT_EQ(Backends()["d-cg1-1"]["SystemDecommissioned"], "true");
  a = Sql(absl::StrCat("ALTER SYSTEM DECOMMISSION BACKEND \"", Hp("d-cg2-1"), "\""));
  ASSERT_EQ(a.json["code"], 0) << a.body;
  EXPECT_EQ(Backends()["d-cg2-1"]["SystemDecommissioned"], "true");
  // At the master itself (d-fe-0, the founder), by its pod.
  a = Fe("POST", "/rest/v2/manager/node/DROP/be", {{"hostPorts", {Hp("d-cg1-1")}}}, "root:", "pods/d-fe-0:8030");
  ASSERT_EQ(a.json["code"], 0) << a.body;
  EXPECT_EQ(Backends().count("d-cg1-1"), 0u);

  // The pods' and the FE's own entries (ADD, NOTIFY_DECOMMISSIONED) name no FE.
  std::vector<std::string> seen;
  const Answer log = Fe("GET", "/api/_sim/membership-log");
  ASSERT_EQ(log.status, 200) << log.body;
  for (const Json& e : log.json["data"]["entries"]) {
    if (e.contains("fe")) {
      seen.push_back(absl::StrCat(e["op"].get<std::string>(), " at ", e["fe"].get<std::string>(),
                                  e["forwarded"].get<bool>() ? ", forwarded" : ""));
    }
  }
  ASSERT_EQ(seen.size(), 3u) << log.body;
  EXPECT_TRUE(seen[0] == "DECOMMISSION/be at d-fe-1, forwarded" || seen[0] == "DECOMMISSION/be at d-fe-2, forwarded")
      << seen[0];
  EXPECT_TRUE(seen[1] == "DECOMMISSION/be at d-fe-1, forwarded" || seen[1] == "DECOMMISSION/be at d-fe-2, forwarded")
      << seen[1];
  EXPECT_EQ(seen[2], "DROP/be at d-fe-0");
}

TEST_F(FakeDorisCloudTest, CredentialsAreTheFePodsAccountAndPodsAreReachable) {
  Deploy(Json::array({{{"name", "USER"}, {"value", "admin2"}}, {{"name", "PASSWD"}, {"value", "s3cret"}}}));
  ASSERT_TRUE(RunUntilTrue([&] { return Fe("GET", "/api/health", Json(), "").status == 200; }));
  EXPECT_EQ(Fe("GET", "/rest/v2/manager/node/backends").json["code"], 401);
  EXPECT_EQ(Fe("GET", "/rest/v2/manager/node/backends", Json(), "admin2:s3cret").json["code"], 0);
  // One FE pod through the pod proxy; a BE pod is not an FE.
  EXPECT_EQ(Fe("GET", "/api/health", Json(), "", "pods/d-fe-1:8030").status, 200);
  EXPECT_EQ(Fe("GET", "/api/health", Json(), "", "pods/d-fe-1:9999").status, 503);
  ASSERT_TRUE(RunUntilTrue([&] {
    return Fe("GET", "/rest/v2/manager/node/backends", Json(), "admin2:s3cret").json["data"]["rows"].size() == 4;
  }));
  EXPECT_EQ(Fe("GET", "/api/health", Json(), "", "pods/d-cg1-0:8030").status, 503);
}

TEST_F(FakeDorisCloudTest, ARestartedBackendComesBackWithANewStartTime) {
  Deploy();
  ASSERT_TRUE(RunUntilTrue([&] { return Backends().size() == 4; }));
  const std::string before = Backends()["d-cg2-0"]["LastStartTime"];
  RunUntil(now_ + 2000);
  ASSERT_EQ(Api("DELETE", "/api/v1/namespaces/default/pods/d-cg2-0").status, 200);
  ASSERT_TRUE(RunUntilTrue([&] { return Backends()["d-cg2-0"]["Alive"] == "false"; }));
  ASSERT_TRUE(RunUntilTrue([&] { return Backends()["d-cg2-0"]["Alive"] == "true"; }));
  auto bes = Backends();
  EXPECT_NE(bes["d-cg2-0"]["LastStartTime"], before);
  EXPECT_EQ(TagOf(bes["d-cg2-0"])["compute_group_name"], "cg2");
  EXPECT_EQ(bes.size(), 4u);
}

}  // namespace
}  // namespace doris_operator::kubesim

namespace doris_operator::kubesim {
namespace {

// The notAlive knob: the FE's heartbeats to the node on a pod fail, so SHOW
// BACKENDS lists it Alive=false whatever its pod says, until released; a
// knob that is not a pod->bool map is refused and changes nothing.
TEST_F(FakeDorisCloudTest, NotAliveKnobFailsANodesHeartbeatUntilReleased) {
  Deploy();
  ASSERT_TRUE(RunUntilTrue([&] { return Backends().size() == 4 && Backends()["d-cg2-0"]["Alive"] == "true"; }));
  EXPECT_NE(Fe("POST", "/api/_sim/config", {{"notAlive", {{"d-cg2-0", "yes"}}}}).json["code"], 0);
  EXPECT_NE(Fe("POST", "/api/_sim/config", {{"notAlive", Json::array({"d-cg2-0"})}}).json["code"], 0);
  ASSERT_EQ(Fe("POST", "/api/_sim/config", {{"notAlive", {{"d-cg2-0", true}}}}).json["code"], 0);
  ASSERT_TRUE(RunUntilTrue([&] { return Backends()["d-cg2-0"]["Alive"] == "false"; }));
  EXPECT_EQ(Backends()["d-cg2-1"]["Alive"], "true");
  ASSERT_EQ(Fe("POST", "/api/_sim/config", {{"notAlive", {{"d-cg2-0", false}}}}).json["code"], 0);
  ASSERT_TRUE(RunUntilTrue([&] { return Backends()["d-cg2-0"]["Alive"] == "true"; }));
}

}  // namespace
}  // namespace doris_operator::kubesim

namespace doris_operator::kubesim {
namespace {

// The shutdown rule: deleting a compute pod whose preStop hook stops the BE
// gracefully (the image's be_disaggregated_prestop.sh, or stop_be.sh
// --grace) makes the BE report is_shutdown, and the FE sends it no query
// while the pod terminates, though it is still Alive (its process runs).
// Without such a hook the FE goes on sending it queries until the pod is
// gone (leavingQueries).
TEST_F(FakeDorisCloudTest, AGracefullyStoppingBackendGetsNoQueryWhileItsPodTerminates) {
  lifecycle_["cg1"] = {{"preStop", {{"exec", {{"command", {"/opt/apache-doris/be_disaggregated_prestop.sh"}}}}}}};
  lifecycle_["cg2"] = {
      {"preStop", {{"exec", {{"command", {"/bin/sh", "-c", "/opt/apache-doris/be/bin/stop_be.sh --grace"}}}}}}};
  Deploy();
  ASSERT_TRUE(RunUntilTrue([&] {
    auto bes = Backends();
    return bes.size() == 4 && bes["d-cg1-1"]["Alive"] == "true" && bes["d-cg2-1"]["Alive"] == "true";
  }));
  for (const char* pod : {"d-cg1-1", "d-cg2-1"}) {
    ASSERT_EQ(Api("DELETE", absl::StrCat("/api/v1/namespaces/default/pods/", pod)).status, 200);
  }
  RunUntil(now_ + 100);  // terminating, not gone (the kubelet takes 300 ms)
  ASSERT_EQ(Api("GET", "/api/v1/namespaces/default/pods/d-cg1-1").status, 200);
  EXPECT_EQ(Backends()["d-cg1-1"]["Alive"], "true");  // it runs, and answers heartbeats
  for (const char* group : {"cg1", "cg2"}) {
    for (int i = 0; i < 4; ++i) {
      const Answer q = Fe("POST", "/api/_sim/query", {{"computeGroup", group}});
      ASSERT_EQ(q.json["code"], 0) << q.body;
      EXPECT_EQ(q.json["data"]["backend"], Hp(absl::StrCat("d-", group, "-0"))) << group;
    }
  }
  const Answer nodes = Fe("GET", "/api/_sim/nodes");
  EXPECT_EQ(nodes.json["leavingQueries"], 0) << nodes.body;
  EXPECT_EQ(nodes.json["lostQueries"], 0) << nodes.body;
  EXPECT_EQ(nodes.json["shutDownSkipped"], 8) << nodes.body;
}

TEST_F(FakeDorisCloudTest, WithoutAGracefulStopHookATerminatingBackendGetsQueriesUntilItIsGone) {
  Deploy();
  ASSERT_TRUE(RunUntilTrue([&] { return Backends().size() == 4 && Backends()["d-cg1-1"]["Alive"] == "true"; }));
  ASSERT_EQ(Api("DELETE", "/api/v1/namespaces/default/pods/d-cg1-1").status, 200);
  RunUntil(now_ + 100);
  int on_leaving = 0;
  for (int i = 0; i < 4; ++i) {
    const Answer q = Fe("POST", "/api/_sim/query", {{"computeGroup", "cg1"}});
    ASSERT_EQ(q.json["code"], 0) << q.body;
    on_leaving += q.json["data"]["backend"] == Hp("d-cg1-1");
  }
  EXPECT_EQ(on_leaving, 2);  // round robin over both: the FE does not know it leaves
  Answer nodes = Fe("GET", "/api/_sim/nodes");
  EXPECT_EQ(nodes.json["leavingQueries"], 2) << nodes.body;
  EXPECT_EQ(nodes.json["data"][Hp("d-cg1-1")]["leavingQueries"], 2) << nodes.body;
  EXPECT_EQ(nodes.json["shutDownSkipped"], 0) << nodes.body;
  // Gone: its heartbeat fails, and the FE stops sending it queries.
  ASSERT_TRUE(RunUntilTrue([&] { return Backends()["d-cg1-1"]["Alive"] == "false"; }));
  for (int i = 0; i < 2; ++i) {
    const Answer q = Fe("POST", "/api/_sim/query", {{"computeGroup", "cg1"}});
    ASSERT_EQ(q.json["code"], 0) << q.body;
    EXPECT_EQ(q.json["data"]["backend"], Hp("d-cg1-0"));
  }
}

}  // namespace
}  // namespace doris_operator::kubesim
