// DecideMembership is pure: a plan for given inputs, with no FE, API server
// or clock behind it.

#include "operator/reconcile/decide_membership.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

using doris::ParseNodeList;
using translator::Component;
using Kind = MembershipStep::Kind;

constexpr char kFqdn[] = ".c-be-internal.ns.svc.cluster.local";

// The backends list: be-0..be-3 alive, be-3 decommissioned holding `tablets`.
absl::StatusOr<std::vector<doris::NodeRow>> Backends(int be3_tablets, bool be3_decommissioned) {
  return ParseNodeList(absl::StrCat(R"({"code":0,"data":{
    "column_names":["BackendId","Host","HeartbeatPort","Alive","SystemDecommissioned","TabletNum"],
    "rows":[["1","c-be-0)", kFqdn, R"(","9050","true","false","120"],
            ["2","c-be-1)", kFqdn, R"(","9050","true","false","120"],
            ["3","c-be-2)", kFqdn, R"(","9050","true","false","120"],
            ["4","c-be-3)", kFqdn, R"(","9050","true",")", be3_decommissioned ? "true" : "false", R"(",")",
                                    be3_tablets, R"("]]}})"));
}

NodeMap Pods(int be) {
  std::vector<PodAddress> pods;
  for (int i = 0; i < be; ++i) pods.push_back({absl::StrCat("c-be-", i), {absl::StrCat("10.0.0.", i + 1)}});
  pods.push_back({"c-fe-0", {"10.0.1.1"}});
  pods.push_back({"c-fe-1", {"10.0.1.2"}});
  pods.push_back({"c-fe-2", {"10.0.1.3"}});
  return NodeMap("c", pods);
}

MembershipInput BeInput(int desired, int live) {
  MembershipInput in;
  in.component = Component::kBe;
  in.cluster = "c";
  in.in_spec = true;
  in.fe_in_spec = true;
  in.has_statefulset = true;
  in.live_replicas = live;
  in.spec_replicas = desired;
  return in;
}

TEST(DecideMembership, NothingScalesNothingIsReadOrPlanned) {
  MembershipInput in = BeInput(4, 4);
  EXPECT_EQ(NodeListNeeded(in), NodeList::kNone);
  const MembershipPlan plan = DecideMembership(in);
  EXPECT_FALSE(plan.acts);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_EQ(plan.leaving_from, -1);
  // A scale-in that was under way is looked at again, though the spec now
  // asks for what runs.
  in.previous_phase = "scaling";
  EXPECT_EQ(NodeListNeeded(in), NodeList::kBackends);
}

TEST(DecideMembership, ScaleInDecommissionsFirstAndHoldsThePod) {
  MembershipInput in = BeInput(3, 4);
  ASSERT_EQ(NodeListNeeded(in), NodeList::kBackends);
  const auto rows = Backends(120, false);
  const NodeMap pods = Pods(4);
  in.nodes = &rows;
  in.node_map = &pods;
  const MembershipPlan plan = DecideMembership(in);
  ASSERT_TRUE(plan.acts);
  EXPECT_EQ(plan.replicas, 4);  // held: be-3 still holds its tablets
  EXPECT_TRUE(plan.scaling);
  EXPECT_EQ(plan.leaving_from, 3);  // be-3 leaves: a rollout must not restart it
  EXPECT_EQ(plan.waiting_on, "be-3 to decommission");
  ASSERT_EQ(plan.steps.size(), 1u);
  const MembershipStep& s = plan.steps[0];
  EXPECT_EQ(s.kind, Kind::kDecommissionBackends);
  EXPECT_EQ(s.host_ports, std::vector<std::string>{absl::StrCat("c-be-3", kFqdn, ":9050")});
  EXPECT_EQ(s.verb, "doris:decommission_backend");
  EXPECT_EQ(s.object_kind, "StatefulSet");
  EXPECT_EQ(s.object_name, "c-be");
  EXPECT_EQ(s.reason, "DecommissionBackend");
  EXPECT_EQ(s.failed_reason, "DecommissionFailed");
  EXPECT_EQ(s.refused_waiting_on, "be-3 to decommission");
}

// A picture older than the operator's first full list (a new spec read
// beside a StatefulSet not listed yet) removes nothing: held at the live
// size, no Doris call, whatever the node list says.
TEST(DecideMembership, AStalePictureRemovesNothing) {
  for (Component c : {Component::kBe, Component::kFe}) {
    MembershipInput in = BeInput(2, 3);
    in.component = c;
    in.fresh = false;
    const auto rows = Backends(0, true);  // even a drained, decommissioned be-3
    const NodeMap pods = Pods(4);
    in.nodes = &rows;
    in.node_map = &pods;
    const MembershipPlan plan = DecideMembership(in);
    ASSERT_TRUE(plan.acts) << translator::ComponentName(c);
    EXPECT_EQ(plan.replicas, 3) << translator::ComponentName(c);
    EXPECT_TRUE(plan.steps.empty()) << translator::ComponentName(c);
    EXPECT_NE(plan.waiting_on.find("has not listed every watched resource"), std::string::npos) << plan.waiting_on;
  }
  // A component taken out of the spec keeps its StatefulSet too.
  MembershipInput removed = BeInput(0, 4);
  removed.in_spec = false;
  removed.fresh = false;
  const MembershipPlan plan = DecideMembership(removed);
  EXPECT_EQ(plan.replicas, 4);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_FALSE(plan.release);
  EXPECT_TRUE(plan.removing);
  // Nothing to remove: nothing to hold either.
  MembershipInput steady = BeInput(3, 3);
  steady.fresh = false;
  EXPECT_FALSE(DecideMembership(steady).acts);
}

TEST(DecideMembership, ADrainedBackendIsDroppedAndThenThePodMayGo) {
  MembershipInput in = BeInput(3, 4);
  const NodeMap pods = Pods(4);
  in.node_map = &pods;
  auto draining = Backends(40, true);
  in.nodes = &draining;
  MembershipPlan plan = DecideMembership(in);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_EQ(plan.replicas, 4);
  EXPECT_EQ(plan.waiting_on, "be-3 holds 40 tablets");
  auto drained = Backends(0, true);
  in.nodes = &drained;
  plan = DecideMembership(in);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].kind, Kind::kDropBackends);
  EXPECT_EQ(plan.steps[0].refused_what, absl::StrCat("c-be-3", kFqdn, ":9050 to be dropped"));
  EXPECT_EQ(plan.replicas, 4);  // shrinks once the FE no longer lists it
}

TEST(DecideMembership, AnUnreadableListHoldsAndSaysSoOnce) {
  MembershipInput in = BeInput(3, 4);
  const NodeMap pods = Pods(4);
  const absl::StatusOr<std::vector<doris::NodeRow>> down = absl::UnavailableError("connection refused");
  in.nodes = &down;
  in.node_map = &pods;
  MembershipPlan plan = DecideMembership(in);
  EXPECT_EQ(plan.replicas, 4);
  EXPECT_TRUE(plan.scaling);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].kind, Kind::kEvent);
  EXPECT_EQ(plan.steps[0].reason, "DorisUnreachable");
  // Said already in the status: no second Event.
  in.previous_message = plan.waiting_on;
  plan = DecideMembership(in);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_EQ(plan.replicas, 4);
}

TEST(DecideMembership, ARemovedComponentIsScaledToZeroBeforeItsStatefulSetGoes) {
  MembershipInput in = BeInput(0, 4);
  in.in_spec = false;
  const NodeMap pods = Pods(4);
  const auto rows = Backends(120, false);
  in.nodes = &rows;
  in.node_map = &pods;
  const MembershipPlan plan = DecideMembership(in);
  EXPECT_TRUE(plan.removed);
  EXPECT_TRUE(plan.removing);
  EXPECT_FALSE(plan.release);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].kind, Kind::kDecommissionBackends);
  EXPECT_EQ(plan.steps[0].host_ports.size(), 4u);
  EXPECT_EQ(plan.steps[1].kind, Kind::kEvent);
  EXPECT_EQ(plan.steps[1].reason, "ComponentRemoval");
  // Without an FE left there is no one to ask: nothing is read.
  in.fe_in_spec = false;
  EXPECT_EQ(NodeListNeeded(in), NodeList::kNone);
}

TEST(DecideMembership, FeObserversAreDroppedAndAFailedDropKeepsThePod) {
  auto rows = ParseNodeList(R"({"code":0,"data":{
    "column_names":["Name","Host","EditLogPort","Role","IsMaster","Alive"],
    "rows":[["a","c-fe-0.c-fe-internal.ns.svc.cluster.local","9010","FOLLOWER","true","true"],
            ["b","c-fe-1.c-fe-internal.ns.svc.cluster.local","9010","OBSERVER","false","true"],
            ["c","c-fe-2.c-fe-internal.ns.svc.cluster.local","9010","OBSERVER","false","true"]]}})");
  const NodeMap pods = Pods(0);
  MembershipInput in;
  in.component = Component::kFe;
  in.cluster = "c";
  in.in_spec = true;
  in.fe_in_spec = true;
  in.has_statefulset = true;
  in.live_replicas = 3;
  in.spec_replicas = 1;
  in.election_number = 1;
  ASSERT_EQ(NodeListNeeded(in), NodeList::kFrontends);
  in.nodes = &rows;
  in.node_map = &pods;
  const MembershipPlan plan = DecideMembership(in);
  EXPECT_EQ(plan.replicas, 1);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].kind, Kind::kDropFrontend);
  EXPECT_EQ(plan.steps[0].role, "OBSERVER");
  EXPECT_EQ(plan.steps[0].host_ports[0], "c-fe-1.c-fe-internal.ns.svc.cluster.local:9010");
  EXPECT_EQ(plan.steps[0].hold_on_failure, 2);  // fe-1's pod stays if the FE refuses
  EXPECT_EQ(plan.steps[1].hold_on_failure, 3);
}

}  // namespace
}  // namespace doris_operator::reconcile
