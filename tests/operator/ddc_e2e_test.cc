// A DorisDisaggregatedCluster (ddc) end to end: the operator binary against
// kubesim with fake Doris in decoupled mode, both as processes. A reference
// sample applied unchanged with kubectl comes up in Doris's order and
// reaches green; a compute group's scale-in drains its backends through the
// FE before its StatefulSet shrinks, and the other group is not touched.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/operator/ddc_fixture.h"

namespace doris_operator {
namespace {

using DdcE2eTest = DdcE2eFixture;

// deploy/samples/disaggregated/ddc-sample-fdb-address.yaml, unchanged: the
// meta service comes first, FE once a meta-service pod serves, the compute
// group once an FE follower serves (the waits said in status), and the
// cluster reaches green with the contract's objects and status.
TEST_F(DdcE2eTest, SampleComesUpInDorisOrderAndBecomesGreen) {
  const std::string ddc = "ddc-sample-fdb-address";
  ApplySample("ddc-sample-fdb-address.yaml");
  ASSERT_TRUE(Eventually([&] { return Green(ddc); }, 300)) << Ddc(ddc).dump() << operator_->Output();

  // What a user sees: the printer columns.
  auto get = Kubectl({"get", "ddc", ddc});
  EXPECT_EQ(get.exit_code, 0) << get.output;
  EXPECT_NE(get.output.find("green"), std::string::npos) << get.output;

  // The objects, each controlled by the ddc.
  const Json object = Ddc(ddc);
  const std::string uid = At(object, "/metadata/uid").get<std::string>();
  EXPECT_EQ(StsReplicas(ddc + "-ms"), 2);  // the reference's default
  EXPECT_EQ(StsReplicas(ddc + "-fe"), 3);
  EXPECT_EQ(StsReplicas(ddc + "-etl-group"), 2);
  for (const auto& [path, name] : std::vector<std::pair<std::string, std::string>>{
           {"apps/v1/statefulsets", ddc + "-ms"},        {"apps/v1/statefulsets", ddc + "-fe"},
           {"apps/v1/statefulsets", ddc + "-etl-group"}, {"v1/services", ddc + "-ms"},
           {"v1/services", ddc + "-fe"},                 {"v1/services", ddc + "-fe-internal"},
           {"v1/services", ddc + "-etl-group"},          {"v1/services", ddc + "-etl-group-external"}}) {
    const std::string api = path.substr(0, path.rfind('/'));
    const Json o = Get(kube::ObjectPath(api, "default", path.substr(path.rfind('/') + 1), name));
    ASSERT_TRUE(o.is_object()) << name;
    EXPECT_EQ(At(o, "/metadata/ownerReferences/0/uid"), uid) << name;
    EXPECT_EQ(At(o, "/metadata/ownerReferences/0/controller"), true) << name;
    EXPECT_EQ(At(o, "/metadata/ownerReferences/0/kind"), kDdcKind) << name;
  }

  // Status, shaped as the contract says (§3).
  EXPECT_EQ(At(object, "/status/metaServiceStatus/phase"), "Ready") << object["status"].dump();
  EXPECT_EQ(At(object, "/status/metaServiceStatus/availableStatus"), "Available");
  EXPECT_EQ(At(object, "/status/metaServiceStatus/metaServiceEndpoint"), ddc + "-ms.default:5000");
  EXPECT_FALSE(object["status"]["metaServiceStatus"].contains("msToken"));
  EXPECT_EQ(At(object, "/status/feStatus/phase"), "Ready");
  EXPECT_EQ(At(object, "/status/feStatus/availableStatus"), "Available");
  EXPECT_EQ(At(object, "/status/feStatus/clusterId").get<std::string>().size(), 10u);
  EXPECT_EQ(At(object, "/status/clusterHealth/feAvailable"), true);
  EXPECT_EQ(At(object, "/status/clusterHealth/cgCount"), 1);
  EXPECT_EQ(At(object, "/status/clusterHealth/cgAvailableCount"), 1);
  EXPECT_EQ(At(object, "/status/clusterHealth/cgFullAvailableCount"), 1);
  EXPECT_EQ(At(object, "/status/observedGeneration"), At(object, "/metadata/generation"));
  const Json& cg = object["status"]["computeGroupStatuses"][0];
  EXPECT_EQ(cg["uniqueId"], "etl_group");
  EXPECT_EQ(cg["statefulsetName"], ddc + "-etl-group");
  EXPECT_EQ(cg["serviceName"], ddc + "-etl-group");
  EXPECT_EQ(cg["phase"], "Ready");
  EXPECT_EQ(cg["replicas"], 2);
  EXPECT_EQ(cg["availableReplicas"], 2);
  // The group's id as Doris gave it (the FE's backends, authSecret login).
  const Json nodes = Nodes(ddc, "root:change-me");
  ASSERT_TRUE(nodes.is_object() && nodes.size() == 2) << nodes.dump();
  EXPECT_EQ(nodes.begin().value()["computeGroup"], "etl_group");
  ASSERT_TRUE(cg["computeGroupId"].is_string() && !cg["computeGroupId"].get<std::string>().empty()) << cg.dump();

  // The order, from the operator's own log: FE's StatefulSet first appears
  // after a meta-service pod was Ready, the group's after an FE follower was.
  const uint64_t ms_ready = FirstLogged(ddc, "Pod", ddc + "-ms-0", PodReadyIn);
  const uint64_t ms_ready_1 = FirstLogged(ddc, "Pod", ddc + "-ms-1", PodReadyIn);
  const uint64_t first_ms_ready = std::min(ms_ready == 0 ? UINT64_MAX : ms_ready, ms_ready_1 == 0 ? UINT64_MAX : ms_ready_1);
  const uint64_t fe_created = FirstLogged(ddc, "StatefulSet", ddc + "-fe", [](const Json&) { return true; });
  ASSERT_NE(fe_created, 0u);
  ASSERT_NE(first_ms_ready, UINT64_MAX);
  EXPECT_LT(first_ms_ready, fe_created);
  uint64_t first_follower_ready = UINT64_MAX;
  for (int i = 0; i < 3; ++i) {  // electionNumber 3: all are followers
    const uint64_t s = FirstLogged(ddc, "Pod", absl::StrCat(ddc, "-fe-", i), PodReadyIn);
    if (s != 0) first_follower_ready = std::min(first_follower_ready, s);
  }
  const uint64_t cg_created = FirstLogged(ddc, "StatefulSet", ddc + "-etl-group", [](const Json&) { return true; });
  ASSERT_NE(cg_created, 0u);
  EXPECT_LT(first_follower_ready, cg_created);
  // ... and the waits were said in status while they lasted.
  EXPECT_NE(LoggedVersion(kDdcApi, kDdcKind, "default", ddc, [](const Json& o) {
              return At(Condition(o, "FEAvailable"), "/reason") == "WaitingForMetaService";
            }), 0u);
  EXPECT_NE(LoggedVersion(kDdcApi, kDdcKind, "default", ddc, [](const Json& o) {
              return At(Condition(o, "ComputeGroupsReady"), "/reason") == "WaitingForFE";
            }), 0u);

  // dorisctl reads it from the log (ddc/NAME: its own history, not a
  // DorisCluster's of the same name), and the first reconcile that wrote,
  // in full.
  ASSERT_TRUE(Eventually([&] { return Settled(ddc); })) << operator_->Output();
  const std::string admin = absl::StrCat("127.0.0.1:", admin_port_);
  const std::string dorisctl = testing::Runfile("tools/dorisctl/dorisctl");
  auto history = testing::Run({dorisctl, "history", "ddc/" + ddc, "--admin", admin});
  EXPECT_EQ(history.exit_code, 0) << history.output;
  EXPECT_NE(history.output.find(ddc + "-etl-group"), std::string::npos) << history.output;
  const auto reconciles = ListReconciles(ddc);  // newest first
  ASSERT_FALSE(reconciles.empty());
  uint64_t first_write = 0;
  for (const auto& r : reconciles) {
    if (r.actions() > 0) first_write = r.seq();
  }
  ASSERT_NE(first_write, 0u);
  auto show = testing::Run({dorisctl, "show", absl::StrCat(first_write), "--admin", admin});
  EXPECT_EQ(show.exit_code, 0) << show.output;
  EXPECT_NE(show.output.find(ddc + "-ms"), std::string::npos) << show.output;
  EXPECT_EQ(show.output.find(ddc + "-etl-group"), std::string::npos)
      << "the first reconcile created the compute group before the FE served:\n" << show.output;
}

// deploy/samples/disaggregated/ddc-sample.yaml (FDB from a ConfigMap, two
// groups of three): scaling cg1 to 2 with enableDecommission false still
// decommissions the leaving backend through the FE, holds the StatefulSet
// while it drains, drops it, then shrinks; cg2 is not touched.
TEST_F(DdcE2eTest, ScaleInDrainsBeforeTheStatefulSetShrinksAndLeavesTheOtherGroupAlone) {
  const std::string ddc = "ddc-sample";
  ApplyDdcSample();
  ASSERT_TRUE(Eventually([&] { return Green(ddc); }, 300)) << Ddc(ddc).dump() << operator_->Output();
  const Json cg2_before = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", ddc + "-cg2"));
  std::map<std::string, std::string> cg2_pods;
  for (int i = 0; i < 3; ++i) {
    const std::string pod = absl::StrCat(ddc, "-cg2-", i);
    cg2_pods[pod] = At(Get(kube::ObjectPath("v1", "default", "pods", pod)), "/metadata/uid").get<std::string>();
  }
  const Json nodes = Nodes(ddc);
  std::string leaving;
  for (const auto& [hp, n] : nodes.items()) {
    if (n.value("pod", "") == ddc + "-cg1-2") leaving = hp;
  }
  ASSERT_FALSE(leaving.empty()) << nodes.dump();

  // The drain cannot finish until the test lets it: the operator must hold.
  ASSERT_FALSE(DdcFe(ddc, "POST", "/api/_sim/config", R"({"tabletsMovedPerSecond":0})").is_null());
  auto r = Kubectl({"patch", "ddc", ddc, "--type=json", "-p",
                    R"([{"op":"replace","path":"/spec/computeGroups/0/replicas","value":2},)"
                    R"({"op":"add","path":"/spec/enableDecommission","value":false}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    const Json d = Ddc(ddc);
    return At(d, "/status/computeGroupStatuses/0/phase") == "Decommissioning" &&
           At(Nodes(ddc), "/" + leaving + "/status") == "NODE_STATUS_DECOMMISSIONING";
  })) << Ddc(ddc).dump() << operator_->Output();
  const Json held = Nodes(ddc)[leaving];
  EXPECT_NE(held.value("status", ""), "NODE_STATUS_RUNNING") << held.dump();
  EXPECT_EQ(StsReplicas(ddc + "-cg1"), 3);  // written in the reconcile that said Decommissioning
  EXPECT_TRUE(Get(kube::ObjectPath("v1", "default", "pods", ddc + "-cg1-2")).is_object());
  EXPECT_EQ(At(Condition(Ddc(ddc), "ComputeGroupsReady"), "/reason"), "Decommissioning");
  // /metrics: the drain and the tablets still on the leaving backend (none
  // move meanwhile); cg2 drains nothing.
  const int64_t stuck = held.value("tablets", int64_t{0});
  ASSERT_GT(stuck, 0) << held.dump();
  EXPECT_TRUE(Eventually([&] {
    return MetricWith("doris_operator_scale_in_tablets_remaining", "component=\"cg/cg1\"") == stuck &&
           MetricWith("doris_operator_scale_in_in_progress", "component=\"cg/cg1\"") == 1;
  })) << MetricWith("doris_operator_scale_in_tablets_remaining", "component=\"cg/cg1\"") << " of " << stuck;
  EXPECT_EQ(MetricWith("doris_operator_scale_in_in_progress", "component=\"cg/cg2\""), 0);
  EXPECT_EQ(MetricWith("doris_operator_scale_in_tablets_remaining", "component=\"cg/cg2\""), 0);

  // Let it drain: dropped, then the StatefulSet shrinks.
  ASSERT_FALSE(DdcFe(ddc, "POST", "/api/_sim/config", R"({"tabletsMovedPerSecond":1000})").is_null());
  ASSERT_TRUE(Eventually([&] { return StsReplicas(ddc + "-cg1") == 2 && Green(ddc); }, 180))
      << Ddc(ddc).dump() << operator_->Output();
  EXPECT_EQ(OperatorMembership(ddc),
            (std::vector<std::string>{"DECOMMISSION/be " + leaving, "DROP/be " + leaving}));
  EXPECT_TRUE(Eventually([&] {
    return MetricWith("doris_operator_scale_in_tablets_remaining", "component=\"cg/cg1\"") == 0 &&
           MetricWith("doris_operator_scale_in_in_progress", "component=\"cg/cg1\"") == 0;
  }));
  const Json after = Nodes(ddc);
  EXPECT_FALSE(after.contains(leaving)) << after.dump();
  EXPECT_EQ(after.size(), 5u) << after.dump();

  // cg2: the same StatefulSet generation and the same pods.
  const Json cg2_after = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", ddc + "-cg2"));
  EXPECT_EQ(At(cg2_after, "/metadata/generation"), At(cg2_before, "/metadata/generation"));
  for (const auto& [pod, pod_uid] : cg2_pods) {
    EXPECT_EQ(At(Get(kube::ObjectPath("v1", "default", "pods", pod)), "/metadata/uid"), pod_uid) << pod;
  }
}

// Groups added and removed without touching the others: a new group comes
// up beside the running ones; a removed group's backends are decommissioned
// and dropped through the FE before its StatefulSet and Services go.
TEST_F(DdcE2eTest, GroupsAreAddedAndRemovedWithoutTouchingTheOthers) {
  const std::string ddc = "ddc-sample-fdb-address";
  ApplySample("ddc-sample-fdb-address.yaml");
  ASSERT_TRUE(Eventually([&] { return Green(ddc); }, 300)) << Ddc(ddc).dump() << operator_->Output();
  const std::string etl = ddc + "-etl-group";
  const Json etl_before = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", etl));
  const std::string etl_pod_uid =
      At(Get(kube::ObjectPath("v1", "default", "pods", etl + "-0")), "/metadata/uid").get<std::string>();

  auto r = Kubectl({"patch", "ddc", ddc, "--type=json", "-p",
                    R"([{"op":"add","path":"/spec/computeGroups/-","value":)"
                    R"({"uniqueId":"adhoc","replicas":2,"image":"apache/doris:be-3.0.3"}}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    const Json d = Ddc(ddc);
    return At(d, "/status/clusterHealth/cgCount") == 2 && At(d, "/status/clusterHealth/health") == "green" &&
           At(d, "/status/observedGeneration") == At(d, "/metadata/generation");
  })) << Ddc(ddc).dump() << operator_->Output();
  const Json nodes = Nodes(ddc, "root:change-me");
  int adhoc = 0;
  std::vector<std::string> adhoc_hosts;
  for (const auto& [hp, n] : nodes.items()) {
    if (n.value("computeGroup", "") == "adhoc") {
      ++adhoc;
      adhoc_hosts.push_back(hp);
    }
  }
  EXPECT_EQ(adhoc, 2) << nodes.dump();
  EXPECT_EQ(At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", etl)), "/metadata/generation"),
            At(etl_before, "/metadata/generation"));

  // Removed: drained, dropped, then gone; etl_group untouched.
  r = Kubectl({"patch", "ddc", ddc, "--type=json", "-p", R"([{"op":"remove","path":"/spec/computeGroups/1"}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    const Json d = Ddc(ddc);
    return !Get(kube::ObjectPath("apps/v1", "default", "statefulsets", ddc + "-adhoc")).is_object() &&
           !Get(kube::ObjectPath("v1", "default", "services", ddc + "-adhoc-external")).is_object() &&
           At(d, "/status/clusterHealth/cgCount") == 1 && At(d, "/status/clusterHealth/health") == "green";
  }, 180)) << Ddc(ddc).dump() << operator_->Output();
  const Json membership = DdcFe(ddc, "GET", "/api/_sim/membership-log", "", "root:change-me");
  for (const std::string& hp : adhoc_hosts) {
    std::vector<std::string> ops;
    for (const Json& e : membership.value("entries", Json::array())) {
      if (e.value("by", "").rfind("doris-operator", 0) != 0) continue;
      for (const Json& h : e.value("hostPorts", Json::array())) {
        if (h == hp) ops.push_back(e.value("op", ""));
      }
    }
    EXPECT_EQ(ops, (std::vector<std::string>{"DECOMMISSION/be", "DROP/be"})) << hp << membership.dump();
  }
  const Json after = Nodes(ddc, "root:change-me");
  EXPECT_EQ(after.size(), 2u) << after.dump();
  EXPECT_EQ(At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", etl)), "/metadata/generation"),
            At(etl_before, "/metadata/generation"));
  EXPECT_EQ(At(Get(kube::ObjectPath("v1", "default", "pods", etl + "-0")), "/metadata/uid"), etl_pod_uid);
}

}  // namespace
}  // namespace doris_operator
