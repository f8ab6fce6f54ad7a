// The operator's probe endpoints as deploy/operator.yaml uses them (startup
// and liveness on /healthz, readiness on /readyz, on the metrics port), and
// the periodic resync, against kubesim: each checked at the event that
// decides it, not after a pause.

#include <signal.h>

#include <filesystem>

#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

using Json = nlohmann::json;

class ProbesE2eTest : public OperatorE2eTest {
 protected:
  void SetFaults(const std::string& body) {
    kube::Request r;
    r.method = "POST";
    r.path = "/kubesim/faults";
    r.body = body;
    auto resp = client_->Do(r);
    ASSERT_TRUE(resp.ok() && resp->code == 200) << (resp.ok() ? resp->body : resp.status().ToString());
  }

  // Stops the operator and starts a fresh one on an empty log, as a new pod.
  void RestartOnAnEmptyLog() {
    operator_->Kill(SIGTERM);
    std::filesystem::remove_all(dir_ + "/data");
    StartOperator();
  }
};

TEST_F(ProbesE2eTest, LiveWhileTheApiFailsReadyOnlyOnceEveryWatchHasListed) {
  Apply(Cluster("demo", 1, 1));
  // Every API call fails while a new process starts: it has certainly tried
  // (and failed) to list before the probes are asked.
  SetFaults(R"({"errorRate":1,"errorCode":500})");
  RestartOnAnEmptyLog();
  ASSERT_TRUE(Eventually([&] { return MetricWith("doris_operator_api_requests_total", "code=\"500\"") > 0; }))
      << operator_->Output();
  // Alive (a restart would not help an API outage) but not ready: nothing
  // has listed, so no watch has synced.
  EXPECT_EQ(Probe("/healthz"), 200);
  EXPECT_EQ(Probe("/readyz"), 503);
  EXPECT_EQ(Probe("/nope"), 404);

  SetFaults("{}");
  ASSERT_TRUE(Eventually([&] { return Probe("/readyz") == 200; })) << operator_->Output();
  // Ready means the log is in step with the API: the cluster that existed
  // before the process started is in its log now.
  EXPECT_NE(LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "demo",
                          [](const Json&) { return true; }),
            0u);
  EXPECT_EQ(Probe("/healthz"), 200);
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  // A dropped watch does not make a synced process unready again: it
  // resumes from its cursor.
  kube::Request drop;
  drop.method = "POST";
  drop.path = "/kubesim/drop-watches";
  ASSERT_TRUE(client_->Do(drop).ok());
  EXPECT_EQ(Probe("/readyz"), 200);
}

class ResyncE2eTest : public OperatorE2eTest {
 public:
  std::vector<std::string> ExtraOperatorArgs() const override { return {"--resync-period", "2s"}; }
};

TEST_F(ResyncE2eTest, ASettledClusterIsLookedAtAgainEveryPeriodAndNothingIsWritten) {
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && Metric("doris_operator_queue_depth") == 0; }))
      << operator_->Output();
  uint64_t settled = 0;
  for (const auto& r : ReconcilesThrough("demo", 0)) settled = std::max(settled, r.seq());
  ASSERT_GT(settled, 0u);
  // Reconciles that no record triggered (an empty trigger range): the
  // resync's. Two of them after the cluster settled, and neither acts.
  std::vector<admin::v1::ReconcileSummary> resyncs;
  ASSERT_TRUE(Eventually([&] {
    resyncs.clear();
    for (const auto& r : ReconcilesThrough("demo", settled)) {
      if (r.seq() > settled && r.trigger_seq_begin() > r.trigger_seq_end()) resyncs.push_back(r);
    }
    return resyncs.size() >= 2;
  })) << operator_->Output();
  for (const auto& r : resyncs) {
    EXPECT_EQ(r.actions(), 0) << r.DebugString();
    EXPECT_EQ(r.outcome(), log::v1::ReconcileRecord::NO_CHANGE) << r.DebugString();
  }
}

}  // namespace
}  // namespace doris_operator
