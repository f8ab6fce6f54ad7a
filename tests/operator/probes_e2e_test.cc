// The operator's probe endpoints as deploy/operator.yaml uses them (startup
// and liveness on /healthz, readiness on /readyz, on the metrics port), and
// the periodic resync, against kubesim: each checked at the event that
// decides it, not after a pause.

#include <signal.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

using Json = nlohmann::json;

// One probe of the operator's container in deploy/operator.yaml.
struct DeployedProbe {
  std::string path;
  int port = 0;             // the named port's containerPort
  int timeout_seconds = 1;  // the kubelet's default when unset
};

// The container's probes by kind ("startupProbe", ...), with their named
// port resolved; the test fails if the port is not where --metrics-address
// serves.
std::map<std::string, DeployedProbe> DeployedProbes() {
  std::map<std::string, DeployedProbe> out;
  for (const YAML::Node& doc : YAML::LoadAllFromFile(testing::Runfile("deploy/operator.yaml"))) {
    if (!doc["kind"] || doc["kind"].as<std::string>() != "StatefulSet") continue;
    const YAML::Node c = doc["spec"]["template"]["spec"]["containers"][0];
    std::map<std::string, int> ports;
    for (const YAML::Node& p : c["ports"]) ports[p["name"].as<std::string>()] = p["containerPort"].as<int>();
    std::string metrics_address;
    for (const YAML::Node& a : c["args"]) {
      if (absl::StartsWith(a.as<std::string>(), "--metrics-address=")) metrics_address = a.as<std::string>();
    }
    for (const char* kind : {"startupProbe", "livenessProbe", "readinessProbe"}) {
      const YAML::Node probe = c[kind];
      if (!probe) continue;
      DeployedProbe d;
      d.path = probe["httpGet"]["path"].as<std::string>();
      const YAML::Node port = probe["httpGet"]["port"];
      d.port = ports.count(port.as<std::string>()) ? ports[port.as<std::string>()] : port.as<int>();
      if (probe["timeoutSeconds"]) d.timeout_seconds = probe["timeoutSeconds"].as<int>();
      EXPECT_TRUE(absl::EndsWith(metrics_address, absl::StrCat(":", d.port)))
          << kind << " probes port " << d.port << ", the operator serves " << metrics_address;
      out[kind] = d;
    }
  }
  return out;
}

class ProbesE2eTest : public OperatorE2eTest {
 protected:
  // Probes the operator as the kubelet would with `kind` of the deployed
  // manifest: its path on the metrics port, its timeout; success is an
  // answer in [200, 400) in time (pkg/probe/http/http.go).
  bool Passes(const std::string& kind) {
    const auto probes = DeployedProbes();
    auto it = probes.find(kind);
    if (it == probes.end()) {
      ADD_FAILURE() << "deploy/operator.yaml has no " << kind;
      return false;
    }
    kube::ClusterConfig c;
    c.server = absl::StrCat("http://127.0.0.1:", metrics_port_);  // the container's port, forwarded
    kube::ClientOptions o;
    o.max_retries = 0;
    o.user_agent = "kube-probe/1.32";
    o.request_timeout = absl::Seconds(it->second.timeout_seconds);
    auto client = kube::Client::Create(c, o);
    if (!client.ok()) return false;
    kube::Request r;
    r.path = it->second.path;
    r.headers.push_back("Accept: */*");
    auto resp = (*client)->Do(r);
    return resp.ok() && resp->code >= 200 && resp->code < 400;
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
  // Started and alive (a restart would not help an API outage) but not
  // ready: nothing has listed, so no watch has synced.
  EXPECT_TRUE(Passes("startupProbe"));
  EXPECT_TRUE(Passes("livenessProbe"));
  EXPECT_FALSE(Passes("readinessProbe"));
  EXPECT_EQ(Probe("/readyz"), 503);
  EXPECT_EQ(Probe("/nope"), 404);

  SetFaults("{}");
  ASSERT_TRUE(Eventually([&] { return Passes("readinessProbe"); })) << operator_->Output();
  // Ready means the log is in step with the API: the cluster that existed
  // before the process started is in its log now.
  EXPECT_NE(LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "demo",
                          [](const Json&) { return true; }),
            0u);
  EXPECT_TRUE(Passes("livenessProbe"));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  // A dropped watch does not make a synced process unready again: it
  // resumes from its cursor.
  kube::Request drop;
  drop.method = "POST";
  drop.path = "/kubesim/drop-watches";
  ASSERT_TRUE(client_->Do(drop).ok());
  EXPECT_TRUE(Passes("readinessProbe"));
  EXPECT_TRUE(Passes("livenessProbe"));
}

class ResyncE2eTest : public OperatorE2eTest {
 public:
  std::vector<std::string> ExtraOperatorArgs() const override { return {"--resync-period", "2s"}; }
};

TEST_F(ResyncE2eTest, ASettledClusterIsLookedAtAgainEveryPeriodAndNothingIsWritten) {
  Apply(Cluster("demo", 1, 1));
  // Settled: available, and the newest reconcile changed nothing (the one
  // that wrote the available status is APPLIED; the look after it is not).
  uint64_t settled = 0, settled_count = 0;
  ASSERT_TRUE(Eventually([&] {
    if (!Available("demo") || Metric("doris_operator_queue_depth") != 0) return false;
    settled = 0;
    bool no_change = false;
    for (const auto& r : ReconcilesThrough("demo", 0)) {
      if (r.seq() > settled) {
        settled = r.seq();
        settled_count = std::max<uint64_t>(1, r.count());
        no_change = r.outcome() == log::v1::ReconcileRecord::NO_CHANGE && r.actions() == 0;
      }
    }
    return no_change;
  })) << operator_->Output();
  // Every write of those reconciles has been served (a reconcile's record
  // follows its writes).
  const int64_t writes = WritesBy("doris-operator");
  ASSERT_GT(writes, 0);
  // The resync's reconciles: nothing changed, so each repeats the settled
  // decision and the log counts it on the settled record (docs/event-log.md,
  // "Repeated reconciles are counted") or, were anything different, appends
  // one. Two of them after the cluster settled, and none acts.
  std::vector<admin::v1::ReconcileSummary> since;
  ASSERT_TRUE(Eventually([&] {
    since.clear();
    uint64_t looks = 0;
    for (const auto& r : ReconcilesThrough("demo", 0)) {
      if (r.seq() < settled) continue;
      since.push_back(r);
      looks += std::max<uint64_t>(1, r.count());
    }
    return looks >= settled_count + 2;
  })) << operator_->Output();
  for (const auto& r : since) {
    EXPECT_EQ(r.actions(), 0) << r.DebugString();
    EXPECT_EQ(r.outcome(), log::v1::ReconcileRecord::NO_CHANGE) << r.DebugString();
  }
  // And by the API server's count, not the operator's own account: not one
  // write since the cluster settled.
  EXPECT_EQ(WritesBy("doris-operator"), writes);
}

}  // namespace
}  // namespace doris_operator
