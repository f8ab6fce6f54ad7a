// A log that cannot be written: write errors injected into RocksDB's file
// system, including the group commit's WAL sync and a write that fails
// while concurrent appenders are committed as groups. Each stops every
// append, loses nothing acknowledged, and recovers in-process (or, for a
// fatal error, on reopen) as documented in docs/event-log.md. A real full
// disk is in full_disk_test.cc.

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "store/event_log.h"
#include "store/fold.h"
#include "tests/store/faulty_fs.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;
using testing::Faults;
using testing::Watch;

log::v1::LogRecord Named(const std::string& name) {
  return Watch({.name = name, .json = std::string(200, 'x')});
}

// Every record's object name in the log, in order; fails on a gap.
std::vector<std::string> Names(const EventLog& log) {
  std::vector<std::string> out;
  uint64_t expect = log.first_seq();
  for (auto it = log.Read(1); it->Valid(); it->Next()) {
    EXPECT_EQ(it->record().seq(), expect);
    ++expect;
    out.push_back(it->record().watch().object().name());
  }
  EXPECT_EQ(expect, log.last_seq() + 1);
  return out;
}

State FoldOf(const EventLog& log) {
  State s;
  for (auto it = log.Read(1); it->Valid(); it->Next()) s = Fold(std::move(s), it->record());
  return s;
}

// Calls log.Recover() until it succeeds or says it never will. RocksDB may
// be recovering by itself (Busy) for a moment; the deadline is generous
// because only a broken recovery ever reaches it.
absl::Status RecoverWithin(EventLog& log, absl::Duration deadline) {
  const absl::Time end = absl::Now() + deadline;
  absl::Status s;
  while (absl::Now() < end) {
    s = log.Recover();
    if (s.ok() || !log.write_health().recoverable) return s;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return s;
}

class WriteFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    env_ = testing::FaultyEnv(&faults_);
  }

  std::unique_ptr<EventLog> OpenFaulty(EventLogOptions options = {}) {
    options.env = env_.get();
    auto log = EventLog::Open(dir_.string(), options);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  fs::path dir_;
  Faults faults_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_F(WriteFailureTest, FailedWalWriteStopsAppendsUntilRecovered) {
  std::vector<std::string> acknowledged;
  {
    auto log = OpenFaulty({.durability = Durability::kSyncEachAppend});
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(log->Append({Named(absl::StrCat("a", i))}).ok());
      acknowledged.push_back(absl::StrCat("a", i));
    }
    EXPECT_TRUE(log->write_health().status.ok());

    faults_.wal_writes = true;
    absl::StatusOr<AppendResult> failed = log->Append({Named("lost")});
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.status().message().find("no space"), std::string::npos) << failed.status();
    WriteHealth h = log->write_health();
    EXPECT_FALSE(h.status.ok());
    EXPECT_TRUE(h.recoverable);
    EXPECT_EQ(h.failed_writes, 1u);
    EXPECT_NE(h.since, absl::InfinitePast());

    // Refused, not attempted: no record may land after the failed one.
    const int injected = faults_.injected;
    absl::StatusOr<AppendResult> refused = log->Append({Named("refused")});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("refused the append"), std::string::npos);
    EXPECT_EQ(faults_.injected, injected);
    EXPECT_EQ(log->last_seq(), 50u);

    // While the cause is there, recovery fails and says so.
    absl::Status still = log->Recover();
    EXPECT_FALSE(still.ok());
    EXPECT_NE(still.message().find("still cannot write"), std::string::npos) << still;
    EXPECT_TRUE(log->write_health().recoverable);

    faults_.wal_writes = false;
    absl::Status recovered = RecoverWithin(*log, absl::Seconds(60));
    ASSERT_TRUE(recovered.ok()) << recovered;
    EXPECT_TRUE(log->write_health().status.ok());
    absl::StatusOr<AppendResult> after = log->Append({Named("after")});
    ASSERT_TRUE(after.ok()) << after.status();
    EXPECT_EQ(after->first_seq, 51u);
    acknowledged.push_back("after");
    EXPECT_EQ(log->CurrentState(), FoldOf(*log));

    // The disk fails again right after recovering (every memtable was just
    // flushed): the log recovers again, on a new WAL file.
    faults_.wal_writes = true;
    EXPECT_FALSE(log->Append({Named("lost again")}).ok());
    faults_.wal_writes = false;
    recovered = RecoverWithin(*log, absl::Seconds(60));
    ASSERT_TRUE(recovered.ok()) << recovered;
    ASSERT_TRUE(log->Append({Named("after again")}).ok());
    acknowledged.push_back("after again");
    EXPECT_EQ(log->write_health().failed_writes, 2u);
  }
  auto log = EventLog::Open(dir_.string(), {.paranoid_open = true});
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(Names(**log), acknowledged);
}

// The snapshot due after a group is written with it: while the write that
// could still fail is in progress, no reader sees the group (before, the
// records were written and published first and the snapshot put after them:
// a reader could act on the group while the log still said it was healthy
// and then the snapshot write broke it). When that write fails, the group
// fails as a whole and nothing of it is visible.
TEST_F(WriteFailureTest, NoReaderSeesAGroupWhileItsSnapshotCanStillFail) {
  // A snapshot every 8 records; the state of 8 objects of 2 KiB outweighs a
  // single record, so the write carrying the snapshot is told apart by size.
  auto log = OpenFaulty({.snapshot_every = 8, .snapshot_bytes_ratio = 0});
  auto big = [](const std::string& name) {
    return Watch({.name = name, .json = std::string(2048, 'x')});
  };
  std::vector<std::string> acknowledged;
  for (int i = 1; i <= 7; ++i) {
    ASSERT_TRUE(log->Append({big(absl::StrCat("r", i))}).ok());
    acknowledged.push_back(absl::StrCat("r", i));
  }
  absl::Notification inside_write, release;
  uint64_t seen_during_write = 0;
  bool has_r8_during_write = true;
  faults_.on_large_wal_write = [&] {
    inside_write.Notify();
    release.WaitForNotification();
  };
  faults_.fail_wal_write_over = 3 * 2048;
  absl::StatusOr<AppendResult> r8;
  std::thread appender([&] { r8 = log->Append({big("r8")}); });
  inside_write.WaitForNotification();
  // Neither call waits for the writer: they take only the state's lock.
  seen_during_write = log->last_seq();
  has_r8_during_write = log->CurrentState().object_count() == 8;
  release.Notify();
  appender.join();

  EXPECT_EQ(seen_during_write, 7u) << "a reader saw record 8 before its write had succeeded";
  EXPECT_FALSE(has_r8_during_write);
  EXPECT_EQ(faults_.fail_wal_write_over, 0u) << "the snapshot's write was never attempted";
  ASSERT_FALSE(r8.ok()) << "the group's write failed, yet it was acknowledged";
  EXPECT_FALSE(log->write_health().status.ok());
  EXPECT_EQ(log->last_seq(), 7u);
  EXPECT_EQ(log->CurrentState().object_count(), 7u);

  absl::Status recovered = RecoverWithin(*log, absl::Seconds(60));
  ASSERT_TRUE(recovered.ok()) << recovered;
  EXPECT_EQ(Names(*log), acknowledged);
  ASSERT_TRUE(log->Append({big("r8 again")}).ok());
  acknowledged.push_back("r8 again");
  EXPECT_EQ(log->CurrentState(), FoldOf(*log));
  // The snapshot went in with record 8: the state there needs no fold.
  EXPECT_EQ(log->StateAt(8).value(), FoldOf(*log));
  log.reset();
  auto reopened = EventLog::Open(dir_.string(), {.snapshot_every = 8, .snapshot_bytes_ratio = 0});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(Names(**reopened), acknowledged);
  EXPECT_EQ((*reopened)->open_stats().snapshot_seq, 8u);
}

TEST_F(WriteFailureTest, FailedGroupCommitSyncStopsAppendsAndRecoveryMakesTheAckedDurable) {
  std::vector<std::string> acknowledged;
  {
    auto log = OpenFaulty({.durability = Durability::kGroupCommit,
                           .group_commit_interval = absl::Milliseconds(5)});
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(log->Append({Named(absl::StrCat("a", i))}).ok());
      acknowledged.push_back(absl::StrCat("a", i));
    }
    faults_.wal_syncs = true;
    // Acknowledged before the background sync that fails.
    ASSERT_TRUE(log->Append({Named("unsynced")}).ok());
    acknowledged.push_back("unsynced");
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (log->write_health().status.ok() && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    ASSERT_FALSE(log->write_health().status.ok());
    EXPECT_NE(log->write_health().status.message().find("syncing the write-ahead log"),
              std::string::npos);
    EXPECT_FALSE(log->Append({Named("refused")}).ok());

    faults_.wal_syncs = false;
    absl::Status recovered = RecoverWithin(*log, absl::Seconds(60));
    ASSERT_TRUE(recovered.ok()) << recovered;
    ASSERT_TRUE(log->Append({Named("after")}).ok());
    acknowledged.push_back("after");
  }
  auto log = EventLog::Open(dir_.string(), {.paranoid_open = true});
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(Names(**log), acknowledged);
}

// Concurrent appenders are committed by one leader per group; a write error
// fails every writer of that group, and none of their records may appear.
void WriteErrorAmongConcurrentAppenders(WriteFailureTest* t, EventLog& log, Faults& faults,
                                        std::set<std::string>* acknowledged,
                                        std::set<std::string>* failed) {
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) {
    threads.emplace_back([&, w] {
      for (int n = 0;; ++n) {
        std::vector<log::v1::LogRecord> batch;
        std::vector<std::string> names;
        for (int k = 0; k < 3; ++k) {
          names.push_back(absl::StrCat("w", w, "-", n, "-", k));
          batch.push_back(Named(names.back()));
        }
        absl::StatusOr<AppendResult> r = log.Append(std::move(batch));
        std::lock_guard<std::mutex> l(mu);
        for (const std::string& name : names) (r.ok() ? acknowledged : failed)->insert(name);
        if (!r.ok()) return;
      }
    });
  }
  // Fail writes once the appenders are well under way.
  while (log.last_seq() < 600) absl::SleepFor(absl::Milliseconds(1));
  faults.wal_writes = true;
  for (std::thread& th : threads) th.join();
  (void)t;
}

TEST_F(WriteFailureTest, NoSpaceAmongConcurrentAppendersFailsWholeGroupsAndRecovers) {
  std::set<std::string> acknowledged, failed;
  {
    auto log = OpenFaulty({.durability = Durability::kGroupCommit});
    WriteErrorAmongConcurrentAppenders(this, *log, faults_, &acknowledged, &failed);
    EXPECT_EQ(failed.size(), 8u * 3);  // each appender's last append failed
    EXPECT_FALSE(log->write_health().status.ok());
    faults_.wal_writes = false;
    absl::Status recovered = RecoverWithin(*log, absl::Seconds(60));
    ASSERT_TRUE(recovered.ok()) << recovered;
    ASSERT_TRUE(log->Append({Named("after")}).ok());
    acknowledged.insert("after");
    EXPECT_EQ(log->CurrentState(), FoldOf(*log));
  }
  auto log = EventLog::Open(dir_.string(), {.paranoid_open = true});
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::string> names = Names(**log);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), acknowledged);
  EXPECT_EQ(names.size(), acknowledged.size());
}

TEST_F(WriteFailureTest, FatalWriteErrorAmongConcurrentAppendersIsClearedByReopening) {
  faults_.no_space = false;  // a plain I/O error: RocksDB will not resume from it
  std::set<std::string> acknowledged, failed;
  {
    auto log = OpenFaulty({.durability = Durability::kGroupCommit});
    WriteErrorAmongConcurrentAppenders(this, *log, faults_, &acknowledged, &failed);
    EXPECT_EQ(failed.size(), 8u * 3);
    faults_.wal_writes = false;
    absl::Status recovered = RecoverWithin(*log, absl::Seconds(60));
    if (!recovered.ok()) {
      EXPECT_FALSE(log->write_health().recoverable);
      EXPECT_NE(recovered.message().find("restart"), std::string::npos) << recovered;
      EXPECT_FALSE(log->Append({Named("refused")}).ok());
    }
  }
  // Reopening is the documented way out; it keeps everything acknowledged
  // and nothing of the failed groups.
  auto log = EventLog::Open(dir_.string(), {.paranoid_open = true});
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::string> names = Names(**log);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), acknowledged);
  EXPECT_EQ(names.size(), acknowledged.size());
  EXPECT_TRUE((*log)->Append({Named("after")}).ok());
}

TEST_F(WriteFailureTest, FailedBackgroundFlushStopsAppendsAndRecoverReopens) {
  std::vector<std::string> acknowledged;
  {
    // Small memtables, so appends make RocksDB flush in the background.
    auto log = OpenFaulty({.durability = Durability::kGroupCommit,
                           .records_write_buffer_bytes = 64 << 10});
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(log->Append({Named(absl::StrCat("a", i))}).ok());
      acknowledged.push_back(absl::StrCat("a", i));
    }
    faults_.table_writes = true;
    // Appends go on until a flush has failed: the log then reports it (even
    // before an append meets RocksDB's stopped writes) and refuses appends.
    for (int i = 0; i < 100000 && log->write_health().status.ok(); ++i) {
      absl::StatusOr<AppendResult> r = log->Append({Named(absl::StrCat("b", i))});
      if (r.ok()) acknowledged.push_back(absl::StrCat("b", i));
    }
    ASSERT_FALSE(log->write_health().status.ok()) << "no flush ever failed";
    EXPECT_GT(faults_.injected, 0);
    EXPECT_FALSE(log->Append({Named("refused")}).ok());

    // The probe file is not a table file, so it passes; reopening replays
    // the WAL into table files, which still fail: the log says so and stays
    // closed, recoverable.
    absl::Status still = log->Recover();
    EXPECT_FALSE(still.ok());
    EXPECT_NE(still.message().find("still cannot write"), std::string::npos) << still;
    EXPECT_TRUE(log->write_health().recoverable);
    EXPECT_FALSE(log->Append({Named("refused")}).ok());

    faults_.table_writes = false;
    absl::Status recovered = RecoverWithin(*log, absl::Seconds(60));
    ASSERT_TRUE(recovered.ok()) << recovered;
    EXPECT_TRUE(log->write_health().status.ok());
    EXPECT_EQ(log->CurrentState(), FoldOf(*log));
    ASSERT_TRUE(log->Append({Named("after")}).ok());
    acknowledged.push_back("after");
  }
  auto log = EventLog::Open(dir_.string(), {.paranoid_open = true});
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(Names(**log), acknowledged);
}

TEST_F(WriteFailureTest, RecoverWaitsForReadersAndRetriesLater) {
  auto log = OpenFaulty({.durability = Durability::kSyncEachAppend});
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append({Named(absl::StrCat("a", i))}).ok());
  faults_.wal_writes = true;
  ASSERT_FALSE(log->Append({Named("lost")}).ok());
  faults_.wal_writes = false;

  // An iterator holds the database open: it is not closed under it.
  std::unique_ptr<RecordIterator> reader = log->Read(1);
  ASSERT_TRUE(reader->Valid());
  absl::Status held = log->Recover();
  EXPECT_FALSE(held.ok());
  EXPECT_NE(held.message().find("readers held the log"), std::string::npos) << held;
  EXPECT_TRUE(log->write_health().recoverable);
  // The reader still works.
  int n = 0;
  for (; reader->Valid(); reader->Next()) ++n;
  EXPECT_TRUE(reader->status().ok()) << reader->status();
  EXPECT_EQ(n, 10);

  reader.reset();
  ASSERT_TRUE(log->Recover().ok());
  ASSERT_TRUE(log->Append({Named("after")}).ok());
  EXPECT_EQ(log->last_seq(), 11u);
}

}  // namespace
}  // namespace doris_operator::store
