#include "store/event_log.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/fold.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;
using testing::Synthetic;
using testing::Watch;

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
  }

  std::unique_ptr<EventLog> OpenLog(EventLogOptions options = {}) {
    absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(dir_.string(), options);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  static AppendResult AppendOk(EventLog& log, std::vector<log::v1::LogRecord> records) {
    absl::StatusOr<AppendResult> r = log.Append(std::move(records));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : AppendResult{};
  }

  static void AppendSynthetic(EventLog& log, uint64_t from, uint64_t to, size_t payload = 256) {
    std::vector<log::v1::LogRecord> batch;
    for (uint64_t n = from; n <= to; ++n) {
      batch.push_back(Synthetic(n, 40, 4, payload));
      if (batch.size() == 100) AppendOk(log, std::exchange(batch, {}));
    }
    if (!batch.empty()) AppendOk(log, std::move(batch));
  }

  static State FoldAll(uint64_t to, size_t payload = 256) {
    State s;
    for (uint64_t n = 1; n <= to; ++n) {
      log::v1::LogRecord r = Synthetic(n, 40, 4, payload);
      r.set_seq(n);
      s = Fold(std::move(s), r);
    }
    return s;
  }

  fs::path dir_;
};

TEST_F(EventLogTest, AppendAssignsGaplessSeqsAcrossReopen) {
  {
    auto log = OpenLog();
    EXPECT_EQ(log->last_seq(), 0u);
    EXPECT_EQ(log->first_seq(), 1u);
    AppendResult a = AppendOk(*log, {Watch({.name = "a"}), Watch({.name = "b"})});
    EXPECT_EQ(a.first_seq, 1u);
    EXPECT_EQ(a.last_seq, 2u);
    log::v1::LogRecord preset = Watch({.name = "c"});
    preset.set_seq(999);  // ignored: the log assigns
    AppendResult b = AppendOk(*log, {preset});
    EXPECT_EQ(b.first_seq, 3u);
  }
  auto log = OpenLog();
  EXPECT_EQ(log->last_seq(), 3u);
  AppendResult c = AppendOk(*log, {Watch({.name = "d"})});
  EXPECT_EQ(c.first_seq, 4u);
  std::vector<std::string> names;
  auto it = log->Read(1);
  for (; it->Valid(); it->Next()) {
    EXPECT_EQ(it->record().seq(), names.size() + 1);
    names.push_back(it->record().watch().object().name());
  }
  ASSERT_TRUE(it->status().ok()) << it->status();
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d"}));
  absl::StatusOr<log::v1::LogRecord> got = log->Get(3);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->watch().object().name(), "c");
  EXPECT_TRUE(got->has_observed_at());  // stamped by the log
  EXPECT_EQ(log->Get(5).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(log->Get(0).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EventLogTest, InvalidRecordsAreRejectedWholeAndNothingIsWritten) {
  auto log = OpenLog();
  log::v1::LogRecord secret = Watch({.api_version = "v1", .kind = "Secret", .name = "s",
                                     .json = "{\"data\":{\"k\":\"dg==\"}}"});
  absl::StatusOr<AppendResult> r = log->Append({Watch({.name = "ok"}), secret});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("record 1 of 2"), std::string::npos) << r.status();
  EXPECT_EQ(log->last_seq(), 0u);
  EXPECT_EQ(log->Append({}).status().code(), absl::StatusCode::kInvalidArgument);
  // The log keeps serving.
  EXPECT_EQ(AppendOk(*log, {Watch({.name = "ok"})}).first_seq, 1u);
}

TEST_F(EventLogTest, ReadHonoursRange) {
  auto log = OpenLog();
  AppendSynthetic(*log, 1, 50);
  std::vector<uint64_t> seqs;
  for (auto it = log->Read(10, 14); it->Valid(); it->Next()) seqs.push_back(it->record().seq());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{10, 11, 12, 13, 14}));
  EXPECT_FALSE(log->Read(51)->Valid());
  EXPECT_FALSE(log->Read(20, 10)->Valid());
}

TEST_F(EventLogTest, IndexesByObjectAndCluster) {
  auto log = OpenLog();
  AppendOk(*log, {Watch({.name = "fe", .cluster = "c1"}), Watch({.name = "be", .cluster = "c1"}),
                  Watch({.name = "fe", .cluster = "c1"}), Watch({.name = "x", .cluster = "c2"}),
                  Watch({.name = "fe", .cluster = "c1"})});
  log::v1::LogRecord life;
  life.mutable_lifecycle()->set_kind(log::v1::Lifecycle::START);
  AppendOk(*log, {life});

  const ObjectId fe{"apps", "StatefulSet", "default", "fe"};
  EXPECT_EQ(*log->SeqsForObject(fe, {}), (std::vector<uint64_t>{1, 3, 5}));
  EXPECT_EQ(*log->SeqsForObject(fe, {.newest_first = true}), (std::vector<uint64_t>{5, 3, 1}));
  EXPECT_EQ(*log->SeqsForObject(fe, {.from_seq = 2, .to_seq = 4}), (std::vector<uint64_t>{3}));
  EXPECT_EQ(*log->SeqsForObject(fe, {.limit = 2, .newest_first = true}),
            (std::vector<uint64_t>{5, 3}));
  EXPECT_EQ(*log->SeqsForCluster({"default", "c1"}, {}), (std::vector<uint64_t>{1, 2, 3, 5}));
  EXPECT_EQ(*log->SeqsForCluster({"default", "c2"}, {}), (std::vector<uint64_t>{4}));
  EXPECT_TRUE(log->SeqsForCluster({"default", "c3"}, {})->empty());
  EXPECT_TRUE(log->SeqsForCluster({"other", "c1"}, {})->empty());
  EXPECT_EQ(log->SeqsForObject(fe, {.from_seq = 4, .to_seq = 2}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EventLogTest, IndexesAgreeWithRecords) {
  auto log = OpenLog();
  AppendSynthetic(*log, 1, 700);
  std::map<ObjectId, std::vector<uint64_t>> by_object;
  std::map<ClusterKey, std::vector<uint64_t>> by_cluster;
  for (auto it = log->Read(1); it->Valid(); it->Next()) {
    by_object[ObjectId::From(it->record().watch().object())].push_back(it->record().seq());
    by_cluster[ClusterKey::From(it->record().cluster())].push_back(it->record().seq());
  }
  for (const auto& [id, seqs] : by_object) {
    EXPECT_EQ(*log->SeqsForObject(id, {.limit = 10000}), seqs) << id.name;
  }
  for (const auto& [c, seqs] : by_cluster) {
    EXPECT_EQ(*log->SeqsForCluster(c, {.limit = 10000}), seqs) << c.name;
  }
}

TEST_F(EventLogTest, WatchCursorsFollowTheLastEventPerStream) {
  auto log = OpenLog();
  AppendOk(*log, {Watch({.resource_version = "10", .stream = "sts"}),
                  Watch({.resource_version = "11", .stream = "pods"}),
                  Watch({.resource_version = "12", .stream = "sts"})});
  log::v1::LogRecord bookmark;
  bookmark.mutable_watch()->set_type(log::v1::BOOKMARK);
  bookmark.mutable_watch()->set_stream("pods");
  bookmark.mutable_watch()->set_resource_version("20");
  AppendOk(*log, {bookmark});
  auto cursors = log->WatchCursors();
  ASSERT_TRUE(cursors.ok());
  EXPECT_EQ(*cursors, (std::map<std::string, std::string>{{"pods", "20"}, {"sts", "12"}}));

  log::v1::LogRecord reset;
  reset.mutable_lifecycle()->set_kind(log::v1::Lifecycle::WATCH_CURSOR_RESET);
  reset.mutable_lifecycle()->set_stream("sts");
  AppendOk(*log, {reset});
  EXPECT_EQ(*log->WatchCursors(), (std::map<std::string, std::string>{{"pods", "20"}}));
}

TEST_F(EventLogTest, StateAtEqualsFullFoldEverywhere) {
  auto log = OpenLog({.snapshot_every = 37});
  AppendSynthetic(*log, 1, 400);
  std::mt19937_64 rng(7);
  State expected;
  uint64_t folded = 0;
  std::vector<uint64_t> probes = {1, 36, 37, 38, 74, 399, 400};
  for (int i = 0; i < 20; ++i) probes.push_back(1 + rng() % 400);
  std::sort(probes.begin(), probes.end());
  for (uint64_t seq : probes) {
    for (; folded < seq; ++folded) {
      log::v1::LogRecord r = Synthetic(folded + 1, 40, 4, 256);
      r.set_seq(folded + 1);
      expected = Fold(std::move(expected), r);
    }
    absl::StatusOr<State> got = log->StateAt(seq);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->Serialize(), expected.Serialize()) << "at seq " << seq;
  }
  EXPECT_EQ(log->CurrentState().Serialize(), FoldAll(400).Serialize());
  EXPECT_EQ(log->StateAt(401).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(log->StateAt(0)->object_count(), 0u);
}

TEST_F(EventLogTest, CurrentClustersAndObjectsOfOneKind) {
  auto log = OpenLog();
  AppendOk(*log, {Watch({.name = "c1-fe", .cluster = "c1"}),
                  Watch({.api_version = "v1", .kind = "Pod", .name = "c1-fe-0", .cluster = "c1"}),
                  Watch({.ns = "other", .name = "c2-fe", .cluster = "c2"})});
  std::vector<std::string> clusters;
  for (const ClusterKey& k : log->CurrentClusters()) clusters.push_back(k.ns + "/" + k.name);
  EXPECT_EQ(clusters, (std::vector<std::string>{"default/c1", "other/c2"}));
  auto all = log->CurrentObjectsOfKind("apps", "StatefulSet");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].second.ref().name(), "c1-fe");
  EXPECT_EQ(all[1].first.name, "c2");
  auto in_default = log->CurrentObjectsOfKind("apps", "StatefulSet", "default");
  ASSERT_EQ(in_default.size(), 1u);
  EXPECT_EQ(in_default[0].second.ref().name(), "c1-fe");
  EXPECT_EQ(log->CurrentObjectsOfKind("", "Pod").size(), 1u);
  EXPECT_TRUE(log->CurrentObjectsOfKind("", "ConfigMap").empty());
}

TEST_F(EventLogTest, CurrentStateSurvivesReopen) {
  {
    auto log = OpenLog({.snapshot_every = 50});
    AppendSynthetic(*log, 1, 321);
  }
  auto log = OpenLog({.snapshot_every = 50, .paranoid_open = true});
  EXPECT_EQ(log->CurrentState().Serialize(), FoldAll(321).Serialize());
  const ClusterObjects got = log->CurrentObjectsOf({"default", "c1"});
  const State all = FoldAll(321);
  const ClusterObjects want = all.ObjectsOf({"default", "c1"});
  ASSERT_EQ(got.size(), want.size());
  ASSERT_FALSE(got.empty());
  for (const auto& [id, obj] : want) {
    EXPECT_EQ(got.at(id).SerializeAsString(), obj.SerializeAsString()) << id.name;
  }
}

TEST_F(EventLogTest, SeqAtTime) {
  auto log = OpenLog();
  AppendSynthetic(*log, 1, 10);  // observed at 1700000000 + n seconds
  EXPECT_EQ(*log->SeqAtTime(absl::FromUnixSeconds(1700000005)), 5u);
  EXPECT_EQ(*log->SeqAtTime(absl::FromUnixSeconds(1700000005) + absl::Milliseconds(500)), 5u);
  EXPECT_EQ(*log->SeqAtTime(absl::FromUnixSeconds(1600000000)), 0u);
  EXPECT_EQ(*log->SeqAtTime(absl::FromUnixSeconds(1800000000)), 10u);
}

TEST_F(EventLogTest, ObservedTimeNeverGoesBackwards) {
  auto log = OpenLog();
  log::v1::LogRecord late = Watch({.name = "a"});
  late.mutable_observed_at()->set_seconds(2000);
  log::v1::LogRecord early = Watch({.name = "b"});
  early.mutable_observed_at()->set_seconds(1000);
  AppendOk(*log, {late, early});
  AppendOk(*log, {early});
  EXPECT_EQ(log->Get(2)->observed_at().seconds(), 2000);
  EXPECT_EQ(log->Get(3)->observed_at().seconds(), 2000);
  log.reset();
  log = OpenLog();  // the floor survives a reopen
  AppendOk(*log, {early});
  EXPECT_EQ(log->Get(4)->observed_at().seconds(), 2000);
}

TEST_F(EventLogTest, RetentionByAgeKeepsStateRebuildable) {
  auto log = OpenLog({.snapshot_every = 64});
  AppendSynthetic(*log, 1, 500);
  const State before = log->CurrentState();
  // Records are observed at 1700000000+n: older than 300 s at now=1700000600
  // means n < 300.
  absl::StatusOr<RetentionResult> r = log->ApplyRetention(
      {.max_age = absl::Seconds(300), .keep_at_least = 10}, absl::FromUnixSeconds(1700000600));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first_seq, 300u);
  EXPECT_EQ(r->removed_records, 299u);
  EXPECT_EQ(log->first_seq(), 300u);
  EXPECT_EQ(log->Get(299).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(log->Get(300).ok());
  EXPECT_EQ(log->StateAt(100).status().code(), absl::StatusCode::kOutOfRange);
  // The state at the cut and every later one are still exact.
  EXPECT_EQ(log->StateAt(299)->Serialize(), FoldAll(299).Serialize());
  EXPECT_EQ(log->StateAt(377)->Serialize(), FoldAll(377).Serialize());
  EXPECT_EQ(log->CurrentState().Serialize(), before.Serialize());
  // Indexes no longer name removed records.
  // Held in a local: a range-for over *temporary reads the vector after the
  // StatusOr holding it is destroyed (found by TSan as a heap-use-after-free).
  const absl::StatusOr<std::vector<uint64_t>> seqs =
      log->SeqsForCluster({"default", "c1"}, {.limit = 1000});
  ASSERT_TRUE(seqs.ok()) << seqs.status();
  for (uint64_t s : *seqs) EXPECT_GE(s, 300u);
  // And after reopening.
  log.reset();
  log = OpenLog({.snapshot_every = 64, .paranoid_open = true});
  EXPECT_EQ(log->first_seq(), 300u);
  EXPECT_EQ(log->CurrentState().Serialize(), before.Serialize());
  AppendSynthetic(*log, 501, 510);
  EXPECT_EQ(log->last_seq(), 510u);
}

TEST_F(EventLogTest, RetentionNeverRemovesTheNewestRecords) {
  auto log = OpenLog();
  AppendSynthetic(*log, 1, 100);
  absl::StatusOr<RetentionResult> r = log->ApplyRetention(
      {.max_age = absl::Seconds(1), .keep_at_least = 30}, absl::FromUnixSeconds(1900000000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(log->first_seq(), 71u);
  EXPECT_EQ(log->CurrentState().Serialize(), FoldAll(100).Serialize());
  // Nothing old enough: a no-op.
  r = log->ApplyRetention({.max_age = absl::Hours(1000), .keep_at_least = 0},
                          absl::FromUnixSeconds(1700000000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->removed_records, 0u);
  EXPECT_EQ(log->first_seq(), 71u);
}

TEST_F(EventLogTest, RetentionCanRemoveEveryRecordAndStillRebuild) {
  {
    auto log = OpenLog();
    AppendSynthetic(*log, 1, 60);
    absl::StatusOr<RetentionResult> r = log->ApplyRetention(
        {.max_age = absl::Seconds(1), .keep_at_least = 0}, absl::FromUnixSeconds(1900000000));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->removed_records, 60u);
    EXPECT_FALSE(log->Read(1)->Valid());
  }
  auto log = OpenLog({.paranoid_open = true});
  EXPECT_EQ(log->first_seq(), 61u);
  EXPECT_EQ(log->last_seq(), 60u);
  EXPECT_EQ(log->CurrentState().Serialize(), FoldAll(60).Serialize());
  EXPECT_EQ(AppendOk(*log, {Watch({.name = "next"})}).first_seq, 61u);
}

TEST_F(EventLogTest, RetentionBySizeBoundsDisk) {
  auto log = OpenLog({.snapshot_every = 500});
  AppendSynthetic(*log, 1, 4000, 2048);
  const uint64_t before = log->ApproximateBytes();
  ASSERT_GT(before, 0u);
  absl::StatusOr<RetentionResult> r =
      log->ApplyRetention({.max_bytes = before / 4, .keep_at_least = 100}, absl::Now());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->removed_records, 2000u);
  EXPECT_LT(log->ApproximateBytes(), before / 2);
  EXPECT_EQ(log->CurrentState().Serialize(), FoldAll(4000, 2048).Serialize());
}

TEST_F(EventLogTest, ConcurrentAppendersGetDistinctGaplessSeqs) {
  auto log = OpenLog({.durability = Durability::kGroupCommit, .snapshot_every = 100});
  constexpr int kThreads = 6, kPerThread = 300;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<AppendResult> r =
            log->Append({Watch({.name = absl::StrCat("t", t), .resource_version = absl::StrCat(i)}),
                         Watch({.name = absl::StrCat("t", t, "b")})});
        ASSERT_TRUE(r.ok()) << r.status();
        ASSERT_EQ(r->last_seq, r->first_seq + 1);
        got[t].push_back(r->first_seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : got) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));  // each thread's appends in order
    for (uint64_t s : v) {
      EXPECT_TRUE(all.insert(s).second);
      all.insert(s + 1);
    }
  }
  EXPECT_EQ(all.size(), 2u * kThreads * kPerThread);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), 2u * kThreads * kPerThread);
  // The last version of each thread's object is its last append.
  const State state = log->CurrentState();
  for (int t = 0; t < kThreads; ++t) {
    const log::v1::StoredObject* o =
        state.Find({"apps", "StatefulSet", "default", absl::StrCat("t", t)});
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->resource_version(), absl::StrCat(kPerThread - 1));
  }
}

TEST_F(EventLogTest, ReadersSeeConsistentPrefixesDuringAppends) {
  auto log = OpenLog({.snapshot_every = 50});
  std::atomic<bool> done{false};
  std::thread writer([&] {
    AppendSynthetic(*log, 1, 1500);
    done = true;
  });
  int checks = 0;
  while (!done || checks < 3) {
    const uint64_t last = log->last_seq();
    uint64_t expect = 1;
    auto it = log->Read(1, last);
    for (; it->Valid(); it->Next()) ASSERT_EQ(it->record().seq(), expect++);
    ASSERT_TRUE(it->status().ok()) << it->status();
    ASSERT_EQ(expect, last + 1);
    if (last > 0) {
      absl::StatusOr<State> s = log->StateAt(last);
      ASSERT_TRUE(s.ok()) << s.status();
      ASSERT_EQ(s->last_seq(), last);
    }
    ++checks;
  }
  writer.join();
  EXPECT_EQ(log->CurrentState().Serialize(), FoldAll(1500).Serialize());
}

TEST_F(EventLogTest, WaitForAppendWakesOnAppend) {
  auto log = OpenLog();
  EXPECT_EQ(log->WaitForAppend(0, absl::Milliseconds(1)), 0u);
  std::thread t([&] { AppendOk(*log, {Watch({})}); });
  EXPECT_EQ(log->WaitForAppend(0, absl::Seconds(30)), 1u);
  t.join();
}

TEST_F(EventLogTest, SyncModeRoundTrips) {
  {
    auto log = OpenLog({.durability = Durability::kSyncEachAppend});
    AppendSynthetic(*log, 1, 20);
  }
  auto log = OpenLog({.durability = Durability::kSyncEachAppend, .paranoid_open = true});
  EXPECT_EQ(log->last_seq(), 20u);
}

TEST_F(EventLogTest, CloseIsIdempotentAndStopsAppends) {
  auto log = OpenLog();
  AppendOk(*log, {Watch({})});
  EXPECT_TRUE(log->Close().ok());
  EXPECT_TRUE(log->Close().ok());
  EXPECT_EQ(log->path(), dir_.string());
  // Reopening sees what was appended before Close.
  log.reset();
  log = OpenLog();
  EXPECT_EQ(log->last_seq(), 1u);
}

TEST_F(EventLogTest, SnapshotsAreWrittenEveryNRecordsAndUsedOnReopen) {
  {
    auto log = OpenLog({.snapshot_every = 10});
    AppendSynthetic(*log, 1, 95);
  }
  // A reopen with paranoid checks agrees, and a fresh log with a different
  // snapshot interval still folds the same state from the same records.
  auto log = OpenLog({.snapshot_every = 1000, .paranoid_open = true});
  EXPECT_EQ(log->StateAt(57)->Serialize(), FoldAll(57).Serialize());
  EXPECT_EQ(log->CurrentState().Serialize(), FoldAll(95).Serialize());
}

// ---- damaged and foreign directories ----

TEST_F(EventLogTest, PathThatIsAFileIsAnError) {
  std::ofstream(dir_.string()) << "x";
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(dir_.string(), {});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find(dir_.string()), std::string::npos);
  EXPECT_NE(log.status().message().find("not a directory"), std::string::npos);
}

TEST_F(EventLogTest, ForeignDirectoryIsAnError) {
  fs::create_directories(dir_);
  std::ofstream((dir_ / "notes.txt").string()) << "hello";
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(dir_.string(), {});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("no database"), std::string::npos) << log.status();
  EXPECT_TRUE(fs::exists(dir_ / "notes.txt"));  // nothing touched
}

TEST_F(EventLogTest, ForeignRocksDbIsAnError) {
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir_.string(), &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k", "v").ok());
    delete db;
  }
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(dir_.string(), {});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("not a doris-operator event log"), std::string::npos)
      << log.status();
}

TEST_F(EventLogTest, InterruptedCreationIsFinishedOnOpen) {
  {
    // What a kill -9 during the first Open can leave: some of our column
    // families and no format marker yet.
    rocksdb::Options o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, o}, {"records", o}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(o), dir_.string(), cfs, &handles, &db).ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(AppendOk(*log, {Watch({})}).first_seq, 1u);
}

TEST_F(EventLogTest, CreationKilledBeforeCurrentIsFinishedOnOpen) {
  fs::create_directories(dir_);
  std::ofstream((dir_ / "IDENTITY").string()) << "x";
  std::ofstream((dir_ / "LOG").string()) << "started";
  std::ofstream((dir_ / "MANIFEST-000001").string()) << "";
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(AppendOk(*log, {Watch({})}).first_seq, 1u);
}

TEST_F(EventLogTest, MissingLogWithoutCreateIsNotFound) {
  absl::StatusOr<std::unique_ptr<EventLog>> log =
      EventLog::Open(dir_.string(), {.create_if_missing = false});
  EXPECT_EQ(log.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EventLogTest, DamagedFilesGiveAClearErrorNotACrash) {
  {
    auto log = OpenLog();
    AppendSynthetic(*log, 1, 200);
  }
  // Garble every table and manifest file.
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("MANIFEST", 0) != 0 && entry.path().extension() != ".sst") continue;
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f << std::string(64, '\x5a');
  }
  absl::StatusOr<std::unique_ptr<EventLog>> log =
      EventLog::Open(dir_.string(), {.paranoid_open = true});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find(dir_.string()), std::string::npos) << log.status();
}

TEST_F(EventLogTest, TruncatedCurrentFileGivesAClearError) {
  {
    auto log = OpenLog();
    AppendSynthetic(*log, 1, 10);
  }
  fs::resize_file(dir_ / "CURRENT", 0);
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(dir_.string(), {});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find(dir_.string()), std::string::npos) << log.status();
}

}  // namespace
}  // namespace doris_operator::store
