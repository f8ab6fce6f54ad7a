// A real full disk under the event log: a 24 MiB tmpfs mounted in a mount
// namespace of this test's own (so it needs root, as the CI machine gives;
// main() sets it up before any thread exists, since RocksDB's background
// threads would otherwise stay in the old namespace). Appends stop with an
// error naming the log, nothing acknowledged is lost, and freeing space lets
// Recover() make the log writable again in-process, whether the append or a
// background flush hit the full disk first.
//
// Every call into the log runs under a watchdog: one that blocks (RocksDB
// waiting for a flush that never comes, as Resume could) ends the test with
// the step's name rather than at Bazel's timeout.

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "store/event_log.h"
#include "store/fold.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;

fs::path* disk = nullptr;

// Ends the process with a message when an armed step has not returned by its
// deadline. The bound is a hang detector, far above any step's normal time
// on a loaded machine; no verdict depends on speed below it.
class Watchdog {
 public:
  Watchdog() : thread_([this] { Run(); }) {}
  ~Watchdog() {
    {
      absl::MutexLock l(&mu_);
      stop_ = true;
    }
    thread_.join();
  }

  // Arms the watchdog for `step` until the returned guard goes.
  class Step {
   public:
    Step(Watchdog* w, std::string what, absl::Duration limit) : w_(w) {
      absl::MutexLock l(&w_->mu_);
      w_->step_ = std::move(what);
      w_->deadline_ = absl::Now() + limit;
      w_->limit_ = limit;
    }
    ~Step() {
      absl::MutexLock l(&w_->mu_);
      w_->deadline_ = absl::InfiniteFuture();
    }

   private:
    Watchdog* const w_;
  };

 private:
  void Run() {
    absl::MutexLock l(&mu_);
    while (!stop_) {
      mu_.AwaitWithTimeout(absl::Condition(&stop_), absl::Milliseconds(200));
      if (!stop_ && absl::Now() > deadline_) {
        std::fprintf(stderr,
                     "full_disk_test: FAILED: %s did not return within %s: a call into the event "
                     "log blocked (RocksDB waiting on the full disk?)\n",
                     step_.c_str(), absl::FormatDuration(limit_).c_str());
        std::fflush(stderr);
        _exit(1);
      }
    }
  }

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::string step_ ABSL_GUARDED_BY(mu_);
  absl::Time deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  absl::Duration limit_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

constexpr absl::Duration kCallLimit = absl::Seconds(60);

log::v1::LogRecord Named(const std::string& name) {
  return testing::Watch({.name = name, .json = std::string(200, 'x')});
}

State FoldOf(const EventLog& log) {
  State s;
  for (auto it = log.Read(1); it->Valid(); it->Next()) s = Fold(std::move(s), it->record());
  return s;
}

TEST(FullDiskTest, FullDiskStopsAppendsAndFreeingSpaceRecoversInProcess) {
  Watchdog watchdog;
  const fs::path logdir = *disk / "log";
  std::vector<std::string> acknowledged;
  {
    std::unique_ptr<EventLog> log;
    {
      Watchdog::Step step(&watchdog, "EventLog::Open", kCallLimit);
      // Small memtables: flushes happen while the disk fills, so either an
      // append or a background flush meets the full disk first.
      auto opened = EventLog::Open(logdir.string(), {.durability = Durability::kGroupCommit,
                                                     .records_write_buffer_bytes = 1 << 20});
      ASSERT_TRUE(opened.ok()) << opened.status();
      log = *std::move(opened);
    }
    for (int i = 0; i < 100; ++i) {
      Watchdog::Step step(&watchdog, "Append before the disk is full", kCallLimit);
      ASSERT_TRUE(log->Append({Named(absl::StrCat("a", i))}).ok());
      acknowledged.push_back(absl::StrCat("a", i));
    }
    {
      // Fill what is left.
      std::ofstream filler(*disk / "filler", std::ios::binary);
      const std::string mb(1 << 20, 'f');
      while (filler.write(mb.data(), mb.size())) {
      }
    }
    absl::Status failure;
    for (int i = 0; i < 200000 && failure.ok(); ++i) {
      Watchdog::Step step(&watchdog, absl::StrCat("Append ", i, " on the full disk"), kCallLimit);
      absl::StatusOr<AppendResult> r = log->Append({Named(absl::StrCat("b", i))});
      if (r.ok()) {
        acknowledged.push_back(absl::StrCat("b", i));
      } else {
        failure = r.status();
      }
    }
    ASSERT_FALSE(failure.ok()) << "a full disk never failed an append";
    EXPECT_NE(failure.message().find(logdir.string()), std::string::npos) << failure;
    EXPECT_NE(failure.message().find("No space left on device"), std::string::npos) << failure;
    {
      Watchdog::Step step(&watchdog, "write_health and a refused Append", kCallLimit);
      EXPECT_FALSE(log->write_health().status.ok());
      EXPECT_FALSE(log->Append({Named("refused")}).ok());
    }
    {
      Watchdog::Step step(&watchdog, "Recover while the disk is full", kCallLimit);
      absl::Status still = log->Recover();
      EXPECT_FALSE(still.ok());
      EXPECT_NE(still.message().find("still cannot write"), std::string::npos) << still;
      EXPECT_TRUE(log->write_health().recoverable);
    }

    fs::remove(*disk / "filler");
    {
      // One call reopens the log; a second only if the first met a reader
      // or a disk still settling (it says so, and stays recoverable).
      Watchdog::Step step(&watchdog, "Recover after freeing space", kCallLimit);
      absl::Status recovered = log->Recover();
      for (int attempt = 1; attempt < 5 && !recovered.ok() && log->write_health().recoverable;
           ++attempt) {
        recovered = log->Recover();
      }
      ASSERT_TRUE(recovered.ok()) << recovered;
      EXPECT_TRUE(log->write_health().status.ok());
      EXPECT_GE(log->write_health().failed_writes, 1u);
    }
    {
      Watchdog::Step step(&watchdog, "reading the reopened log", kCallLimit);
      EXPECT_EQ(log->CurrentState(), FoldOf(*log));
    }
    for (int i = 0; i < 100; ++i) {
      Watchdog::Step step(&watchdog, "Append after recovering", kCallLimit);
      ASSERT_TRUE(log->Append({Named(absl::StrCat("c", i))}).ok());
      acknowledged.push_back(absl::StrCat("c", i));
    }
    Watchdog::Step step(&watchdog, "closing the log", kCallLimit);
    log.reset();
  }
  Watchdog::Step step(&watchdog, "reopening the log and reading it", kCallLimit);
  auto log = EventLog::Open(logdir.string(), {.paranoid_open = true});
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::string> names;
  for (auto it = (*log)->Read(1); it->Valid(); it->Next()) {
    names.push_back(it->record().watch().object().name());
  }
  // Everything acknowledged, in order. An append that failed may still have
  // reached the WAL whole (the disk filled on a later step); it is then in
  // the log like any record, after every acknowledged "b".
  ASSERT_GE(names.size(), acknowledged.size());
  std::vector<std::string> kept;
  for (const std::string& n : names) {
    if (n.rfind("b", 0) == 0 &&
        std::find(acknowledged.begin(), acknowledged.end(), n) == acknowledged.end()) {
      continue;
    }
    kept.push_back(n);
  }
  EXPECT_EQ(kept, acknowledged);
  EXPECT_LE(names.size(), acknowledged.size() + 1);
}

}  // namespace
}  // namespace doris_operator::store

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  namespace fs = std::filesystem;
  if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    std::fprintf(stderr,
                 "full_disk_test mounts a size-limited tmpfs in its own mount namespace and "
                 "needs root (CAP_SYS_ADMIN): %s\n",
                 std::strerror(errno));
    return 1;
  }
  fs::path disk = fs::path(::testing::TempDir()) / "disk";
  fs::create_directories(disk);
  if (mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=24m") != 0) {
    std::fprintf(stderr, "full_disk_test: mounting a tmpfs on %s: %s\n", disk.c_str(),
                 std::strerror(errno));
    return 1;
  }
  doris_operator::store::disk = &disk;
  const int rc = RUN_ALL_TESTS();
  umount2(disk.c_str(), MNT_DETACH);
  return rc;
}
