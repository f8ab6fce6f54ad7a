// A real full disk under the event log: a 24 MiB tmpfs mounted in a mount
// namespace of this test's own (so it needs root, as the CI machine gives;
// main() sets it up before any thread exists, since RocksDB's background
// threads would otherwise stay in the old namespace). Appends stop with an
// error naming the log, nothing acknowledged is lost, and freeing space lets
// Recover() make the log writable again.

#include <sched.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "store/event_log.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;

fs::path* disk = nullptr;

log::v1::LogRecord Named(const std::string& name) {
  return testing::Watch({.name = name, .json = std::string(200, 'x')});
}

TEST(FullDiskTest, FullDiskStopsAppendsAndFreeingSpaceRecovers) {
  const fs::path logdir = *disk / "log";
  std::vector<std::string> acknowledged;
  {
    // Small memtables: RocksDB preallocates the WAL by about their size.
    auto opened = EventLog::Open(logdir.string(), {.durability = Durability::kGroupCommit,
                                                   .records_write_buffer_bytes = 1 << 20});
    ASSERT_TRUE(opened.ok()) << opened.status();
    EventLog& log = **opened;
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(log.Append({Named(absl::StrCat("a", i))}).ok());
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
      absl::StatusOr<AppendResult> r = log.Append({Named(absl::StrCat("b", i))});
      if (r.ok()) {
        acknowledged.push_back(absl::StrCat("b", i));
      } else {
        failure = r.status();
      }
    }
    ASSERT_FALSE(failure.ok()) << "a full disk never failed an append";
    EXPECT_NE(failure.message().find(logdir.string()), std::string::npos) << failure;
    EXPECT_NE(failure.message().find("No space left on device"), std::string::npos) << failure;
    EXPECT_FALSE(log.write_health().status.ok());
    EXPECT_FALSE(log.Append({Named("refused")}).ok());
    absl::Status still = log.Recover();
    EXPECT_FALSE(still.ok());

    fs::remove(*disk / "filler");
    // As the operator does: retry while it says a later call may succeed
    // (a flush that failed on the full disk may still be settling).
    absl::Status recovered = log.Recover();
    for (const absl::Time end = absl::Now() + absl::Seconds(60);
         !recovered.ok() && log.write_health().recoverable && absl::Now() < end;) {
      absl::SleepFor(absl::Milliseconds(100));
      recovered = log.Recover();
    }
    if (log.write_health().recoverable) {
      // The failure hit an append: recovered in-process.
      ASSERT_TRUE(recovered.ok()) << recovered;
      std::printf("full disk: recovered in-process\n");
    } else {
      // A background flush failed too (the memtable filled on the full
      // disk): only a reopen clears it, as documented.
      EXPECT_NE(recovered.message().find("restart"), std::string::npos) << recovered;
      std::printf("full disk: a flush failed; recovered by reopening\n");
      opened->reset();
      opened = EventLog::Open(logdir.string(), {.durability = Durability::kGroupCommit,
                                                .records_write_buffer_bytes = 1 << 20});
      ASSERT_TRUE(opened.ok()) << opened.status();
    }
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE((*opened)->Append({Named(absl::StrCat("c", i))}).ok());
      acknowledged.push_back(absl::StrCat("c", i));
    }
  }
  auto log = EventLog::Open(logdir.string(), {.paranoid_open = true});
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::string> names;
  for (auto it = (*log)->Read(1); it->Valid(); it->Next()) {
    names.push_back(it->record().watch().object().name());
  }
  EXPECT_EQ(names, acknowledged);
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
