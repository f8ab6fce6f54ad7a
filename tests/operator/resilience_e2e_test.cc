// Leader loss in the middle of a job: two doris-operator processes with
// --leader-elect against one kubesim process. The leader is frozen
// (SIGSTOP) at a moment the test waits for; the other takes over and
// finishes the job from its own log; the frozen one, thawed, writes nothing.
// What happened, and in which order, is read from kubesim (its access log,
// the StatefulSet's watch history) and from fake Doris' membership log,
// not from the operators' own accounts.

#include <signal.h>

#include <array>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

using Json = nlohmann::json;

constexpr char kNoAutoDrop[] = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: fe-conf
  namespace: default
data:
  fe.conf: |
    enable_fqdn_mode = true
    drop_backend_after_decommission = false
)";

class ResilienceE2eTest : public OperatorE2eTest {
 protected:
  static constexpr std::array<const char*, 2> kIds = {"op-one", "op-two"};

  void SetUp() override {
    dir_ = testing::TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    StartSimulatorWithCrd(dir_, &sim_, &client_);
    if (HasFatalFailure()) return;
    for (int i = 0; i < 2; ++i) StartElector(i);
  }

  void TearDown() override {
    for (auto& op : ops_) {
      if (op != nullptr) kill(op->pid(), SIGCONT);  // a frozen process cannot be stopped
    }
  }

  // Election timings as leader_e2e_test's: short, in the production order
  // (retry < renew deadline < lease).
  void StartElector(int i) {
    auto p = testing::ChildProcess::Start(
        {testing::Runfile("operator/doris-operator"), "--kubeconfig", sim_->kubeconfig(),
         "--data-dir", absl::StrCat(dir_, "/data-", i), "--metrics-address", "127.0.0.1:0",
         "--admin-address", "127.0.0.1:0", "--doris-access", "apiserver-proxy", "--workers", "2",
         "--leader-elect", "--leader-election-identity", kIds[i], "--leader-election-lease-duration", "3s",
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

  // Sum of a metric's samples (those whose labels contain `label`) on
  // operator i; -1 if it does not answer.
  double MetricOf(int i, const std::string& name, const std::string& label = "") {
    const int port = metrics_port_;
    metrics_port_ = ports_[i];
    const double v = MetricWith(name, label);
    metrics_port_ = port;
    return v;
  }

  // Freezes operator i (SIGSTOP) in the middle of a job; returns the events
  // it had ingested, for ThawDeposed.
  double Freeze(int i) {
    const double ingested = MetricOf(i, "doris_operator_events_ingested_total");
    EXPECT_GT(ingested, 0);
    EXPECT_EQ(kill(ops_[i]->pid(), SIGSTOP), 0);
    return ingested;
  }

  // Thaws `old`, which `next` took the Lease from while it was frozen. Its
  // workers wake with the cluster still queued and its log still at the
  // moment it froze: without the write gate they would reconcile that
  // stale state now. Waits until it has said it lost the Lease and its
  // watches have caught up (more than the `ingested` events of the freeze).
  void ThawDeposed(int old, int next, double ingested) {
    const std::string said = ops_[old]->Output();
    ASSERT_EQ(kill(ops_[old]->pid(), SIGCONT), 0);
    ASSERT_TRUE(Eventually([&] {
      const std::string out = ops_[old]->Output();
      return out.size() > said.size() && out.find("no longer leading", said.size()) != std::string::npos &&
             out.find(absl::StrCat("holder=", kIds[next]), said.size()) != std::string::npos &&
             MetricOf(old, "doris_operator_events_ingested_total") > ingested;
    })) << Outputs();
    EXPECT_EQ(MetricOf(old, "doris_operator_leader"), 0);
    EXPECT_EQ(Leader(), next);
  }

  std::string Holder() {
    Json lease = Get(kube::ObjectPath("coordination.k8s.io/v1", "default", "leases", "doris-operator-leader"));
    return lease.is_object() && lease["spec"].is_object() ? lease["spec"].value("holderIdentity", "") : "";
  }
  int Leader() {
    const std::string h = Holder();
    return h == kIds[0] ? 0 : h == kIds[1] ? 1 : -1;
  }

  // The User-Agent operator i sends with leader election on.
  static std::string AgentOf(int i) { return absl::StrCat("doris-operator/dev (", kIds[i], ")"); }

  // Writes kubesim served to operator i (WritesBy).
  int64_t Writes(int i) { return WritesBy(AgentOf(i)); }

  // Writes of the demo-fe StatefulSet kubesim answered (here: refused) for
  // operator i.
  int64_t Refused(int i) {
    auto used = client_->Get("/kubesim/requests?userAgent=" + Encoded(AgentOf(i)));
    int64_t n = 0;
    if (!used.ok()) return 0;
    for (const Json& u : (*used)["requests"]) {
      if (u.value("verb", "") == "patch" && u.value("resource", "") == "statefulsets") {
        n += u.value("count", int64_t{0});
      }
    }
    return n;
  }

  // The API server's current resourceVersion.
  int64_t CurrentRv() {
    int64_t rv = -1;
    const Json list = Get("/api/v1/namespaces/default/configmaps?limit=1");
    if (list.is_object()) (void)absl::SimpleAtoi(list["metadata"].value("resourceVersion", ""), &rv);
    return rv;
  }

  // spec.replicas of StatefulSet `name` at every change after `from_rv`:
  // resourceVersion -> replicas, from the API server's watch history.
  std::map<int64_t, int> ReplicasSince(const std::string& name, int64_t from_rv) {
    std::map<int64_t, int> out;
    kube::WatchOptions w;
    w.resource_version = std::to_string(from_rv);
    w.timeout_seconds = 1;
    w.bookmarks = false;
    const absl::Status s =
        client_->Watch("/apis/apps/v1/namespaces/default/statefulsets", w, [&](Json event) {
          const Json& o = event["object"];
          int64_t rv = 0;
          if (o["metadata"].value("name", "") == name &&
              absl::SimpleAtoi(o["metadata"].value("resourceVersion", ""), &rv)) {
            out[rv] = o["spec"].value("replicas", -1);
          }
          return true;
        });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::string Outputs() {
    std::string out;
    for (int i = 0; i < 2; ++i) absl::StrAppend(&out, "--- ", kIds[i], ":\n", ops_[i]->Output());
    absl::StrAppend(&out, "--- membership log: ", MembershipLog("demo").dump(), "\n");
    return out;
  }

  std::array<std::unique_ptr<testing::ChildProcess>, 2> ops_;
  std::array<int, 2> ports_ = {0, 0};
};

// The backends of pods `demo-be-N` with N >= `from`, by host:port.
std::set<std::string> HostsFrom(const std::map<std::string, int64_t>& backends, int from) {
  std::set<std::string> out;
  for (const auto& [hp, tablets] : backends) {
    const size_t at = hp.find("demo-be-");
    int ordinal = -1;
    if (at != std::string::npos &&
        absl::SimpleAtoi(hp.substr(at + 8, hp.find('.', at) - at - 8), &ordinal) && ordinal >= from) {
      out.insert(hp);
    }
  }
  return out;
}

TEST_F(ResilienceE2eTest, ALeaderLostBetweenDecommissionAndDropIsFinishedByTheNextOneAndWritesNoMore) {
  ASSERT_TRUE(Eventually([&] { return Leader() >= 0; })) << Outputs();
  Apply(kNoAutoDrop);  // the drop is the operator's to make, so it can be seen
  ClusterOptions o;
  o.fe_extra = "    configMapInfo:\n      configMapName: fe-conf\n      resolveKey: fe.conf\n";
  Apply(Cluster("demo", 1, 4, o));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 4 && StsReplicas("demo-be") == 4; }))
      << Outputs();
  const std::optional<std::map<std::string, int64_t>> before = Backends("demo");
  ASSERT_TRUE(before.has_value());
  int64_t tablets = 0;
  for (const auto& [hp, n] : *before) tablets += n;
  const std::set<std::string> leaving = HostsFrom(*before, 2);
  ASSERT_EQ(leaving.size(), 2u) << Json(*before).dump();

  // Decommissions now never finish (no tablet moves): the job stops between
  // DECOMMISSION and DROP for as long as the test needs.
  Knobs("demo", {{"tabletsMovedPerSecond", 0}});
  const int64_t start_rv = CurrentRv();
  ASSERT_GT(start_rv, 0);
  Apply(Cluster("demo", 1, 2, o));
  ASSERT_TRUE(Eventually([&] {
    const Json nodes = FeGet("demo", "/api/_sim/nodes");
    if (!nodes.is_object() || nodes.size() != 4) return false;
    for (const std::string& hp : leaving) {
      if (!nodes[hp].value("decommissioned", false)) return false;
    }
    return true;
  })) << Outputs();
  const int old = Leader();
  ASSERT_GE(old, 0) << Outputs();
  const int next = 1 - old;
  const double ingested = Freeze(old);
  ASSERT_FALSE(HasFailure()) << Outputs();
  // Caught between the two: decommissioned, not dropped, nothing shrunk.
  ASSERT_EQ(BackendCount("demo"), 4);
  ASSERT_EQ(StsReplicas("demo-be"), 4);

  // The other takes the Lease once it expires. From then on the frozen one
  // must not write again (what it sent before is served by now: the lease
  // outlasts one write attempt, --leader-election-* above).
  ASSERT_TRUE(Eventually([&] { return Leader() == next; })) << Outputs();
  const int64_t old_writes = Writes(old);
  const int64_t takeover_rv = CurrentRv();
  ASSERT_GE(old_writes, 0);

  // Let the tablets move: the new leader must drop the drained nodes and
  // only then shrink the StatefulSet.
  Knobs("demo", {{"tabletsMovedPerSecond", 200}});
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-be") == 2 && BackendCount("demo") == 2 && Available("demo");
  })) << Outputs();
  EXPECT_EQ(Tablets("demo"), tablets);

  // Thaw the old leader; it sees the job finished.
  ThawDeposed(old, next, ingested);
  if (HasFatalFailure()) return;

  // From fake Doris: each leaving backend decommissioned once and dropped
  // once, the drop by the new leader after the takeover; the old leader
  // made no Doris call after the takeover; nothing else was touched.
  const Json log = MembershipLog("demo");
  ASSERT_TRUE(log.is_array()) << Outputs();
  std::map<std::string, int64_t> decommissioned_at, dropped_at;
  for (const Json& e : log) {
    const std::string op = e.value("op", "");
    const int64_t rv = e.value("resourceVersion", int64_t{0});
    if (rv > takeover_rv) {
      EXPECT_NE(e.value("by", ""), AgentOf(old)) << "the old leader called Doris after the takeover: " << e.dump();
    }
    if (rv <= start_rv) continue;
    for (const Json& hp : e["hostPorts"]) {
      const std::string host = hp.is_string() ? hp.get<std::string>() : "";
      EXPECT_TRUE(leaving.count(host)) << "a kept node was acted on: " << e.dump();
      if (op == "DECOMMISSION/be") {
        EXPECT_FALSE(decommissioned_at.count(host)) << "decommissioned twice: " << log.dump();
        decommissioned_at[host] = rv;
      } else if (op == "DROP/be") {
        EXPECT_FALSE(dropped_at.count(host)) << "dropped twice: " << log.dump();
        EXPECT_EQ(e.value("by", ""), AgentOf(next)) << e.dump();
        EXPECT_EQ(e.value("code", -1), 0) << e.dump();
        dropped_at[host] = rv;
      } else {
        ADD_FAILURE() << "unexpected membership write: " << e.dump();
      }
    }
  }
  for (const std::string& host : leaving) {
    ASSERT_TRUE(decommissioned_at.count(host) && dropped_at.count(host)) << host << "\n" << log.dump();
    EXPECT_LT(decommissioned_at[host], takeover_rv) << host;
    EXPECT_GT(dropped_at[host], takeover_rv) << host;
  }

  // From the StatefulSet's history: never below what was dropped — each
  // version with N replicas came after the drop of every backend of a pod
  // with ordinal >= N, and none went below 2.
  const std::map<int64_t, int> replicas = ReplicasSince("demo-be", start_rv);
  ASSERT_FALSE(replicas.empty());
  EXPECT_EQ(replicas.rbegin()->second, 2);
  for (const auto& [rv, n] : replicas) {
    EXPECT_GE(n, 2) << rv;
    for (const std::string& host : HostsFrom(*before, n)) {
      EXPECT_GT(rv, dropped_at[host]) << "demo-be shrank to " << n << " at " << rv << " before " << host
                                      << " was dropped";
    }
  }

  // From kubesim's access log: the old leader wrote nothing after the
  // takeover, though it ran again and saw the job finished.
  EXPECT_EQ(Writes(old), old_writes) << Outputs();
}

TEST_F(ResilienceE2eTest, ALeaderLostBetweenTwoAppliesLeavesTheRestToTheNextOneAndWritesNoMore) {
  ASSERT_TRUE(Eventually([&] { return Leader() >= 0; })) << Outputs();
  // The FE StatefulSet is refused (as an admission webhook would refuse
  // it): the leader's first reconcile applies the FE Services and fails on
  // it, and every retry stops at the same place, until the refusal goes.
  SetFaults(R"({"refuse":[{"verb":"patch","resource":"statefulsets","name":"demo-fe","code":500,
                "reason":"InternalError","message":"webhook unavailable"}]})");
  Apply(Cluster("demo", 1, 1));
  const std::string service = kube::ObjectPath("v1", "default", "services", "demo-fe-service");
  int old = -1;
  ASSERT_TRUE(Eventually([&] {
    old = Leader();
    return old >= 0 && Get(service).is_object() && Refused(old) > 0;
  })) << Outputs();
  const int next = 1 - old;
  const std::string service_uid = Get(service)["metadata"].value("uid", "");
  const double ingested = Freeze(old);
  ASSERT_FALSE(HasFailure()) << Outputs();
  // Caught between the two applies: a Service written, the StatefulSet not.
  ASSERT_FALSE(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "demo-fe")).is_object());

  ASSERT_TRUE(Eventually([&] { return Leader() == next; })) << Outputs();
  const int64_t old_writes = Writes(old);
  ASSERT_GE(old_writes, 0);
  SetFaults("{}");
  ASSERT_TRUE(Eventually([&] { return Available("demo") && StsReplicas("demo-be") == 1; })) << Outputs();
  // The new leader went on from what was there: the Service the old one
  // wrote is the same object (applied again at most, never replaced).
  EXPECT_EQ(Get(service)["metadata"].value("uid", ""), service_uid);

  ThawDeposed(old, next, ingested);
  if (HasFatalFailure()) return;
  EXPECT_EQ(Writes(old), old_writes) << Outputs();
}

// The write gate on its own, with no race: the leader is held by the API
// server in the middle of a reconcile (its read of the live DorisCluster,
// which comes after it folded its inputs and before its first write)
// while it loses the Lease, and then goes on. Nothing it writes after
// that may be sent: every write stops at the gate, the reconcile fails.
TEST_F(ResilienceE2eTest, ALeaderDeposedInTheMiddleOfAReconcileSendsNoWriteAfterwards) {
  ASSERT_TRUE(Eventually([&] { return Leader() >= 0; })) << Outputs();
  const int old = Leader();
  // adminUser: each reconcile reads the live DorisCluster for it.
  ClusterOptions o;
  o.spec_extra = "  adminUser:\n    name: root\n";
  const std::string hold = absl::StrCat(R"({"hold":[{"verb":"get","resource":"dorisclusters","name":"demo",)",
                                        R"("userAgent":")", AgentOf(old), R"("}]})");
  SetFaults(hold);
  Apply(Cluster("demo", 1, 1, o));
  ASSERT_TRUE(Eventually([&] { return !Held().empty(); })) << Outputs();
  const int64_t writes_before = Writes(old);
  ASSERT_GE(writes_before, 0);

  // The Lease goes to another holder, for an hour (so that no slow
  // renewal anywhere can end its term during the test): the old leader
  // sees it and stops leading once its renew deadline passes.
  const std::string lease_path =
      kube::ObjectPath("coordination.k8s.io/v1", "default", "leases", "doris-operator-leader");
  ASSERT_TRUE(Eventually([&] {
    Json lease = Get(lease_path);
    if (!lease.is_object()) return false;
    const std::string now = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
    lease["spec"]["holderIdentity"] = "e2e-usurper";
    lease["spec"]["leaseDurationSeconds"] = 3600;
    lease["spec"]["acquireTime"] = now;
    lease["spec"]["renewTime"] = now;
    lease["spec"]["leaseTransitions"] = lease["spec"].value("leaseTransitions", 0) + 1;
    return client_->Update(lease_path, lease.dump()).ok();  // 409 when a renewal came between
  })) << Outputs();
  ASSERT_TRUE(Eventually([&] { return MetricOf(old, "doris_operator_leader") == 0; })) << Outputs();
  ASSERT_EQ(Holder(), "e2e-usurper");
  // Nothing written meanwhile: the reconcile still waits at its read.
  ASSERT_EQ(Writes(old), writes_before) << Outputs();
  ASSERT_FALSE(Held().empty());

  // The reconcile goes on, with the cluster to create. Once it has ended:
  // not one of its writes reached the API server, and it failed saying why.
  const double reconciles = MetricOf(old, "doris_operator_reconcile_duration_seconds_count");
  const double failed = MetricOf(old, "doris_operator_reconciles_total", R"(outcome="failed")");
  ASSERT_GE(reconciles, 0);
  ASSERT_GE(failed, 0);
  SetFaults("{}");
  ASSERT_TRUE(Eventually([&] {
    return MetricOf(old, "doris_operator_reconcile_duration_seconds_count") > reconciles;
  })) << Outputs();
  EXPECT_EQ(Writes(old), writes_before) << "the deposed leader wrote\n" << Outputs();
  EXPECT_GT(MetricOf(old, "doris_operator_reconciles_total", R"(outcome="failed")"), failed) << Outputs();
  EXPECT_NE(ops_[old]->Output().find("not the leader"), std::string::npos) << Outputs();
}

}  // namespace
}  // namespace doris_operator
