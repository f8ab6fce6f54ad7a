// Snapshot spacing and thinning (docs/event-log.md, "Snapshots"): a
// snapshot is written once the records since the last one outweigh it, at
// the latest every snapshot_every records; retention thins old ones to the
// oldest, the newest few and one per time bucket. What must hold whatever
// the spacing: StateAt inside the window is exact, a damaged newest snapshot
// falls back to an older one, and Open after a kill -9 folds fewer than
// snapshot_every records.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "store/event_log.h"
#include "store/fold.h"
#include "store/keys.h"
#include "tests/store/raw_log.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;
using testing::Raw;
using testing::Synthetic;

// Records of `objects` objects with ~`payload`-byte bodies; record n is
// observed at 1700000000 + n seconds.
struct Shape {
  int objects = 20;
  size_t payload = 500;
  log::v1::LogRecord Record(uint64_t n) const { return Synthetic(n, objects, 4, payload); }
  State FoldUpTo(uint64_t seq) const {
    State s;
    for (uint64_t i = 1; i <= seq; ++i) {
      log::v1::LogRecord r = Record(i);
      r.set_seq(i);
      s = Fold(std::move(s), std::move(r));
    }
    return s;
  }
};

std::string FreshDir(const std::string& suffix = "") {
  fs::path dir = fs::path(::testing::TempDir()) /
                 (::testing::UnitTest::GetInstance()->current_test_info()->name() + suffix);
  fs::remove_all(dir);
  return dir.string();
}

void Fill(EventLog& log, const Shape& shape, uint64_t from, uint64_t to, int per_batch = 7) {
  for (uint64_t i = from; i <= to;) {
    std::vector<log::v1::LogRecord> batch;
    for (int k = 0; k < per_batch && i <= to; ++k, ++i) batch.push_back(shape.Record(i));
    ASSERT_TRUE(log.Append(std::move(batch)).ok());
  }
}

std::vector<std::pair<uint64_t, size_t>> Snapshots(const std::string& dir) {
  Raw raw(dir);
  EXPECT_TRUE(raw.ok());
  return raw.Seqs(Raw::kSnapshots);
}

// Appends happen in batches of 7, so a snapshot lands at most 6 records
// after the point its rule names.
constexpr uint64_t kBatchSlack = 6;

TEST(SnapshotPolicyTest, SnapshotsAreSpacedByTheRecordsBytesAgainstTheStateSize) {
  const EventLogOptions options{
      .snapshot_every = 100000, .snapshot_bytes_ratio = 1.0, .snapshot_min_records = 8};
  const Shape small{.objects = 4, .payload = 500};
  const Shape large{.objects = 400, .payload = 500};
  std::vector<std::pair<uint64_t, size_t>> kept[2];
  std::vector<size_t> record_bytes[2];
  for (int which : {0, 1}) {
    const Shape& shape = which == 0 ? small : large;
    const std::string dir = FreshDir(which == 0 ? "_small" : "_large");
    {
      auto log = EventLog::Open(dir, options);
      ASSERT_TRUE(log.ok()) << log.status();
      Fill(**log, shape, 1, 4000);
      ASSERT_TRUE((*log)->Close().ok());
    }
    kept[which] = Snapshots(dir);
    record_bytes[which].push_back(0);
    for (uint64_t n = 1; n <= 4000; ++n) {
      log::v1::LogRecord r = shape.Record(n);
      r.set_seq(n);
      record_bytes[which].push_back(r.ByteSizeLong());
    }
    ASSERT_GE(kept[which].size(), 2u);
    // Each snapshot after the first: at least snapshot_min_records after the
    // previous one, and the records in between at least as many bytes as
    // the previous snapshot (within one batch).
    for (size_t i = 1; i < kept[which].size(); ++i) {
      const auto [a, a_bytes] = kept[which][i - 1];
      const uint64_t b = kept[which][i].first;
      SCOPED_TRACE(::testing::Message() << "snapshots at " << a << " and " << b);
      EXPECT_GE(b - a, options.snapshot_min_records);
      size_t between = 0, before_last_batch = 0;
      for (uint64_t n = a + 1; n <= b; ++n) {
        between += record_bytes[which][n];
        if (n + kBatchSlack < b) before_last_batch += record_bytes[which][n];
      }
      EXPECT_GE(between, a_bytes);
      // Not later than needed: before the last batch the rule was not met yet.
      if (b - a > options.snapshot_min_records + kBatchSlack) {
        EXPECT_LT(before_last_batch, a_bytes);
      }
    }
  }
  // A 100 times larger state is snapshotted far less often.
  EXPECT_GT(kept[0].size(), 5 * kept[1].size());
}

TEST(SnapshotPolicyTest, SnapshotEveryStaysTheCapAndRatioZeroIsTheOldPolicy) {
  const Shape shape{.objects = 400, .payload = 500};
  for (double ratio : {0.0, 1000.0}) {
    const std::string dir = FreshDir(ratio == 0 ? "_zero" : "_huge");
    {
      auto log = EventLog::Open(dir, {.snapshot_every = 50, .snapshot_bytes_ratio = ratio});
      ASSERT_TRUE(log.ok()) << log.status();
      for (uint64_t n = 1; n <= 1000; ++n) ASSERT_TRUE((*log)->Append({shape.Record(n)}).ok());
      ASSERT_TRUE((*log)->Close().ok());
    }
    std::vector<uint64_t> seqs;
    for (const auto& [seq, bytes] : Snapshots(dir)) seqs.push_back(seq);
    std::vector<uint64_t> want;
    for (uint64_t s = 50; s <= 1000; s += 50) want.push_back(s);
    EXPECT_EQ(seqs, want) << "ratio " << ratio;
  }
}

// kill -9 right after appends were acknowledged: the snapshots went through
// the WAL, so Open folds fewer than snapshot_every records (before, a crash
// lost every snapshot not yet flushed).
constexpr uint64_t kKillRecords = 3000;
const EventLogOptions kKillOptions{.snapshot_every = 64, .snapshot_bytes_ratio = 1.0,
                                   .snapshot_min_records = 16};
const Shape kKillShape{.objects = 60, .payload = 300};

[[noreturn]] void RunKilledChild(const std::string& dir) {
  auto log = EventLog::Open(dir, kKillOptions);
  if (!log.ok()) _exit(3);
  for (uint64_t i = 1; i <= kKillRecords;) {
    std::vector<log::v1::LogRecord> batch;
    for (int k = 0; k < 7 && i <= kKillRecords; ++k, ++i) batch.push_back(kKillShape.Record(i));
    if (!(*log)->Append(std::move(batch)).ok()) _exit(4);
  }
  raise(SIGKILL);
  _exit(5);
}

TEST(SnapshotPolicyTest, OpenAfterKill9FoldsFewerThanSnapshotEvery) {
  const std::string dir = FreshDir();
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    fs::remove_all(dir);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execl("/proc/self/exe", "snapshot_child", "--killed-child", dir.c_str(),
            static_cast<char*>(nullptr));
      _exit(6);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child did not die by SIGKILL (exit " << WEXITSTATUS(status) << ")";
    auto log = EventLog::Open(dir, kKillOptions);
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_EQ((*log)->last_seq(), kKillRecords);
    EXPECT_LT((*log)->open_stats().records_folded, kKillOptions.snapshot_every);
    EXPECT_EQ((*log)->CurrentState(), kKillShape.FoldUpTo(kKillRecords));
  }
}

// 100 snapshots over 10,000 s of records, thinned with 10-minute buckets
// for the newest hour and hourly ones before.
class ThinningTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kRecords = 10000;
  void SetUp() override {
    dir_ = FreshDir();
    auto log = EventLog::Open(dir_, options_);
    ASSERT_TRUE(log.ok()) << log.status();
    Fill(**log, shape_, 1, kRecords, /*per_batch=*/4);  // snapshots at 100, 200, ...
    ASSERT_TRUE((*log)->Close().ok());
    before_ = Snapshots(dir_);
    ASSERT_EQ(before_.size(), kRecords / 100);
  }
  static absl::Time TimeOf(uint64_t seq) { return absl::FromUnixSeconds(1700000000 + seq); }

  RetentionPolicy Policy() const {
    RetentionPolicy p;
    p.keep_at_least = kRecords;  // no records removed
    p.keep_newest_snapshots = 4;
    p.recent_snapshots = absl::Hours(1);
    p.recent_snapshot_spacing = absl::Minutes(10);
    p.old_snapshot_spacing = absl::Hours(1);
    return p;
  }
  // The bucket a kept snapshot falls in, as the policy defines it.
  int64_t Bucket(uint64_t seq, absl::Time now) const {
    const RetentionPolicy p = Policy();
    const bool recent = TimeOf(seq) >= now - p.recent_snapshots;
    const absl::Duration spacing = recent ? p.recent_snapshot_spacing : p.old_snapshot_spacing;
    absl::Duration rem;
    return (recent ? 1000000000 : 0) +
           absl::IDivDuration(TimeOf(seq) - absl::UnixEpoch(), spacing, &rem);
  }

  const EventLogOptions options_{.snapshot_every = 100, .snapshot_bytes_ratio = 0};
  const Shape shape_{.objects = 30, .payload = 200};
  std::string dir_;
  std::vector<std::pair<uint64_t, size_t>> before_;
};

TEST_F(ThinningTest, KeepsTheOldestTheNewestAndOnePerBucketAndStateAtStaysExact) {
  const absl::Time now = TimeOf(kRecords) + absl::Seconds(1);
  {
    auto log = EventLog::Open(dir_, options_);
    ASSERT_TRUE(log.ok()) << log.status();
    absl::StatusOr<RetentionResult> r = (*log)->ApplyRetention(Policy(), now);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->removed_records, 0u);
    EXPECT_GT(r->removed_snapshots, 0u);
    ASSERT_TRUE((*log)->Close().ok());
  }
  const auto after = Snapshots(dir_);
  std::set<uint64_t> kept;
  for (const auto& [seq, bytes] : after) kept.insert(seq);
  // The oldest and the newest four stay.
  EXPECT_TRUE(kept.count(before_.front().first));
  for (size_t i = before_.size() - 4; i < before_.size(); ++i) {
    EXPECT_TRUE(kept.count(before_[i].first));
  }
  // Every bucket that had a snapshot still has one, and only one (the
  // oldest and newest four aside).
  std::set<int64_t> had, has;
  for (size_t i = 0; i < before_.size(); ++i) had.insert(Bucket(before_[i].first, now));
  std::multiset<int64_t> counted;
  for (uint64_t seq : kept) {
    has.insert(Bucket(seq, now));
    if (seq != before_.front().first && seq < before_[before_.size() - 4].first) {
      counted.insert(Bucket(seq, now));
    }
  }
  EXPECT_EQ(had, has);
  for (int64_t b : counted) EXPECT_EQ(counted.count(b), 1u) << "bucket " << b;
  // 10,000 s: 2 hourly buckets before the newest hour, 6 ten-minute ones in it.
  EXPECT_LE(kept.size(), 1 + 4 + 3 + 7u);

  // Thinned snapshots are only a longer fold away: every state in the
  // window is exact, and the current one after a restart.
  auto log = EventLog::Open(dir_, options_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_LT((*log)->open_stats().records_folded, options_.snapshot_every);
  EXPECT_EQ((*log)->CurrentState(), shape_.FoldUpTo(kRecords));
  State folded;
  for (uint64_t seq = 1; seq <= kRecords; ++seq) {
    log::v1::LogRecord r = shape_.Record(seq);
    r.set_seq(seq);
    folded = Fold(std::move(folded), std::move(r));
    if (seq % 433 != 0 && !kept.count(seq) && !kept.count(seq - 1)) continue;
    absl::StatusOr<State> at = (*log)->StateAt(seq);
    ASSERT_TRUE(at.ok()) << at.status();
    EXPECT_EQ(*at, folded) << "StateAt(" << seq << ")";
  }
  // A second pass with nothing new keeps everything.
  absl::StatusOr<RetentionResult> again = (*log)->ApplyRetention(Policy(), now);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->removed_snapshots, 0u);
}

TEST_F(ThinningTest, WithARetentionCutTheBaseAtTheCutIsKeptAndStatesAfterItAreExact) {
  const absl::Time now = TimeOf(kRecords) + absl::Seconds(1);
  RetentionPolicy p = Policy();
  p.keep_at_least = 10;
  p.max_age = absl::Seconds(kRecords - 2500);  // records 1..2500 go
  uint64_t first = 0;
  {
    auto log = EventLog::Open(dir_, options_);
    ASSERT_TRUE(log.ok()) << log.status();
    absl::StatusOr<RetentionResult> r = (*log)->ApplyRetention(p, now);
    ASSERT_TRUE(r.ok()) << r.status();
    first = r->first_seq;
    EXPECT_GT(r->removed_records, 2000u);
    EXPECT_GT(r->removed_snapshots, 0u);
    ASSERT_TRUE((*log)->Close().ok());
  }
  const auto after = Snapshots(dir_);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.front().first, first - 1) << "the base at the cut";
  auto log = EventLog::Open(dir_, options_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->CurrentState(), shape_.FoldUpTo(kRecords));
  for (uint64_t seq : {first - 1, first, first + 777, uint64_t{7777}, kRecords - 150}) {
    absl::StatusOr<State> at = (*log)->StateAt(seq);
    ASSERT_TRUE(at.ok()) << at.status();
    EXPECT_EQ(*at, shape_.FoldUpTo(seq)) << "StateAt(" << seq << ")";
  }
}

TEST_F(ThinningTest, DamagedNewestSnapshotsStillFallBackToAnOlderOneAndRefold) {
  const absl::Time now = TimeOf(kRecords) + absl::Seconds(1);
  {
    auto log = EventLog::Open(dir_, options_);
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_TRUE((*log)->ApplyRetention(Policy(), now).ok());
    ASSERT_TRUE((*log)->Close().ok());
  }
  auto after = Snapshots(dir_);
  ASSERT_GT(after.size(), 5u);
  // All four kept newest ones damaged: the fold goes back to the newest
  // bucket survivor before them.
  const uint64_t survivor = after[after.size() - 5].first;
  {
    Raw raw(dir_);
    ASSERT_TRUE(raw.ok());
    for (size_t i = after.size() - 4; i < after.size(); ++i) {
      raw.Put(Raw::kSnapshots, keys::Seq(after[i].first), "not a snapshot");
    }
  }
  auto log = EventLog::Open(dir_, options_);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->open_stats().snapshot_seq, survivor);
  EXPECT_EQ((*log)->open_stats().records_folded, kRecords - survivor);
  EXPECT_EQ((*log)->damaged_snapshots().size(), 4u);
  EXPECT_EQ((*log)->CurrentState(), shape_.FoldUpTo(kRecords));
  absl::StatusOr<State> at = (*log)->StateAt(after.back().first);
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(*at, shape_.FoldUpTo(after.back().first));
}

}  // namespace
}  // namespace doris_operator::store

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--killed-child") {
    doris_operator::store::RunKilledChild(argv[2]);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
