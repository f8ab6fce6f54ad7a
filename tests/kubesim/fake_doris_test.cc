#include "tools/kubesim/fake_doris.h"

#include <set>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/workloads.h"

namespace doris_operator::kubesim {
namespace {

class FakeDorisTest : public ::testing::Test {
 protected:
  FakeDorisTest()
      : workloads_(&api_.store(), {.start_ms = 100, .ready_ms = 100}),
        doris_(&api_.store(), {.tablets_per_backend = 100, .tablets_moved_per_second = 500}) {
    api_.SetServiceProxy([this](const std::string& ns, const std::string& svc, const std::string& path,
                                const HttpRequest& req) { return doris_.Handle(ns, svc, path, req); });
    api_.SetPodProxy([this](const std::string& ns, const std::string& pod, const std::string& path,
                            const HttpRequest& req) { return doris_.HandlePod(ns, pod, path, req); });
    Post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
         {{"metadata", {{"name", "dorisclusters.doris.selectdb.com"}}},
          {"spec", {{"group", "doris.selectdb.com"}, {"scope", "Namespaced"},
                    {"names", {{"plural", "dorisclusters"}, {"kind", "DorisCluster"}}},
                    {"versions", Json::array({{{"name", "v1"}, {"served", true}, {"storage", true}}})}}}});
    Post("/apis/doris.selectdb.com/v1/namespaces/default/dorisclusters",
         {{"metadata", {{"name", "c"}}}, {"spec", Json::object()}});
    Sts("fe", 3, "apache/doris:fe-2.1.8");
    Sts("be", 3, "apache/doris:be-2.1.8");
  }

  int Post(const std::string& path, const Json& body) {
    HttpRequest req;
    req.method = "POST";
    req.path = path;
    req.body = body.dump();
    return api_.Handle(req).status;
  }

  void Sts(const std::string& comp, int replicas, const std::string& image) {
    const Json labels = {{"app.doris.cluster", "c"}, {"app.kubernetes.io/component", comp},
                         {"app.doris.ownerreference/name", "c-" + comp}};
    Post("/apis/apps/v1/namespaces/default/statefulsets",
         {{"metadata", {{"name", "c-" + comp}}},
          {"spec", {{"replicas", replicas}, {"podManagementPolicy", "Parallel"},
                    {"serviceName", "c-" + comp + "-internal"},
                    {"selector", {{"matchLabels", {{"app.doris.ownerreference/name", "c-" + comp}}}}},
                    {"template", {{"metadata", {{"labels", labels}}},
                                  {"spec", {{"containers", Json::array({{{"name", comp}, {"image", image},
                                                                         {"env", Json::array({{{"name", "ELECT_NUMBER"}, {"value", "3"}}})}}})}}}}}}}});
  }

  // The cluster's spec: FE image and the fe.conf of its ConfigMap ("" = none).
  void Spec(const std::string& fe_image, const std::string& fe_conf) {
    Json spec = {{"feSpec", {{"image", fe_image}}}};
    if (!fe_conf.empty()) {
      Post("/api/v1/namespaces/default/configmaps",
           {{"metadata", {{"name", "fe-conf"}}}, {"data", {{"fe.conf", fe_conf}}}});
      spec["feSpec"]["configMapInfo"] = {{"configMapName", "fe-conf"}, {"resolveKey", "fe.conf"}};
    }
    HttpRequest patch;
    patch.method = "PATCH";
    patch.path = "/apis/doris.selectdb.com/v1/namespaces/default/dorisclusters/c";
    patch.headers["content-type"] = "application/merge-patch+json";
    patch.body = Json{{"spec", spec}}.dump();
    ASSERT_EQ(api_.Handle(patch).status, 200);
  }

  // A request through the API server's service proxy to the FE (or, with
  // `pod`, to that FE pod).
  std::pair<int, Json> Fe(const std::string& method, const std::string& path, const Json& body = Json(),
                          const std::string& user = "root:", const std::string& pod = "",
                          HttpResponse* raw = nullptr) {
    HttpRequest req;
    req.method = method;
    req.path = pod.empty() ? "/api/v1/namespaces/default/services/c-fe-service:8030/proxy" + path
                           : "/api/v1/namespaces/default/pods/" + pod + ":8030/proxy" + path;
    if (!user.empty()) req.headers["authorization"] = "Basic " + absl::Base64Escape(user);
    if (!body.is_null()) req.body = body.dump();
    HttpResponse r = api_.Handle(req);
    if (raw != nullptr) *raw = r;
    Json j;
    try {
      j = Json::parse(r.body);
    } catch (...) {
    }
    return {r.status, j};
  }

  // A node list as column -> value per row.
  std::vector<Json> Rows(const std::string& which) {
    auto [status, j] = Fe("GET", "/rest/v2/manager/node/" + which);
    std::vector<Json> out;
    const Json& cols = j["data"]["column_names"];
    for (const Json& row : j["data"]["rows"]) {
      Json named = Json::object();
      for (size_t i = 0; i < cols.size(); ++i) named[cols[i].get<std::string>()] = row[i];
      out.push_back(named);
    }
    return out;
  }

  std::map<std::string, Json> Backends() {
    std::map<std::string, Json> out;
    for (const Json& named : Rows("backends")) {
      out[named["Host"].get<std::string>().substr(0, 6)] = named;  // "c-be-N"
    }
    return out;
  }

  // Simulator knobs of cluster c.
  void Knobs(const Json& knobs) {
    auto [status, j] = Fe("POST", "/api/_sim/config", knobs);
    ASSERT_EQ(j["code"], 0) << j.dump();
  }

  std::string PodIp(const std::string& pod) {
    HttpRequest req;
    req.method = "GET";
    req.path = "/api/v1/namespaces/default/pods/" + pod;
    return Json::parse(api_.Handle(req).body)["status"].value("podIP", "");
  }

  void RunUntil(int64_t until) {
    for (; now_ <= until; now_ += 50) {
      workloads_.Tick(now_);
      doris_.Tick(now_);
    }
  }

  ApiServer api_;
  WorkloadController workloads_;
  FakeDoris doris_;
  int64_t now_ = 0;
};

TEST_F(FakeDorisTest, PodsRegisterThemselvesOnceReady) {
  EXPECT_EQ(Fe("GET", "/api/health", Json(), "").first, 503);  // nothing runs yet
  RunUntil(600);
  auto [status, fes] = Fe("GET", "/rest/v2/manager/node/frontends");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(fes["code"], 0);
  ASSERT_EQ(fes["data"]["rows"].size(), 3u);
  int masters = 0;
  for (const Json& row : fes["data"]["rows"]) masters += row[7] == "true";
  EXPECT_EQ(masters, 1);
  auto backends = Backends();
  ASSERT_EQ(backends.size(), 3u);
  EXPECT_EQ(backends["c-be-0"]["TabletNum"], "100");
  EXPECT_EQ(backends["c-be-0"]["Alive"], "true");
  EXPECT_EQ(Fe("GET", "/api/health", Json(), "").first, 200);
}

TEST_F(FakeDorisTest, CredentialsAreChecked) {
  RunUntil(600);
  EXPECT_EQ(Fe("GET", "/rest/v2/manager/node/backends", Json(), "").first, 401);
  EXPECT_EQ(Fe("GET", "/rest/v2/manager/node/backends", Json(), "root:wrong").first, 401);
}

TEST_F(FakeDorisTest, DecommissionMovesTabletsAwayThenDropRemoves) {
  Spec("apache/doris:fe-2.1.8", "enable_fqdn_mode = true\ndrop_backend_after_decommission = false\n");
  RunUntil(600);
  Knobs({{"serviceLandsOn", "master"}});
  const std::string be2 = "c-be-2.c-be-internal.default.svc.cluster.local:9050";
  auto [s1, r1] = Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be", {{"hostPorts", {be2}}});
  ASSERT_EQ(r1["code"], 0) << r1;
  RunUntil(700);
  auto mid = Backends();
  EXPECT_EQ(mid["c-be-2"]["SystemDecommissioned"], "true");
  EXPECT_LT(std::stoi(mid["c-be-2"]["TabletNum"].get<std::string>()), 100);
  RunUntil(1200);
  auto done = Backends();
  EXPECT_EQ(done["c-be-2"]["TabletNum"], "0");
  EXPECT_EQ(std::stoi(done["c-be-0"]["TabletNum"].get<std::string>()) +
                std::stoi(done["c-be-1"]["TabletNum"].get<std::string>()),
            300);  // nothing lost
  // Queries never reach the decommissioned node.
  for (int i = 0; i < 20; ++i) {
    auto [s, r] = Fe("POST", "/api/_sim/query");
    EXPECT_NE(r["data"]["backend"], be2);
  }
  auto [s2, r2] = Fe("POST", "/rest/v2/manager/node/DROP/be", {{"hostPorts", {be2}}});
  ASSERT_EQ(r2["code"], 0);
  RunUntil(1500);
  EXPECT_EQ(Backends().count("c-be-2"), 0u);  // its pod still runs, but it stays out
  auto [s3, r3] = Fe("POST", "/rest/v2/manager/node/DROP/be", {{"hostPorts", {be2}}});
  EXPECT_EQ(r3["code"], 1);
  EXPECT_NE(r3["data"].get<std::string>().find("does not exist"), std::string::npos);
}

TEST_F(FakeDorisTest, ObserversAndTheMasterGuard) {
  Sts("fe", 5, "apache/doris:fe-2.1.8");  // already exists: 409, so grow it by PATCH
  HttpRequest patch;
  patch.method = "PATCH";
  patch.path = "/apis/apps/v1/namespaces/default/statefulsets/c-fe";
  patch.headers["content-type"] = "application/merge-patch+json";
  patch.body = R"({"spec":{"replicas":5}})";
  ASSERT_EQ(api_.Handle(patch).status, 200);
  RunUntil(800);
  Knobs({{"serviceLandsOn", "master"}});
  auto [s, fes] = Fe("GET", "/rest/v2/manager/node/frontends");
  int observers = 0;
  std::string master;
  for (const Json& row : fes["data"]["rows"]) {
    observers += row[6] == "OBSERVER";
    if (row[7] == "true") master = row[1].get<std::string>() + ":" + row[2].get<std::string>();
  }
  EXPECT_EQ(observers, 2);
  auto [s2, r2] = Fe("POST", "/rest/v2/manager/node/DROP/fe", {{"role", "FOLLOWER"}, {"hostPort", master}});
  EXPECT_EQ(r2["code"], 1);
  EXPECT_NE(r2["data"].get<std::string>().find("master"), std::string::npos);
}

TEST_F(FakeDorisTest, QueriesAvoidTerminatingPodsAndCountThoseSentToVanishedOnes) {
  RunUntil(1000);
  const ResourceType pods = *api_.store().Find("", "v1", "pods");
  // Graceful deletion: the pod terminates; after the next tick no query goes there.
  api_.store().Delete(pods, "default", "c-be-2");
  RunUntil(1050);
  for (int i = 0; i < 30; ++i) {
    auto [status, j] = Fe("POST", "/api/_sim/query");
    ASSERT_EQ(j["code"], 0) << j.dump();
    EXPECT_EQ(j["data"]["backend"].get<std::string>().rfind("c-be-2.", 0), std::string::npos);
  }
  // A pod that vanishes at once (no grace period) is still routed to until
  // the FE notices: those queries are lost, and counted.
  api_.store().Erase(pods, "default", "c-be-1");
  int lost = 0;
  for (int i = 0; i < 10; ++i) lost += Fe("POST", "/api/_sim/query").second["code"] != 0;
  EXPECT_GT(lost, 0);
  EXPECT_EQ(Fe("GET", "/api/_sim/nodes").second["lostQueries"], lost);
}

// enable_fqdn_mode is off in a user's fe.conf unless set: nodes register by
// pod IP (fe_entrypoint.sh: MYSELF=$POD_IP).
TEST_F(FakeDorisTest, WithoutFqdnModeNodesRegisterByPodIp) {
  Spec("apache/doris:fe-2.1.8", "sys_log_level = INFO\n");
  RunUntil(600);
  std::set<std::string> hosts;
  for (const Json& row : Rows("backends")) hosts.insert(row["Host"].get<std::string>());
  EXPECT_EQ(hosts, (std::set<std::string>{PodIp("c-be-0"), PodIp("c-be-1"), PodIp("c-be-2")}));
  std::set<std::string> fe_hosts;
  for (const Json& row : Rows("frontends")) fe_hosts.insert(row["Host"].get<std::string>());
  EXPECT_EQ(fe_hosts, (std::set<std::string>{PodIp("c-fe-0"), PodIp("c-fe-1"), PodIp("c-fe-2")}));
  // Drops name the node as it registered: by IP.
  Knobs({{"serviceLandsOn", "master"}});
  auto [s1, by_name] = Fe("POST", "/rest/v2/manager/node/DROP/be",
                          {{"hostPorts", {"c-be-2.c-be-internal.default.svc.cluster.local:9050"}}});
  EXPECT_EQ(by_name["code"], 1);
  auto [s2, by_ip] = Fe("POST", "/rest/v2/manager/node/DROP/be", {{"hostPorts", {PodIp("c-be-2") + ":9050"}}});
  EXPECT_EQ(by_ip["code"], 0) << by_ip.dump();
}

// 1.2's SHOW FRONTENDS / SHOW BACKENDS have IP and HostName, 2.x has Host.
TEST_F(FakeDorisTest, Doris12ListsIpAndHostName) {
  Spec("apache/doris:fe-1.2.7", "");
  RunUntil(600);
  auto [status, j] = Fe("GET", "/rest/v2/manager/node/backends");
  const Json& cols = j["data"]["column_names"];
  EXPECT_EQ(cols[1], "IP");
  EXPECT_EQ(cols[2], "HostName");
  for (const Json& row : Rows("backends")) {
    EXPECT_EQ(row["IP"], PodIp(row["HostName"].get<std::string>().substr(0, 6)));
  }
  auto [s2, fes] = Fe("GET", "/rest/v2/manager/node/frontends");
  EXPECT_EQ(fes["data"]["column_names"][1], "IP");
}

// NodeAction: a membership write that reaches a non-master FE is redirected
// to the master (2.x), or forwarded there (3.x); the master serves it.
TEST_F(FakeDorisTest, WritesOnANonMasterFeAreRedirectedToTheMaster) {
  RunUntil(600);
  Knobs({{"serviceLandsOn", "non-master"}});
  const std::string be2 = "c-be-2.c-be-internal.default.svc.cluster.local:9050";
  HttpResponse raw;
  Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be", {{"hostPorts", {be2}}}, "root:", "", &raw);
  EXPECT_EQ(raw.status, 307);
  EXPECT_EQ(raw.headers["Location"],
            "http://c-fe-0.c-fe-internal.default.svc.cluster.local:8030/rest/v2/manager/node/DECOMMISSION/be");
  EXPECT_EQ(Backends()["c-be-2"]["SystemDecommissioned"], "false");
  // Reads are served by any FE.
  EXPECT_EQ(Backends().size(), 3u);
  // Addressed to the master's pod, the write is done.
  auto [s, r] = Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be", {{"hostPorts", {be2}}}, "root:", "c-fe-0");
  EXPECT_EQ(r["code"], 0) << r.dump();
  EXPECT_EQ(Backends()["c-be-2"]["SystemDecommissioned"], "true");
  // A pod that is no FE of a cluster is not proxied.
  EXPECT_EQ(Fe("GET", "/rest/v2/manager/node/backends", Json(), "root:", "c-be-0").first, 503);
  // 3.x forwards.
  Spec("apache/doris:fe-3.0.3", "");
  auto [s3, fwd] = Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be",
                      {{"hostPorts", {"c-be-1.c-be-internal.default.svc.cluster.local:9050"}}});
  EXPECT_EQ(fwd["code"], 0) << fwd.dump();
}

// SystemHandler drops a decommissioned backend once it holds no tablets
// (drop_backend_after_decommission, true by default).
TEST_F(FakeDorisTest, ADrainedBackendLeavesTheListByItself) {
  RunUntil(600);
  Knobs({{"serviceLandsOn", "master"}});
  auto [s, r] = Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be",
                   {{"hostPorts", {"c-be-2.c-be-internal.default.svc.cluster.local:9050"}}});
  ASSERT_EQ(r["code"], 0);
  RunUntil(2000);
  auto left = Backends();
  EXPECT_EQ(left.count("c-be-2"), 0u);
  EXPECT_EQ(std::stoi(left["c-be-0"]["TabletNum"].get<std::string>()) +
                std::stoi(left["c-be-1"]["TabletNum"].get<std::string>()),
            300);
}

// Three backends, three replicas per tablet: a decommissioned backend has
// nowhere to move its replicas, so it keeps them.
TEST_F(FakeDorisTest, ADecommissionWithNowhereToGoNeverFinishes) {
  RunUntil(600);
  Knobs({{"serviceLandsOn", "master"}, {"replicationNum", 3}});
  auto [s, r] = Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be",
                   {{"hostPorts", {"c-be-2.c-be-internal.default.svc.cluster.local:9050"}}});
  ASSERT_EQ(r["code"], 0);
  RunUntil(3000);
  EXPECT_EQ(Backends()["c-be-2"]["TabletNum"], "100");
  EXPECT_EQ(Backends()["c-be-2"]["SystemDecommissioned"], "true");
  // Bad knobs are refused.
  auto [s2, bad] = Fe("POST", "/api/_sim/config", {{"replicationNum", 0}});
  EXPECT_EQ(bad["code"], 1);
}

// The membership log: who asked for what, in order, with the API server's
// resourceVersion at that moment; the FE's own drops as "fe"; a redirected
// write (it never reached the master) is not in it.
TEST_F(FakeDorisTest, TheMembershipLogSaysWhoAskedWhatAndWhen) {
  RunUntil(600);
  const std::string be2 = "c-be-2.c-be-internal.default.svc.cluster.local:9050";
  Knobs({{"serviceLandsOn", "non-master"}});
  Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be", {{"hostPorts", {be2}}});  // 307
  Knobs({{"serviceLandsOn", "master"}});
  HttpRequest req;
  req.method = "POST";
  req.path = "/api/v1/namespaces/default/services/c-fe-service:8030/proxy/rest/v2/manager/node/DECOMMISSION/be";
  req.headers["authorization"] = "Basic " + absl::Base64Escape("root:");
  req.headers["user-agent"] = "op/1 (a)";
  req.body = Json{{"hostPorts", {be2}}}.dump();
  ASSERT_EQ(api_.Handle(req).status, 200);
  auto [s, missing] = Fe("POST", "/rest/v2/manager/node/DROP/be", {{"hostPorts", {"nope:9050"}}});
  RunUntil(2000);  // drained: the FE drops it itself
  auto [status, j] = Fe("GET", "/api/_sim/membership-log");
  ASSERT_EQ(status, 200);
  const Json& log = j["data"]["entries"];
  ASSERT_EQ(log.size(), 3u) << log.dump();
  EXPECT_EQ(log[0]["op"], "DECOMMISSION/be");
  EXPECT_EQ(log[0]["by"], "op/1 (a)");
  EXPECT_EQ(log[0]["hostPorts"], Json::array({be2}));
  EXPECT_EQ(log[0]["code"], 0);
  EXPECT_EQ(log[1]["op"], "DROP/be");
  EXPECT_EQ(log[1]["code"], 1);  // refused: no such backend
  EXPECT_EQ(log[2]["op"], "DROP/be");
  EXPECT_EQ(log[2]["by"], "fe");
  EXPECT_EQ(log[2]["hostPorts"], Json::array({be2}));
  EXPECT_GT(log[0]["resourceVersion"].get<int64_t>(), 0);
  EXPECT_LE(log[0]["resourceVersion"].get<int64_t>(), log[1]["resourceVersion"].get<int64_t>());
  EXPECT_LE(log[1]["resourceVersion"].get<int64_t>(), log[2]["resourceVersion"].get<int64_t>());
}

}  // namespace
}  // namespace doris_operator::kubesim
