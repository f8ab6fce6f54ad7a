// Crash test: a child process appends in a loop and reports every
// acknowledged sequence number through a pipe; the parent kill -9s it at
// random moments, reopens the log, and checks that every acknowledged record
// is present and intact, sequence numbers are gapless, and the indexes and
// watch cursors agree with the records.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "store/event_log.h"
#include "store/fold.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;

constexpr size_t kPayload = 600;

EventLogOptions OptionsFor(int mode) {
  EventLogOptions o;
  o.durability = mode == 0 ? Durability::kSyncEachAppend : Durability::kGroupCommit;
  o.snapshot_every = 97;
  return o;
}

// The content of record `seq` is a function of `seq` alone, so the parent can
// check every record without talking to the child.
log::v1::LogRecord Expected(uint64_t seq) {
  return testing::Synthetic(seq, 25, 3, kPayload);
}

[[noreturn]] void RunChild(const std::string& dir, int mode, int fd) {
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(dir, OptionsFor(mode));
  if (!log.ok()) {
    std::fprintf(stderr, "child: %s\n", std::string(log.status().message()).c_str());
    _exit(3);
  }
  std::mt19937 rng(static_cast<unsigned>(getpid()));
  uint64_t next = (*log)->last_seq() + 1;
  for (;;) {
    const int n = 1 + static_cast<int>(rng() % 5);
    std::vector<log::v1::LogRecord> batch;
    for (int i = 0; i < n; ++i) batch.push_back(Expected(next + i));
    absl::StatusOr<AppendResult> r = (*log)->Append(std::move(batch));
    if (!r.ok() || r->first_seq != next) _exit(4);
    next = r->last_seq + 1;
    const std::string line = std::to_string(r->last_seq) + "\n";
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
  }
}

// Reads whatever the child reported before it died; returns the highest
// acknowledged seq.
uint64_t DrainAcks(int fd, std::string buf = "") {
  char chunk[4096];
  for (;;) {
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
  }
  uint64_t max_ack = 0;
  size_t start = 0;
  for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
    uint64_t v = 0;
    if (absl::SimpleAtoi(buf.substr(start, nl - start), &v)) max_ack = std::max(max_ack, v);
  }
  return max_ack;
}

void VerifyLog(const std::string& dir, uint64_t max_ack) {
  EventLogOptions o = OptionsFor(1);
  o.paranoid_open = true;
  absl::StatusOr<std::unique_ptr<EventLog>> opened = EventLog::Open(dir, o);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EventLog& log = **opened;
  ASSERT_GE(log.last_seq(), max_ack) << "an acknowledged append was lost";

  std::map<ObjectId, std::vector<uint64_t>> by_object;
  std::map<ClusterKey, std::vector<uint64_t>> by_cluster;
  std::map<std::string, std::string> cursors;
  State folded;
  uint64_t expect = 1;
  for (auto it = log.Read(1); it->Valid(); it->Next()) {
    const log::v1::LogRecord& r = it->record();
    ASSERT_EQ(r.seq(), expect) << "gap in sequence numbers";
    log::v1::LogRecord want = Expected(expect);
    want.set_seq(expect);
    ASSERT_EQ(r.SerializeAsString(), want.SerializeAsString()) << "record " << expect
                                                                << " damaged";
    by_object[ObjectId::From(r.watch().object())].push_back(r.seq());
    by_cluster[ClusterKey::From(r.cluster())].push_back(r.seq());
    cursors[r.watch().stream()] = r.watch().resource_version();
    folded = Fold(std::move(folded), r);
    ++expect;
  }
  ASSERT_EQ(expect, log.last_seq() + 1);
  for (const auto& [id, seqs] : by_object) {
    ASSERT_EQ(*log.SeqsForObject(id, {.limit = 1u << 30}), seqs) << "object index " << id.name;
  }
  for (const auto& [c, seqs] : by_cluster) {
    ASSERT_EQ(*log.SeqsForCluster(c, {.limit = 1u << 30}), seqs) << "cluster index " << c.name;
  }
  ASSERT_EQ(*log.WatchCursors(), cursors);
  ASSERT_EQ(log.CurrentState().Serialize(), folded.Serialize());
}

// Starts this binary as an appender child; returns its pid (or -1) and the
// read end of the pipe it reports acknowledged seqs on.
pid_t SpawnAppender(const std::string& dir, int mode, int* read_fd) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const std::string mode_arg = std::to_string(mode);
    const std::string fd_arg = std::to_string(fds[1]);
    execl("/proc/self/exe", "crash_child", "--crash-child", dir.c_str(), mode_arg.c_str(),
          fd_arg.c_str(), static_cast<char*>(nullptr));
    _exit(6);
  }
  close(fds[1]);
  *read_fd = fds[0];
  return pid;
}

TEST(CrashTest, AcknowledgedAppendsSurviveKill9) {
  const std::string dir = (fs::path(::testing::TempDir()) / "crash_log").string();
  fs::remove_all(dir);
  std::mt19937 rng(20261125);
  constexpr int kRounds = 40;
  uint64_t total_acked = 0;
  for (int round = 0; round < kRounds; ++round) {
    const int mode = round % 2;
    int read_fd = -1;
    const pid_t pid = SpawnAppender(dir, mode, &read_fd);
    ASSERT_GT(pid, 0);
    // Once it has acknowledged an append (opening takes long on a loaded
    // machine), let it run a random while more, then kill it mid-flight.
    std::string first_ack;
    for (char c = 0; c != '\n' && read(read_fd, &c, 1) == 1;) first_ack.push_back(c);
    usleep(rng() % 150000);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    const uint64_t max_ack = DrainAcks(read_fd, first_ack);
    close(read_fd);
    total_acked = std::max(total_acked, max_ack);
    SCOPED_TRACE("round " + std::to_string(round));
    VerifyLog(dir, total_acked);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(total_acked, 0u) << "the child never acknowledged an append";
  std::printf("crash test: %d kill -9 rounds, %llu records acknowledged and verified\n", kRounds,
              static_cast<unsigned long long>(total_acked));
}

// kill -9 while the very first Open is creating the log: the next Open must
// finish the job, never call the directory foreign or damaged.
TEST(CrashTest, KilledFirstOpenIsFinishedByTheNext) {
  std::mt19937 rng(77);
  for (int round = 0; round < 15; ++round) {
    const std::string dir =
        (fs::path(::testing::TempDir()) / ("first_open_" + std::to_string(round))).string();
    fs::remove_all(dir);
    int read_fd = -1;
    const pid_t pid = SpawnAppender(dir, /*mode=*/0, &read_fd);
    ASSERT_GT(pid, 0);
    usleep(rng() % 8000);
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    const uint64_t max_ack = DrainAcks(read_fd);
    close(read_fd);
    SCOPED_TRACE("round " + std::to_string(round));
    VerifyLog(dir, max_ack);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace doris_operator::store

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--crash-child") {
    doris_operator::store::RunChild(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
