#include "operator/reconcile/frontends.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

FrontendView Fe(int ordinal, const char* role) {
  return {"c-fe-" + std::to_string(ordinal) + ".c-fe-internal:9010", ordinal, role, true,
          ordinal == 0};
}

std::vector<FrontendView> FiveWithTwoObservers() {
  return {Fe(0, "FOLLOWER"), Fe(1, "FOLLOWER"), Fe(2, "FOLLOWER"), Fe(3, "OBSERVER"),
          Fe(4, "OBSERVER")};
}

TEST(Frontends, ScaleOutNeedsNoMembershipChange) {
  // New pods register themselves (fe_entrypoint.sh): nothing to drop.
  FrontendPlan p = PlanFrontends({.desired_replicas = 5,
                                  .live_replicas = 3,
                                  .election_number = 3,
                                  .frontends = {Fe(0, "FOLLOWER"), Fe(1, "FOLLOWER"), Fe(2, "FOLLOWER")}});
  EXPECT_TRUE(p.drop.empty());
  EXPECT_TRUE(p.warning.empty());
  EXPECT_EQ(p.statefulset_replicas, 5);
  EXPECT_TRUE(p.scaling);
  p = PlanFrontends({.desired_replicas = 3, .live_replicas = 0});  // a new cluster
  EXPECT_TRUE(p.drop.empty());
  EXPECT_EQ(p.statefulset_replicas, 3);
  EXPECT_FALSE(p.scaling);
}

TEST(Frontends, ObserversAreDroppedBeforeTheirPodsGo) {
  FrontendPlan p = PlanFrontends(
      {.desired_replicas = 3, .live_replicas = 5, .frontends = FiveWithTwoObservers()});
  ASSERT_EQ(p.drop.size(), 2u);
  EXPECT_EQ(p.drop[0].host_port, "c-fe-3.c-fe-internal:9010");
  EXPECT_EQ(p.drop[0].role, "OBSERVER");
  EXPECT_TRUE(p.scaling);
  EXPECT_EQ(p.statefulset_replicas, 3);
}

TEST(Frontends, FollowersAreNeverScaledAway) {
  FrontendPlan p = PlanFrontends(
      {.desired_replicas = 1, .live_replicas = 5, .frontends = FiveWithTwoObservers()});
  EXPECT_EQ(p.effective_replicas, 3);
  EXPECT_EQ(p.statefulset_replicas, 3);
  EXPECT_EQ(p.drop.size(), 2u);  // the observers still go
  EXPECT_NE(p.warning.find("FollowerScaleDownFailed"), std::string::npos);
  // Fewer pods than followers: keep what exists.
  p = PlanFrontends({.desired_replicas = 1,
                     .live_replicas = 2,
                     .frontends = {Fe(0, "FOLLOWER"), Fe(1, "FOLLOWER")}});
  EXPECT_EQ(p.effective_replicas, 2);
  EXPECT_TRUE(p.drop.empty());
}

TEST(Frontends, AFollowerAboveTheNewSizeKeepsItsPod) {
  // electionNumber was lowered to 1 and replicas to 1 while 3 followers run.
  FrontendPlan p = PlanFrontends({.desired_replicas = 1,
                                  .live_replicas = 3,
                                  .election_number = 1,
                                  .frontends = {Fe(0, "FOLLOWER"), Fe(1, "FOLLOWER"),
                                                Fe(2, "FOLLOWER")}});
  EXPECT_TRUE(p.drop.empty());
  EXPECT_EQ(p.statefulset_replicas, 3);
}

}  // namespace
}  // namespace doris_operator::reconcile
