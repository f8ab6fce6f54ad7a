// The controller's exception boundary, against kubesim: a reconcile that
// throws (here, a real nlohmann::json type_error, as a malformed object
// reaching unguarded JSON code would) costs its cluster a FAILED record in
// the log and a retry with backoff, and the worker goes on to other clusters.

#include "operator/controller.h"

#include <map>
#include <mutex>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "operator/kube/kubeconfig.h"
#include "operator/workqueue/work_queue.h"
#include "store/event_log.h"
#include "tests/operator/operator_fixture.h"
#include "tests/testing/eventually.h"
#include "tests/testing/kubesim_process.h"

namespace doris_operator {
namespace {

using Json = nlohmann::json;

class ControllerBoundaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = testing::TempDir("controller_test");
    StartSimulatorWithCrd(dir, &sim_, &client_);
    if (HasFatalFailure()) return;
    auto log = store::EventLog::Open(dir + "/log", {});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }

  void Apply(const std::string& yaml) {
    auto r = testing::Kubectl(sim_->kubeconfig(), {"apply", "-f", "-"}, yaml);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  // Reconciles the fake reconcile below was asked for, by cluster name.
  std::vector<absl::Time> Attempts(const std::string& name) {
    std::lock_guard<std::mutex> l(mu_);
    return attempts_[name];
  }

  // The FAILED reconcile records of `name` in the log, oldest first.
  std::vector<log::v1::ReconcileRecord> Failed(const std::string& name) {
    std::vector<log::v1::ReconcileRecord> out;
    for (auto it = log_->Read(1); it->Valid(); it->Next()) {
      const log::v1::LogRecord& r = it->record();
      if (r.has_reconcile() && r.cluster().name() == name &&
          r.reconcile().outcome() == log::v1::ReconcileRecord::FAILED) {
        out.push_back(r.reconcile());
      }
    }
    return out;
  }

  // The sequence number of the watch record that logged cluster `name`.
  uint64_t ClusterAdded(const std::string& name) {
    for (auto it = log_->Read(1); it->Valid(); it->Next()) {
      const log::v1::LogRecord& r = it->record();
      if (r.has_watch() && r.watch().object().kind() == "DorisCluster" && r.watch().object().name() == name) {
        return it->record().seq();
      }
    }
    return 0;
  }

  std::unique_ptr<testing::KubesimProcess> sim_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<store::EventLog> log_;
  std::mutex mu_;
  std::map<std::string, std::vector<absl::Time>> attempts_;
  std::atomic<bool> bad_throws_{true};
};

TEST_F(ControllerBoundaryTest, AReconcileThatThrowsIsRecordedAndRetriedWithBackoffWhileOthersGoOn) {
  ControllerOptions options;
  options.workers = 1;  // one worker: were it lost to the exception, nothing else would run
  options.resync_period = absl::ZeroDuration();
  options.reconcile = [this](const store::ClusterKey& key, uint64_t) {
    {
      std::lock_guard<std::mutex> l(mu_);
      attempts_[key.name].push_back(absl::Now());
    }
    if (key.name == "bad" && bad_throws_) {
      // What a malformed object reaching `get<>` of the wrong type throws.
      (void)Json("not a number").get<int>();
    }
    reconcile::ReconcileOutcome out;
    out.record.set_outcome(log::v1::ReconcileRecord::NO_CHANGE);
    return out;
  };
  Controller controller(client_.get(), log_.get(), options);
  controller.Start();

  Apply(Cluster("bad", 1, 1));
  ASSERT_TRUE(testing::Eventually([&] { return Attempts("bad").size() >= 4; }, absl::Seconds(60)));
  // The worker that met the exception still serves other clusters.
  Apply(Cluster("good", 1, 1));
  ASSERT_TRUE(testing::Eventually([&] { return !Attempts("good").empty(); }, absl::Seconds(60)));

  // Retried with backoff: each retry waits at least the queue's delay for
  // that many failures (base * 2^n). A slow machine only widens the gaps.
  const std::vector<absl::Time> bad = Attempts("bad");
  const absl::Duration base = workqueue::WorkQueueOptions{}.base_delay;
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_GE(bad[i] - bad[i - 1], base * (1 << (i - 1))) << "retry " << i;
  }

  // Recorded: one FAILED record per attempt, saying what was thrown, each
  // with the cluster's creation in its trigger range (the retry has not
  // lost what triggered the first attempt).
  const uint64_t added = ClusterAdded("bad");
  ASSERT_NE(added, 0u);
  std::vector<log::v1::ReconcileRecord> failed;
  ASSERT_TRUE(testing::Eventually([&] { return (failed = Failed("bad")).size() >= 4; }, absl::Seconds(10)));
  for (const log::v1::ReconcileRecord& r : failed) {
    EXPECT_NE(r.error().find("internal error: [json.exception.type_error.302]"), std::string::npos) << r.error();
    EXPECT_LE(r.trigger_seq_begin(), added) << r.DebugString();
    EXPECT_GE(r.trigger_seq_end(), added) << r.DebugString();
  }
  EXPECT_GE(controller.stats().reconciles[log::v1::ReconcileRecord::FAILED].load(), 4);
  EXPECT_TRUE(Failed("good").empty());

  // Once the cause is gone the next retry succeeds, and nothing more fails.
  bad_throws_ = false;
  const size_t before = Attempts("bad").size();
  ASSERT_TRUE(testing::Eventually([&] { return Attempts("bad").size() > before; }, absl::Seconds(120)));
  controller.Stop();
  EXPECT_EQ(Failed("bad").size(), controller.stats().reconciles[log::v1::ReconcileRecord::FAILED].load());
}

}  // namespace
}  // namespace doris_operator
