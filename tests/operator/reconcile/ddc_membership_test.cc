// A ddc's FE scale-in is the DorisCluster path's pure membership plan over
// the ddc's names (`<ddc>-fe-<n>` pods behind `<ddc>-fe-internal`, compute
// groups `<ddc>-<uniqueId>-<n>` beside them), and the status it amounts to.

#include "operator/reconcile/ddc_membership.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "operator/reconcile/decide_membership.h"

namespace doris_operator::reconcile {
namespace {

using Kind = MembershipStep::Kind;

constexpr char kFqdn[] = ".d-fe-internal.default.svc.cluster.local";

// d-fe-0 master FOLLOWER; d-fe-1 FOLLOWER or OBSERVER; d-fe-2 OBSERVER.
absl::StatusOr<std::vector<doris::NodeRow>> Frontends(const char* fe1_role) {
  return doris::ParseNodeList(absl::StrCat(R"({"code":0,"data":{
    "column_names":["Name","Host","EditLogPort","HttpPort","Role","IsMaster","Alive"],
    "rows":[["d-fe-0","d-fe-0)", kFqdn, R"(","9010","8030","FOLLOWER","true","true"],
            ["d-fe-1","d-fe-1)", kFqdn, R"(","9010","8030",")", fe1_role, R"(","false","true"],
            ["d-fe-2","d-fe-2)", kFqdn, R"(","9010","8030","OBSERVER","false","true"]]}})"));
}

NodeMap Pods() {
  std::vector<PodAddress> pods;
  for (int i = 0; i < 3; ++i) pods.push_back({absl::StrCat("d-fe-", i), {absl::StrCat("10.0.1.", i + 1)}});
  // A compute group whose name looks like a component's: never an FE.
  pods.push_back({"d-fe-x-0", {"10.0.2.1"}});
  pods.push_back({"d-be-0", {"10.0.2.2"}});
  return NodeMap("d", pods);
}

MembershipInput FeInput(int desired, int live, int election,
                        const absl::StatusOr<std::vector<doris::NodeRow>>* rows, const NodeMap* map) {
  MembershipInput in;
  in.component = translator::Component::kFe;
  in.cluster = "d";
  in.in_spec = true;
  in.fe_in_spec = true;
  in.has_statefulset = true;
  in.live_replicas = live;
  in.spec_replicas = desired;
  in.election_number = election;
  in.nodes = rows;
  in.node_map = map;
  return in;
}

TEST(DdcFeScaleIn, ObserversAtLeavingOrdinalsAreDroppedThenTheStatefulSetShrinks) {
  const auto rows = Frontends("OBSERVER");
  const NodeMap map = Pods();
  const MembershipInput in = FeInput(1, 3, 1, &rows, &map);
  EXPECT_EQ(NodeListNeeded(in), NodeList::kFrontends);
  const MembershipPlan plan = DecideMembership(in);
  ASSERT_TRUE(plan.acts);
  EXPECT_EQ(plan.statefulset, "d-fe");  // the ddc's FE StatefulSet has the DorisCluster's name
  std::vector<std::string> dropped;
  for (const MembershipStep& s : plan.steps) {
    if (s.kind != Kind::kDropFrontend) continue;
    EXPECT_EQ(s.role, "OBSERVER");
    dropped.push_back(s.host_ports.front());
    // Refused: the StatefulSet keeps that pod.
    EXPECT_EQ(s.hold_on_failure, s.host_ports.front().rfind("d-fe-2", 0) == 0 ? 3 : 2);
  }
  EXPECT_EQ(dropped, (std::vector<std::string>{absl::StrCat("d-fe-1", kFqdn, ":9010"),
                                               absl::StrCat("d-fe-2", kFqdn, ":9010")}));
  EXPECT_EQ(plan.replicas, 1);
}

TEST(DdcFeScaleIn, AFollowerIsNeverDroppedAndItsPodStays) {
  const auto rows = Frontends("FOLLOWER");  // electionNumber was lowered from 3 to 1
  const NodeMap map = Pods();
  const MembershipPlan plan = DecideMembership(FeInput(1, 3, 1, &rows, &map));
  ASSERT_TRUE(plan.acts);
  for (const MembershipStep& s : plan.steps) {
    if (s.kind == Kind::kDropFrontend) EXPECT_EQ(s.host_ports.front().rfind("d-fe-2", 0), 0u);
  }
  EXPECT_EQ(plan.replicas, 2);  // d-fe-1, a follower, keeps its pod
}

TEST(DdcFeScaleIn, AnUnreadableListHoldsEverything) {
  const absl::StatusOr<std::vector<doris::NodeRow>> rows = absl::UnavailableError("connection refused");
  const NodeMap map = Pods();
  const MembershipPlan plan = DecideMembership(FeInput(1, 3, 1, &rows, &map));
  ASSERT_TRUE(plan.acts);
  EXPECT_EQ(plan.replicas, 3);
  for (const MembershipStep& s : plan.steps) EXPECT_NE(s.kind, Kind::kDropFrontend);
  EXPECT_FALSE(plan.waiting_on.empty());
}

TEST(DdcFeScaleIn, NotFreshRemovesNothing) {
  const auto rows = Frontends("OBSERVER");
  const NodeMap map = Pods();
  MembershipInput in = FeInput(1, 3, 1, &rows, &map);
  in.fresh = false;
  const MembershipPlan plan = DecideMembership(in);
  EXPECT_EQ(plan.replicas, 3);
  EXPECT_TRUE(plan.steps.empty());
}

TEST(MarkFeScaling, PhaseScalingAndNotGreenWhileObserversLeave) {
  model::disaggregated::v1::DorisDisaggregatedClusterStatus s;
  s.mutable_fe_status()->set_phase("Ready");
  s.mutable_cluster_health()->set_health("green");
  model::v1::Condition* c = s.add_conditions();
  c->set_type("FEAvailable");
  c->set_status("True");
  c->set_message("the FE is available");
  MarkFeScaling(DdcFeScaleIn{}, &s);
  EXPECT_EQ(s.fe_status().phase(), "Ready");
  EXPECT_EQ(s.cluster_health().health(), "green");
  MarkFeScaling(DdcFeScaleIn{.under_way = true, .replicas = 3, .waiting = "OBSERVER x:9010 to be dropped"}, &s);
  EXPECT_EQ(s.fe_status().phase(), "Scaling");
  EXPECT_EQ(s.cluster_health().health(), "yellow");
  EXPECT_EQ(s.conditions(0).message(), "OBSERVER x:9010 to be dropped");
  s.mutable_cluster_health()->set_health("red");
  MarkFeScaling(DdcFeScaleIn{.under_way = true}, &s);
  EXPECT_EQ(s.cluster_health().health(), "red");
}

}  // namespace
}  // namespace doris_operator::reconcile
