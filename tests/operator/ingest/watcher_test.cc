#include "operator/ingest/watcher.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "operator/kube/kubeconfig.h"
#include "tests/testing/eventually.h"
#include "tests/testing/kubesim_process.h"

namespace doris_operator::ingest {
namespace {

using Json = nlohmann::json;

// Records after `from` as "TYPE name" / "RELIST" / "RESET" lines.
std::vector<std::string> Summary(const store::EventLog& log, uint64_t from) {
  std::vector<std::string> out;
  for (auto it = log.Read(from); it->Valid(); it->Next()) {
    const log::v1::LogRecord& r = it->record();
    if (r.has_lifecycle()) {
      out.push_back("RESET");
      continue;
    }
    const log::v1::WatchEvent& w = r.watch();
    switch (w.type()) {
      case log::v1::RELIST:
        out.push_back("RELIST");
        break;
      case log::v1::BOOKMARK:
        break;
      default:
        out.push_back(absl::StrCat(log::v1::WatchEventType_Name(w.type()), " ", w.object().name(),
                                   w.from_relist() ? " (relist)" : ""));
    }
  }
  return out;
}

class WatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = testing::TempDir("watcher_test");
    auto sim = testing::KubesimProcess::Start(dir);
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = std::make_unique<testing::KubesimProcess>(std::move(*sim));
    auto config = kube::LoadKubeconfig(sim_->kubeconfig());
    ASSERT_TRUE(config.ok());
    client_ = *kube::Client::Create(*config);
    log_path_ = dir + "/log";
    OpenLog();
  }

  void OpenLog() {
    log_.reset();
    auto log = store::EventLog::Open(log_path_, {});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }

  WatcherOptions Options() {
    WatcherOptions options;
    options.watch_timeout_seconds = 5;
    options.error_backoff = absl::Milliseconds(50);
    options.on_synced = [this](const std::string& stream, uint64_t seq) {
      EXPECT_EQ(stream, "v1/configmaps@default");
      absl::MutexLock l(&synced_mu_);
      synced_.push_back(seq);
    };
    return options;
  }

  // Runs a watcher until `done` says the log holds what the test waits for.
  void RunUntil(const std::function<bool()>& done) {
    std::atomic<bool> stop{false};
    Watcher watcher(spec_, client_.get(), log_.get(), Options());
    std::thread t([&] { watcher.Run(stop); });
    EXPECT_TRUE(testing::Eventually(done, absl::Seconds(30), absl::Milliseconds(25)))
        << "the log never held what the test waits for";
    stop = true;
    t.join();
  }

  // A POST to kubesim's test instruments; its answer's body.
  std::string Post(const std::string& path, const std::string& body) {
    kube::Request r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    auto resp = client_->Do(r);
    EXPECT_TRUE(resp.ok() && resp->code == 200) << (resp.ok() ? resp->body : resp.status().ToString());
    return resp.ok() ? resp->body : "";
  }

  void Create(const std::string& name, const std::string& value) {
    Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
               {"metadata", {{"name", name}, {"labels", {{"app.doris.cluster", "c1"}}}}},
               {"data", {{"k", value}}}};
    ASSERT_TRUE(client_->Create(cms_, cm.dump()).ok());
  }

  std::unique_ptr<testing::KubesimProcess> sim_;
  std::unique_ptr<kube::Client> client_;
  std::string log_path_;
  std::unique_ptr<store::EventLog> log_;
  // The log position each on_synced call reported; written by the watcher's
  // thread while the test polls it.
  std::vector<uint64_t> Synced() {
    absl::MutexLock l(&synced_mu_);
    return synced_;
  }
  void ClearSynced() {
    absl::MutexLock l(&synced_mu_);
    synced_.clear();
  }
  absl::Mutex synced_mu_;
  std::vector<uint64_t> synced_ ABSL_GUARDED_BY(synced_mu_);
  const std::string cms_ = kube::CollectionPath("v1", "default", "configmaps");
  const StreamSpec spec_{"v1", "ConfigMap", "configmaps", "default", "app.doris.cluster"};
};

TEST_F(WatcherTest, ListsThenWatchesAndListsAgainWhenRestarted) {
  Create("a", "1");
  Create("b", "1");
  RunUntil([&] { return log_->CurrentObjectsOf({"default", "c1"}).size() == 2; });
  EXPECT_EQ(Summary(*log_, 1),
            (std::vector<std::string>{"RELIST", "ADDED a (relist)", "ADDED b (relist)"}));
  // Synced once the list was in the log, through its last record.
  ASSERT_EQ(Synced().size(), 1u);
  EXPECT_GE(Synced()[0], 3u);
  const uint64_t after_first = log_->last_seq();

  // While no watcher runs: a change and a deletion. The restarted watcher
  // has a stored cursor, and lists anyway: only a list says when the log
  // holds the whole change (a resumed watch may still be replaying it), so
  // it is synced only once the differences are in the log.
  ASSERT_TRUE(client_->MergePatch(cms_ + "/a", R"({"data":{"k":"2"}})").ok());
  ASSERT_TRUE(client_->Delete(cms_ + "/b").ok());
  auto cursors = log_->WatchCursors();
  ASSERT_TRUE(cursors.ok());
  ASSERT_FALSE((*cursors)["v1/configmaps@default"].empty());
  OpenLog();
  ClearSynced();
  RunUntil([&] { return log_->CurrentObjectsOf({"default", "c1"}).size() == 1 && !Synced().empty(); });
  const std::vector<std::string> second = Summary(*log_, after_first + 1);
  EXPECT_EQ(second, (std::vector<std::string>{"RELIST", "MODIFIED a (relist)", "DELETED b (relist)"}));
  ASSERT_EQ(Synced().size(), 1u);
  uint64_t deleted_b = 0;
  uint64_t seq = after_first + 1;  // records are numbered without gaps
  for (auto it = log_->Read(after_first + 1); it->Valid(); it->Next(), ++seq) {
    if (it->record().watch().type() == log::v1::DELETED) deleted_b = seq;
  }
  ASSERT_NE(deleted_b, 0u);
  EXPECT_GE(Synced()[0], deleted_b);
  const auto& objects = log_->CurrentObjectsOf({"default", "c1"});
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_NE(objects.begin()->second.object_json().find(R"("k":"2")"), std::string::npos);
}

TEST_F(WatcherTest, GoneResetsTheCursorAndRelistsOnlyDifferences) {
  Create("a", "1");
  Create("b", "1");
  Create("c", "1");
  // One watcher throughout (a restarted one would list anyway). Its next
  // watch is held (a kubesim hold fault) while the changes are made and the
  // history expires, so it resumes from a cursor the server no longer has.
  std::atomic<bool> stop{false};
  Watcher watcher(spec_, client_.get(), log_.get(), Options());
  std::thread t([&] { watcher.Run(stop); });
  auto objects = [&] { return log_->CurrentObjectsOf({"default", "c1"}); };
  EXPECT_TRUE(testing::Eventually([&] { return objects().size() == 3; }, absl::Seconds(30), absl::Milliseconds(25)));
  Post("/kubesim/faults", R"({"hold":[{"verb":"watch","resource":"configmaps"}]})");
  EXPECT_TRUE(testing::Eventually(
      [&] {
        auto held = client_->Get("/kubesim/held");
        return held.ok() && !(*held)["held"].empty();  // the open watch timed out; the next one waits
      },
      absl::Seconds(30), absl::Milliseconds(25)));
  const uint64_t after_first = log_->last_seq();
  ASSERT_TRUE(client_->MergePatch(cms_ + "/a", R"({"data":{"k":"2"}})").ok());
  ASSERT_TRUE(client_->Delete(cms_ + "/b").ok());
  Create("d", "1");
  Post("/kubesim/expire-history", "");
  Post("/kubesim/faults", "{}");
  EXPECT_TRUE(testing::Eventually([&] { return objects().count({"", "ConfigMap", "default", "d"}) > 0; },
                                  absl::Seconds(30), absl::Milliseconds(25)));
  stop = true;
  t.join();
  EXPECT_EQ(Summary(*log_, after_first + 1),
            (std::vector<std::string>{"RESET", "RELIST", "MODIFIED a (relist)",
                                      "DELETED b (relist)", "ADDED d (relist)"}));
  EXPECT_EQ(Synced().size(), 1u);  // a re-list after 410 is not a first sync
  auto cursors = log_->WatchCursors();
  ASSERT_TRUE(cursors.ok());
  EXPECT_FALSE((*cursors)["v1/configmaps@default"].empty());
}

// Two streams of one kind told apart by a tag (a DorisCluster's objects and
// a DorisDisaggregatedCluster's, by label): each keeps its own cursor, and a
// list of one never takes the other's objects for deleted.
TEST_F(WatcherTest, TwoStreamsOfOneKindDoNotDeleteEachOthersObjects) {
  Create("a", "1");  // app.doris.cluster=c1
  Json ddc_cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                 {"metadata", {{"name", "x"}, {"labels", {{"app.doris.disaggregated.cluster", "d1"}}}}},
                 {"data", {{"k", "1"}}}};
  ASSERT_TRUE(client_->Create(cms_, ddc_cm.dump()).ok());
  WatcherOptions options;
  options.watch_timeout_seconds = 5;
  options.error_backoff = absl::Milliseconds(50);
  const StreamSpec ddc_spec{"v1", "ConfigMap", "configmaps", "default", "app.doris.disaggregated.cluster", false, "ddc"};
  EXPECT_EQ(ddc_spec.Name(), "v1/configmaps#ddc@default");
  auto run = [&](const StreamSpec& spec, const std::function<bool()>& done) {
    std::atomic<bool> stop{false};
    Watcher watcher(spec, client_.get(), log_.get(), options);
    std::thread t([&] { watcher.Run(stop); });
    EXPECT_TRUE(testing::Eventually(done, absl::Seconds(30), absl::Milliseconds(25)));
    stop = true;
    t.join();
  };
  auto cursors = [&] {
    auto c = log_->WatchCursors();
    return c.ok() ? *c : std::map<std::string, std::string>{};
  };
  run(spec_, [&] { return log_->CurrentObjectsOf({"default", "c1"}).size() == 1; });
  run(ddc_spec, [&] {
    return log_->CurrentObjectsOf(store::ClusterKey::Of("DorisDisaggregatedCluster", "default", "d1")).size() == 1 && !cursors()["v1/configmaps#ddc@default"].empty();
  });
  // Each list saw only its own object: nothing of the other was deleted.
  const uint64_t before = log_->last_seq();
  run(spec_, [&] { return log_->last_seq() > before; });  // the RELIST marker at least
  EXPECT_EQ(log_->CurrentObjectsOf({"default", "c1"}).size(), 1u);
  EXPECT_EQ(log_->CurrentObjectsOf(store::ClusterKey::Of("DorisDisaggregatedCluster", "default", "d1")).size(), 1u);
  for (auto it = log_->Read(1); it->Valid(); it->Next()) {
    EXPECT_NE(it->record().watch().type(), log::v1::DELETED) << it->record().DebugString();
  }
}

// Watchers of several streams appending to one log while writers change the
// cluster from several threads, and a reader folds the log meanwhile (the
// operator's shape; meant for --config=tsan): every object lands, each
// stream keeps its own cursor.
TEST_F(WatcherTest, ConcurrentWatchersShareOneLog) {
  std::atomic<bool> stop{false};
  WatcherOptions options;
  options.watch_timeout_seconds = 5;
  options.error_backoff = absl::Milliseconds(50);
  const std::vector<StreamSpec> specs = {
      {"v1", "ConfigMap", "configmaps", "default", "app.doris.cluster"},
      {"v1", "Secret", "secrets", "default", "app.doris.cluster"},
      {"v1", "Service", "services", "default", "app.doris.cluster"}};
  std::vector<std::unique_ptr<Watcher>> watchers;
  std::vector<std::thread> threads;
  for (const StreamSpec& spec : specs) {
    watchers.push_back(std::make_unique<Watcher>(spec, client_.get(), log_.get(), options));
    threads.emplace_back([&, w = watchers.back().get()] { w->Run(stop); });
  }
  constexpr int kEach = 5;
  std::vector<std::thread> writers;
  for (const std::string kind : {"ConfigMap", "Secret"}) {
    writers.emplace_back([&, kind] {
      for (int i = 0; i < kEach; ++i) {
        Json o = {{"apiVersion", "v1"},
                  {"kind", kind},
                  {"metadata",
                   {{"name", absl::StrCat("w-", i)}, {"labels", {{"app.doris.cluster", "c1"}}}}},
                  {"data", {{"k", "dmFsdWU="}}}};
        const std::string path = kube::CollectionPath(
            "v1", "default", kind == "Secret" ? "secrets" : "configmaps");
        EXPECT_TRUE(client_->Create(path, o.dump()).ok()) << kind << " " << i;
      }
    });
  }
  EXPECT_TRUE(testing::Eventually(
      [&] { return log_->CurrentObjectsOf({"default", "c1"}).size() == 2 * kEach; },
      absl::Seconds(60), absl::Milliseconds(25)))
      << "the log never held every object";
  for (std::thread& t : writers) t.join();
  stop = true;
  for (std::thread& t : threads) t.join();
  auto cursors = log_->WatchCursors();
  ASSERT_TRUE(cursors.ok());
  EXPECT_FALSE((*cursors)["v1/configmaps@default"].empty());
  EXPECT_FALSE((*cursors)["v1/secrets@default"].empty());
}

}  // namespace
}  // namespace doris_operator::ingest
