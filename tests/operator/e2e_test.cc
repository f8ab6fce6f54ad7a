// The doris-operator binary against a kubesim process, both as processes,
// talking HTTP: what a user sees after `kubectl apply`.

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_join.h"
#include "tests/operator/operator_fixture.h"
#include "tests/operator/rollout_timeline.h"

namespace doris_operator {
namespace {

using Json = nlohmann::json;

TEST_F(OperatorE2eTest, CreateBecomesAvailableAndANoOpReconcileWritesNothing) {
  Apply(Cluster("demo", 3, 3));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  EXPECT_EQ(StsReplicas("demo-fe"), 3);
  EXPECT_EQ(StsReplicas("demo-be"), 3);
  Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo"));
  EXPECT_EQ(dcr["status"]["feStatus"]["accessService"], "demo-fe-service");
  EXPECT_EQ(dcr["status"]["observedGeneration"], dcr["metadata"]["generation"]);
  EXPECT_EQ(dcr["status"]["beStatus"]["runningInstances"].size(), 3u);
  EXPECT_FALSE(dcr["status"]["beStatus"].contains("creatingInstances")) << dcr["status"].dump();
  EXPECT_EQ(BackendCount("demo"), 3);
  for (const char* svc : {"demo-fe-service", "demo-fe-internal", "demo-be-service", "demo-be-internal"}) {
    EXPECT_TRUE(Get(kube::ObjectPath("v1", "default", "services", svc)).is_object()) << svc;
  }

  // Settled: nothing queued, and the newest reconcile changed nothing.
  ASSERT_TRUE(Eventually([&] { return Metric("doris_operator_queue_depth") == 0 && Settled("demo"); }))
      << operator_->Output();
  // Poke the cluster with a change that alters nothing the operator
  // derives: the reconcile whose input holds it must make no write call
  // (every write a reconcile makes is one of its recorded actions).
  auto r = Kubectl({"annotate", "dcr", "demo", "note=unrelated"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto saw = ReconcileThatSaw("demo", "doris.selectdb.com/v1", "DorisCluster", "demo", [](const Json& o) {
    return At(o, "/metadata/annotations/note") == "unrelated";
  });
  ASSERT_TRUE(saw.has_value());
  EXPECT_EQ(saw->actions(), 0) << saw->DebugString();
  EXPECT_EQ(saw->outcome(), log::v1::ReconcileRecord::NO_CHANGE) << saw->DebugString();
}

// The reference samples write quantities as `cpu: 8`, `memory: 16Gi`; the API
// server returns them canonical ("8"). The rollout check must see the live
// pod template as unchanged: the cluster settles to available with no
// partition held, and a reconcile that changes nothing writes nothing.
TEST_F(OperatorE2eTest, ReferenceStyleQuantitiesDoNotKeepAClusterUpgrading) {
  const std::string resources =
      "    requests:\n      cpu: 8\n      memory: 16384Mi\n"
      "    limits:\n      cpu: 8000m\n      memory: 16Gi\n";
  Apply(Cluster("quant", 1, 1, {.fe_extra = resources}));
  ASSERT_TRUE(Eventually([&] { return Available("quant"); })) << operator_->Output();
  Json fe = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "quant-fe"));
  const Json& limits = fe["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"];
  EXPECT_EQ(limits["cpu"], "8") << limits.dump();
  EXPECT_EQ(limits["memory"], "16Gi") << limits.dump();

  // Settled first, then the reconcile that saw an unrelated change must
  // write nothing. (Comparing the process's write counter before and after
  // raced with reconciles still settling, which legitimately write status.)
  ASSERT_TRUE(Eventually([&] { return Settled("quant"); })) << operator_->Output();
  auto r = Kubectl({"annotate", "dcr", "quant", "note=unrelated"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto saw = ReconcileThatSaw("quant", "doris.selectdb.com/v1", "DorisCluster", "quant", [](const Json& o) {
    return At(o, "/metadata/annotations/note") == "unrelated";
  });
  ASSERT_TRUE(saw.has_value());
  EXPECT_EQ(saw->actions(), 0) << saw->DebugString();
  EXPECT_EQ(saw->outcome(), log::v1::ReconcileRecord::NO_CHANGE) << saw->DebugString();
  EXPECT_EQ(Phase("quant", "fe"), "available");
  fe = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "quant-fe"));
  EXPECT_EQ(fe["spec"]["updateStrategy"]["rollingUpdate"].value("partition", 0), 0);
}

TEST_F(OperatorE2eTest, ScaleOutThenScaleInDecommissionsBeforeShrinking) {
  Apply(Cluster("demo", 3, 3));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  Apply(Cluster("demo", 3, 6));
  ASSERT_TRUE(Eventually([&] { return BackendCount("demo") == 6 && Available("demo"); }))
      << operator_->Output();
  const std::optional<int64_t> tablets = Tablets("demo");
  ASSERT_TRUE(tablets.has_value());
  ASSERT_GT(*tablets, 0);

  Apply(Cluster("demo", 3, 3));
  // At every moment: a pod may only go once the FE no longer lists it, and
  // no tablet is ever lost. (StatefulSet first: the FE drops a backend
  // before the pod goes, so a later FE read must not list it.)
  bool ok = Eventually([&] {
    const int replicas = StsReplicas("demo-be");
    const auto backends = Backends("demo");
    if (replicas < 0 || !backends) return false;  // not read this time
    int64_t now = 0;
    for (const auto& [hp, n] : *backends) now += n;
    EXPECT_EQ(now, *tablets);
    for (int i = replicas; i < 6; ++i) {
      for (const auto& [hp, n] : *backends) {
        EXPECT_NE(hp.rfind(absl::StrCat("demo-be-", i, "."), 0), 0u)
            << "pod demo-be-" << i << " is gone but the FE still lists " << hp;
      }
    }
    return replicas == 3 && backends->size() == 3 && Available("demo");
  });
  ASSERT_TRUE(ok) << operator_->Output();
  // The status said so while it happened: the operator logged every
  // version of the cluster it wrote, polls may miss one.
  EXPECT_NE(LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "demo",
                          [](const Json& o) {
                            return At(o, "/status/beStatus/componentCondition/phase") == "scaling";
                          }),
            0u);
}

TEST_F(OperatorE2eTest, InvalidClusterGetsAConditionAndAnEventWhileOthersReconcile) {
  // Valid for the API server (schema and CEL rules), invalid for the
  // operator. (A spec the CRD's CEL rules refuse never reaches the
  // operator: see the end of this test.)
  Apply(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata:
  name: broken
  namespace: default
spec:
  kerberosInfo:
    krb5ConfigMap: krb5-conf
  feSpec:
    replicas: 3
    image: apache/doris:fe-2.1.8
)");
  Apply(Cluster("good", 1, 1));
  ASSERT_TRUE(Eventually([&] { return Available("good"); })) << operator_->Output();
  ASSERT_TRUE(Eventually([&] {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "broken"));
    const Json& conds = dcr["status"]["conditions"];
    return conds.is_array() && !conds.empty() && conds[0].value("reason", "") == "InvalidSpec";
  })) << operator_->Output();
  Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "broken"));
  EXPECT_NE(dcr["status"]["conditions"][0]["message"].get<std::string>().find("keytabSecretName"),
            std::string::npos)
      << dcr["status"].dump();
  EXPECT_EQ(StsReplicas("broken-fe"), -1);
  Json events = Get("/api/v1/namespaces/default/events");
  bool found = false;
  for (const Json& e : events["items"]) {
    found |= e.value("reason", "") == "InvalidSpec" && e["involvedObject"].value("name", "") == "broken";
  }
  EXPECT_TRUE(found) << events.dump();

  auto refused = Kubectl({"apply", "-f", "-"}, R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata:
  name: even
  namespace: default
spec:
  feSpec:
    replicas: 3
    electionNumber: 2
    image: apache/doris:fe-2.1.8
)");
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_NE(refused.output.find(
                R"(spec.feSpec: Invalid value: "object": electionNumber must be odd)"),
            std::string::npos)
      << refused.output;
}

TEST_F(OperatorE2eTest, KilledMidScaleInANewProcessResumesFromTheLog) {
  Apply(Cluster("demo", 3, 5));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 5; }))
      << operator_->Output();
  const std::optional<int64_t> tablets = Tablets("demo");
  ASSERT_TRUE(tablets.has_value());
  // No tablet moves until the test says so: a decommissioned backend keeps
  // its tablets, so neither the FE nor the operator can drop it, and the
  // kill lands between DECOMMISSION and DROP by construction.
  Knobs("demo", {{"tabletsMovedPerSecond", 0}});
  Apply(Cluster("demo", 3, 2));
  auto decommissioned = [&](const Json& nodes) {
    int n = 0;
    if (nodes.is_object()) {
      for (const auto& [hp, node] : nodes.items()) n += node.value("decommissioned", false);
    }
    return n;
  };
  ASSERT_TRUE(Eventually([&] { return decommissioned(FeGet("demo", "/api/_sim/nodes")) > 0; }))
      << operator_->Output();
  operator_->Kill(SIGKILL);
  // Where it died: a decommission begun, no backend dropped, nothing shrunk.
  const Json at_kill = FeGet("demo", "/api/_sim/nodes");
  ASSERT_TRUE(at_kill.is_object());
  EXPECT_GT(decommissioned(at_kill), 0) << at_kill.dump();
  ASSERT_EQ(at_kill.size(), 5u) << at_kill.dump();
  ASSERT_EQ(StsReplicas("demo-be"), 5);

  Knobs("demo", {{"tabletsMovedPerSecond", 200}});
  StartOperator();
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-be") == 2 && BackendCount("demo") == 2 && Available("demo");
  })) << "killed at " << at_kill.dump() << "\n" << operator_->Output();
  EXPECT_EQ(Tablets("demo"), tablets);
  // The new process went on from where the old one stopped: no backend was
  // decommissioned twice.
  std::map<std::string, int> times;
  const Json log = MembershipLog("demo");
  ASSERT_TRUE(log.is_array());
  for (const Json& e : log) {
    if (e.value("op", "") != "DECOMMISSION/be") continue;
    for (const Json& hp : e["hostPorts"]) EXPECT_EQ(++times[hp.dump()], 1) << log.dump();
  }
  EXPECT_EQ(times.size(), 3u) << log.dump();
}

TEST_F(OperatorE2eTest, ConvergesThroughApiFaults) {
  kube::Request faults;
  faults.method = "POST";
  faults.path = "/kubesim/faults";
  // Converged: the status is for the current spec, and says available.
  auto converged = [&](int be) {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo"));
    return dcr.is_object() && dcr["status"].is_object() &&
           dcr["status"]["observedGeneration"] == dcr["metadata"]["generation"] &&
           StsReplicas("demo-be") == be && Available("demo");
  };
  // Watches the operator has had served so far (faulted requests are not).
  auto watches = [&] {
    auto used = client_->Get("/kubesim/requests?userAgent=doris-operator");
    int64_t n = -1;
    if (!used.ok()) return n;
    n = 0;
    for (const Json& u : (*used)["requests"]) {
      if (u.value("verb", "") == "watch") n += u.value("count", int64_t{0});
    }
    return n;
  };
  auto set_faults = [&](const std::string& body) {
    faults.body = body;
    auto r = client_->Do(faults);
    ASSERT_TRUE(r.ok() && r->code == 200) << (r.ok() ? r->body : r.status().ToString());
  };
  // Every call fails until the operator has met a failure (so the faults
  // are certainly met), then one in five while it must converge.
  Apply(Cluster("demo", 3, 3));
  set_faults(R"({"errorRate":1,"errorCode":500,"seed":11})");
  EXPECT_TRUE(Eventually([&] { return MetricWith("doris_operator_api_requests_total", "code=\"500\"") > 0; }))
      << operator_->Output();
  set_faults(R"({"errorRate":0.2,"errorCode":500,"seed":11})");
  EXPECT_TRUE(Eventually([&] { return converged(3); }, 180)) << operator_->Output();
  faults.body = "{}";
  ASSERT_TRUE(client_->Do(faults).ok());
  if (HasFailure()) return;

  // Throttling with Retry-After, and every watch cut by 410 Gone.
  Apply(Cluster("demo", 3, 4));
  set_faults(R"({"errorRate":1,"errorCode":429,"retryAfterSeconds":1,"seed":5})");
  EXPECT_TRUE(Eventually([&] { return MetricWith("doris_operator_api_requests_total", "code=\"429\"") > 0; }))
      << operator_->Output();
  set_faults(R"({"errorRate":0.3,"errorCode":429,"retryAfterSeconds":1,"seed":5})");
  kube::Request expire;
  expire.method = "POST";
  expire.path = "/kubesim/expire-history";
  ASSERT_TRUE(client_->Do(expire).ok());
  // And every open watch dropped, twice while the change is under way: the
  // second time after the operator has opened a watch again.
  kube::Request drop;
  drop.method = "POST";
  drop.path = "/kubesim/drop-watches";
  int64_t before = -1;
  ASSERT_TRUE(Eventually([&] { return (before = watches()) >= 0; }));
  ASSERT_TRUE(client_->Do(drop).ok());
  EXPECT_TRUE(Eventually([&] { return watches() > before; })) << operator_->Output();
  ASSERT_TRUE(client_->Do(drop).ok());
  EXPECT_TRUE(Eventually([&] { return converged(4); }, 180)) << operator_->Output();
  faults.body = "{}";
  ASSERT_TRUE(client_->Do(faults).ok());
}

TEST_F(OperatorE2eTest, DeleteRemovesWhatItOwnsAndKeepsData) {
  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  Json pvcs = Get("/api/v1/namespaces/default/persistentvolumeclaims");
  ASSERT_EQ(pvcs["items"].size(), 2u) << pvcs.dump();
  auto r = Kubectl({"delete", "dcr", "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-be") == -1 && StsReplicas("demo-fe") == -1 &&
           !Get(kube::ObjectPath("v1", "default", "services", "demo-fe-service")).is_object();
  }));
  // Persistent volumes outlive the cluster unless the user deletes them.
  EXPECT_EQ(Get("/api/v1/namespaces/default/persistentvolumeclaims")["items"].size(), 2u);
}


TEST_F(OperatorE2eTest, ImageChangeRollsFeThenBeOnePodAtATimeWithoutLostQueries) {
  Apply(Cluster("demo", 3, 3));
  auto all_alive = [&] {
    const auto alive = BackendsAlive("demo");
    if (!alive) return false;
    int n = 0;
    for (const auto& [hp, a] : *alive) n += a;
    return alive->size() == 3 && n == 3;
  };
  ASSERT_TRUE(Eventually([&] { return Available("demo") && all_alive(); })) << operator_->Output();
  // Users keep querying through the rollout.
  std::atomic<bool> stop{false};
  std::atomic<int> served{0};
  std::thread queries([&] {
    kube::Request q;
    q.method = "POST";
    q.path = "/api/v1/namespaces/default/services/demo-fe-service:8030/proxy/api/_sim/query";
    q.headers.push_back("Authorization: Basic cm9vdDo=");
    while (!stop) {
      auto r = client_->Do(q);
      if (r.ok() && r->body.find("\"code\":0") != std::string::npos) served++;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  Apply(Cluster("demo", 3, 3, {.version = "2.1.9"}));
  int max_fe_down = 0, max_be_down = 0, max_be_not_alive = 0;
  bool be_started_before_fe_done = false;
  std::string violation;
  const bool done = Eventually([&] {
    auto fe = Pods("demo", "fe");
    auto be = Pods("demo", "be");
    int fe_down = 3 - static_cast<int>(fe.size()), be_down = 3 - static_cast<int>(be.size());
    bool fe_all_new = fe.size() == 3;
    for (const auto& [n, p] : fe) {
      fe_down += !p.ready;
      fe_all_new &= p.image == "apache/doris:fe-2.1.9" && p.ready;
    }
    bool be_any_new = false, be_all_new = be.size() == 3;
    for (const auto& [n, p] : be) {
      be_down += !p.ready;
      be_any_new |= p.image == "apache/doris:be-2.1.9";
      be_all_new &= p.image == "apache/doris:be-2.1.9" && p.ready;
    }
    // As Doris sees it: a restarted backend counts as down until the FE
    // reports it alive again (a heartbeat after its pod is Ready).
    const auto doris_view = BackendsAlive("demo");
    if (doris_view && doris_view->size() == 3) {
      int not_alive = 0;
      for (const auto& [hp, alive] : *doris_view) not_alive += !alive;
      max_be_not_alive = std::max(max_be_not_alive, not_alive);
    }
    max_fe_down = std::max(max_fe_down, fe_down);
    max_be_down = std::max(max_be_down, be_down);
    if (be_any_new && !fe_all_new && violation.empty()) {
      for (const auto& [n, p] : fe) absl::StrAppend(&violation, n, "=", p.image, p.ready ? "/ready " : "/not-ready ");
      for (const auto& [n, p] : be) absl::StrAppend(&violation, n, "=", p.image, p.ready ? "/ready " : "/not-ready ");
    }
    be_started_before_fe_done |= be_any_new && !fe_all_new;
    return fe_all_new && be_all_new && Available("demo");
  });
  stop = true;
  queries.join();
  ASSERT_TRUE(done) << operator_->Output();
  EXPECT_LE(max_fe_down, 1);
  EXPECT_LE(max_be_down, 1);
  EXPECT_LE(max_be_not_alive, 1);
  EXPECT_FALSE(be_started_before_fe_done) << violation;
  EXPECT_GT(served.load(), 0);

  // The same at every moment, not only at the polls: the pod events the
  // operator logged, replayed from the first record of the new spec on.
  const uint64_t changed = LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "demo",
                                         [](const Json& o) {
                                           return At(o, "/spec/feSpec/image") == "apache/doris:fe-2.1.9";
                                         });
  ASSERT_NE(changed, 0u);
  const RolloutTimeline t = ReplayRollout(WatchRecords("demo", "Pod"), "demo", changed, 3,
                                          "apache/doris:fe-2.1.9", "apache/doris:be-2.1.9");
  // The replay covered the whole rollout: it ends where the polls did.
  EXPECT_EQ(t.fe.size() + t.be.size(), 6u);
  for (const auto* pods : {&t.fe, &t.be}) {
    for (const auto& [n, p] : *pods) EXPECT_TRUE(p.ready && p.image.find("2.1.9") != std::string::npos) << n;
  }
  EXPECT_GE(t.max_fe_down, 1) << "the replay saw no FE restart";
  EXPECT_LE(t.max_fe_down, 1) << "FE pods down at once, as logged";
  EXPECT_LE(t.max_be_down, 1) << "BE pods down at once, as logged";
  EXPECT_EQ(t.be_before_fe, "");
  kube::Request nodes;
  nodes.path = "/api/v1/namespaces/default/services/demo-fe-service:8030/proxy/api/_sim/nodes";
  nodes.headers.push_back("Authorization: Basic cm9vdDo=");
  auto r = client_->Do(nodes);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Json::parse(r->body)["lostQueries"], 0) << r->body;
}

TEST_F(OperatorE2eTest, ConfigChangeRestartsOnlyWhenEnabledAndOnlyThatComponent) {
  const std::string cm = FeConfigMap("fe-conf", {"sys_log_level = INFO"});
  Apply(cm);
  ClusterOptions o;
  o.fe_extra = ConfigMapInfo("fe-conf");
  Apply(Cluster("demo", 1, 1, o));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  ASSERT_TRUE(Eventually([&] {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo"));
    return !dcr["status"]["feStatus"].value("coreConfigMapHashValue", "").empty();
  }));
  const auto fe_before = Pods("demo", "fe");
  const auto be_before = Pods("demo", "be");
  ASSERT_EQ(fe_before.size(), 1u);
  ASSERT_EQ(be_before.size(), 1u);
  // A restart is a change of the pod template (a partition may move).
  auto pod_template = [&](const std::string& sts) {
    return At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", sts)), "/spec/template");
  };
  const Json fe_template = pod_template("demo-fe");
  const Json be_template = pod_template("demo-be");
  ASSERT_TRUE(fe_template.is_object() && be_template.is_object());

  // Restarts disabled: the reconcile that sees the new content leaves the
  // FE's StatefulSet (and so its pod) alone.
  std::string changed = cm;
  changed.replace(changed.find("INFO"), 4, "WARN");
  Apply(changed);
  auto saw = ReconcileThatSaw("demo", "v1", "ConfigMap", "fe-conf", [](const Json& o) {
    const Json conf = At(o, "/data/fe.conf");
    return conf.is_string() && conf.get<std::string>().find("WARN") != std::string::npos;
  });
  ASSERT_TRUE(saw.has_value());
  EXPECT_EQ(pod_template("demo-fe"), fe_template) << saw->DebugString();
  EXPECT_EQ(Pods("demo", "fe").begin()->second.uid, fe_before.begin()->second.uid);

  // Enabled: FE restarts (a rolling restart stamp on the cluster), BE stays.
  o.spec_extra = "  enableRestartWhenConfigChange: true\n";
  Apply(Cluster("demo", 1, 1, o));
  ASSERT_TRUE(Eventually([&] {
    auto fe = Pods("demo", "fe");
    return fe.size() == 1 && fe.begin()->second.uid != fe_before.begin()->second.uid &&
           fe.begin()->second.ready && Available("demo");
  })) << operator_->Output();
  // A reconcile that saw the new FE pod ready had the FE's restart behind
  // it: had it meant to restart the BE (FE before BE), it would have now.
  const std::string fe_pod = Pods("demo", "fe").begin()->first;
  const std::string old_uid = fe_before.begin()->second.uid;
  saw = ReconcileThatSaw("demo", "v1", "Pod", fe_pod, [&](const Json& o) {
    if (At(o, "/metadata/uid") == old_uid) return false;
    const Json conditions = At(o, "/status/conditions");
    for (const Json& c : conditions.is_array() ? conditions : Json::array()) {
      if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
    }
    return false;
  });
  ASSERT_TRUE(saw.has_value());
  EXPECT_EQ(pod_template("demo-be"), be_template) << saw->DebugString();
  EXPECT_EQ(Pods("demo", "be").begin()->second.uid, be_before.begin()->second.uid);
  Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo"));
  EXPECT_TRUE(dcr["metadata"]["annotations"].contains("apache.doris.fe/restartedAt")) << dcr.dump();
  EXPECT_FALSE(dcr["metadata"]["annotations"].contains("apache.doris.be/restartedAt")) << dcr.dump();
}

TEST_F(OperatorE2eTest, DebugModeAnnotationOnAndOff) {
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  Apply(Cluster("demo", 1, 1, {.annotations = "    selectdb.com.doris/runmode: debug\n"}));
  auto in_debug = [&](bool want) {
    for (const char* c : {"fe", "be"}) {
      auto pods = Pods("demo", c);
      if (pods.size() != 1) return false;
      const auto& a = pods.begin()->second.annotations;
      auto it = a.find("selectdb.com.doris/runmode");
      if ((it != a.end() && it->second == "debug") != want) return false;
      if (!pods.begin()->second.ready) return false;
    }
    return true;
  };
  ASSERT_TRUE(Eventually([&] { return in_debug(true); })) << operator_->Output();
  Json sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "demo-be"));
  EXPECT_FALSE(sts["spec"]["template"]["spec"]["containers"][0].contains("livenessProbe"));
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] { return in_debug(false) && Available("demo"); })) << operator_->Output();
  sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "demo-be"));
  EXPECT_TRUE(sts["spec"]["template"]["spec"]["containers"][0].contains("livenessProbe"));
}


TEST_F(OperatorE2eTest, FeObserversLeaveTheGroupBeforeTheirPodsAndFollowersAreKept) {
  Apply(Cluster("demo", 5, 1));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && FrontendCount("demo") == 5; }))
      << operator_->Output();
  const auto five = Frontends("demo");
  ASSERT_TRUE(five.has_value());
  int observers = 0;
  for (const auto& [host, role] : *five) observers += role == "OBSERVER";
  EXPECT_EQ(observers, 2);
  Apply(Cluster("demo", 3, 1));
  ASSERT_TRUE(Eventually([&] {
    const int replicas = StsReplicas("demo-fe");
    const auto fes = Frontends("demo");
    if (replicas < 0 || !fes) return false;  // not read this time
    for (int i = replicas; i < 5; ++i) {
      for (const auto& [host, role] : *fes) {
        EXPECT_NE(host.rfind(absl::StrCat("demo-fe-", i, "."), 0), 0u)
            << "pod demo-fe-" << i << " is gone but the FE group still has " << host;
      }
    }
    return replicas == 3 && fes->size() == 3 && Available("demo");
  })) << operator_->Output();
  const auto three = Frontends("demo");
  ASSERT_TRUE(three.has_value());
  for (const auto& [host, role] : *three) EXPECT_EQ(role, "FOLLOWER") << host;

  // Below electionNumber: the followers stay, and the operator says why.
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] {
    Json events = Get("/api/v1/namespaces/default/events");
    for (const Json& e : events["items"]) {
      if (e.value("reason", "") == "FollowerScaleDownFailed") return true;
    }
    return false;
  })) << operator_->Output();
  // The Event is written mid-reconcile: judge the StatefulSet once that
  // reconcile (or a later one that saw the smaller spec) has finished.
  ASSERT_TRUE(ReconcileThatSaw("demo", "doris.selectdb.com/v1", "DorisCluster", "demo", [](const Json& o) {
                return At(o, "/spec/feSpec/replicas") == 1;
              }).has_value());
  EXPECT_EQ(StsReplicas("demo-fe"), 3);
  EXPECT_EQ(FrontendCount("demo"), 3);
}

TEST_F(OperatorE2eTest, ScaleInWhileAScaleOutIsUnderWayConvergesWithoutLosingTablets) {
  Apply(Cluster("demo", 1, 3));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 3; }))
      << operator_->Output();
  Apply(Cluster("demo", 1, 8));
  ASSERT_TRUE(Eventually([&] { return StsReplicas("demo-be") == 8; }));
  Apply(Cluster("demo", 1, 4));  // before the new backends have all joined
  int64_t most = 0;
  bool dropped_with_data = false;
  ASSERT_TRUE(Eventually([&] {
    // One read of the FE's list for both the count and the tablets: two
    // reads could see a backend register in between (its tablets come with it).
    const auto backends = Backends("demo");
    if (!backends) return false;  // not read this time
    int64_t now = 0;
    for (const auto& [hp, n] : *backends) now += n;
    // Tablets only ever arrive (a new backend) or move; never vanish.
    dropped_with_data |= now < most;
    most = std::max(most, now);
    return backends->size() == 4 && StsReplicas("demo-be") == 4 && Available("demo");
  })) << FeGet("demo", "/api/_sim/nodes").dump() << " replicas " << StsReplicas("demo-be") << " "
      << operator_->Output();
  EXPECT_FALSE(dropped_with_data);
  EXPECT_EQ(Tablets("demo"), most);
}


// fe.conf moves the FE's HTTP port: the operator must find the FE there for
// membership changes (the old port refuses connections).
TEST_F(OperatorE2eTest, AClusterWithACustomFeHttpPortIsScaledInThroughThatPort) {
  Apply(FeConfigMap("fe-ports", {"http_port = 18030"}));
  ClusterOptions o;
  o.fe_extra = ConfigMapInfo("fe-ports");
  fe_http_port_ = 18030;
  Apply(Cluster("demo", 1, 3, o));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 3; }))
      << operator_->Output();
  Json svc = Get(kube::ObjectPath("v1", "default", "services", "demo-fe-service"));
  EXPECT_NE(svc.dump().find("18030"), std::string::npos) << svc.dump();
  Apply(Cluster("demo", 1, 2, o));
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-be") == 2 && BackendCount("demo") == 2 && Available("demo");
  })) << operator_->Output();
}

// ---- Membership in FQDN and IP registration mode -------------------------

// The fe.conf that puts a cluster in IP mode: a user's conf without
// enable_fqdn_mode = true (Doris then names nodes by pod IP).
const std::string kIpModeConf = FeConfigMap("fe-ip-mode", {"sys_log_level = INFO"});

class MembershipE2eTest : public OperatorE2eTest {
 protected:
  ClusterOptions Mode(bool ip_mode) {
    ClusterOptions o;
    if (ip_mode) {
      Apply(kIpModeConf);
      o.fe_extra = ConfigMapInfo("fe-ip-mode");
    }
    return o;
  }

  // The pod a node host (FQDN or pod IP) belongs to, "" if none.
  std::string PodOf(const std::string& host) {
    Json pods = Get("/api/v1/namespaces/default/pods");
    for (const Json& p : pods["items"]) {
      const std::string name = p["metadata"].value("name", "");
      if (p["status"].value("podIP", "") == host || host.rfind(name + ".", 0) == 0) return name;
    }
    return "";
  }

  bool HasEvent(const std::string& reason) {
    Json events = Get("/api/v1/namespaces/default/events");
    for (const Json& e : events["items"]) {
      if (e.value("reason", "") == reason) return true;
    }
    return false;
  }

  // Scale-in 4 -> 2 BEs with every request through the Service landing on
  // a non-master FE: only writes addressed to the master take effect.
  void ScaleInLosesNoTablet(bool ip_mode) {
    const ClusterOptions o = Mode(ip_mode);
    Apply(Cluster("demo", 3, 4, o));
    ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 4; }))
        << operator_->Output();
    if (ip_mode) {
      for (const auto& [hp, n] : Backends("demo").value_or(std::map<std::string, int64_t>{})) {
        EXPECT_EQ(hp.find("demo-be-"), std::string::npos) << hp << " registered by name in IP mode";
      }
    }
    Knobs("demo", {{"serviceLandsOn", "non-master"}});
    const std::optional<int64_t> before = Tablets("demo");
    ASSERT_TRUE(before.has_value()) << "the FE's backends could not be read";
    const int64_t tablets = *before;
    Apply(Cluster("demo", 3, 2, o));
    bool ok = Eventually([&] {
      const int replicas = StsReplicas("demo-be");
      const auto listed = Backends("demo");
      if (!listed) return false;  // unknown, not empty: read again
      const auto& backends = *listed;
      int64_t now = 0;
      for (const auto& [hp, n] : backends) {
        now += n;
        const std::string pod = PodOf(hp.substr(0, hp.rfind(':')));
        int ordinal = -1;
        if (absl::SimpleAtoi(pod.substr(pod.rfind('-') + 1), &ordinal)) {
          EXPECT_LT(ordinal, std::max(replicas, 0) + (replicas < 0 ? 99 : 0))
              << hp << " is still listed but its pod is beyond the StatefulSet";
        } else if (replicas >= 0) {
          EXPECT_FALSE(pod.empty()) << hp << " is listed but no pod has it";
        }
      }
      EXPECT_EQ(now, tablets);
      return replicas == 2 && backends.size() == 2 && Available("demo");
    });
    ASSERT_TRUE(ok) << FeGet("demo", "/api/_sim/nodes").dump() << operator_->Output();
  }
};

TEST_F(MembershipE2eTest, ScaleInLosesNoTabletInFqdnMode) { ScaleInLosesNoTablet(false); }
TEST_F(MembershipE2eTest, ScaleInLosesNoTabletInIpMode) { ScaleInLosesNoTablet(true); }

// IP mode: observers are found by pod IP and dropped before their pods go.
TEST_F(MembershipE2eTest, FeObserversAreDroppedInIpMode) {
  const ClusterOptions o = Mode(true);
  Apply(Cluster("demo", 5, 1, o));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && FrontendCount("demo") == 5; }))
      << operator_->Output();
  Knobs("demo", {{"serviceLandsOn", "non-master"}});
  Apply(Cluster("demo", 3, 1, o));
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-fe") == 3 && FrontendCount("demo") == 3 && Available("demo");
  })) << FrontendCount("demo") << operator_->Output();
  for (const auto& [host, role] : Frontends("demo").value_or(std::map<std::string, std::string>{})) EXPECT_EQ(role, "FOLLOWER") << host;
}

// A node the FE lists that is no pod of the cluster: the operator cannot
// tell whose data it holds, so nothing shrinks, and it says why.
TEST_F(MembershipE2eTest, ANodeThatMatchesNoPodHoldsTheScaleIn) {
  const ClusterOptions o = Mode(true);
  Apply(Cluster("demo", 1, 3, o));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 3; }))
      << operator_->Output();
  kube::Request add;
  add.method = "POST";
  add.path = "/api/v1/namespaces/default/services/demo-fe-service:8030/proxy/rest/v2/manager/node/ADD/be";
  add.headers.push_back("Authorization: Basic cm9vdDo=");
  add.body = R"({"hostPorts":["10.99.0.1:9050"]})";
  auto added = client_->Do(add);
  ASSERT_TRUE(added.ok() && added->body.find("\"code\":0") != std::string::npos);
  Apply(Cluster("demo", 1, 2, o));
  ASSERT_TRUE(Eventually([&] { return HasEvent("NodeNotMapped"); })) << operator_->Output();
  ASSERT_TRUE(Eventually([&] {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo"));
    return dcr["status"]["beStatus"]["componentCondition"].value("message", "").find("10.99.0.1") !=
           std::string::npos;
  })) << operator_->Output();
  EXPECT_EQ(StsReplicas("demo-be"), 3);
  EXPECT_EQ(BackendCount("demo"), 4);
  // Once the stray node is gone, the scale-in goes on.
  add.path.replace(add.path.find("ADD"), 3, "DROP");
  ASSERT_TRUE(client_->Do(add).ok());
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-be") == 2 && BackendCount("demo") == 2 && Available("demo");
  })) << operator_->Output();
}

// Only what the cluster controls is deleted: a user's Service that copies
// the cluster label stays.
TEST_F(MembershipE2eTest, AUsersObjectWithTheClusterLabelIsNotDeleted) {
  Apply(R"(apiVersion: v1
kind: Service
metadata:
  name: demo-dashboard
  namespace: default
  labels:
    app.doris.cluster: demo
spec:
  ports:
  - port: 8030
)");
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  // A reconcile that saw this later change (not any reconcile: one still
  // settling would pass before the check means anything).
  ASSERT_EQ(Kubectl({"annotate", "dcr", "demo", "note=poke"}).exit_code, 0);
  ASSERT_TRUE(ReconcileThatSaw("demo", "doris.selectdb.com/v1", "DorisCluster", "demo", [](const Json& o) {
                return At(o, "/metadata/annotations/note") == "poke";
              }).has_value());
  EXPECT_TRUE(Get(kube::ObjectPath("v1", "default", "services", "demo-dashboard")).is_object())
      << operator_->Output();
}

// cnSpec removed: its nodes are decommissioned and dropped first, then the
// StatefulSet goes. beSpec removed with data on it: the StatefulSet stays
// while a tablet is left.
TEST_F(MembershipE2eTest, RemovingAComponentDecommissionsItFirst) {
  std::string yaml = Cluster("demo", 1, 3);
  const std::string cn = R"(  cnSpec:
    replicas: 2
    image: apache/doris:be-2.1.8
)";
  Apply(yaml + cn);
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 5; }))
      << operator_->Output();
  Apply(yaml);
  bool listed_without_pod = false;
  ASSERT_TRUE(Eventually([&] {
    const int replicas = StsReplicas("demo-cn");
    for (const auto& [hp, n] : Backends("demo").value_or(std::map<std::string, int64_t>{})) {
      int ordinal = -1;
      if (hp.rfind("demo-cn-", 0) == 0 && absl::SimpleAtoi(hp.substr(8, hp.find('.') - 8), &ordinal)) {
        listed_without_pod |= ordinal >= replicas;
      }
    }
    return replicas == -1 && BackendCount("demo") == 3;
  })) << operator_->Output();
  EXPECT_FALSE(listed_without_pod);
  EXPECT_TRUE(HasEvent("DecommissionBackend"));
  // BE: three backends hold every tablet; with the BE spec gone they are
  // decommissioned but have nowhere to go, so the StatefulSet stays.
  const std::optional<int64_t> tablets = Tablets("demo");
  ASSERT_TRUE(tablets.has_value()) << "the FE's backends could not be read";
  std::string no_be = yaml.substr(0, yaml.find("  beSpec:"));
  Apply(no_be);
  ASSERT_TRUE(Eventually([&] { return HasEvent("ComponentRemoval"); })) << operator_->Output();
  ASSERT_TRUE(Eventually([&] {
    bool all = BackendCount("demo") > 0;
    const auto alive_by_node = BackendsAlive("demo");
    if (!alive_by_node) return false;
    for (const auto& [hp, alive] : *alive_by_node) all &= alive;
    Json nodes = FeGet("demo", "/api/_sim/nodes");
    for (const auto& [hp, n] : nodes.items()) all &= n.value("decommissioned", false);
    return all;
  })) << operator_->Output();
  EXPECT_EQ(StsReplicas("demo-be"), 3);
  EXPECT_EQ(Tablets("demo"), tablets);
}

// An operator limited to some namespaces leaves the others alone.
class NamespacedOperatorTest : public OperatorE2eTest {
 public:
  std::vector<std::string> ExtraOperatorArgs() const override {
    return {"--namespace", "team-a", "--namespace=team-b"};
  }
};

TEST_F(NamespacedOperatorTest, OnlyTheGivenNamespacesAreManaged) {
  for (const char* ns : {"team-a", "team-b", "team-c"}) {
    Apply(absl::StrCat("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ", ns, "\n"));
  }
  auto in = [](std::string yaml, const std::string& ns) {
    yaml.replace(yaml.find("namespace: default"), 18, "namespace: " + ns);
    return yaml;
  };
  Apply(in(Cluster("a", 1, 1), "team-a"));
  Apply(in(Cluster("b", 1, 1), "team-b"));
  Apply(in(Cluster("c", 1, 1), "team-c"));
  // A process starting on an empty log lists everything it watches before
  // it reports ready: by then it has logged every DorisCluster it can see.
  operator_->Kill(SIGTERM);
  std::filesystem::remove_all(dir_ + "/data");
  StartOperator();
  ASSERT_TRUE(Eventually([&] { return Probe("/readyz") == 200; })) << operator_->Output();
  auto logged = [&](const std::string& ns, const std::string& name) {
    return LoggedVersion("doris.selectdb.com/v1", "DorisCluster", ns, name, [](const Json&) { return true; });
  };
  EXPECT_NE(logged("team-a", "a"), 0u);
  EXPECT_NE(logged("team-b", "b"), 0u);
  EXPECT_EQ(logged("team-c", "c"), 0u) << "the operator saw a cluster outside its namespaces";

  auto phase = [&](const std::string& ns, const std::string& name) {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", ns, "dorisclusters", name));
    const Json& p = dcr["status"]["beStatus"]["componentCondition"]["phase"];
    return p.is_string() ? p.get<std::string>() : "";
  };
  ASSERT_TRUE(Eventually([&] {
    return phase("team-a", "a") == "available" && phase("team-b", "b") == "available";
  })) << operator_->Output();
  // What it never saw it cannot have touched.
  EXPECT_EQ(phase("team-c", "c"), "");
  EXPECT_FALSE(Get(kube::ObjectPath("apps/v1", "team-c", "statefulsets", "c-fe")).is_object());
}

}  // namespace
}  // namespace doris_operator
