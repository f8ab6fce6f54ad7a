// No query to a leaving compute-group pod, end to end: the operator binary
// against kubesim with fake Doris in decoupled mode, while a client sends
// queries to a compute group without pause. A rolling restart and a
// scale-in (with a new image in the same update) go through; fake Doris
// counts each query its FE sent to a backend whose pod was being deleted
// without the BE's graceful stop (leavingQueries) and each one sent to a
// backend already gone (lostQueries). Both must stay 0, every query must be
// answered, and a leaving pod must never be restarted.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/operator/ddc_fixture.h"

namespace doris_operator {
namespace {

constexpr char kName[] = "grace";

std::string DdcYaml(int replicas, const std::string& be_version) {
  return absl::StrCat(R"(apiVersion: disaggregated.cluster.doris.com/v1
kind: DorisDisaggregatedCluster
metadata:
  name: grace
  namespace: default
spec:
  metaService:
    replicas: 1
    image: apache/doris:ms-3.0.3
    fdb:
      address: "doris_fdb:Kq0vV2bX@10.0.0.11:4500"
  feSpec:
    replicas: 1
    electionNumber: 1
    image: apache/doris:fe-3.0.3
  computeGroups:
  - uniqueId: cg1
    replicas: )", replicas, R"(
    image: apache/doris:be-)", be_version, R"(
)");
}

// Sends queries to compute group cg1 through the FE Service, one after the
// other, from a thread of its own (with its own client), until stopped.
class QueryLoop {
 public:
  explicit QueryLoop(const std::string& kubeconfig) {
    auto config = kube::LoadKubeconfig(kubeconfig);
    kube::ClientOptions options;
    options.max_retries = 0;
    options.user_agent = "e2e-queries";
    if (config.ok()) {
      auto client = kube::Client::Create(*config, options);
      if (client.ok()) client_ = std::move(*client);
    }
    thread_ = std::thread([this] { Run(); });
  }
  ~QueryLoop() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int answered() const { return answered_; }
  int failed() const { return failed_; }
  std::string last_failure() const {
    std::lock_guard<std::mutex> l(mu_);
    return last_failure_;
  }

 private:
  void Run() {
    kube::Request q;
    q.method = "POST";
    q.path = absl::StrCat("/api/v1/namespaces/default/services/", kName, "-fe:8030/proxy/api/_sim/query");
    q.headers.push_back("Authorization: Basic cm9vdDo=");  // root, no password
    q.body = R"({"computeGroup":"cg1"})";
    while (!stop_ && client_ != nullptr) {
      auto r = client_->Do(q);
      const Json envelope = r.ok() ? Json::parse(r->body, nullptr, false) : Json();
      if (r.ok() && envelope.is_object() && envelope.value("code", -1) == 0) {
        ++answered_;
      } else {
        ++failed_;
        std::lock_guard<std::mutex> l(mu_);
        last_failure_ = r.ok() ? r->body : std::string(r.status().message());
      }
    }
  }

  std::unique_ptr<kube::Client> client_;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::atomic<int> failed_{0};
  mutable std::mutex mu_;
  std::string last_failure_;
  std::thread thread_;
};

class DdcGracefulE2eTest : public DdcE2eFixture {
 protected:
  static Json GroupStatus(const Json& ddc) {
    for (const Json& g : At(ddc, "/status/computeGroupStatuses").is_array() ? ddc["status"]["computeGroupStatuses"]
                                                                            : Json::array()) {
      if (g.value("uniqueId", "") == "cg1") return g;
    }
    return Json();
  }

  // cg1 has exactly `replicas` pods, each Ready on `image`, and the ddc says
  // it is done: group Ready, rollout complete, health green, spec observed.
  bool GroupSettled(int replicas, const std::string& image) {
    const Json d = Ddc(kName);
    if (At(d, "/status/clusterHealth/health") != "green" ||
        At(d, "/status/observedGeneration") != At(d, "/metadata/generation") ||
        At(Condition(d, "RolloutComplete"), "/status") != "True" || At(GroupStatus(d), "/phase") != "Ready") {
      return false;
    }
    for (int i = 0; i < replicas; ++i) {
      const Json pod = Get(kube::ObjectPath("v1", "default", "pods", absl::StrCat(kName, "-cg1-", i)));
      if (!PodReadyIn(pod) || At(pod, "/spec/containers/0/image") != image) return false;
    }
    const Json extra = Get(kube::ObjectPath("v1", "default", "pods", absl::StrCat(kName, "-cg1-", replicas)));
    return !extra.is_object() || At(extra, "/kind") != "Pod";
  }

  // Up and serving: the pods are Ready and the FE lists every backend of
  // cg1 alive (a heartbeat after Ready), so every query can be answered.
  void BringUp(int replicas) {
    Apply(DdcYaml(replicas, "3.0.3"));
    ASSERT_TRUE(Eventually([&] {
      if (!GroupSettled(replicas, "apache/doris:be-3.0.3")) return false;
      const Json nodes = Nodes(kName);
      if (!nodes.is_object()) return false;
      int alive = 0;
      for (const auto& [hp, n] : nodes.items()) {
        alive += n.value("computeGroup", "") == "cg1" && n.value("alive", false);
      }
      return alive == replicas;
    }, 300)) << Ddc(kName).dump() << Nodes(kName).dump() << operator_->Output();
  }

  // The fake FE's counters of queries sent to leaving or gone backends, and
  // of queries kept off a backend that was shutting down.
  struct Counters {
    int64_t leaving = -1, lost = -1, skipped = -1;
  };
  Counters QueryCounters() {
    kube::Request r;
    r.path = absl::StrCat("/api/v1/namespaces/default/services/", kName, "-fe:8030/proxy/api/_sim/nodes");
    r.headers.push_back("Authorization: Basic cm9vdDo=");
    auto resp = client_->Do(r);
    const Json e = resp.ok() ? Json::parse(resp->body, nullptr, false) : Json();
    Counters c;
    if (!e.is_object() || e.value("code", -1) != 0) return c;
    c.leaving = e.value("leavingQueries", -1);
    c.lost = e.value("lostQueries", -1);
    c.skipped = e.value("shutDownSkipped", -1);
    return c;
  }
};

// A new image rolls cg1's two pods one at a time. Each pod goes through the
// BE's graceful stop (its preStop hook), so the FE sends it no query while
// it terminates; the other pod serves meanwhile: every query is answered.
TEST_F(DdcGracefulE2eTest, ARollingRestartSendsNoQueryToALeavingPod) {
  BringUp(2);
  if (HasFatalFailure()) return;
  QueryLoop queries(sim_->kubeconfig());
  ASSERT_TRUE(Eventually([&] { return queries.answered() > 0; })) << queries.last_failure();

  auto r = Kubectl({"patch", "ddc", kName, "--type=json", "-p",
                    R"([{"op":"replace","path":"/spec/computeGroups/0/image","value":"apache/doris:be-3.0.4"}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] { return GroupSettled(2, "apache/doris:be-3.0.4"); }, 300))
      << Ddc(kName).dump() << operator_->Output();
  queries.Stop();

  const Counters c = QueryCounters();
  EXPECT_EQ(c.leaving, 0) << "queries sent to a pod being deleted without the BE's graceful stop";
  EXPECT_EQ(c.lost, 0) << "queries sent to a backend whose pod was gone";
  // The loop was asking while pods terminated (else this test proves nothing).
  EXPECT_GT(c.skipped, 0);
  EXPECT_EQ(queries.failed(), 0) << queries.last_failure();
  EXPECT_GT(queries.answered(), 0);
}

// Scaled in (3 -> 2) and re-templated in one update: grace-cg1-2's backend
// is decommissioned and dropped, then its pod goes, never restarted on the
// new image (a leaving pod is not rolled); then 1 and 0 roll. No query
// reaches a leaving pod, every query is answered.
TEST_F(DdcGracefulE2eTest, AScaleInWithANewImageNeverRestartsTheLeavingPod) {
  BringUp(3);
  if (HasFatalFailure()) return;
  const std::string leaving = absl::StrCat(kName, "-cg1-2");
  const std::string leaving_uid =
      At(Get(kube::ObjectPath("v1", "default", "pods", leaving)), "/metadata/uid").get<std::string>();
  QueryLoop queries(sim_->kubeconfig());
  ASSERT_TRUE(Eventually([&] { return queries.answered() > 0; })) << queries.last_failure();

  Apply(DdcYaml(2, "3.0.4"));
  ASSERT_TRUE(Eventually([&] { return GroupSettled(2, "apache/doris:be-3.0.4"); }, 300))
      << Ddc(kName).dump() << operator_->Output();
  queries.Stop();

  // Every version of the leaving pod the operator saw: the same pod, on the
  // old image (a restart would show a new uid on the new image).
  int seen = 0;
  std::vector<std::string> restarted;
  for (const log::v1::LogRecord& rec : WatchRecords(kName, "Pod")) {
    if (rec.watch().object().name() != leaving || rec.watch().type() == log::v1::DELETED) continue;
    const Json o = Json::parse(rec.watch().object_json(), nullptr, false);
    ASSERT_TRUE(o.is_object());
    ++seen;
    if (At(o, "/metadata/uid") != leaving_uid || At(o, "/spec/containers/0/image") != "apache/doris:be-3.0.3") {
      restarted.push_back(absl::StrCat("uid ", At(o, "/metadata/uid").dump(), " image ",
                                       At(o, "/spec/containers/0/image").dump()));
    }
  }
  EXPECT_GT(seen, 0);
  EXPECT_TRUE(restarted.empty()) << "the leaving pod was restarted (first: uid " << leaving_uid << "):\n"
                                 << absl::StrJoin(restarted, "\n");
  // Its backend left Doris before it went.
  const std::vector<std::string> membership = OperatorMembership(kName);
  bool decommissioned = false, dropped = false;
  for (const std::string& m : membership) {
    if (m.find(leaving + ".") == std::string::npos) continue;
    decommissioned |= m.rfind("DECOMMISSION/be ", 0) == 0;
    dropped |= m.rfind("DROP/be ", 0) == 0;
  }
  EXPECT_TRUE(decommissioned && dropped) << absl::StrJoin(membership, "\n");

  const Counters c = QueryCounters();
  EXPECT_EQ(c.leaving, 0);
  EXPECT_EQ(c.lost, 0);
  EXPECT_GT(c.skipped, 0);  // the pods that stayed restarted while the loop asked
  EXPECT_EQ(queries.failed(), 0) << queries.last_failure();
}

}  // namespace
}  // namespace doris_operator
