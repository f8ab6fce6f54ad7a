// DecideRestarts is pure: per component, the status hash and the restart
// stamp to write for a given config and status, with no API server behind it.

#include "operator/reconcile/decide_restarts.h"

#include "gtest/gtest.h"
#include "operator/reconcile/config_restart.h"

namespace doris_operator::reconcile {
namespace {

using translator::Component;

constexpr char kNow[] = "2026-11-30T20:00:00Z";

TEST(DecideRestarts, AChangedConfigIsStampedAndAWaitingOneKeepsItsOldHash) {
  const std::string fe_old = ConfigHash("sys_log_level = INFO\n", translator::DorisHome(Component::kFe));
  const std::string be_old = ConfigHash("x = 1\n", translator::DorisHome(Component::kBe));
  RestartsInput in;
  in.enabled = true;
  in.now = kNow;
  in.components = {{Component::kFe, "sys_log_level = WARN\n", fe_old, "available"},
                   {Component::kBe, "x = 2\n", be_old, "upgrading"}};
  const std::vector<ComponentRestart> plan = DecideRestarts(in);
  ASSERT_EQ(plan.size(), 2u);

  const ComponentRestart& fe = plan[0];
  EXPECT_EQ(fe.component, Component::kFe);
  EXPECT_TRUE(fe.stamp);
  EXPECT_EQ(fe.annotation, "apache.doris.fe/restartedAt");
  EXPECT_EQ(fe.restarted_at, kNow);
  EXPECT_EQ(fe.config_hash, ConfigHash("sys_log_level = WARN\n", translator::DorisHome(Component::kFe)));
  EXPECT_EQ(fe.hash_if_refused, fe_old);  // a refused stamp is tried again
  EXPECT_TRUE(fe.waiting_on.empty());

  // Not available: the restart waits, status keeps the old hash.
  const ComponentRestart& be = plan[1];
  EXPECT_FALSE(be.stamp);
  EXPECT_EQ(be.config_hash, be_old);
  EXPECT_NE(be.waiting_on.find("waits until the component is available"), std::string::npos) << be.waiting_on;
}

TEST(DecideRestarts, NothingChangedOrNothingRecordedStampsNothing) {
  const std::string fe_conf = "sys_log_level = INFO\n";
  const std::string fe_hash = ConfigHash(fe_conf, translator::DorisHome(Component::kFe));
  RestartsInput in;
  in.enabled = true;
  in.now = kNow;
  in.components = {{Component::kFe, fe_conf, fe_hash, "available"},
                   {Component::kBe, "x = 1\n", "", "available"}};  // first seen: adopted
  const std::vector<ComponentRestart> plan = DecideRestarts(in);
  ASSERT_EQ(plan.size(), 2u);
  for (const ComponentRestart& r : plan) {
    EXPECT_FALSE(r.stamp) << translator::ComponentName(r.component);
    EXPECT_TRUE(r.waiting_on.empty());
  }
  EXPECT_EQ(plan[0].config_hash, fe_hash);
  EXPECT_EQ(plan[1].config_hash, ConfigHash("x = 1\n", translator::DorisHome(Component::kBe)));
  // No components in the spec: no plan.
  EXPECT_TRUE(DecideRestarts(RestartsInput{}).empty());
}

}  // namespace
}  // namespace doris_operator::reconcile
