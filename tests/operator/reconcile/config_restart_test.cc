#include "operator/reconcile/config_restart.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

TEST(ConfigHash, IgnoresFormattingButNotValues) {
  const std::string home = "/opt/apache-doris/fe";
  EXPECT_EQ(ConfigHash("a = 1\n# comment\nB=2\n", home), ConfigHash("b: 2\n\na=1", home));
  EXPECT_NE(ConfigHash("a = 1\n", home), ConfigHash("a = 2\n", home));
  EXPECT_EQ(ConfigHash("", home), "");
  EXPECT_EQ(ConfigHash("a = 1\n", home).size(), 64u);
}

TEST(ConfigRestart, RestartsOnlyWhenEnabledAvailableAndChanged) {
  ConfigRestartInput in{.enabled = true, .stored_hash = "h1", .current_hash = "h2",
                        .phase = "available", .now = "2026-11-25T10:00:00Z"};
  ConfigRestartDecision d = DecideConfigRestart(in);
  EXPECT_TRUE(d.restart);
  EXPECT_EQ(d.restarted_at, "2026-11-25T10:00:00Z");

  in.current_hash = "h1";
  EXPECT_FALSE(DecideConfigRestart(in).restart);

  in.current_hash = "h2";
  in.phase = "upgrading";
  d = DecideConfigRestart(in);
  EXPECT_FALSE(d.restart);
  EXPECT_TRUE(d.pending);

  in.phase = "available";
  in.enabled = false;
  d = DecideConfigRestart(in);
  EXPECT_FALSE(d.restart);
  EXPECT_TRUE(d.pending);
  EXPECT_NE(d.reason.find("enableRestartWhenConfigChange"), std::string::npos);

  in.enabled = true;
  in.stored_hash = "";  // nothing recorded yet: adopt, do not restart
  EXPECT_FALSE(DecideConfigRestart(in).restart);
}

}  // namespace
}  // namespace doris_operator::reconcile
