#include "operator/reconcile/status.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

PodStatusView Ready(const std::string& name) { return {name, "Running", true, true, "", ""}; }

ComponentStatusInput Input(std::vector<PodStatusView> pods, int replicas = 3) {
  ComponentStatusInput in;
  in.cluster = "c";
  in.component = "be";
  in.desired_replicas = replicas;
  in.pods = std::move(pods);
  in.now = "2026-11-25T10:00:00Z";
  return in;
}

TEST(Status, AvailableWhenEveryDesiredPodIsReady) {
  auto s = ComputeComponentStatus(Input({Ready("c-be-2"), Ready("c-be-0"), Ready("c-be-1")}));
  EXPECT_EQ(s.component_condition().phase(), "available");
  EXPECT_EQ(s.access_service(), "c-be-service");
  EXPECT_EQ(s.component_condition().sub_resource_name(), "c-be");
  ASSERT_EQ(s.running_instances_size(), 3);
  EXPECT_EQ(s.running_instances(0), "c-be-0");  // sorted, stable output
}

TEST(Status, ClassifiesCreatingAndFailedMembers) {
  auto s = ComputeComponentStatus(
      Input({Ready("c-be-0"), {"c-be-1", "Pending", false, false, "ContainerCreating", ""},
             {"c-be-2", "Failed", true, false, "Error", "exit code 1"}}));
  EXPECT_EQ(s.component_condition().phase(), "haveMemberFailed");
  EXPECT_EQ(s.component_condition().reason(), "Error");
  EXPECT_EQ(s.component_condition().message(), "c-be-2: exit code 1");
  EXPECT_EQ(s.creating_instances_size(), 1);
  EXPECT_EQ(s.failed_instances_size(), 1);
  auto starting = ComputeComponentStatus(
      Input({Ready("c-be-0"), {"c-be-1", "Pending", false, false, "ContainerCreating", ""}}, 2));
  EXPECT_EQ(starting.component_condition().phase(), "initializing");
  EXPECT_EQ(starting.component_condition().reason(), "ContainerCreating");
  EXPECT_EQ(ComputeComponentStatus(Input({})).component_condition().phase(), "waitScheduling");
}

TEST(Status, PlansWinOverPodCounts) {
  ComponentStatusInput in = Input({Ready("c-be-0"), Ready("c-be-1"), Ready("c-be-2")});
  in.scaling = true;
  in.waiting_on = "be-4 holds 10 tablets";
  auto s = ComputeComponentStatus(in);
  EXPECT_EQ(s.component_condition().phase(), "scaling");
  EXPECT_EQ(s.component_condition().message(), "waiting for be-4 holds 10 tablets");
  in.scaling = false;
  in.upgrading = true;
  EXPECT_EQ(ComputeComponentStatus(in).component_condition().phase(), "upgrading");
}

TEST(Status, TransitionTimeMovesOnlyWithThePhase) {
  ComponentStatusInput in = Input({Ready("c-be-0"), Ready("c-be-1"), Ready("c-be-2")});
  auto first = ComputeComponentStatus(in);
  in.previous = &first;
  in.now = "2026-11-25T11:00:00Z";
  EXPECT_EQ(ComputeComponentStatus(in).component_condition().last_transition_time(),
            "2026-11-25T10:00:00Z");
  in.pods.pop_back();
  EXPECT_EQ(ComputeComponentStatus(in).component_condition().last_transition_time(),
            "2026-11-25T11:00:00Z");
}

TEST(Status, BrokerNamesTheInternalService) {
  ComponentStatusInput in = Input({Ready("c-broker-0")}, 1);
  in.component = "broker";
  EXPECT_EQ(ComputeComponentStatus(in).access_service(), "c-broker-internal");
}

TEST(Conditions, ReadyProgressingDegraded) {
  auto fe = ComputeComponentStatus([] {
    ComponentStatusInput in = Input({Ready("c-fe-0")}, 1);
    in.component = "fe";
    return in;
  }());
  auto be = ComputeComponentStatus(Input({Ready("c-be-0")}, 1));
  auto conds = ComputeConditions({&fe, &be}, 7, {}, "t1");
  ASSERT_EQ(conds.size(), 3u);
  EXPECT_EQ(conds[0].type(), "Ready");
  EXPECT_EQ(conds[0].status(), "True");
  EXPECT_EQ(conds[0].observed_generation(), 7);
  EXPECT_EQ(conds[1].status(), "False");
  EXPECT_EQ(conds[2].status(), "False");

  ComponentStatusInput up = Input({Ready("c-be-0")}, 1);
  up.upgrading = true;
  up.waiting_on = "be-0 to serve again";
  auto rolling = ComputeComponentStatus(up);
  auto next = ComputeConditions({&fe, &rolling}, 8, conds, "t2");
  EXPECT_EQ(next[0].status(), "False");
  EXPECT_EQ(next[0].last_transition_time(), "t2");
  EXPECT_EQ(next[1].status(), "True");
  EXPECT_EQ(next[1].message(), "c-be: waiting for be-0 to serve again");
  EXPECT_EQ(next[2].last_transition_time(), "t1");  // unchanged status keeps its time
}

}  // namespace
}  // namespace doris_operator::reconcile

namespace doris_operator::reconcile {
namespace {

TEST(SyncedCondition, AppliedAdvancesObservedGeneration) {
  SyncInput in;
  in.generation = 7;
  model::v1::Condition c = ComputeSyncedCondition(in, {}, "2026-01-01T00:00:00Z");
  EXPECT_EQ(c.type(), "Synced");
  EXPECT_EQ(c.status(), "True");
  EXPECT_EQ(c.reason(), "Applied");
  EXPECT_EQ(c.observed_generation(), 7);
  EXPECT_EQ(ObservedGeneration(in, 6), 7);
}

TEST(SyncedCondition, ARefusedWriteKeepsTheLastAppliedGeneration) {
  SyncInput in;
  in.generation = 7;
  in.failed_writes = {"apply StatefulSet demo-be: denied"};
  in.not_applied = {"StatefulSet demo-be: volumeClaimTemplates cannot be changed"};
  model::v1::Condition prev;
  prev.set_type("Synced");
  prev.set_status("False");
  prev.set_last_transition_time("2025-12-31T00:00:00Z");
  model::v1::Condition c = ComputeSyncedCondition(in, {prev}, "2026-01-01T00:00:00Z");
  EXPECT_EQ(c.status(), "False");
  EXPECT_EQ(c.reason(), "WriteFailed");
  EXPECT_NE(c.message().find("denied"), std::string::npos);
  EXPECT_NE(c.message().find("volumeClaimTemplates"), std::string::npos);
  EXPECT_EQ(c.last_transition_time(), "2025-12-31T00:00:00Z");  // unchanged status
  EXPECT_EQ(ObservedGeneration(in, 6), 6);
}

TEST(SyncedCondition, NotesAndRefusedDorisAccessAreNotApplied) {
  SyncInput notes;
  notes.generation = 3;
  notes.not_applied = {"kept the live volumeClaimTemplates"};
  EXPECT_EQ(ComputeSyncedCondition(notes, {}, "t").reason(), "NotApplicable");
  EXPECT_EQ(ObservedGeneration(notes, 2), 2);
  SyncInput refused;
  refused.generation = 3;
  refused.doris_refused = "apiserver-proxy cannot carry Doris credentials";
  EXPECT_EQ(ComputeSyncedCondition(refused, {}, "t").reason(), "DorisAccessRefused");
  EXPECT_EQ(ObservedGeneration(refused, 2), 2);
}

}  // namespace
}  // namespace doris_operator::reconcile
