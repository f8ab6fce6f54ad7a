// The operator on a full disk: its event log's volume is a size-limited
// tmpfs (mounted in this test's own mount namespace; needs root). When the
// log cannot be written the operator is not ready, stays alive, starts no
// reconcile and writes nothing to the cluster, and says why in an Event and
// a metric; once space is freed it recovers by itself, becomes ready and
// applies what changed meanwhile. Each step waits for the event it checks.

#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Fills `path` with a file until the disk refuses more, or until `bytes`.
void Fill(const fs::path& path, uint64_t bytes = UINT64_MAX) {
  std::ofstream f(path, std::ios::binary);
  const std::string chunk(64 << 10, 'f');
  for (uint64_t written = 0; written < bytes && f.write(chunk.data(), chunk.size());) {
    written += chunk.size();
    f.flush();
    if (!f) break;
  }
}

uint64_t FreeBytes(const fs::path& path) {
  struct statvfs v {};
  if (statvfs(path.c_str(), &v) != 0) return 0;
  return static_cast<uint64_t>(v.f_bavail) * v.f_frsize;
}

class LogFailureE2eTest : public OperatorE2eTest {
 public:
  std::vector<std::string> ExtraOperatorArgs() const override {
    return {"--data-dir", disk_ + "/data", "--resync-period", "1s", "--log-recovery-interval",
            "1s"};
  }

 protected:
  void SetUp() override {
    disk_ = (fs::path(::testing::TempDir()) /
             ("logdisk-" +
              std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())))
                .string();
    fs::create_directories(disk_);
    ASSERT_EQ(mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=64m"), 0) << std::strerror(errno);
    mounted_ = true;
    // Leave the log a few MB: RocksDB then cannot preallocate its write-ahead
    // log (16 MB ahead), so a full disk fails the very next write.
    const uint64_t free = FreeBytes(disk_);
    ASSERT_GT(free, 8u << 20);
    Fill(fs::path(disk_) / "ballast", free - (6u << 20));
    OperatorE2eTest::SetUp();
  }
  void TearDown() override {
    if (operator_) operator_->Kill(SIGTERM);
    if (mounted_) umount2(disk_.c_str(), MNT_DETACH);
  }

  // Write requests (not reads, not Events) the operator made, by verb and resource.
  std::map<std::string, int64_t> ClusterWrites() {
    std::map<std::string, int64_t> out;
    auto used = client_->Get("/kubesim/requests?userAgent=doris-operator");
    if (!used.ok()) return out;
    for (const Json& u : (*used)["requests"]) {
      const std::string verb = u.value("verb", ""), resource = u.value("resource", "");
      if (verb == "get" || verb == "list" || verb == "watch" || resource == "events") continue;
      out[absl::StrCat(verb, " ", u.value("group", ""), "/", resource)] = u.value("count", 0);
    }
    return out;
  }

  bool HasEvent(const std::string& cluster, const std::string& reason) {
    Json events = Get("/api/v1/namespaces/default/events");
    if (!events["items"].is_array()) return false;
    for (const Json& e : events["items"]) {
      if (e.value("reason", "") == reason && e["involvedObject"].value("name", "") == cluster) {
        return true;
      }
    }
    return false;
  }

  std::string disk_;
  bool mounted_ = false;
};

TEST_F(LogFailureE2eTest, FullDiskStopsEveryWriteAndFreeingSpaceResumes) {
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && Probe("/readyz") == 200; }))
      << operator_->Output();
  ASSERT_EQ(Metric("doris_operator_log_writable"), 1);
  ASSERT_EQ(StsReplicas("demo-be"), 1);

  // The disk fills; the next append (a watch event, a resync's reconcile
  // record) fails.
  Fill(fs::path(disk_) / "filler");
  auto patched = Kubectl({"patch", "dorisclusters.doris.selectdb.com", "demo", "--type=merge",
                          "-p", R"({"spec":{"beSpec":{"replicas":2}}})"});
  ASSERT_EQ(patched.exit_code, 0) << patched.output;
  ASSERT_TRUE(Eventually([&] { return Probe("/readyz") == 503; })) << operator_->Output();
  EXPECT_EQ(Metric("doris_operator_log_writable"), 0);
  EXPECT_GE(Metric("doris_operator_log_write_failures_total"), 1);
  // Alive: a restart would not free the disk.
  EXPECT_EQ(Probe("/healthz"), 200);
  ASSERT_TRUE(Eventually([&] { return HasEvent("demo", "EventLogWriteFailed"); }))
      << operator_->Output();

  // No reconcile runs and nothing is written while the log is down: once
  // the resync has asked for (and been refused) several reconciles after
  // the failure, the operator's write requests are where they were.
  // (Whether the patch's own watch record reached the disk before it filled
  // depends on where the disk ran out; if it did, the patch is durable and
  // may have been applied before the failure. Either way nothing may change
  // from the moment the log is down.)
  const std::map<std::string, int64_t> writes = ClusterWrites();
  const int replicas_when_down = StsReplicas("demo-be");
  const double paused = Metric("doris_operator_reconciles_paused_total");
  ASSERT_TRUE(Eventually([&] { return Metric("doris_operator_reconciles_paused_total") >= paused + 3; }))
      << operator_->Output();
  EXPECT_EQ(ClusterWrites(), writes);
  EXPECT_EQ(StsReplicas("demo-be"), replicas_when_down);
  EXPECT_EQ(Probe("/readyz"), 503);

  // Space comes back: the operator recovers by itself, and what changed
  // meanwhile (the watch resumes from the log's cursor) is applied.
  fs::remove(fs::path(disk_) / "filler");
  fs::remove(fs::path(disk_) / "ballast");
  ASSERT_TRUE(Eventually([&] { return Probe("/readyz") == 200; })) << operator_->Output();
  EXPECT_EQ(Metric("doris_operator_log_writable"), 1);
  // Readiness follows the log itself, which is writable as soon as Recover
  // has succeeded; the guard counts the recovery just after.
  EXPECT_TRUE(Eventually([&] { return Metric("doris_operator_log_recoveries_total") >= 1; }));
  ASSERT_TRUE(Eventually([&] { return HasEvent("demo", "EventLogRecovered"); }))
      << operator_->Output();
  ASSERT_TRUE(Eventually([&] { return StsReplicas("demo-be") == 2; })) << operator_->Output();
}

}  // namespace
}  // namespace doris_operator

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // A mount namespace of this test's own (and its children's): the tmpfs
  // never shows outside it.
  if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    std::fprintf(stderr,
                 "log_failure_e2e_test mounts a size-limited tmpfs in its own mount namespace "
                 "and needs root (CAP_SYS_ADMIN): %s\n",
                 std::strerror(errno));
    return 1;
  }
  return RUN_ALL_TESTS();
}
