#include "tools/kubesim/fake_doris.h"

#include <set>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "tests/kubesim/fake_doris_fixture.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/doris_account.h"
#include "tools/kubesim/workloads.h"

namespace doris_operator::kubesim {
namespace {

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

// BaseController.checkPassword throws UnauthorizedException, which
// RestApiExceptionHandler answers with HTTP 200 and code 401 in the envelope.
TEST_F(FakeDorisTest, CredentialsAreChecked) {
  RunUntil(600);
  auto [s1, none] = Fe("GET", "/rest/v2/manager/node/backends", Json(), "");
  EXPECT_EQ(s1, 200);
  EXPECT_EQ(none["code"], 401);
  EXPECT_EQ(none["msg"], "Unauthorized");
  EXPECT_EQ(none["data"], "Need auth information.");
  auto [s2, wrong] = Fe("GET", "/rest/v2/manager/node/backends", Json(), "root:wrong");
  EXPECT_EQ(s2, 200);
  EXPECT_EQ(wrong["code"], 401);
  EXPECT_NE(wrong["data"].get<std::string>().find("Access denied for root@"), std::string::npos);
  EXPECT_FALSE(wrong["data"].get<std::string>().find("wrong") != std::string::npos);
}

// The account fake Doris accepts is the one the FE pods' entrypoints were
// given (fe_entrypoint.sh: USER/PASSWD, overridden by /etc/basic_auth files),
// never read from the DorisCluster.
class DorisAccountTest : public FakeDorisTest {
 protected:
  void Secret(const std::string& name, const Json& data) {
    Json encoded = Json::object();
    for (const auto& [k, v] : data.items()) encoded[k] = absl::Base64Escape(v.get<std::string>());
    ASSERT_EQ(Post("/api/v1/namespaces/default/secrets",
                   {{"metadata", {{"name", name}}}, {"type", "kubernetes.io/basic-auth"}, {"data", encoded}}),
              201);
  }
  // An FE pod of cluster "d" with this container env and these volumes.
  void FePod(const std::string& name, const Json& env, const Json& mounts = Json::array(),
             const Json& volumes = Json::array()) {
    Json container = {{"name", "fe"}, {"image", "apache/doris:fe-2.1.8"}, {"env", env}};
    if (!mounts.empty()) container["volumeMounts"] = mounts;
    Json spec = {{"containers", Json::array({container})}};
    if (!volumes.empty()) spec["volumes"] = volumes;
    ASSERT_EQ(Post("/api/v1/namespaces/default/pods",
                   {{"metadata", {{"name", name},
                                  {"labels", {{"app.doris.cluster", "d"}, {"app.kubernetes.io/component", "fe"}}}}},
                    {"spec", spec}}),
              201);
  }
  std::string Account() {
    const DorisAccount a = AccountOf(api_.store(), "default", "d");
    return a.user + ":" + a.password;
  }
};

TEST_F(DorisAccountTest, RootWithoutPasswordWhenThePodsAreGivenNone) {
  EXPECT_EQ(Account(), "root:");  // no FE pod at all
  FePod("d-fe-0", Json::array({{{"name", "USER"}, {"value", "ops"}}}));
  EXPECT_EQ(Account(), "root:");  // a user without a password creates no account
}

TEST_F(DorisAccountTest, PasswdFromASecretKeyRefAsTheKubeletResolvesIt) {
  Secret("d-admin-user", {{"username", "ops"}, {"password", "pw-1"}});
  FePod("d-fe-0", Json::array({{{"name", "USER"}, {"value", "ops"}},
                               {{"name", "PASSWD"},
                                {"valueFrom", {{"secretKeyRef", {{"name", "d-admin-user"}, {"key", "password"}}}}}}}));
  EXPECT_EQ(Account(), "ops:pw-1");
}

TEST_F(DorisAccountTest, FilesUnderEtcBasicAuthWinOverTheEnv) {
  Secret("auth", {{"username", "admin2"}, {"password", "file-pw"}});
  FePod("d-fe-0", Json::array({{{"name", "USER"}, {"value", "ops"}}, {{"name", "PASSWD"}, {"value", "env-pw"}}}),
        Json::array({{{"name", "basic-auth"}, {"mountPath", "/etc/basic_auth"}}}),
        Json::array({{{"name", "basic-auth"}, {"secret", {{"secretName", "auth"}}}}}));
  EXPECT_EQ(Account(), "admin2:file-pw");
}

TEST_F(DorisAccountTest, TheFounderPodDecides) {
  FePod("d-fe-1", Json::array({{{"name", "PASSWD"}, {"value", "later"}}}));
  FePod("d-fe-0", Json::array({{{"name", "PASSWD"}, {"value", "first"}}}));
  EXPECT_EQ(Account(), "root:first");
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

// SHOW PROC '/cluster_health/tablet_health' over GET /api/show_proc
// (ShowAction.show_proc: rows only; TabletHealthProcDir: one row per
// database and a Total row). A backend's replicas are missing while it is
// down and incomplete after it is back, until the repair time has passed.
TEST_F(FakeDorisTest, TabletHealthFollowsABackendThatCrashesAndComesBack) {
  RunUntil(600);
  Knobs({{"tabletRepairMs", 1000}});
  auto health = [&] { return ShowProc("/cluster_health/tablet_health"); };
  // DbId DbName TabletNum HealthyNum ReplicaMissingNum VersionIncompleteNum ReplicaRelocatingNum ...
  Json rows = health();
  ASSERT_EQ(rows.size(), 2u) << rows.dump();
  ASSERT_EQ(rows[0].size(), 18u);  // 2.x: no ReplicaMissingInClusterNum
  EXPECT_EQ(rows[0][0], "10000");
  EXPECT_EQ(rows[0][1], "kubesim_db");
  EXPECT_EQ(rows[0][2], "300");
  EXPECT_EQ(rows[0][3], "300");
  EXPECT_EQ(rows[1][0], "Total");
  EXPECT_EQ(rows[1][1], "1");
  const ResourceType pods = *api_.store().Find("", "v1", "pods");
  api_.store().Erase(pods, "default", "c-be-1");  // the pod crashes
  RunUntil(now_ + 50);
  rows = health();
  EXPECT_EQ(rows[0][3], "200");
  EXPECT_EQ(rows[0][4], "100");  // missing while it is gone
  // Its StatefulSet brings it back; the replicas missed loads.
  ASSERT_TRUE([&] {
    for (int i = 0; i < 40; ++i, RunUntil(now_ + 50)) {
      if (Backends()["c-be-1"]["Alive"] == "true") return true;
    }
    return false;
  }());
  rows = health();
  EXPECT_EQ(rows[0][4], "0");
  EXPECT_EQ(rows[0][5], "100");
  EXPECT_EQ(rows[0][3], "200");
  RunUntil(now_ + 1100);
  rows = health();
  EXPECT_EQ(rows[0][3], "300");
  EXPECT_EQ(rows[1][3], "300");
  // The knob marks one backend's replicas unhealthy directly.
  Knobs({{"unhealthy", {{"c-be-2", 500}}}});
  EXPECT_EQ(health()[0][5], "100");
  RunUntil(now_ + 600);
  EXPECT_EQ(health()[0][5], "0");
  // A decommissioned backend's replicas are relocating while it drains.
  Knobs({{"serviceLandsOn", "master"}, {"tabletsMovedPerSecond", 0}});
  auto [s, r] = Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be",
                   {{"hostPorts", {"c-be-2.c-be-internal.default.svc.cluster.local:9050"}}});
  ASSERT_EQ(r["code"], 0);
  EXPECT_EQ(health()[0][6], "100");
}

// 1.2's TabletHealthProcDir still has ReplicaMissingInClusterNum; other
// proc paths: the backends' rows, and ProcService's errors.
TEST_F(FakeDorisTest, ShowProcPathsAndErrors) {
  RunUntil(600);
  EXPECT_EQ(ShowProc("/backends").size(), 3u);
  EXPECT_EQ(ShowProc("//backends/").size(), 3u);  // ProcService swallows repeated '/'
  EXPECT_EQ(ShowProc("/frontends").size(), 3u);
  Json bad = ShowProcEnvelope("backends");
  EXPECT_EQ(bad["code"], 1);
  EXPECT_EQ(bad["msg"], "Error");
  EXPECT_NE(bad["data"].get<std::string>().find("does not start with '/'"), std::string::npos);
  bad = ShowProcEnvelope("/nowhere");
  EXPECT_EQ(bad["code"], 1);
  EXPECT_NE(bad["data"].get<std::string>().find("Proc path '/nowhere' doesn't exist"), std::string::npos);
  Spec("apache/doris:fe-1.2.7", "");
  EXPECT_EQ(ShowProc("/cluster_health/tablet_health")[0].size(), 19u);
}

// RestApiExceptionHandler answers an UnauthorizedException with HTTP 200
// and code 401 in the envelope. A password changed in Doris (and not in the
// Secret) makes the Secret's credentials fail until it is changed back.
TEST_F(FakeDorisTest, APasswordChangedInDorisRefusesTheSecretsCredentials) {
  RunUntil(600);
  Knobs({{"dorisPassword", "rotated"}});
  auto [status, j] = Fe("GET", "/rest/v2/manager/node/backends");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(j["code"], 401);
  EXPECT_EQ(j["msg"], "Unauthorized");
  EXPECT_NE(j["data"].get<std::string>().find("Access denied for root@"), std::string::npos);
  EXPECT_EQ(Fe("GET", "/rest/v2/manager/node/backends", Json(), "root:rotated").second["code"], 0);
  EXPECT_EQ(Fe("GET", "/api/_sim/nodes").second["code"], 0);  // the simulator's own: the Secret's
  Knobs({{"dorisPassword", nullptr}});
  EXPECT_EQ(Fe("GET", "/rest/v2/manager/node/backends").second["code"], 0);
}

// NodeAction answers a refused write with okWithCommonError: code 1, msg
// "Error", the exception text; nothing changes until the refusal is lifted.
TEST_F(FakeDorisTest, RefusedMembershipWritesChangeNothing) {
  Sts("fe", 4, "apache/doris:fe-2.1.8");
  HttpRequest patch;
  patch.method = "PATCH";
  patch.path = "/apis/apps/v1/namespaces/default/statefulsets/c-fe";
  patch.headers["content-type"] = "application/merge-patch+json";
  patch.body = R"({"spec":{"replicas":4}})";
  ASSERT_EQ(api_.Handle(patch).status, 200);
  RunUntil(800);
  Knobs({{"serviceLandsOn", "master"},
         {"refuse", {{"DECOMMISSION/be", true}, {"DROP/be", "backend is busy"}, {"DROP/fe", true}}}});
  const std::string be2 = "c-be-2.c-be-internal.default.svc.cluster.local:9050";
  auto [s1, r1] = Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be", {{"hostPorts", {be2}}});
  EXPECT_EQ(s1, 200);
  EXPECT_EQ(r1["code"], 1);
  EXPECT_EQ(r1["msg"], "Error");
  EXPECT_EQ(r1["data"], "errCode = 2, detailMessage = Failed to acquire env lock. Try again");
  EXPECT_EQ(Backends()["c-be-2"]["SystemDecommissioned"], "false");
  auto [s2, r2] = Fe("POST", "/rest/v2/manager/node/DROP/be", {{"hostPorts", {be2}}});
  EXPECT_EQ(r2["data"], "errCode = 2, detailMessage = backend is busy");
  EXPECT_EQ(Backends().size(), 3u);
  const std::string fe3 = "c-fe-3.c-fe-internal.default.svc.cluster.local:9010";
  auto [s3, r3] = Fe("POST", "/rest/v2/manager/node/DROP/fe", {{"role", "OBSERVER"}, {"hostPort", fe3}});
  EXPECT_EQ(r3["code"], 1);
  EXPECT_EQ(Rows("frontends").size(), 4u);
  Knobs({{"refuse", {{"DECOMMISSION/be", false}, {"DROP/be", false}, {"DROP/fe", false}}}});
  EXPECT_EQ(Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be", {{"hostPorts", {be2}}}).second["code"], 0);
  EXPECT_EQ(Fe("POST", "/rest/v2/manager/node/DROP/fe", {{"role", "OBSERVER"}, {"hostPort", fe3}}).second["code"], 0);
  // Unknown operations and bad values are refused by the knob endpoint.
  EXPECT_EQ(Fe("POST", "/api/_sim/config", {{"refuse", {{"ADD/be", true}}}}).second["code"], 1);
  EXPECT_EQ(Fe("POST", "/api/_sim/config", {{"refuse", {{"DROP/be", 3}}}}).second["code"], 1);
}

// Node lists the FE cannot produce: Doris' internalError envelope (HTTP
// 200, code 500) or an HTTP 500; the simulator's endpoints still answer.
TEST_F(FakeDorisTest, NodeListsThatFailAndSlowAnswers) {
  RunUntil(600);
  Knobs({{"nodeListsFail", "internal"}});
  auto [s1, r1] = Fe("GET", "/rest/v2/manager/node/backends");
  EXPECT_EQ(s1, 200);
  EXPECT_EQ(r1["code"], 500);
  EXPECT_EQ(r1["msg"], "Internal Error");
  EXPECT_EQ(ShowProcEnvelope("/cluster_health/tablet_health")["code"], 500);
  EXPECT_EQ(Fe("GET", "/api/_sim/nodes").second["code"], 0);
  Knobs({{"nodeListsFail", "http500"}});
  EXPECT_EQ(Fe("GET", "/rest/v2/manager/node/frontends").first, 500);
  Knobs({{"nodeListsFail", ""}, {"latencyMs", 20}});
  auto [s3, r3] = Fe("GET", "/rest/v2/manager/node/backends");
  EXPECT_EQ(r3["code"], 0);
  EXPECT_EQ(Fe("POST", "/api/_sim/config", {{"latencyMs", -1}}).second["code"], 1);
  EXPECT_EQ(Fe("POST", "/api/_sim/config", {{"nodeListsFail", "sometimes"}}).second["code"], 1);
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

// The Statement Execution Action (StmtExecutionAction.executeSQL): POST
// /api/query/<ns>/<db> {"stmt": ...}. SHOW PROC answers a result set (meta
// names the columns, every cell a string); CANCEL DECOMMISSION BACKEND an
// exec status; failures okWithCommonError ("Failed to execute sql: ...").
TEST_F(FakeDorisTest, StatementExecutionActionShowsTabletHealthAndCancelsADecommission) {
  RunUntil(600);
  auto sql = [&](const std::string& stmt, const std::string& where = "/api/query/default_cluster/information_schema",
                 const std::string& user = "root:") {
    return Fe("POST", where, {{"stmt", stmt}}, user).second;
  };
  Json health = sql("SHOW PROC '/cluster_health/tablet_health'");
  ASSERT_EQ(health["code"], 0) << health.dump();
  EXPECT_EQ(health["msg"], "success");
  EXPECT_EQ(health["data"]["type"], "result_set");
  ASSERT_EQ(health["data"]["meta"].size(), 18u);
  EXPECT_EQ(health["data"]["meta"][3]["name"], "HealthyNum");
  EXPECT_EQ(health["data"]["meta"][4]["name"], "ReplicaMissingNum");
  EXPECT_EQ(health["data"]["meta"][4]["type"], "VARCHAR");
  ASSERT_EQ(health["data"]["data"].size(), 2u);
  EXPECT_EQ(health["data"]["data"][1][0], "Total");
  EXPECT_EQ(health["data"]["data"][1][3], "300");
  // The knob: tablets whose replica is lost, until set back to 0.
  Knobs({{"replicaMissingTablets", 7}});
  health = sql("show proc \"/cluster_health/tablet_health\";");
  EXPECT_EQ(health["data"]["data"][1][4], "7") << health.dump();
  EXPECT_EQ(health["data"]["data"][1][3], "293");
  Knobs({{"replicaMissingTablets", 0}});
  EXPECT_EQ(sql("SHOW PROC '/cluster_health/tablet_health'")["data"]["data"][1][4], "0");

  // Errors, each as Doris answers it.
  Json no_stmt = Fe("POST", "/api/query/default_cluster/information_schema", Json::object()).second;
  EXPECT_EQ(no_stmt["code"], 403);
  EXPECT_EQ(no_stmt["data"], "Missing statement request body");
  Json bad_path = sql("SHOW PROC '/no_such'");
  EXPECT_EQ(bad_path["code"], 1);
  EXPECT_EQ(bad_path["msg"], "Error");
  EXPECT_EQ(bad_path["data"].get<std::string>().rfind("Failed to execute sql: ", 0), 0u) << bad_path.dump();
  EXPECT_EQ(sql("SHOW PROC '/backends'", "/api/query/default_cluster/no_such_db")["code"], 1);
  EXPECT_EQ(sql("ALTER SYSTEM CANCEL DECOMMISSION BACKEND \"x:9050\"")["code"], 1);  // not Doris' syntax
  EXPECT_EQ(sql("SHOW PROC '/backends'", "/api/query/default_cluster/information_schema", "")["code"], 401);

  // Cancel: a decommissioning backend keeps its remaining tablets and stops
  // draining; an unknown one is an error and changes nothing.
  const std::string be2 = "c-be-2.c-be-internal.default.svc.cluster.local:9050";
  Knobs({{"serviceLandsOn", "master"}, {"tabletsMovedPerSecond", 0}});
  ASSERT_EQ(Fe("POST", "/rest/v2/manager/node/DECOMMISSION/be", {{"hostPorts", {be2}}}).second["code"], 0);
  ASSERT_EQ(Backends()["c-be-2"]["SystemDecommissioned"], "true");
  Json unknown = sql("CANCEL DECOMMISSION BACKEND \"" + be2 + "\", \"nope:9050\"");
  EXPECT_EQ(unknown["code"], 1);
  EXPECT_NE(unknown["data"].get<std::string>().find("Backend does not exist[nope:9050]"), std::string::npos);
  EXPECT_EQ(Backends()["c-be-2"]["SystemDecommissioned"], "true");
  Json cancelled = sql("CANCEL DECOMMISSION BACKEND \"" + be2 + "\"");
  EXPECT_EQ(cancelled["code"], 0) << cancelled.dump();
  EXPECT_EQ(cancelled["data"]["type"], "exec_status");
  EXPECT_EQ(Backends()["c-be-2"]["SystemDecommissioned"], "false");
  EXPECT_EQ(Backends()["c-be-2"]["TabletNum"], "100");
  // Cancelling a node that is not decommissioned is no error (it is skipped).
  EXPECT_EQ(sql("CANCEL DECOMMISSION BACKEND \"" + be2 + "\"")["code"], 0);
  // Any FE runs it (the statement goes over its own MySQL connection).
  Knobs({{"serviceLandsOn", "non-master"}});
  EXPECT_EQ(sql("CANCEL DECOMMISSION BACKEND \"" + be2 + "\"")["code"], 0);
}

}  // namespace
}  // namespace doris_operator::kubesim
