// Restarting on a large log: Open reads the newest snapshot and the records
// after it, never the whole log (OpenStats counts what it folded), while
// StateAt, the indexes and reads stay exact.

#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "store/event_log.h"
#include "store/fold.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;
using testing::Synthetic;

constexpr uint64_t kRecords = 20000;
constexpr uint64_t kSnapshotEvery = 128;

fs::path FreshDir() {
  fs::path dir = fs::path(::testing::TempDir()) /
                 ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  return dir;
}

// Appends records 1..n of Synthetic() in batches, so n is not a multiple of
// the snapshot interval and a tail is left to fold.
void Fill(const fs::path& dir, const EventLogOptions& options, uint64_t n) {
  auto log = EventLog::Open(dir.string(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  for (uint64_t i = 1; i <= n;) {
    std::vector<log::v1::LogRecord> batch;
    for (int k = 0; k < 37 && i <= n; ++k, ++i) batch.push_back(Synthetic(i, 200, 20, 256));
    ASSERT_TRUE((*log)->Append(std::move(batch)).ok());
  }
  ASSERT_TRUE((*log)->Close().ok());
}

State FoldUpTo(uint64_t seq) {
  State s;
  for (uint64_t i = 1; i <= seq; ++i) {
    log::v1::LogRecord r = Synthetic(i, 200, 20, 256);
    r.set_seq(i);
    s = Fold(std::move(s), std::move(r));
  }
  return s;
}

TEST(OpenTest, RestartFoldsOneSnapshotsTailNotTheLog) {
  const fs::path dir = FreshDir();
  const EventLogOptions options{.snapshot_every = kSnapshotEvery};
  Fill(dir, options, kRecords);

  auto log = EventLog::Open(dir.string(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  const OpenStats stats = (*log)->open_stats();
  EXPECT_EQ((*log)->last_seq(), kRecords);
  // The newest snapshot (taken at a batch boundary) and fewer records than
  // one interval after it.
  EXPECT_GT(stats.snapshot_seq, 0u);
  EXPECT_EQ(stats.snapshot_seq + stats.records_folded, kRecords);
  EXPECT_LT(stats.records_folded, kSnapshotEvery);
  EXPECT_TRUE((*log)->damaged_snapshots().empty());

  // Exact all the same: the state, past states and the indexes.
  EXPECT_EQ((*log)->CurrentState(), FoldUpTo(kRecords));
  for (uint64_t seq : {uint64_t{1}, uint64_t{777}, kRecords / 2 + 13, kRecords - 1}) {
    absl::StatusOr<State> at = (*log)->StateAt(seq);
    ASSERT_TRUE(at.ok()) << at.status();
    EXPECT_EQ(*at, FoldUpTo(seq)) << "StateAt(" << seq << ")";
  }
  uint64_t c3 = 0;
  for (uint64_t i = 1; i <= kRecords; ++i) {
    if (Synthetic(i, 200, 20, 256).cluster().name() == "c3") ++c3;
  }
  absl::StatusOr<std::vector<uint64_t>> history =
      (*log)->SeqsForCluster({"default", "c3"}, {.limit = kRecords});
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->size(), c3);

  // Appends continue from there, and the next restart is bounded the same.
  ASSERT_TRUE((*log)->Append({Synthetic(kRecords + 1, 200, 20, 256)}).ok());
  ASSERT_TRUE((*log)->Close().ok());
  log = EventLog::Open(dir.string(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_LT((*log)->open_stats().records_folded, kSnapshotEvery);
  EXPECT_EQ((*log)->CurrentState(), FoldUpTo(kRecords + 1));
}

// The counter counts what Open reads: with no snapshot to start from, Open
// folds every record.
TEST(OpenTest, WithoutASnapshotOpenFoldsEveryRecord) {
  const fs::path dir = FreshDir();
  // Ratio 0: no snapshot by bytes either.
  const EventLogOptions options{.snapshot_every = 1000000, .snapshot_bytes_ratio = 0};
  Fill(dir, options, 3000);
  auto log = EventLog::Open(dir.string(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->open_stats().snapshot_seq, 0u);
  EXPECT_EQ((*log)->open_stats().records_folded, 3000u);
  EXPECT_EQ((*log)->CurrentState(), FoldUpTo(3000));
}

}  // namespace
}  // namespace doris_operator::store
