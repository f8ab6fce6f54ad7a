// Logical damage to the event log, made with RocksDB directly: a damaged
// snapshot (fall back to an older one, refold, report it, rewrite it), one at
// the retention cut (an error naming it), a damaged newest record, a missing
// record while folding, malformed meta, and a crash in the middle of
// retention. Each gives the documented error or recovery (docs/event-log.md).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
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

class DamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name())
               .string();
    fs::remove_all(dir_);
  }

  // 95 records with a snapshot every 10.
  void Write95() {
    auto log = EventLog::Open(dir_, {.snapshot_every = 10});
    ASSERT_TRUE(log.ok()) << log.status();
    for (uint64_t n = 1; n <= 95; ++n) ASSERT_TRUE((*log)->Append({Synthetic(n, 20, 3, 200)}).ok());
  }

  static State FoldAll(uint64_t to) {
    State s;
    for (uint64_t n = 1; n <= to; ++n) {
      log::v1::LogRecord r = Synthetic(n, 20, 3, 200);
      r.set_seq(n);
      s = Fold(std::move(s), r);
    }
    return s;
  }

  absl::StatusOr<std::unique_ptr<EventLog>> Open(EventLogOptions o = {.snapshot_every = 10}) {
    return EventLog::Open(dir_, o);
  }

  std::string dir_;
};

TEST_F(DamageTest, DamagedNewestSnapshotFallsBackRefoldsAndIsReportedAndRewritten) {
  Write95();
  {
    Raw raw(dir_);
    ASSERT_TRUE(raw.ok());
    raw.Put(Raw::kSnapshots, keys::Seq(90), "not a snapshot");
  }
  {
    auto log = Open();
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_EQ((*log)->CurrentState(), FoldAll(95));
    std::vector<DamagedSnapshot> damaged = (*log)->damaged_snapshots();
    ASSERT_EQ(damaged.size(), 1u);
    EXPECT_EQ(damaged[0].seq, 90u);
    EXPECT_NE(damaged[0].problem.find("does not parse"), std::string::npos) << damaged[0].problem;
    EXPECT_EQ((*log)->StateAt(93)->Serialize(), FoldAll(93).Serialize());
  }
  // Rewritten from the records on that Open: trusted (and correct) now.
  auto log = Open();
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE((*log)->damaged_snapshots().empty());
  EXPECT_EQ((*log)->StateAt(90)->Serialize(), FoldAll(90).Serialize());
}

TEST_F(DamageTest, SnapshotOfTheWrongPointIsNotTrusted) {
  Write95();
  std::string at50;
  {
    auto log = Open();
    ASSERT_TRUE(log.ok());
    at50 = (*log)->StateAt(50)->Serialize();
  }
  {
    Raw raw(dir_);
    raw.Put(Raw::kSnapshots, keys::Seq(90), at50);  // parses, but is the state after 50
    raw.Put(Raw::kSnapshots, keys::Seq(80), "garbage");
  }
  auto log = Open();
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->CurrentState(), FoldAll(95));
  std::vector<DamagedSnapshot> damaged = (*log)->damaged_snapshots();
  ASSERT_EQ(damaged.size(), 2u);
  EXPECT_EQ(damaged[0].seq, 90u);
  EXPECT_NE(damaged[0].problem.find("holds the state after record 50"), std::string::npos);
  EXPECT_EQ(damaged[1].seq, 80u);
}

TEST_F(DamageTest, DamagedSnapshotAtTheRetentionCutIsAnErrorNamingIt) {
  Write95();
  uint64_t cut = 0;
  {
    auto log = Open();
    ASSERT_TRUE(log.ok());
    // Synthetic record n is observed at 1700000000 + n seconds.
    auto r = (*log)->ApplyRetention({.max_age = absl::Seconds(30), .keep_at_least = 10},
                                    absl::FromUnixSeconds(1700000000 + 90));
    ASSERT_TRUE(r.ok()) << r.status();
    cut = r->first_seq - 1;
    ASSERT_GT(cut, 0u);
  }
  {
    Raw raw(dir_);
    raw.Put(Raw::kSnapshots, keys::Seq(cut), "garbage");
    // Later snapshots too, so that no usable one is left after the cut.
    for (uint64_t s = 10; s <= 90; s += 10) {
      if (s > cut) raw.Put(Raw::kSnapshots, keys::Seq(s), "garbage");
    }
  }
  auto log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find(absl::StrCat("damaged snapshots at 90")), std::string::npos)
      << log.status();
  EXPECT_NE(log.status().message().find(absl::StrCat(cut)), std::string::npos) << log.status();
  EXPECT_NE(log.status().message().find(dir_), std::string::npos);
}

TEST_F(DamageTest, DamagedNewestRecordIsAnError) {
  Write95();
  {
    Raw raw(dir_);
    raw.Put(Raw::kRecords, keys::Seq(95), "\xff\xff not a record");
  }
  auto log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find("record 95 is damaged"), std::string::npos) << log.status();
}

TEST_F(DamageTest, MissingRecordWhileFoldingIsAnError) {
  Write95();
  {
    Raw raw(dir_);
    raw.Delete(Raw::kRecords, keys::Seq(93));  // after the newest snapshot (90)
    raw.Delete(Raw::kRecords, keys::Seq(45));  // between two snapshots
  }
  // Open folds 91..95 from the snapshot at 90: the gap stops it.
  auto log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find("records 93..93 are missing"), std::string::npos)
      << log.status();
  {
    Raw raw(dir_);
    log::v1::LogRecord r = Synthetic(93, 20, 3, 200);
    r.set_seq(93);
    raw.Put(Raw::kRecords, keys::Seq(93), r.SerializeAsString());
  }
  // Only 45 is missing now: Open does not need it, StateAt past it does, and
  // a paranoid Open finds it.
  log = Open();
  ASSERT_TRUE(log.ok()) << log.status();
  absl::StatusOr<State> at47 = (*log)->StateAt(47);
  ASSERT_FALSE(at47.ok());
  EXPECT_EQ(at47.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(at47.status().message().find("records 45..45 are missing"), std::string::npos)
      << at47.status();
  EXPECT_EQ((*log)->StateAt(52)->Serialize(), FoldAll(52).Serialize());  // from the snapshot at 50
  log->reset();
  log = Open({.snapshot_every = 10, .paranoid_open = true});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("45"), std::string::npos) << log.status();
}

// Found by tests/fuzz/event_log_fuzzer: Read(from) started silently at the
// next record when record `from` itself was missing.
TEST_F(DamageTest, ReadFromAMissingRecordIsAnErrorNamingIt) {
  Write95();
  {
    Raw raw(dir_);
    raw.Delete(Raw::kRecords, keys::Seq(1));
    raw.Delete(Raw::kRecords, keys::Seq(45));
  }
  auto log = Open();
  ASSERT_TRUE(log.ok()) << log.status();
  for (uint64_t from : {1, 45}) {
    auto it = (*log)->Read(from, 50);
    EXPECT_FALSE(it->Valid()) << from;
    EXPECT_EQ(it->status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(it->status().message().find(absl::StrCat("records ", from, "..", from, " are missing")),
              std::string::npos)
        << it->status();
  }
  auto it = (*log)->Read(46, 47);
  ASSERT_TRUE(it->Valid()) << it->status();
  EXPECT_EQ(it->record().seq(), 46u);
}

TEST_F(DamageTest, MalformedMetaIsAnError) {
  Write95();
  {
    Raw raw(dir_);
    raw.Put(Raw::kMeta, "first_seq", "xx");
  }
  auto log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find("meta key first_seq is malformed"), std::string::npos)
      << log.status();
  {
    Raw raw(dir_);
    raw.Put(Raw::kMeta, "first_seq", keys::Seq(0));
  }
  log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("first_seq is 0"), std::string::npos) << log.status();
  {
    Raw raw(dir_);
    raw.Put(Raw::kMeta, "first_seq", keys::Seq(1));
    raw.Delete(Raw::kMeta, "format_version");
  }
  log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("format version"), std::string::npos) << log.status();
  {
    Raw raw(dir_);
    raw.Put(Raw::kMeta, "format_version", "9");
  }
  log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("format version 9 is not one this binary reads"),
            std::string::npos)
      << log.status();
  {
    Raw raw(dir_);
    raw.Put(Raw::kMeta, "format_version", "1");
    raw.Put(Raw::kMeta, "first_seq", keys::Seq(99));  // past the newest record
  }
  log = Open();
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("newest record 95 is before first_seq 99"),
            std::string::npos)
      << log.status();
}

// Retention writes the snapshot at the cut and moves first_seq in one synced
// batch, then deletes. A crash after the batch (records, index entries and
// older snapshots still there, or half of the index entries gone) is
// finished by the next Open.
TEST_F(DamageTest, CrashInTheMiddleOfRetentionIsFinishedOnOpen) {
  Write95();
  constexpr uint64_t kCut = 60;
  {
    auto log = Open();
    ASSERT_TRUE(log.ok());
    const std::string at_cut = (*log)->StateAt(kCut)->Serialize();
    log->reset();
    Raw raw(dir_);
    raw.Put(Raw::kSnapshots, keys::Seq(kCut), at_cut);
    raw.Put(Raw::kMeta, "first_seq", keys::Seq(kCut + 1));
    // Half of the deletions had happened.
    for (uint64_t s = 1; s <= kCut / 2; ++s) {
      log::v1::LogRecord r = Synthetic(s, 20, 3, 200);
      raw.Delete(Raw::kByCluster, keys::ClusterPrefix(ClusterKey::From(r.cluster())) + keys::Seq(s));
    }
  }
  auto log = Open();
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->first_seq(), kCut + 1);
  EXPECT_EQ((*log)->CurrentState(), FoldAll(95));
  EXPECT_EQ((*log)->StateAt(kCut)->Serialize(), FoldAll(kCut).Serialize());
  EXPECT_EQ((*log)->StateAt(kCut - 1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ((*log)->Get(kCut).status().code(), absl::StatusCode::kNotFound);
  for (int c = 0; c < 3; ++c) {
    auto seqs = (*log)->SeqsForCluster({"default", absl::StrCat("c", c)}, {.limit = 1000});
    ASSERT_TRUE(seqs.ok());
    for (uint64_t s : *seqs) EXPECT_GT(s, kCut);
  }
  log->reset();
  Raw raw(dir_);
  EXPECT_EQ(raw.Get(Raw::kRecords, keys::Seq(kCut)), "");
  EXPECT_EQ(raw.Get(Raw::kSnapshots, keys::Seq(kCut - 10)), "");
  EXPECT_NE(raw.Get(Raw::kSnapshots, keys::Seq(kCut)), "");
}

}  // namespace
}  // namespace doris_operator::store
