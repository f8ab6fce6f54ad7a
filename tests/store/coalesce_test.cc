// The coalescing rule (store/coalesce.h) and EventLog::AppendReconcile: a
// repeat of the same decision is counted on one record; any change of the
// cluster's observed state or of the decision starts a new record; counts
// survive a reopen and kill -9 (a child process extends runs and reports
// every acknowledged count; the parent kills it and checks none went down).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "store/coalesce.h"
#include "store/event_log.h"
#include "store/keys.h"
#include "tests/store/raw_log.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;
using log::v1::LogRecord;
using log::v1::ReconcileRecord;

ReconcileRecord Decision(const std::string& input, ReconcileRecord::Outcome outcome =
                                                        ReconcileRecord::REQUEUED) {
  ReconcileRecord r;
  r.set_outcome(outcome);
  r.set_input_state_hash(input);
  r.set_desired_set_hash("desired-1");
  r.set_translator_version("test");
  r.set_trigger_seq_begin(10);
  r.set_trigger_seq_end(12);
  r.set_duration_micros(1500);
  auto* p = r.add_partitions();
  p->set_component("be");
  p->set_partition(1);
  return r;
}

LogRecord Reconcile(const std::string& cluster, const ReconcileRecord& rec, int64_t second) {
  LogRecord r;
  r.mutable_cluster()->set_namespace_("default");
  r.mutable_cluster()->set_name(cluster);
  *r.mutable_reconcile() = rec;
  r.mutable_observed_at()->set_seconds(second);
  return r;
}

LogRecord WatchOf(const std::string& cluster, int n, int64_t second) {
  testing::WatchSpec w;
  w.cluster = cluster;
  w.name = cluster + "-be-0";
  w.kind = "Pod";
  w.api_version = "v1";
  w.stream = "v1/pods";
  w.resource_version = absl::StrCat(n);
  w.json = absl::StrCat("{\"n\":", n, "}");
  LogRecord r = testing::Watch(w);
  r.mutable_observed_at()->set_seconds(second);
  return r;
}

// --- The rule -----------------------------------------------------------------

TEST(RepeatsDecisionTest, SameInputAndDecisionIsARepeat) {
  ReconcileRecord a = Decision("in-1");
  ReconcileRecord b = a;
  // When it ran, for how long and which record it names as a cause do not
  // make a different decision.
  b.set_trigger_seq_begin(90);
  b.set_trigger_seq_end(99);
  b.set_duration_micros(4000);
  EXPECT_TRUE(RepeatsDecision(a, b));
  ReconcileRecord na = Decision("in-1", ReconcileRecord::NO_CHANGE);
  EXPECT_TRUE(RepeatsDecision(na, na));
  auto* act = a.add_actions();
  act->set_verb("event");
  act->set_detail("(rate-limited) be: waiting for demo-be-1");
  act->set_ok(true);
  act->set_caused_by_seq(5);
  b = a;
  b.mutable_actions(0)->set_caused_by_seq(17);
  EXPECT_TRUE(RepeatsDecision(a, b));
}

TEST(RepeatsDecisionTest, AnyChangeOfInputOrDecisionIsNot) {
  const ReconcileRecord a = Decision("in-1");
  auto differs = [&](const std::function<void(ReconcileRecord*)>& change) {
    ReconcileRecord b = a;
    change(&b);
    return !RepeatsDecision(a, b);
  };
  EXPECT_TRUE(differs([](ReconcileRecord* r) { r->set_input_state_hash("in-2"); }));
  EXPECT_TRUE(differs([](ReconcileRecord* r) { r->set_outcome(ReconcileRecord::NO_CHANGE); }));
  EXPECT_TRUE(differs([](ReconcileRecord* r) { r->set_desired_set_hash("desired-2"); }));
  EXPECT_TRUE(differs([](ReconcileRecord* r) { r->mutable_partitions(0)->set_partition(0); }));
  EXPECT_TRUE(differs([](ReconcileRecord* r) { r->set_error("be: FE unreachable"); }));
  EXPECT_TRUE(differs([](ReconcileRecord* r) { r->set_translator_version("next"); }));
  EXPECT_TRUE(differs([](ReconcileRecord* r) { r->set_diff_json("{\"patch\":1}"); }));
  EXPECT_TRUE(differs([](ReconcileRecord* r) {
    auto* o = r->add_replica_overrides();
    o->set_component("be");
    o->set_replicas(3);
  }));
  EXPECT_TRUE(differs([](ReconcileRecord* r) {
    auto* act = r->add_actions();
    act->set_verb("patch");
    act->set_ok(true);
  }));
  // A decision that acted or failed is information each time.
  for (auto o : {ReconcileRecord::APPLIED, ReconcileRecord::FAILED, ReconcileRecord::INVALID_SPEC}) {
    ReconcileRecord x = Decision("in-1", o);
    EXPECT_FALSE(RepeatsDecision(x, x)) << ReconcileRecord::Outcome_Name(o);
  }
  // Nothing says an input without a hash was the same.
  ReconcileRecord unhashed = Decision("");
  EXPECT_FALSE(RepeatsDecision(unhashed, unhashed));
}

TEST(RepeatsDecisionTest, CountRepeatNeverLowersWhatTheRunHeld) {
  LogRecord run = Reconcile("c1", Decision("in-1"), 100);
  LogRecord next = Reconcile("c1", Decision("in-1"), 130);
  next.mutable_reconcile()->set_trigger_seq_end(40);
  next.mutable_reconcile()->set_duration_micros(9000);
  CountRepeat(next, &run);
  EXPECT_EQ(run.reconcile().repeats().count(), 2u);
  EXPECT_EQ(run.reconcile().repeats().last_observed_at().seconds(), 130);
  EXPECT_EQ(run.reconcile().repeats().last_trigger_seq_end(), 40u);
  EXPECT_EQ(run.reconcile().repeats().max_duration_micros(), 9000);
  // An earlier-stamped repeat (clocks) keeps the later time and trigger.
  LogRecord early = Reconcile("c1", Decision("in-1"), 120);
  CountRepeat(early, &run);
  EXPECT_EQ(run.reconcile().repeats().count(), 3u);
  EXPECT_EQ(run.reconcile().repeats().last_observed_at().seconds(), 130);
  EXPECT_EQ(run.reconcile().repeats().last_trigger_seq_end(), 40u);
  EXPECT_EQ(run.observed_at().seconds(), 100);  // the first time stays
  EXPECT_EQ(ReconcileCount(run.reconcile()), 3u);
}

// --- AppendReconcile ------------------------------------------------------------

class AppendReconcileTest : public ::testing::TestWithParam<Durability> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) c = c == '/' ? '_' : c;
    dir_ = (fs::path(::testing::TempDir()) / ("coalesce_" + name)).string();
    fs::remove_all(dir_);
    Reopen();
  }
  void Reopen() {
    log_.reset();
    EventLogOptions o;
    o.durability = GetParam();
    o.snapshot_every = 5;
    auto opened = EventLog::Open(dir_, o);
    ASSERT_TRUE(opened.ok()) << opened.status();
    log_ = std::move(*opened);
  }
  ReconcileAppend Put(const LogRecord& r) {
    auto a = log_->AppendReconcile(r);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : ReconcileAppend{};
  }

  std::string dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_P(AppendReconcileTest, RepeatsAreCountedOnOneRecord) {
  ASSERT_TRUE(log_->Append({WatchOf("c1", 1, 100)}).ok());
  const ReconcileAppend first = Put(Reconcile("c1", Decision("in-1"), 101));
  EXPECT_FALSE(first.coalesced);
  EXPECT_EQ(first.seq, 2u);
  for (int i = 0; i < 50; ++i) {
    LogRecord again = Reconcile("c1", Decision("in-1"), 103 + 2 * i);
    again.mutable_reconcile()->set_trigger_seq_end(2);
    const ReconcileAppend a = Put(again);
    EXPECT_TRUE(a.coalesced);
    EXPECT_EQ(a.seq, 2u);
    EXPECT_EQ(a.count, static_cast<uint64_t>(i + 2));
  }
  EXPECT_EQ(log_->last_seq(), 2u) << "repeats must not append";
  auto run = log_->Get(2);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->reconcile().repeats().count(), 51u);
  EXPECT_EQ(run->observed_at().seconds(), 101);
  EXPECT_EQ(run->reconcile().repeats().last_observed_at().seconds(), 201);
  EXPECT_EQ(run->reconcile().repeats().last_trigger_seq_end(), 12u);

  // The count is in the log, not in memory.
  Reopen();
  auto reopened = log_->Get(2);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->reconcile().repeats().count(), 51u);
  const ReconcileAppend after = Put(Reconcile("c1", Decision("in-1"), 300));
  EXPECT_TRUE(after.coalesced);
  EXPECT_EQ(after.count, 52u);
}

TEST_P(AppendReconcileTest, ARecordOfTheClusterOrANewDecisionStartsANewRecord) {
  ASSERT_EQ(Put(Reconcile("c1", Decision("in-1"), 100)).seq, 1u);
  ASSERT_TRUE(Put(Reconcile("c1", Decision("in-1"), 102)).coalesced);
  // Another cluster's records do not break the run.
  ASSERT_TRUE(log_->Append({WatchOf("c2", 1, 103)}).ok());
  ASSERT_EQ(Put(Reconcile("c2", Decision("in-x"), 103)).seq, 3u);
  EXPECT_TRUE(Put(Reconcile("c1", Decision("in-1"), 104)).coalesced);
  // The cluster's own record does, even with the same input hash.
  ASSERT_TRUE(log_->Append({WatchOf("c1", 2, 105)}).ok());
  ReconcileAppend a = Put(Reconcile("c1", Decision("in-1"), 106));
  EXPECT_FALSE(a.coalesced);
  EXPECT_EQ(a.seq, 5u);
  // A different decision on the same input does.
  a = Put(Reconcile("c1", Decision("in-1", ReconcileRecord::NO_CHANGE), 107));
  EXPECT_FALSE(a.coalesced);
  EXPECT_EQ(a.seq, 6u);
  EXPECT_TRUE(Put(Reconcile("c1", Decision("in-1", ReconcileRecord::NO_CHANGE), 108)).coalesced);
  // APPLIED is never counted.
  EXPECT_FALSE(Put(Reconcile("c1", Decision("in-1", ReconcileRecord::APPLIED), 109)).coalesced);
  EXPECT_FALSE(Put(Reconcile("c1", Decision("in-1", ReconcileRecord::APPLIED), 110)).coalesced);
  EXPECT_EQ(log_->last_seq(), 8u);
  // Every reconcile is accounted for exactly once.
  uint64_t total = 0;
  for (auto it = log_->Read(1); it->Valid(); it->Next()) {
    if (it->record().has_reconcile() && it->record().cluster().name() == "c1") {
      total += ReconcileCount(it->record().reconcile());
    }
  }
  EXPECT_EQ(total, 8u);
}

TEST_P(AppendReconcileTest, ARunRemovedByRetentionIsStartedAgain) {
  ASSERT_EQ(Put(Reconcile("c1", Decision("in-1"), 100)).seq, 1u);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log_->Append({WatchOf("c2", i, 101 + i)}).ok());
  auto kept = log_->ApplyRetention({.max_age = absl::Seconds(10), .keep_at_least = 5},
                                   absl::FromUnixSeconds(125));
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_GT(kept->first_seq, 1u);
  const ReconcileAppend a = Put(Reconcile("c1", Decision("in-1"), 130));
  EXPECT_FALSE(a.coalesced);
  EXPECT_EQ(a.seq, 22u);
  EXPECT_TRUE(Put(Reconcile("c1", Decision("in-1"), 131)).coalesced);
}

// Appenders of other clusters race the rewrites: no reconcile is lost or
// counted twice, and the log stays gapless with every index entry in place.
TEST_P(AppendReconcileTest, ConcurrentAppendsLoseNoRepeat) {
  std::atomic<bool> stop{false};
  std::thread other([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (!log_->Append({WatchOf("c2", i, 100)}).ok()) return;
    }
  });
  constexpr int kReconciles = 400;
  for (int i = 0; i < kReconciles; ++i) {
    // Every 100th reconcile sees a new input.
    ASSERT_TRUE(log_->AppendReconcile(Reconcile("c1", Decision(absl::StrCat("in-", i / 100)), 100)).ok());
  }
  stop = true;
  other.join();
  uint64_t total = 0, records = 0, expect = 1;
  for (auto it = log_->Read(1); it->Valid(); it->Next(), ++expect) {
    ASSERT_EQ(it->record().seq(), expect);
    if (!it->record().has_reconcile()) continue;
    ++records;
    total += ReconcileCount(it->record().reconcile());
  }
  EXPECT_EQ(total, static_cast<uint64_t>(kReconciles));
  EXPECT_GE(records, 4u);  // one per input at least
  auto indexed = log_->SeqsForCluster({"default", "c1"}, {.limit = 1000});
  ASSERT_TRUE(indexed.ok());
  EXPECT_EQ(indexed->size(), records);
}

// Format 2: a repeat writes the run's count beside the record (a small
// value at keys::Repeats(seq) in the meta family); the record's own bytes
// stay as appended, and retention removes the count with its record.
TEST_P(AppendReconcileTest, ARepeatWritesTheCountNotTheRecord) {
  ASSERT_EQ(Put(Reconcile("c1", Decision("in-1"), 100)).seq, 1u);
  std::string appended;
  ASSERT_TRUE(log_->Get(1)->SerializeToString(&appended));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Put(Reconcile("c1", Decision("in-1"), 101 + i)).coalesced);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log_->Append({WatchOf("c2", i, 120 + i)}).ok());
  log_.reset();
  {
    testing::Raw raw(dir_);
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw.Get(testing::Raw::kRecords, keys::Seq(1)), appended);
    ReconcileRecord::Repeats repeats;
    ASSERT_TRUE(repeats.ParseFromString(raw.Get(testing::Raw::kMeta, keys::Repeats(1))));
    EXPECT_EQ(repeats.count(), 11u);
    EXPECT_LT(raw.Get(testing::Raw::kMeta, keys::Repeats(1)).size(), 40u);
    EXPECT_EQ(raw.Get(testing::Raw::kMeta, "format_version"), "3");
  }
  Reopen();
  auto kept = log_->ApplyRetention({.max_age = absl::Seconds(5), .keep_at_least = 5},
                                   absl::FromUnixSeconds(140));
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_GT(kept->first_seq, 1u);
  log_.reset();
  testing::Raw raw(dir_);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.Get(testing::Raw::kMeta, keys::Repeats(1)), "") << "the count outlived its record";
}

// A log written by the previous format (version 1: a repeat rewrote the
// whole run record in place, its count inside) opens, shows its counts, and
// its runs go on counting.
TEST_P(AppendReconcileTest, ALogOfFormatVersion1Opens) {
  ASSERT_TRUE(log_->Append({WatchOf("c1", 1, 99)}).ok());
  ASSERT_EQ(Put(Reconcile("c1", Decision("in-1"), 100)).seq, 2u);
  ASSERT_EQ(Put(Reconcile("c2", Decision("in-2"), 101)).seq, 3u);
  LogRecord run = *log_->Get(2);
  log_.reset();
  {
    // What version 1 left on disk: the count inside the record, no count key.
    testing::Raw raw(dir_);
    ASSERT_TRUE(raw.ok());
    for (int i = 0; i < 6; ++i) CountRepeat(Reconcile("c1", Decision("in-1"), 102 + i), &run);
    ASSERT_EQ(run.reconcile().repeats().count(), 7u);
    raw.Put(testing::Raw::kRecords, keys::Seq(2), run.SerializeAsString());
    raw.Put(testing::Raw::kMeta, "format_version", "1");
  }
  Reopen();
  auto got = log_->Get(2);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->reconcile().repeats().count(), 7u);
  EXPECT_EQ(got->reconcile().repeats().last_observed_at().seconds(), 107);
  auto c2 = log_->Get(3);
  ASSERT_TRUE(c2.ok());
  EXPECT_FALSE(c2->reconcile().has_repeats());
  // The run goes on from its count.
  const ReconcileAppend a = Put(Reconcile("c1", Decision("in-1"), 110));
  EXPECT_TRUE(a.coalesced);
  EXPECT_EQ(a.seq, 2u);
  EXPECT_EQ(a.count, 8u);
  uint64_t total = 0;
  for (auto it = log_->Read(1); it->Valid(); it->Next()) {
    if (it->record().has_reconcile()) total += ReconcileCount(it->record().reconcile());
  }
  EXPECT_EQ(total, 9u);  // 8 of c1, 1 of c2
  Reopen();
  EXPECT_EQ(log_->Get(2)->reconcile().repeats().count(), 8u);
  EXPECT_EQ(log_->Get(2)->reconcile().repeats().last_observed_at().seconds(), 110);
  log_.reset();
  testing::Raw raw(dir_);
  EXPECT_EQ(raw.Get(testing::Raw::kMeta, "format_version"), "3")
      << "a binary that reads only version 1 must refuse the log now";
}

INSTANTIATE_TEST_SUITE_P(Durability, AppendReconcileTest,
                         ::testing::Values(Durability::kGroupCommit, Durability::kSyncEachAppend),
                         [](const auto& info) {
                           return info.param == Durability::kGroupCommit ? "GroupCommit"
                                                                         : "SyncEachAppend";
                         });

// --- kill -9 ------------------------------------------------------------------------

// The child: every 7th step a watch record of c1 (a new input, so a new
// run), records of c2 in between, and a repeat of c1's reconcile each step.
// It reports "seq count" for every acknowledged AppendReconcile.
[[noreturn]] void RunChild(const std::string& dir, int mode, int fd) {
  EventLogOptions o;
  o.durability = mode == 0 ? Durability::kSyncEachAppend : Durability::kGroupCommit;
  o.snapshot_every = 50;
  auto log = EventLog::Open(dir, o);
  if (!log.ok()) _exit(3);
  std::mt19937 rng(static_cast<unsigned>(getpid()));
  // The input names c1's newest watch record, as the folded state would
  // differ after it (a restarted child starts a new input).
  std::string input = absl::StrCat("start-", getpid());
  for (int step = 0;; ++step) {
    if (rng() % 7 == 0) {
      auto w = (*log)->Append({WatchOf("c1", step, 100)});
      if (!w.ok()) _exit(4);
      input = absl::StrCat("at-", w->last_seq);
    }
    if (rng() % 2 == 0 && !(*log)->Append({WatchOf("c2", step, 100)}).ok()) _exit(4);
    auto a = (*log)->AppendReconcile(Reconcile("c1", Decision(input), 100));
    if (!a.ok()) _exit(5);
    const std::string line = absl::StrCat(a->seq, " ", a->count, "\n");
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(6);
  }
}

TEST(CoalesceCrashTest, AcknowledgedCountsSurviveKill9) {
  const std::string dir = (fs::path(::testing::TempDir()) / "coalesce_crash").string();
  fs::remove_all(dir);
  std::mt19937 rng(20261130);
  std::map<uint64_t, uint64_t> acked;  // seq -> highest acknowledged count
  uint64_t acked_reconciles = 0;
  constexpr int kRounds = 16;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      execl("/proc/self/exe", "coalesce_child", "--coalesce-child", dir.c_str(),
            std::to_string(round % 2).c_str(), std::to_string(fds[1]).c_str(),
            static_cast<char*>(nullptr));
      _exit(7);
    }
    close(fds[1]);
    std::string buf;
    for (char c = 0; c != '\n' && read(fds[0], &c, 1) == 1;) buf.push_back(c);
    usleep(rng() % 120000);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    char chunk[4096];
    for (ssize_t n; (n = read(fds[0], chunk, sizeof(chunk))) > 0;) buf.append(chunk, n);
    close(fds[0]);
    for (absl::string_view line : absl::StrSplit(buf, '\n', absl::SkipEmpty())) {
      std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
      uint64_t seq = 0, count = 0;
      if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &seq) ||
          !absl::SimpleAtoi(parts[1], &count)) {
        continue;  // a line cut by the kill
      }
      acked[seq] = std::max(acked[seq], count);
      ++acked_reconciles;
    }

    SCOPED_TRACE(absl::StrCat("round ", round));
    auto log = EventLog::Open(dir, {.paranoid_open = true});
    ASSERT_TRUE(log.ok()) << log.status();
    for (const auto& [seq, count] : acked) {
      auto r = (*log)->Get(seq);
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_GE(ReconcileCount(r->reconcile()), count) << "record " << seq << " lost a count";
    }
    // Every acknowledged reconcile is counted; at most the one in flight
    // when each child died is counted without an acknowledgement.
    uint64_t counted = 0;
    for (auto it = (*log)->Read(1); it->Valid(); it->Next()) {
      if (it->record().has_reconcile()) counted += ReconcileCount(it->record().reconcile());
    }
    ASSERT_GE(counted, acked_reconciles);
    ASSERT_LE(counted, acked_reconciles + 1);
    acked_reconciles = counted;  // the next round starts from what is there
  }
  EXPECT_GT(acked.size(), 1u);
  std::printf("coalesce crash test: %d kill -9 rounds, %zu runs, %llu reconciles counted\n", kRounds,
              acked.size(), static_cast<unsigned long long>(acked_reconciles));
}

}  // namespace
}  // namespace doris_operator::store

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--coalesce-child") {
    doris_operator::store::RunChild(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
