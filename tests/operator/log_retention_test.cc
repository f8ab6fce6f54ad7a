// The running operator's retention: passes run when due (first look, the
// interval, growth since the last pass), drop what the policy says, keep the
// current state, and report what they dropped and the oldest time kept.

#include "operator/log_retention.h"

#include <filesystem>

#include "gtest/gtest.h"
#include "tests/store/test_records.h"

namespace doris_operator {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kEpoch = 1700000000;  // Synthetic record n is observed at kEpoch + n

TEST(LogRetentionTest, PassesRunWhenDueAndKeepTheState) {
  const std::string dir = (fs::path(::testing::TempDir()) / "retention").string();
  fs::remove_all(dir);
  auto log = store::EventLog::Open(dir, {.snapshot_every = 100});
  ASSERT_TRUE(log.ok()) << log.status();
  for (uint64_t n = 1; n <= 3000; ++n) {
    ASSERT_TRUE((*log)->Append({store::testing::Synthetic(n, 30, 3, 300)}).ok());
  }
  const store::State before = (*log)->CurrentState();

  absl::Time now = absl::FromUnixSeconds(kEpoch + 3000);
  LogRetentionOptions o;
  o.policy.max_age = absl::Seconds(1000);
  o.policy.keep_at_least = 100;
  o.interval = absl::Hours(1);
  o.growth_trigger = 64 << 10;
  o.now = [&now] { return now; };
  LogRetention retention(log->get(), o);
  EXPECT_EQ(retention.stats().oldest_retained_unix.load(), kEpoch + 1);

  // The first look runs a pass: records observed before now - 1000 s go.
  EXPECT_TRUE(retention.MaybeRun());
  EXPECT_EQ(retention.stats().records_dropped.load(), 1999);
  EXPECT_EQ((*log)->first_seq(), 2000u);
  EXPECT_EQ(retention.stats().oldest_retained_unix.load(), kEpoch + 2000);
  EXPECT_EQ((*log)->CurrentState(), before);
  EXPECT_TRUE((*log)->StateAt(1999).ok());  // the snapshot at the cut

  // Not due: within the interval, hardly grown.
  now += absl::Minutes(1);
  EXPECT_FALSE(retention.MaybeRun());
  EXPECT_EQ(retention.stats().passes.load(), 1);

  // A burst of appends makes a pass due before the interval.
  for (uint64_t n = 3001; n <= 3600; ++n) {
    ASSERT_TRUE((*log)->Append({store::testing::Synthetic(n, 30, 3, 300)}).ok());
  }
  now = absl::FromUnixSeconds(kEpoch + 3600);
  EXPECT_TRUE(retention.MaybeRun());
  EXPECT_EQ(retention.stats().passes.load(), 2);
  EXPECT_EQ((*log)->first_seq(), 2600u);
  EXPECT_EQ(retention.stats().records_dropped.load(), 2599);

  // The interval alone makes a pass due.
  now += absl::Hours(1);
  EXPECT_TRUE(retention.MaybeRun());
  // Everything is older than an hour now, but the newest 100 always stay.
  EXPECT_EQ((*log)->first_seq(), 3501u);
  EXPECT_EQ(retention.stats().failures.load(), 0);
}

TEST(LogRetentionTest, SizeLimitBoundsTheLog) {
  const std::string dir = (fs::path(::testing::TempDir()) / "retention_size").string();
  fs::remove_all(dir);
  auto log = store::EventLog::Open(dir, {.snapshot_every = 200, .records_write_buffer_bytes = 1 << 20});
  ASSERT_TRUE(log.ok()) << log.status();
  // A limit the records alone pass whatever RocksDB compacts: thinning old
  // snapshots (which retention does first) cannot bring the log under it,
  // so records must go.
  constexpr uint64_t kLimit = 1 << 19;
  LogRetentionOptions o;
  o.policy.max_bytes = kLimit;
  o.policy.keep_at_least = 100;
  o.interval = absl::Hours(1);
  LogRetention retention(log->get(), o);
  EXPECT_TRUE(retention.MaybeRun());  // first look
  for (uint64_t n = 1; n <= 8000; ++n) {
    ASSERT_TRUE((*log)->Append({store::testing::Synthetic(n, 30, 3, 2000)}).ok());
    if (n % 500 == 0) retention.MaybeRun();
  }
  retention.RunOnce().IgnoreError();
  EXPECT_GT(retention.stats().records_dropped.load(), 0);
  // Within the limit plus what one pass lets through (a tenth) and the
  // memtable not yet flushed.
  EXPECT_LT((*log)->ApproximateBytes(), kLimit + kLimit / 10 + (2u << 20));
  EXPECT_EQ((*log)->StateAt((*log)->first_seq() - 1).ok(), true);
}

}  // namespace
}  // namespace doris_operator
