// The pure decisions of a DorisDisaggregatedCluster reconcile: bring-up
// order, draining scale-in, status and health.

#include "operator/reconcile/ddc_decide.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile::ddc {
namespace {

TEST(DecideBringUp, MetaServiceThenFeThenGroups) {
  BringUp b = DecideBringUp(false, false);
  EXPECT_FALSE(b.fe_allowed);
  EXPECT_FALSE(b.groups_allowed);
  EXPECT_NE(b.fe_waiting.find("meta service"), std::string::npos);
  b = DecideBringUp(true, false);
  EXPECT_TRUE(b.fe_allowed);
  EXPECT_FALSE(b.groups_allowed);
  EXPECT_TRUE(b.fe_waiting.empty());
  EXPECT_NE(b.groups_waiting.find("FE"), std::string::npos);
  b = DecideBringUp(true, true);
  EXPECT_TRUE(b.fe_allowed && b.groups_allowed);
  EXPECT_TRUE(b.groups_waiting.empty());
  // An FE that serves without a meta service does not let groups start.
  EXPECT_FALSE(DecideBringUp(false, true).groups_allowed);
}

BackendView Be(const std::string& pod, bool decommissioned, int64_t tablets) {
  BackendView b;
  b.host_port = pod + ".d-cg1.default.svc.cluster.local:9050";
  b.pod = pod;
  b.decommissioned = decommissioned;
  b.tablets = tablets;
  b.alive = true;
  return b;
}

TEST(DecideScaleIn, NothingLeavesWhileTheFeCannotBeRead) {
  const ScaleInPlan p = DecideScaleIn({"d-cg1", 3, 2, false}, std::nullopt);
  EXPECT_EQ(p.replicas, 3);
  EXPECT_TRUE(p.under_way);
  EXPECT_TRUE(p.decommission.empty() && p.drop.empty());
}

TEST(DecideScaleIn, DecommissionsThenDropsThenShrinks) {
  const std::vector<BackendView> running = {Be("d-cg1-0", false, 10), Be("d-cg1-1", false, 10),
                                            Be("d-cg1-2", false, 10), Be("d-cg10-2", false, 10)};
  ScaleInPlan p = DecideScaleIn({"d-cg1", 3, 2, false}, running);
  ASSERT_EQ(p.decommission.size(), 1u);  // not d-cg10-2: another group's pod
  EXPECT_EQ(p.decommission[0], running[2].host_port);
  EXPECT_EQ(p.replicas, 3);
  EXPECT_EQ(p.phase, "Decommissioning");
  EXPECT_EQ(p.tablets_remaining, 10);  // the leaving backend's only

  std::vector<BackendView> draining = running;
  draining[2] = Be("d-cg1-2", true, 4);
  p = DecideScaleIn({"d-cg1", 3, 2, false}, draining);
  EXPECT_TRUE(p.decommission.empty() && p.drop.empty());
  EXPECT_EQ(p.replicas, 3);
  EXPECT_TRUE(p.under_way);
  EXPECT_EQ(p.tablets_remaining, 4);

  draining[2] = Be("d-cg1-2", true, 0);
  p = DecideScaleIn({"d-cg1", 3, 2, false}, draining);
  ASSERT_EQ(p.drop.size(), 1u);
  EXPECT_EQ(p.replicas, 3);  // the pod goes once Doris no longer lists it
  EXPECT_EQ(p.tablets_remaining, 0);

  draining.erase(draining.begin() + 2);
  p = DecideScaleIn({"d-cg1", 3, 2, false}, draining);
  EXPECT_EQ(p.replicas, 2);
  EXPECT_FALSE(p.under_way);
  EXPECT_EQ(p.tablets_remaining, 0);
}

TEST(DecideScaleIn, DropsAtOnceOnlyWhenOptedOut) {
  const std::vector<BackendView> running = {Be("d-cg1-0", false, 10), Be("d-cg1-1", false, 10)};
  const ScaleInPlan p = DecideScaleIn({"d-cg1", 2, 1, true}, running);
  ASSERT_EQ(p.drop.size(), 1u);
  EXPECT_TRUE(p.decommission.empty());
  EXPECT_EQ(p.replicas, 2);
}

TEST(DecideScaleIn, ARemovedGroupDrainsEveryBackend) {
  const std::vector<BackendView> running = {Be("d-cg1-0", false, 10), Be("d-cg1-1", false, 10)};
  ScaleInPlan p = DecideScaleIn({"d-cg1", 2, 0, false}, running);
  EXPECT_EQ(p.decommission.size(), 2u);
  EXPECT_EQ(p.replicas, 2);
  // No backend of the group stays to take tablets: once decommissioned (no
  // new queries), they are dropped with what they hold.
  p = DecideScaleIn({"d-cg1", 2, 0, false}, std::vector<BackendView>{Be("d-cg1-0", true, 10), Be("d-cg1-1", false, 10)});
  EXPECT_EQ(p.drop.size(), 1u);
  EXPECT_EQ(p.decommission.size(), 1u);
  p = DecideScaleIn({"d-cg1", 2, 0, false}, std::vector<BackendView>{});
  EXPECT_EQ(p.replicas, 0);
  EXPECT_FALSE(p.under_way);
}

WorkloadView Ready(int32_t n, bool follower = true) {
  WorkloadView w;
  w.exists = true;
  w.desired = n;
  w.ready = n;
  w.follower_ready = follower;
  return w;
}

TEST(ComputeStatus, HealthAsTheReference) {
  StatusInput in;
  in.ns = "default";
  in.name = "d";
  in.generation = 3;
  in.meta_service = Ready(2);
  in.fe = Ready(3);
  in.groups = {{"cg1", Ready(3), "abc", ""}, {"cg2", Ready(2), "def", ""}};
  in.now = "2026-01-01T00:00:00Z";
  auto s = ComputeStatus(in);
  EXPECT_EQ(s.cluster_health().health(), "green");
  EXPECT_EQ(s.cluster_health().cg_count(), 2);
  EXPECT_EQ(s.cluster_health().cg_full_available_count(), 2);
  EXPECT_EQ(s.meta_service_status().meta_service_endpoint(), "d-ms.default:5000");
  EXPECT_EQ(s.fe_status().cluster_id().size(), 10u);
  EXPECT_EQ(s.compute_group_statuses(1).statefulset_name(), "d-cg2");
  EXPECT_EQ(s.observed_generation(), 3);
  EXPECT_TRUE(Converged(s));

  in.groups[1].workload.ready = 1;  // one group short: yellow
  s = ComputeStatus(in);
  EXPECT_EQ(s.cluster_health().health(), "yellow");
  EXPECT_FALSE(Converged(s));
  in.groups[0].workload.ready = 0;  // half the groups down: red
  s = ComputeStatus(in);
  EXPECT_EQ(s.cluster_health().health(), "red");
  in = StatusInput{.ns = "default", .name = "d", .meta_service = Ready(2), .fe = Ready(3, false)};
  in.groups = {{"cg1", Ready(1), "", ""}};
  EXPECT_EQ(ComputeStatus(in).cluster_health().health(), "red");  // no FE follower
}

model::v1::Condition condition(const model::disaggregated::v1::DorisDisaggregatedClusterStatus& s,
                               const std::string& type) {
  for (const auto& c : s.conditions()) {
    if (c.type() == type) return c;
  }
  return model::v1::Condition();
}

TEST(ComputeStatus, SaysTheWaitsAndKeepsTransitionTimes) {
  StatusInput in;
  in.name = "d";
  in.ns = "default";
  in.fe.waiting = "waiting for the meta service to be available";
  in.groups = {{"cg1", {}, "", ""}};
  in.groups[0].workload.waiting = "waiting for the meta service and then the FE to be available";
  in.now = "2026-01-01T00:00:00Z";
  const auto first = ComputeStatus(in);
  EXPECT_EQ(condition(first, "FEAvailable").reason(), "WaitingForMetaService");
  EXPECT_EQ(condition(first, "ComputeGroupsReady").reason(), "WaitingForFE");
  in.previous = &first;
  in.now = "2026-01-01T00:01:00Z";
  const auto second = ComputeStatus(in);
  EXPECT_EQ(condition(second, "FEAvailable").last_transition_time(), "2026-01-01T00:00:00Z");
  in.groups[0].scale_phase = "Decommissioning";
  EXPECT_EQ(condition(ComputeStatus(in), "ComputeGroupsReady").reason(), "Decommissioning");
}

// Our additions: ghosts as decided (the next reconcile's memory), and what
// could not be applied in the Synced condition.
TEST(ComputeStatus, CarriesGhostsAndSaysWhatWasNotApplied) {
  StatusInput in;
  in.name = "d";
  in.ns = "default";
  in.now = "2026-01-01T00:00:00Z";
  EXPECT_EQ(condition(ComputeStatus(in), "Synced").reason(), "Applied");
  model::v1::GhostNode g;
  g.set_host_port("10.7.7.7:9050");
  g.set_component("cg/cg1");
  g.set_state("InGracePeriod");
  g.set_since("2026-01-01T00:00:00Z");
  in.ghosts = {g};
  in.not_applied = {"metadata.annotations[doris-operator.io/ghost-node-grace-period]: bad"};
  const auto s = ComputeStatus(in);
  ASSERT_EQ(s.ghost_nodes_size(), 1);
  EXPECT_EQ(s.ghost_nodes(0).host_port(), "10.7.7.7:9050");
  EXPECT_EQ(condition(s, "Synced").status(), "False");
  EXPECT_EQ(condition(s, "Synced").reason(), "NotApplicable");
  EXPECT_NE(condition(s, "Synced").message().find("ghost-node-grace-period"), std::string::npos);
  in.failed_writes = {"apply StatefulSet d-cg1: conflict"};
  EXPECT_EQ(condition(ComputeStatus(in), "Synced").reason(), "WriteFailed");
}

}  // namespace
TEST(ComputeStatus, SaysARollingGroupAndWhatItWaitsFor) {
  StatusInput in;
  in.ns = "default";
  in.name = "d";
  in.meta_service = Ready(2);
  in.fe = Ready(2);
  in.groups = {{"cg1", Ready(2), "abc", ""}, {"cg2", Ready(2), "def", ""}};
  in.groups[0].rollout = {.rolling = true, .step = "WaitBEAlive", .current_pod = "d-cg1-1", .current_ordinal = 1,
                          .target_revision = "d-cg1-7f", .waiting = "d-cg1-1 to serve again"};
  in.now = "2026-01-01T00:00:00Z";
  const auto first = ComputeStatus(in);
  const auto& cg1 = first.compute_group_statuses(0);
  EXPECT_EQ(cg1.phase(), "GracefulRolling");
  EXPECT_EQ(cg1.graceful_action().type(), "RollingUpdate");
  EXPECT_EQ(cg1.graceful_action().phase(), "WaitBEAlive");
  EXPECT_EQ(cg1.graceful_action().current_pod(), "d-cg1-1");
  EXPECT_EQ(cg1.graceful_action().current_ordinal(), 1);
  EXPECT_EQ(cg1.graceful_action().last_message(), "d-cg1-1 to serve again");
  EXPECT_FALSE(first.compute_group_statuses(1).has_graceful_action());
  EXPECT_EQ(condition(first, "RolloutComplete").status(), "False");
  EXPECT_EQ(condition(first, "RolloutComplete").reason(), "Rolling");
  EXPECT_EQ(condition(first, "RolloutComplete").message(), "cg1: d-cg1-1 to serve again");
  EXPECT_FALSE(Converged(first));

  // The start is kept; a group held behind FE keeps its phase.
  in.previous = &first;
  in.now = "2026-01-01T00:05:00Z";
  in.fe_rollout = {.rolling = true, .step = "WaitPodReady", .waiting = "d-fe-1 to serve again"};
  in.groups[1].rollout = {.held = true, .waiting = "its new pod template waits for the FE"};
  const auto second = ComputeStatus(in);
  EXPECT_EQ(second.compute_group_statuses(0).graceful_action().started_at(), "2026-01-01T00:00:00Z");
  EXPECT_EQ(second.compute_group_statuses(1).phase(), "Ready");
  EXPECT_EQ(second.compute_group_statuses(1).graceful_action().last_message(), "its new pod template waits for the FE");
  EXPECT_EQ(condition(second, "RolloutComplete").reason(), "RollingInOrder");

  in.groups[0].rollout = {};
  in.groups[1].rollout = {};
  in.fe_rollout = {};
  EXPECT_EQ(condition(ComputeStatus(in), "RolloutComplete").reason(), "Complete");
}

}  // namespace doris_operator::reconcile::ddc
