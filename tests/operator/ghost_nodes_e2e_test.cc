// Ghost nodes end to end (docs/operations.md, "Ghost nodes"): nodes the FE
// lists that no pod backs are watched for the grace period the annotation
// sets, then reported in status, by Event and metric; a dead compute node
// and a dead FE observer are dropped, a backend holding tablets is kept.

#include "absl/strings/str_cat.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

constexpr char kCnGhost[] = "ghost-cn-0.ghost-cn-internal.default.svc.cluster.local:9050";
constexpr char kFeGhost[] = "ghost-fe-5.ghost-fe-internal.default.svc.cluster.local:9010";
constexpr char kBeGhost[] = "ghost-be-2.ghost-be-internal.default.svc.cluster.local:9050";

class GhostNodesE2eTest : public OperatorE2eTest {
 protected:
  // A membership write to the fake FE as a user would make it (ALTER
  // SYSTEM ADD ... through the node-management API); its envelope.
  Json FeWrite(const std::string& op, const Json& body) {
    kube::Request r;
    r.method = "POST";
    r.path = absl::StrCat("/api/v1/namespaces/default/services/ghost-fe-service:", fe_http_port_,
                          "/proxy/rest/v2/manager/node/", op);
    r.headers.push_back(absl::StrCat("Authorization: Basic ", absl::Base64Escape(fe_user_)));
    r.headers.push_back("Content-Type: application/json");
    r.body = body.dump();
    auto resp = client_->Do(r);
    return resp.ok() ? Json::parse(resp->body, nullptr, false) : Json();
  }

  // status.ghostNodes by hostPort.
  std::map<std::string, Json> Ghosts() {
    std::map<std::string, Json> out;
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "ghost"));
    const Json& list = At(dcr, "/status/ghostNodes");
    if (!list.is_array()) return out;
    for (const Json& g : list) out[g.value("hostPort", "")] = g;
    return out;
  }

  // status.ghostNodes[host_port].state; "" when it is not listed.
  std::string GhostState(const std::string& host_port) {
    const auto ghosts = Ghosts();
    auto it = ghosts.find(host_port);
    return it == ghosts.end() ? "" : it->second.value("state", "");
  }

  // How many times an Event `reason` whose message holds `text` was said
  // (a repeat bumps an Event's count); -1 when the Events cannot be read.
  int EventCount(const std::string& reason, const std::string& text) {
    Json events = Get("/api/v1/namespaces/default/events");
    if (!events.is_object()) return -1;
    int n = 0;
    for (const Json& e : events.value("items", Json::array())) {
      if (e.value("reason", "") == reason && e.value("message", "").find(text) != std::string::npos) {
        n += e.value("count", 1);
      }
    }
    return n;
  }
  bool EventWith(const std::string& reason, const std::string& text) { return EventCount(reason, text) > 0; }

  std::string Describe() {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "ghost"));
    return absl::StrCat("\nstatus: ", At(dcr, "/status").dump(), "\nFE nodes: ", FeGet("ghost", "/api/_sim/nodes").dump(),
                        "\nmembership log: ", MembershipLog("ghost").dump(), "\n", operator_->Output());
  }
};

TEST_F(GhostNodesE2eTest, GhostsAreReportedAndOnlyWhatLosesNothingIsDropped) {
  ClusterOptions o;
  o.annotations = "    doris-operator.io/ghost-node-grace-period: 3s\n";
  Apply(Cluster("ghost", 1, 3, o));
  ASSERT_TRUE(Eventually([&] { return Available("ghost") && BackendCount("ghost") == 3; })) << Describe();

  // While the operator is down (restarted as in production, its log kept),
  // someone shrinks the BE StatefulSet with no decommission (what StarRocks
  // operator users report) and then the spec to match: ghost-be-2 stays in
  // the FE with its tablets and no pod. (The restarted operator decides
  // nothing before every watch has listed, so its log's 3 and 3 are not
  // read beside the new spec as a scale-in to carry out: initial_sync_e2e_test.)
  operator_.reset();
  auto scaled = Kubectl({"scale", "statefulset", "ghost-be", "--replicas=2"});
  ASSERT_EQ(scaled.exit_code, 0) << scaled.output;
  auto patched = Kubectl({"patch", "dcr", "ghost", "--type=merge", "-p", R"({"spec":{"beSpec":{"replicas":2}}})"});
  ASSERT_EQ(patched.exit_code, 0) << patched.output;
  ASSERT_TRUE(Eventually([&] { return Pods("ghost", "be").size() == 2; })) << Describe();
  // A compute node and an FE observer registered by hand, with no pod.
  Json added = FeWrite("ADD/be", {{"hostPorts", {kCnGhost}}});
  ASSERT_EQ(At(added, "/code"), 0) << added.dump();
  added = FeWrite("ADD/fe", {{"role", "OBSERVER"}, {"hostPort", kFeGhost}});
  ASSERT_EQ(At(added, "/code"), 0) << added.dump();
  StartOperator();

  // The compute node and the observer go once the grace period is over:
  // first seen (and logged) in the grace period, then dropped by the operator.
  ASSERT_TRUE(Eventually([&] {
    const auto fes = Frontends("ghost");
    const auto bes = Backends("ghost");
    return fes && bes && !fes->count("ghost-fe-5.ghost-fe-internal.default.svc.cluster.local") &&
           !bes->count(kCnGhost);
  })) << Describe();
  EXPECT_EQ(OperatorWrites("ghost", kCnGhost), std::vector<std::string>{absl::StrCat("DROP/be ", kCnGhost)});
  EXPECT_EQ(OperatorWrites("ghost", kFeGhost), std::vector<std::string>{absl::StrCat("DROP/fe ", kFeGhost)});
  auto in_grace = [](const std::string& host_port) {
    return [host_port](const Json& dcr) {
      const Json& list = At(dcr, "/status/ghostNodes");
      if (!list.is_array()) return false;
      for (const Json& g : list) {
        if (g.value("hostPort", "") == host_port && g.value("state", "") == "InGracePeriod") return true;
      }
      return false;
    };
  };
  EXPECT_NE(LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "ghost", in_grace(kCnGhost)), 0u);
  EXPECT_NE(LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "ghost", in_grace(kFeGhost)), 0u);
  EXPECT_TRUE(Eventually([&] { return EventWith("GhostNodeDropped", kCnGhost) && EventWith("GhostNodeDropped", kFeGhost); }))
      << Describe();

  // The backend with tablets is reported, never dropped.
  Json be;
  ASSERT_TRUE(Eventually([&] {
    const auto ghosts = Ghosts();
    auto it = ghosts.find(kBeGhost);
    if (it == ghosts.end() || it->second.value("state", "") != "Kept") return false;
    be = it->second;
    return true;
  })) << Describe();
  EXPECT_EQ(be.value("component", ""), "be");
  EXPECT_EQ(be.value("tablets", 0), 120);
  EXPECT_NE(be.value("message", "").find("holds 120 tablets"), std::string::npos) << be.dump();
  EXPECT_TRUE(OperatorWrites("ghost", kBeGhost).empty());
  const auto backends = Backends("ghost");
  ASSERT_TRUE(backends.has_value());
  EXPECT_EQ(backends->count(kBeGhost), 1u);
  EXPECT_EQ(backends->at(kBeGhost), 120);
  EXPECT_TRUE(Eventually([&] { return EventWith("GhostNode", absl::StrCat(kBeGhost, " is listed by the FE")); }))
      << Describe();
  EXPECT_TRUE(Eventually([&] {
    return MetricWith("doris_operator_ghost_nodes", "state=\"Kept\"") == 1 &&
           MetricWith("doris_operator_ghost_nodes", "component=\"cn\"") == 0;
  })) << Describe();
  // Only the kept one is left in status, and the cluster is at rest.
  EXPECT_TRUE(Eventually([&] { return Ghosts().size() == 1 && Available("ghost"); })) << Describe();

  // Restarted on its log (with a grace period an hour long now): the ghost
  // already reported stays Kept from the restarted operator's first
  // reconcile on, and is not said again. Before, it went back to
  // InGracePeriod for a grace period of the new process, then a second
  // GhostNode Event.
  ASSERT_EQ(EventCount("GhostNode", kBeGhost), 1) << Describe();
  operator_.reset();
  patched = Kubectl({"annotate", "--overwrite", "dcr", "ghost", "doris-operator.io/ghost-node-grace-period=1h"});
  ASSERT_EQ(patched.exit_code, 0) << patched.output;
  StartOperator();
  const auto hour_grace = [](const Json& dcr) {
    return At(dcr, "/metadata/annotations/doris-operator.io~1ghost-node-grace-period") == "1h";
  };
  ASSERT_TRUE(ReconcileThatSaw("ghost", "doris.selectdb.com/v1", "DorisCluster", "ghost", hour_grace).has_value());
  EXPECT_EQ(GhostState(kBeGhost), "Kept") << Describe();
  // Settled on a complete picture (past the initial sync), still Kept.
  EXPECT_TRUE(Eventually([&] { return Settled("ghost") && Available("ghost"); })) << Describe();
  EXPECT_EQ(GhostState(kBeGhost), "Kept") << Describe();
  EXPECT_EQ(EventCount("GhostNode", kBeGhost), 1) << Describe();
  EXPECT_EQ(LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "ghost",
                          [&](const Json& dcr) { return hour_grace(dcr) && in_grace(kBeGhost)(dcr); }),
            0u);
}

}  // namespace
}  // namespace doris_operator
