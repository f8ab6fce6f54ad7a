// Two doris-operator processes with --leader-elect against one kubesim
// process: one leads and writes, the other only watches and logs, and takes
// over when the leader is killed.

#include <signal.h>

#include <array>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "operator/kube/client.h"
#include "operator/kube/kubeconfig.h"
#include "tests/operator/operator_fixture.h"
#include "tests/testing/eventually.h"
#include "tests/testing/kubesim_process.h"
#include "tests/testing/metrics_text.h"

namespace doris_operator {
namespace {

using Json = nlohmann::json;

class LeaderE2eTest : public ::testing::Test {
 protected:
  static constexpr std::array<const char*, 2> kIds = {"op-one", "op-two"};

  void SetUp() override {
    dir_ = testing::TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    StartSimulatorWithCrd(dir_, &sim_, &client_);
    if (::testing::Test::HasFatalFailure()) return;
    for (int i = 0; i < 2; ++i) StartOperator(i);
  }

  // Short election timings keep the takeover within a test; their order
  // (retry < renew deadline < lease) is the production one.
  void StartOperator(int i) {
    auto p = testing::ChildProcess::Start(
        {testing::Runfile("operator/doris-operator"), "--kubeconfig", sim_->kubeconfig(),
         "--data-dir", absl::StrCat(dir_, "/data-", i), "--metrics-address", "127.0.0.1:0",
         "--admin-address", "127.0.0.1:0", "--doris-access", "apiserver-proxy", "--workers", "2", "--leader-elect",
         "--leader-election-identity", kIds[i], "--leader-election-lease-duration", "3s",
         "--leader-election-renew-deadline", "2s", "--leader-election-retry-period", "400ms"},
        absl::StrCat(dir_, "/operator-", i, ".log"));
    ASSERT_TRUE(p.ok()) << p.status();
    ops_[i] = std::move(*p);
    const std::string marker = "metrics on 127.0.0.1:";
    ASSERT_TRUE(ops_[i]->WaitForOutput(marker, 60000)) << ops_[i]->Output();
    const std::string out = ops_[i]->Output();
    const size_t at = out.rfind(marker) + marker.size();
    ASSERT_TRUE(absl::SimpleAtoi(out.substr(at, out.find(',', at) - at), &ports_[i]));
  }

  void Apply(const std::string& yaml) {
    auto r = testing::Kubectl(sim_->kubeconfig(), {"apply", "-f", "-"}, yaml);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  Json Get(const std::string& path) {
    auto got = client_->Get(path);
    return got.ok() ? *got : Json();
  }

  Json LeaseSpec() {
    Json lease = Get(kube::ObjectPath("coordination.k8s.io/v1", "default", "leases",
                                      "doris-operator-leader"));
    return lease.is_object() && lease.contains("spec") ? lease["spec"] : Json::object();
  }

  std::string Holder() { return LeaseSpec().value("holderIdentity", ""); }

  std::string Phase(const std::string& cluster, const std::string& component) {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", cluster));
    const Json& s = dcr["status"][component + "Status"]["componentCondition"]["phase"];
    return s.is_string() ? s.get<std::string>() : "";
  }

  bool Available(const std::string& cluster) {
    return Phase(cluster, "fe") == "available" && Phase(cluster, "be") == "available";
  }

  int StsReplicas(const std::string& name) {
    Json sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", name));
    return sts.is_object() && sts["spec"].is_object() ? sts["spec"].value("replicas", -1) : -1;
  }

  // Sum of a metric's samples on operator i; -1 if it does not answer.
  double Metric(int i, const std::string& name) {
    kube::ClusterConfig c;
    c.server = absl::StrCat("http://127.0.0.1:", ports_[i]);
    kube::ClientOptions o;
    o.max_retries = 0;
    auto client = kube::Client::Create(c, o);
    kube::Request r;
    r.path = "/metrics";
    auto resp = (*client)->Do(r);
    if (!resp.ok() || resp->code != 200) return -1;
    return testing::MetricValue(resp->body, name);
  }

  // Polls `done` every 100 ms for up to `seconds` of wall time.
  bool Eventually(const std::function<bool()>& done, int seconds = 120) {
    return testing::Eventually(done, absl::Seconds(seconds));
  }

  // Both processes' output, the metrics of those still running, the cluster.
  std::string Outputs() {
    std::string out;
    for (int i = 0; i < 2; ++i) {
      absl::StrAppend(&out, "--- ", kIds[i], ":\n", ops_[i]->Output());
      for (const char* m : {"doris_operator_leader", "doris_operator_reconciles_total",
                            "doris_operator_write_calls_total", "doris_operator_queue_depth",
                            "doris_operator_events_ingested_total"}) {
        if (ops_[i]->running()) absl::StrAppend(&out, m, " ", Metric(i, m), "\n");
      }
    }
    absl::StrAppend(
        &out, "--- lease: ", LeaseSpec().dump(), "\n--- demo: ",
        Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo")).dump(),
        "\n--- demo-be replicas: ", StsReplicas("demo-be"), "\n");
    return out;
  }

  std::string dir_;
  std::unique_ptr<testing::KubesimProcess> sim_;
  std::array<std::unique_ptr<testing::ChildProcess>, 2> ops_;
  std::array<int, 2> ports_ = {0, 0};
  std::unique_ptr<kube::Client> client_;
};

// Whether process i ever led, by its own output.
bool EverLed(const std::string& output, const std::string& id) {
  return output.find(absl::StrCat("msg=leading identity=", id)) != std::string::npos;
}

// Leadership may move on a busy machine (a renewal later than the renew
// deadline ends a term); what must hold whoever leads: a process that never
// led never reconciled or wrote, the Lease names a live candidate, and a
// killed leader is replaced within the lease's bound.
TEST_F(LeaderE2eTest, OnlyALeaderWritesAndTheOtherTakesOverWhenItIsKilled) {
  ASSERT_TRUE(Eventually([&] { return Holder() == kIds[0] || Holder() == kIds[1]; })) << Outputs();
  Apply(Cluster("demo", 1, 3));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && StsReplicas("demo-be") == 3; })) << Outputs();
  double writes = 0;
  for (int i = 0; i < 2; ++i) {
    // Both ingest every event into their own logs.
    EXPECT_GT(Metric(i, "doris_operator_events_ingested_total"), 0) << Outputs();
    // Counters first, then the output: a process logs that it leads before
    // it reconciles, so counters read earlier than an output that never
    // says so must be 0 (read the other way round, a term that began in
    // between would look like writes by a process that never led).
    const double written = Metric(i, "doris_operator_write_calls_total");
    const double reconciled = Metric(i, "doris_operator_reconciles_total");
    writes += std::max(0.0, written);
    if (!EverLed(ops_[i]->Output(), kIds[i])) {
      EXPECT_EQ(written, 0) << kIds[i] << " never led\n" << Outputs();
      EXPECT_EQ(reconciled, 0) << kIds[i] << " never led\n" << Outputs();
    }
  }
  EXPECT_GT(writes, 0);

  // No release on SIGKILL: the survivor waits for the Lease to expire.
  const std::string holder = Holder();
  ASSERT_TRUE(holder == kIds[0] || holder == kIds[1]) << Outputs();
  const int leader = holder == kIds[0] ? 0 : 1;
  const int survivor = 1 - leader;
  const int64_t transitions = LeaseSpec().value("leaseTransitions", -1);
  ops_[leader]->Kill(SIGKILL);
  const absl::Time killed = absl::Now();
  Apply(Cluster("demo", 1, 4));
  ASSERT_TRUE(Eventually([&] { return Holder() == kIds[survivor]; })) << Outputs();
  // The Lease lasts 3s from when the survivor last saw it change; it retries
  // every 400ms. The slack is for a loaded machine, not for the protocol.
  EXPECT_LE(absl::Now() - killed, absl::Seconds(3) + absl::Seconds(12)) << Outputs();
  EXPECT_GT(LeaseSpec().value("leaseTransitions", -1), transitions) << LeaseSpec().dump();
  ASSERT_TRUE(Eventually([&] { return StsReplicas("demo-be") == 4 && Available("demo"); }))
      << Outputs();
  // Only the survivor is left to have written that, but a reconcile's
  // writes are added to the counter when the reconcile ends, and the
  // StatefulSet (and a status still "available" from the spec before) can
  // be seen while the survivor's reconcile is still running.
  EXPECT_TRUE(Eventually([&] { return Metric(survivor, "doris_operator_write_calls_total") > 0; }))
      << Outputs();
  EXPECT_TRUE(EverLed(ops_[survivor]->Output(), kIds[survivor])) << Outputs();
}

TEST_F(LeaderE2eTest, AStoppedLeaderHandsOverAtOnce) {
  ASSERT_TRUE(Eventually([&] { return Holder() == kIds[0] || Holder() == kIds[1]; })) << Outputs();
  const int leader = Holder() == kIds[0] ? 0 : 1;
  const int follower = 1 - leader;
  ops_[leader]->Kill(SIGTERM);
  // A process never exits leading: if it led, its last word on it is that
  // it stopped, and it released the Lease before exiting (holder "" until
  // the follower's next attempt takes it, without waiting out the 3s lease).
  const std::string out = ops_[leader]->Output();
  const size_t led = out.rfind(absl::StrCat("msg=leading identity=", kIds[leader]));
  ASSERT_NE(led, std::string::npos) << Outputs();
  EXPECT_NE(out.find("no longer leading", led), std::string::npos) << Outputs();
  EXPECT_NE(Holder(), kIds[leader]) << LeaseSpec().dump();
  ASSERT_TRUE(Eventually([&] { return Holder() == kIds[follower]; })) << Outputs();
  EXPECT_EQ(LeaseSpec().value("leaseDurationSeconds", 0), 3);
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << Outputs();
}

}  // namespace
}  // namespace doris_operator
