#include "operator/reconcile/rollout.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

using translator::Component;

ComponentView Settled(Component name, int replicas) {
  ComponentView c{.component = name, .replicas = replicas};
  for (int i = 0; i < replicas; ++i) c.pods.push_back({i, true, true, true});
  return c;
}

TEST(Rollout, NothingToRollMeansNoPartition) {
  RolloutPlan p = PlanRollout({Settled(Component::kFe, 3), Settled(Component::kBe, 3)});
  EXPECT_FALSE(p.rolling);
  EXPECT_EQ(p.partitions, translator::PerComponent<int>{});
  EXPECT_EQ(p.waiting_on, "");
}

TEST(Rollout, NewTemplateReleasesOnlyTheHighestPod) {
  ComponentView fe = Settled(Component::kFe, 3);
  fe.template_changed = true;
  RolloutPlan p = PlanRollout({fe, Settled(Component::kBe, 3)});
  EXPECT_TRUE(p.rolling);
  EXPECT_EQ(p.partitions[Component::kFe], 2);
  EXPECT_EQ(p.waiting_on, "fe-2 to restart");
}

TEST(Rollout, NextPodOnlyWhenThePreviousServesAgain) {
  ComponentView fe = Settled(Component::kFe, 3);
  fe.partition = 2;
  fe.pods[0].updated = false;
  fe.pods[1].updated = false;
  fe.pods[2] = {2, /*updated=*/true, /*ready=*/true, /*doris_alive=*/false};
  RolloutPlan p = PlanRollout({fe});
  EXPECT_EQ(p.partitions[Component::kFe], 2);  // Ready is not enough: Doris must see it alive
  EXPECT_EQ(p.waiting_on, "fe-2 to serve again");
  fe.pods[2].doris_alive = true;
  p = PlanRollout({fe});
  EXPECT_EQ(p.partitions[Component::kFe], 1);
  EXPECT_EQ(p.waiting_on, "fe-1 to restart");
}

TEST(Rollout, LaterComponentsWaitForEarlierOnes) {
  ComponentView fe = Settled(Component::kFe, 3);
  fe.partition = 1;
  fe.pods[0].updated = false;  // fe-0 still to go
  ComponentView be = Settled(Component::kBe, 3);
  be.template_changed = true;
  RolloutPlan p = PlanRollout({fe, be, Settled(Component::kBroker, 1)});
  EXPECT_EQ(p.partitions[Component::kFe], 0);
  EXPECT_EQ(p.partitions[Component::kBe], 3);      // held: no BE pod restarts yet
  EXPECT_EQ(p.partitions[Component::kBroker], 1);  // held too
  // FE finished: BE starts from its highest pod.
  p = PlanRollout({Settled(Component::kFe, 3), be, Settled(Component::kBroker, 1)});
  EXPECT_EQ(p.partitions[Component::kBe], 2);
  EXPECT_EQ(p.partitions[Component::kBroker], 1);
}

TEST(Rollout, AnUnhealthySettledComponentHoldsTheOnesAfterIt) {
  ComponentView fe = Settled(Component::kFe, 3);
  fe.pods[1].ready = false;
  ComponentView be = Settled(Component::kBe, 2);
  be.template_changed = true;
  RolloutPlan p = PlanRollout({fe, be});
  EXPECT_EQ(p.partitions[Component::kBe], 2);
  EXPECT_EQ(p.waiting_on, "fe-1 to serve again");
}

TEST(Rollout, NewStatefulSetsStartAllPodsAtOnce) {
  ComponentView cn{.component = Component::kCn, .exists = false, .replicas = 4};
  RolloutPlan p = PlanRollout({Settled(Component::kFe, 1), cn});
  EXPECT_EQ(p.partitions[Component::kCn], 0);
  EXPECT_FALSE(p.rolling);
}

TEST(Rollout, ARolloutStartedWithoutPartitionIsTakenInHand) {
  // Kubernetes began updating everything (partition 0) before we stepped in:
  // the outdated pods are held but the highest of them, which goes next.
  ComponentView be = Settled(Component::kBe, 3);
  be.pods[0].updated = false;
  be.pods[1].updated = false;
  RolloutPlan p = PlanRollout({be});
  EXPECT_EQ(p.partitions[Component::kBe], 1);
}

TEST(Rollout, AStaleStatusHoldsThisAndLaterComponents) {
  // FE's template was just applied; its controller has not seen it, so the
  // old pods still match the old update revision and look "updated".
  ComponentView fe = Settled(Component::kFe, 3);
  fe.partition = 2;
  fe.status_stale = true;
  ComponentView be = Settled(Component::kBe, 3);
  be.partition = 3;
  RolloutPlan p = PlanRollout({fe, be});
  EXPECT_EQ(p.partitions[Component::kFe], 2);
  EXPECT_EQ(p.partitions[Component::kBe], 3);
  EXPECT_TRUE(p.rolling);
}

TEST(Rollout, TheLastStepIsNotStartedOver) {
  // Partition 0 released pod 0, which is restarting (and may come back on the
  // old revision if the partition rose again): stay at 0 until it serves.
  ComponentView be = Settled(Component::kBe, 3);
  be.partition = 0;
  be.pods[0] = {0, false, false, false};
  RolloutPlan p = PlanRollout({be});
  EXPECT_EQ(p.partitions[Component::kBe], 0);
  EXPECT_TRUE(p.rolling);
}

TEST(Rollout, FullWalkThroughRollsEveryPodExactlyOnce) {
  ComponentView be = Settled(Component::kBe, 4);
  be.template_changed = true;
  std::vector<int> released;
  for (int step = 0; step < 20; ++step) {
    RolloutPlan p = PlanRollout({be});
    if (!p.rolling) break;
    const int partition = p.partitions[Component::kBe];
    be.template_changed = false;
    be.partition = partition;
    // Kubernetes restarts pods >= partition that are outdated; they come back.
    for (PodView& pod : be.pods) {
      if (pod.ordinal >= partition && (step == 0 || !pod.updated)) {
        if (step == 0 || !pod.updated) released.push_back(pod.ordinal);
        pod = {pod.ordinal, true, true, true};
      } else if (step == 0) {
        pod.updated = false;  // the new template makes the others outdated
      }
    }
  }
  EXPECT_EQ(released, (std::vector<int>{3, 2, 1, 0}));
  for (const PodView& pod : be.pods) EXPECT_TRUE(pod.updated);
}

// A blocked component (e.g. Doris reports under-replicated tablets) keeps
// its partition, first pod and later ones alike, and says why; unblocked it
// goes on where it stood.
TEST(Rollout, ABlockedComponentRestartsNoFurtherPod) {
  ComponentView be = Settled(Component::kBe, 3);
  be.template_changed = true;
  be.restart_blocked = "healthy tablets (7 ReplicaMissing of 300 tablets)";
  RolloutPlan p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.partitions[Component::kBe], 3);
  EXPECT_EQ(p.waiting_on, be.restart_blocked);
  be.template_changed = false;
  be.partition = 2;
  be.pods[0].updated = false;
  be.pods[1].updated = false;
  p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.partitions[Component::kBe], 2);
  EXPECT_EQ(p.waiting_on, be.restart_blocked);
  // The pod above must serve again first: that is what it waits for then.
  be.pods[2].doris_alive = false;
  p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.waiting_on, "be-2 to serve again");
  be.pods[2].doris_alive = true;
  be.restart_blocked.clear();
  p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.partitions[Component::kBe], 1);
  EXPECT_EQ(p.waiting_on, "be-1 to restart");
}

// The reconcile after the one that held every BE pod for tablet health reads
// its own write before the controller has: the wait is still what it waits
// for (the status said "3/3 ready, available" there before; peers_e2e_test).
TEST(Rollout, AStaleStatusKeepsTheTabletHealthWait) {
  ComponentView be = Settled(Component::kBe, 3);
  be.partition = 3;
  be.status_stale = true;
  be.restart_blocked = "healthy tablets (5 ReplicaMissing of 300 tablets)";
  RolloutPlan p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.partitions[Component::kBe], 3);
  EXPECT_EQ(p.waiting_on, be.restart_blocked);
  be.restart_blocked.clear();
  p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.waiting_on, "the be StatefulSet status to catch up");
}

// Scaled in and re-templated in one spec update: the StatefulSet keeps its
// replicas until the leaving node has left Doris, and the rollout must not
// restart that pod (highest ordinal first would pick it). The pods that
// stay roll once the scale-in removed it.
TEST(Rollout, APodLeavingWithAScaleInIsNotRestarted) {
  ComponentView be = Settled(Component::kBe, 3);
  be.template_changed = true;
  be.leaving_from = 2;  // 3 -> 2: be-2 leaves
  RolloutPlan p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.partitions[Component::kBe], 3);  // every pod held, be-2 too
  EXPECT_TRUE(p.rolling);
  EXPECT_EQ(p.waiting_on, "the scale-in to remove be-2 (a leaving pod is not restarted)");

  // The template is written (partition 3): be-2 is outdated and still leaving.
  be.template_changed = false;
  be.partition = 3;
  for (PodView& pod : be.pods) pod.updated = false;
  p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.partitions[Component::kBe], 3);

  // The scale-in removed be-2: the two that stay roll, highest first.
  be.replicas = 2;
  be.leaving_from = -1;
  be.pods.pop_back();
  p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.partitions[Component::kBe], 1);
  EXPECT_EQ(p.waiting_on, "be-1 to restart");
}

// A scale-in that begins mid-rollout: a leaving pod the rollout already
// restarted does not hold the pods that stay; one still outdated does.
TEST(Rollout, OnlyALeavingPodStillOutdatedHoldsTheRollout) {
  ComponentView be = Settled(Component::kBe, 3);
  be.partition = 2;
  be.pods[0].updated = false;
  be.pods[1].updated = false;  // be-2 restarted and serves
  be.leaving_from = 2;
  RolloutPlan p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.partitions[Component::kBe], 1);
  EXPECT_EQ(p.waiting_on, "be-1 to restart");
  be.leaving_from = 1;  // be-1 leaves too, and is outdated
  p = PlanRollout({Settled(Component::kFe, 3), be});
  EXPECT_EQ(p.partitions[Component::kBe], 2);
  EXPECT_EQ(p.waiting_on, "the scale-in to remove be-1 (a leaving pod is not restarted)");
}

}  // namespace
}  // namespace doris_operator::reconcile
