#include "operator/reconcile/scale_in.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

BackendView Be(int ordinal, bool decommissioned = false, int64_t tablets = 100) {
  return {"c-be-" + std::to_string(ordinal) + ".c-be-internal.ns.svc.cluster.local:9050", ordinal,
          true, decommissioned, tablets};
}

std::vector<BackendView> Five() { return {Be(0), Be(1), Be(2), Be(3), Be(4)}; }

TEST(ScaleIn, OrdinalFromHost) {
  EXPECT_EQ(OrdinalOf("c-be-3.c-be-internal.ns.svc.cluster.local", "c-be"), 3);
  EXPECT_EQ(OrdinalOf("c-be-12:9050", "c-be"), 12);
  EXPECT_EQ(OrdinalOf("c-bee-1.x", "c-be"), -1);
  EXPECT_EQ(OrdinalOf("10.0.0.7", "c-be"), -1);
}

TEST(ScaleIn, SteadyStateDoesNothing) {
  ScalePlan p = PlanScale("be", 5, 5, Five());
  EXPECT_EQ(p.statefulset_replicas, 5);
  EXPECT_FALSE(p.scaling);
  EXPECT_TRUE(p.decommission.empty());
  EXPECT_TRUE(p.drop.empty());
}

TEST(ScaleIn, DecommissionsFirstAndNeverShrinksWhileDataRemains) {
  ScalePlan p = PlanScale("be", 3, 5, Five());
  EXPECT_TRUE(p.scaling);
  EXPECT_EQ(p.statefulset_replicas, 5);
  ASSERT_EQ(p.decommission.size(), 2u);
  EXPECT_EQ(p.decommission[0].substr(0, 6), "c-be-3");
  EXPECT_TRUE(p.drop.empty());

  // Decommissioning: tablets are moving away; nothing else happens.
  p = PlanScale("be", 3, 5, {Be(0), Be(1), Be(2), Be(3, true, 40), Be(4, true, 0)});
  EXPECT_TRUE(p.decommission.empty());
  ASSERT_EQ(p.drop.size(), 1u);  // be-4 is empty: drop it
  EXPECT_EQ(p.drop[0].substr(0, 6), "c-be-4");
  EXPECT_EQ(p.statefulset_replicas, 5);  // be-3 still holds data, and sits below be-4
  EXPECT_EQ(p.waiting_on, "be-3 holds 40 tablets");

  // be-4 dropped, be-3 empty: drop be-3; the StatefulSet may lose be-4.
  p = PlanScale("be", 3, 5, {Be(0), Be(1), Be(2), Be(3, true, 0)});
  EXPECT_EQ(p.statefulset_replicas, 4);
  ASSERT_EQ(p.drop.size(), 1u);

  // All gone from the FE: shrink to the desired size; done.
  p = PlanScale("be", 3, 4, {Be(0), Be(1), Be(2)});
  EXPECT_EQ(p.statefulset_replicas, 3);
  EXPECT_FALSE(p.scaling);
}

// Scaled 3 -> 8 and back to 4 before pods 4-7 joined: the FE lists none of
// them, but one still starting could register before the shrink and leave
// with its data. The shrink waits for them to be listed (then drained).
TEST(ScaleIn, NeverShrinksPastAPodStillStartingThatTheFeDoesNotListYet) {
  const std::vector<BackendView> four = {Be(0), Be(1), Be(2), Be(3)};
  EXPECT_EQ(PlanScale("be", 4, 8, four).statefulset_replicas, 4);  // nothing starting: nothing to lose
  ScalePlan p = PlanScale("be", 4, 8, four, {5, 7});
  EXPECT_EQ(p.statefulset_replicas, 8);
  EXPECT_TRUE(p.scaling);
  EXPECT_EQ(p.waiting_on, "be-5 to finish starting (it may still register with the FE)");
  EXPECT_TRUE(p.decommission.empty());
  // Listed by now: decommissioned like any leaving node, not waited on as starting.
  p = PlanScale("be", 4, 8, {Be(0), Be(1), Be(2), Be(3), Be(5), Be(7)}, {5, 7});
  EXPECT_EQ(p.decommission.size(), 2u);
  EXPECT_EQ(p.waiting_on, "be-5 to decommission");
  // A pod starting below the new size stays anyway.
  EXPECT_EQ(PlanScale("be", 4, 8, four, {2}).statefulset_replicas, 4);
}

TEST(ScaleIn, ScaleOutIsImmediateAndParallel) {
  ScalePlan p = PlanScale("be", 7, 5, Five());
  EXPECT_EQ(p.statefulset_replicas, 7);
  EXPECT_FALSE(p.scaling);
}

TEST(ScaleIn, ScalingBackOutDuringAScaleInCancelsTheDecommission) {
  ScalePlan p = PlanScale("be", 5, 5, {Be(0), Be(1), Be(2), Be(3, true, 40), Be(4, true, 10)});
  EXPECT_EQ(p.statefulset_replicas, 5);
  EXPECT_EQ(p.cancel_decommission.size(), 2u);
  EXPECT_TRUE(p.drop.empty());
  EXPECT_TRUE(p.scaling);
}

TEST(ScaleIn, PartialReverse) {
  // 5 -> 3 in progress, then the user settles on 4: be-3 is kept (cancel),
  // be-4 continues to drain.
  ScalePlan p = PlanScale("be", 4, 5, {Be(0), Be(1), Be(2), Be(3, true, 40), Be(4, true, 10)});
  EXPECT_EQ(p.cancel_decommission.size(), 1u);
  EXPECT_TRUE(p.drop.empty());
  EXPECT_EQ(p.statefulset_replicas, 5);
  EXPECT_EQ(p.waiting_on, "be-4 holds 10 tablets");
}

TEST(ScaleIn, ForeignBackendsAreIgnored) {
  std::vector<BackendView> b = Five();
  b.push_back({"10.1.2.3:9050", -1, true, false, 500});
  ScalePlan p = PlanScale("be", 5, 5, b);
  EXPECT_FALSE(p.scaling);
  EXPECT_TRUE(p.decommission.empty());
}

// The tablets still on the nodes leaving, for
// doris_operator_scale_in_tablets_remaining: those being kept do not count.
TEST(ScaleIn, CountsTheTabletsLeftOnTheNodesLeaving) {
  EXPECT_EQ(PlanScale("be", 5, 5, Five()).tablets_remaining, 0);
  EXPECT_EQ(PlanScale("be", 3, 5, Five()).tablets_remaining, 200);
  EXPECT_EQ(PlanScale("be", 3, 5, {Be(0), Be(1), Be(2), Be(3, true, 40), Be(4, true, 0)}).tablets_remaining, 40);
}

}  // namespace
}  // namespace doris_operator::reconcile
