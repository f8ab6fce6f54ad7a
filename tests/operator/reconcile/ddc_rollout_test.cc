// The ddc rollout decision (operator/reconcile/ddc_rollout.h): the meta
// service, then FE, then the compute groups; one pod at a time per part, the
// next once the previous serves (Ready and alive in the FE's lists); a
// part's new template held while a part before it rolls; groups on their own.

#include "operator/reconcile/ddc_rollout.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace doris_operator::reconcile::ddc {
namespace {

// A live part of `replicas` pods, all on the update revision, Ready and
// alive: settled.
RolloutPart Settled(const std::string& component, const std::string& sts, int replicas) {
  RolloutPart p;
  p.component = component;
  p.statefulset = sts;
  p.view.exists = true;
  p.view.replicas = replicas;
  for (int i = 0; i < replicas; ++i) p.view.pods.push_back({i, true, true, true});
  return p;
}

// The same with a new template waiting to be written (every pod outdated
// once it is).
RolloutPart Changed(const std::string& component, const std::string& sts, int replicas) {
  RolloutPart p = Settled(component, sts, replicas);
  p.view.template_changed = true;
  return p;
}

// Mid-rollout: the live template is the new one, `partition` written, pods
// at ordinals >= `updated_from` on the new revision.
RolloutPart Rolling(const std::string& component, const std::string& sts, int replicas, int partition,
                    int updated_from) {
  RolloutPart p = Settled(component, sts, replicas);
  p.view.partition = partition;
  for (PodView& pod : p.view.pods) pod.updated = pod.ordinal >= updated_from;
  return p;
}

TEST(DdcRolloutTest, NothingPendingMeansNothingRollsAndNothingIsHeld) {
  const RolloutDecision d = DecideRollout(Settled("ms", "c-ms", 2), Settled("fe", "c-fe", 3),
                                          {Settled("cg/a", "c-a", 3), Settled("cg/b", "c-b", 2)});
  EXPECT_FALSE(d.under_way);
  for (const PartRollout* r : {&d.meta_service, &d.fe, &d.groups[0], &d.groups[1]}) {
    EXPECT_EQ(r->partition, 0);
    EXPECT_FALSE(r->hold_template);
    EXPECT_FALSE(r->rolling);
    EXPECT_TRUE(r->settled);
  }
}

TEST(DdcRolloutTest, AllThreeChangedRollsTheMetaServiceFirstAndHoldsTheOthersTemplates) {
  const RolloutDecision d = DecideRollout(Changed("ms", "c-ms", 2), Changed("fe", "c-fe", 3),
                                          {Changed("cg/a", "c-a", 3)});
  EXPECT_TRUE(d.under_way);
  // The meta service's highest pod first.
  EXPECT_EQ(d.meta_service.partition, 1);
  EXPECT_FALSE(d.meta_service.hold_template);
  EXPECT_EQ(d.meta_service.waiting_on, "c-ms-1 to restart");
  EXPECT_EQ(d.meta_service.current_pod, "c-ms-1");
  EXPECT_EQ(d.meta_service.step, "WaitPodReady");
  // FE and the group: their new templates are not written yet.
  EXPECT_TRUE(d.fe.hold_template);
  EXPECT_TRUE(d.fe.held);
  EXPECT_NE(d.fe.waiting_on.find("the meta service"), std::string::npos) << d.fe.waiting_on;
  EXPECT_TRUE(d.groups[0].hold_template);
  EXPECT_NE(d.groups[0].waiting_on.find("the meta service"), std::string::npos) << d.groups[0].waiting_on;
}

TEST(DdcRolloutTest, FeRollsOnlyOnceEveryMetaServicePodIsUpdatedAndReady) {
  // ms-0 restarted onto the new revision but is not Ready yet.
  RolloutPart ms = Rolling("ms", "c-ms", 2, 0, 0);
  ms.view.pods[0].ready = ms.view.pods[0].doris_alive = false;
  RolloutDecision d = DecideRollout(ms, Changed("fe", "c-fe", 3), {Changed("cg/a", "c-a", 2)});
  // Every pod is on the new revision: the rollout's last wait.
  EXPECT_EQ(d.meta_service.waiting_on, "c-ms-0 to serve");
  EXPECT_FALSE(d.meta_service.settled);
  EXPECT_TRUE(d.fe.hold_template);
  EXPECT_TRUE(d.groups[0].hold_template);

  // Ready: the meta service is done, FE's template goes out with its
  // highest pod released; the group still waits, now for FE.
  ms.view.pods[0].ready = ms.view.pods[0].doris_alive = true;
  d = DecideRollout(ms, Changed("fe", "c-fe", 3), {Changed("cg/a", "c-a", 2)});
  EXPECT_TRUE(d.meta_service.settled);
  EXPECT_FALSE(d.fe.hold_template);
  EXPECT_EQ(d.fe.partition, 2);
  EXPECT_TRUE(d.groups[0].hold_template);
  EXPECT_NE(d.groups[0].waiting_on.find("the FE"), std::string::npos) << d.groups[0].waiting_on;
}

TEST(DdcRolloutTest, AStatefulSetStatusNotCaughtUpIsNotAFinishedRollout) {
  // The reconcile that wrote ms's new template (partition 0, one replica):
  // the controller has not seen it, so its pods look updated against the
  // old revision. FE must not start.
  RolloutPart ms = Settled("ms", "c-ms", 1);
  ms.view.status_stale = true;
  const RolloutDecision d = DecideRollout(ms, Changed("fe", "c-fe", 2), {});
  EXPECT_FALSE(d.meta_service.settled);
  EXPECT_TRUE(d.fe.hold_template);
}

TEST(DdcRolloutTest, AGroupRestartsOnePodAtATimeAndWaitsForItsBackendToBeAlive) {
  // c-a-2 restarted, Ready, but the FE does not list its backend alive.
  RolloutPart a = Rolling("cg/a", "c-a", 3, 2, 2);
  a.view.pods[2].doris_alive = false;
  RolloutDecision d = DecideRollout(Settled("ms", "c-ms", 2), Settled("fe", "c-fe", 3), {a});
  EXPECT_EQ(d.groups[0].partition, 2);  // c-a-1 not released
  EXPECT_EQ(d.groups[0].waiting_on, "c-a-2 to serve again");
  EXPECT_EQ(d.groups[0].current_pod, "c-a-2");
  EXPECT_EQ(d.groups[0].current_ordinal, 2);
  EXPECT_EQ(d.groups[0].step, "WaitBEAlive");
  EXPECT_TRUE(d.groups[0].rolling);

  // Alive: the next pod goes.
  a.view.pods[2].doris_alive = true;
  d = DecideRollout(Settled("ms", "c-ms", 2), Settled("fe", "c-fe", 3), {a});
  EXPECT_EQ(d.groups[0].partition, 1);
  EXPECT_EQ(d.groups[0].waiting_on, "c-a-1 to restart");
}

TEST(DdcRolloutTest, GroupsRollOnTheirOwnAndAnUnchangedGroupIsLeftAlone) {
  RolloutPart a = Rolling("cg/a", "c-a", 3, 1, 1);
  const RolloutDecision d = DecideRollout(Settled("ms", "c-ms", 2), Settled("fe", "c-fe", 3),
                                          {a, Changed("cg/b", "c-b", 2), Settled("cg/c", "c-c", 2)});
  EXPECT_EQ(d.groups[0].partition, 0);  // a's last pod
  EXPECT_EQ(d.groups[1].partition, 1);  // b starts beside it
  EXPECT_FALSE(d.groups[1].hold_template);
  EXPECT_EQ(d.groups[2].partition, 0);
  EXPECT_FALSE(d.groups[2].rolling);
  EXPECT_FALSE(d.groups[2].hold_template);
}

TEST(DdcRolloutTest, AGroupMidRolloutStopsAtItsPartitionWhileFeRolls) {
  // The user changed FE's image while group a was half-way.
  const RolloutDecision d = DecideRollout(Settled("ms", "c-ms", 2), Changed("fe", "c-fe", 3),
                                          {Rolling("cg/a", "c-a", 3, 2, 2)});
  EXPECT_EQ(d.fe.partition, 2);
  EXPECT_EQ(d.groups[0].partition, 2);  // not lowered
  EXPECT_FALSE(d.groups[0].hold_template);  // its template is already the live one
  EXPECT_TRUE(d.groups[0].held);
}

TEST(DdcRolloutTest, BringUpAndScaleOutAreNotRollouts) {
  // FE not created yet; a group scaled out (pods 2 and 3 missing).
  RolloutPart fe;
  fe.component = "fe";
  fe.statefulset = "c-fe";
  fe.view.exists = false;
  fe.view.replicas = 3;
  RolloutPart a = Settled("cg/a", "c-a", 2);
  a.view.replicas = 4;
  EXPECT_FALSE(RolloutPending(a.view));
  const RolloutDecision d = DecideRollout(Settled("ms", "c-ms", 2), fe, {a});
  EXPECT_EQ(d.fe.partition, 0);
  EXPECT_FALSE(d.fe.hold_template);
  EXPECT_EQ(d.groups[0].partition, 0);
  EXPECT_FALSE(d.groups[0].rolling);
  EXPECT_FALSE(d.under_way);
}

TEST(DdcRolloutTest, AnFeNotServingHoldsTheGroupsTemplates) {
  // No FE change, but fe-1 is not alive (e.g. still starting): the groups'
  // new templates wait, since BEs need a serving FE.
  RolloutPart fe = Settled("fe", "c-fe", 2);
  fe.view.pods[1].doris_alive = false;
  const RolloutDecision d = DecideRollout(Settled("ms", "c-ms", 2), fe, {Changed("cg/a", "c-a", 2)});
  EXPECT_FALSE(d.fe.settled);
  EXPECT_TRUE(d.groups[0].hold_template);
  EXPECT_NE(d.groups[0].waiting_on.find("c-fe-1 to serve"), std::string::npos) << d.groups[0].waiting_on;
}

// A group scaled in and re-templated in one update: its StatefulSet keeps
// 3 replicas while c-a-2's backend is decommissioned; the new template is
// written but no pod is released until c-a-2 is gone (it would otherwise
// restart first, being the highest ordinal).
TEST(DdcRolloutTest, AGroupScaledInAndReTemplatedDoesNotRestartTheLeavingPod) {
  RolloutPart a = Changed("cg/a", "c-a", 3);
  a.view.leaving_from = 2;
  RolloutDecision d = DecideRollout(Settled("ms", "c-ms", 2), Settled("fe", "c-fe", 3), {a});
  EXPECT_EQ(d.groups[0].partition, 3);
  EXPECT_FALSE(d.groups[0].hold_template);
  EXPECT_TRUE(d.groups[0].rolling);
  EXPECT_TRUE(d.under_way);
  EXPECT_EQ(d.groups[0].waiting_on, "the scale-in to remove c-a-2 (a leaving pod is not restarted)");

  // Scaled in: the rest rolls.
  RolloutPart after = Rolling("cg/a", "c-a", 2, 3, 2);
  d = DecideRollout(Settled("ms", "c-ms", 2), Settled("fe", "c-fe", 3), {after});
  EXPECT_EQ(d.groups[0].partition, 1);
  EXPECT_EQ(d.groups[0].waiting_on, "c-a-1 to restart");
}

}  // namespace
}  // namespace doris_operator::reconcile::ddc
