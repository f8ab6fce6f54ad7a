// The simulated HorizontalPodAutoscaler controller on a simulated clock, and
// the HPA's autoscaling/v1 and v2 views of one stored object, over the API
// server's HTTP handler.

#include "tools/kubesim/hpa_controller.h"

#include "gtest/gtest.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/workloads.h"

namespace doris_operator::kubesim {
namespace {

constexpr char kHpas[] = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";
constexpr char kHpasV1[] = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";

class HpaTest : public ::testing::Test {
 protected:
  HpaTest()
      : workloads_(&api_.store(), {.start_ms = 100, .ready_ms = 100}),
        hpas_(&api_.store(), {.sync_period_ms = 1000,
                              .metrics = &api_.sim_metrics(),
                              .write_scale = [this](const ResourceType& t, const std::string& ns,
                                                    const std::string& name, int32_t replicas) {
                                return api_.WriteScale(t, ns, name, replicas, "kube-controller-manager/v1.32.0");
                              }}) {}

  HttpResponse Call(const std::string& method, const std::string& path, const Json& body = Json(),
                    const std::string& content_type = "application/json") {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.headers["content-type"] = content_type;
    if (!body.is_null()) req.body = body.dump();
    return api_.Handle(req);
  }
  Json Body(const HttpResponse& r) { return Json::parse(r.body); }

  // A StatefulSet "web" whose pods request 500m CPU each.
  void StartWeb(int replicas, bool with_requests = true) {
    Json container = {{"name", "web"}, {"image", "nginx"}};
    if (with_requests) container["resources"] = {{"requests", {{"cpu", "500m"}, {"memory", "1Gi"}}}};
    Json sts = {{"apiVersion", "apps/v1"},
                {"kind", "StatefulSet"},
                {"metadata", {{"name", "web"}}},
                {"spec",
                 {{"replicas", replicas},
                  {"podManagementPolicy", "Parallel"},
                  {"serviceName", "web"},
                  {"selector", {{"matchLabels", {{"app", "web"}}}}},
                  {"template",
                   {{"metadata", {{"labels", {{"app", "web"}}}}},
                    {"spec", {{"containers", Json::array({container})}}}}}}}};
    ASSERT_EQ(Call("POST", "/apis/apps/v1/namespaces/default/statefulsets", sts).status, 201);
    Run(1000);
  }

  Json Hpa(int min, int max, Json metrics, Json behavior = Json()) {
    Json spec = {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", "web"}}},
                 {"minReplicas", min},
                 {"maxReplicas", max},
                 {"metrics", metrics}};
    if (!behavior.is_null()) spec["behavior"] = behavior;
    return {{"apiVersion", "autoscaling/v2"},
            {"kind", "HorizontalPodAutoscaler"},
            {"metadata", {{"name", "web"}}},
            {"spec", spec}};
  }
  static Json Cpu(int utilization) {
    return Json::array({{{"type", "Resource"},
                         {"resource", {{"name", "cpu"},
                                       {"target", {{"type", "Utilization"}, {"averageUtilization", utilization}}}}}}});
  }
  void CreateHpa(const Json& hpa) {
    HttpResponse r = Call("POST", kHpas, hpa);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void SetMetric(double value) {
    HttpResponse r = Call("POST", "/kubesim/hpa-metric", {{"namespace", "default"}, {"name", "web"}, {"value", value}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Advances the simulated clock by `ms`, ticking both controllers every
  // `step` ms.
  void Run(int64_t ms, int64_t step = 50) {
    for (const int64_t until = now_ + ms; now_ < until;) {
      now_ += step;
      workloads_.Tick(now_);
      hpas_.Tick(now_);
    }
  }
  int Replicas() {
    return Body(Call("GET", "/apis/apps/v1/namespaces/default/statefulsets/web"))["spec"]["replicas"];
  }
  Json Status() { return Body(Call("GET", std::string(kHpas) + "/web"))["status"]; }
  static Json Condition(const Json& status, const std::string& type) {
    for (const Json& c : status.value("conditions", Json::array())) {
      if (c["type"] == type) return c;
    }
    return Json();
  }

  // The core/v1 Events about the HPA "web", oldest first.
  std::vector<Json> Events() {
    std::vector<Json> out;
    const Json list = Body(Call("GET", "/api/v1/namespaces/default/events"));
    for (const Json& e : list["items"]) {
      if (e["involvedObject"]["name"] == "web" && e["involvedObject"]["kind"] == "HorizontalPodAutoscaler") {
        out.push_back(e);
      }
    }
    return out;
  }
  Json EventWithReason(const std::string& reason) {
    for (const Json& e : Events()) {
      if (e["reason"] == reason) return e;
    }
    return Json();
  }

  ApiServer api_;
  WorkloadController workloads_;
  HpaController hpas_;
  int64_t now_ = 0;
};

TEST_F(HpaTest, ScalesUpToCeilOfCurrentTimesMetricOverTargetAndWritesStatus) {
  StartWeb(2);
  CreateHpa(Hpa(1, 10, Cpu(50)));
  SetMetric(100);  // twice the target: ceil(2 * 100/50) = 4
  Run(1100);
  EXPECT_EQ(Replicas(), 4);
  Json st = Status();
  EXPECT_EQ(st["currentReplicas"], 2);
  EXPECT_EQ(st["desiredReplicas"], 4);
  EXPECT_TRUE(st.contains("lastScaleTime"));
  EXPECT_EQ(st["currentMetrics"][0]["resource"]["current"]["averageUtilization"], 100);
  EXPECT_EQ(st["currentMetrics"][0]["resource"]["current"]["averageValue"], "500m");
  EXPECT_EQ(Condition(st, "AbleToScale")["reason"], "SucceededRescale");
  EXPECT_EQ(Condition(st, "AbleToScale")["message"], "the HPA controller was able to update the target scale to 4");
  EXPECT_EQ(Condition(st, "ScalingActive")["status"], "True");
  EXPECT_EQ(Condition(st, "ScalingActive")["reason"], "ValidMetricFound");
  EXPECT_EQ(Condition(st, "ScalingLimited")["status"], "False");
  EXPECT_EQ(Condition(st, "ScalingLimited")["reason"], "DesiredWithinRange");
  // The next sync sees the new size.
  Run(1000);
  EXPECT_EQ(Status()["currentReplicas"], 4);
}

TEST_F(HpaTest, ChangesWithinTheToleranceAreIgnored) {
  StartWeb(2);
  CreateHpa(Hpa(1, 10, Cpu(50)));
  SetMetric(54);  // ratio 1.08
  Run(1100);
  EXPECT_EQ(Replicas(), 2);
  EXPECT_EQ(Status()["desiredReplicas"], 2);
  EXPECT_FALSE(Status().contains("lastScaleTime"));
  SetMetric(56);  // ratio 1.12: ceil(2 * 1.12) = 3
  Run(1000);
  EXPECT_EQ(Replicas(), 3);
}

TEST_F(HpaTest, NothingHappensBeforeTheFirstSyncPeriod) {
  StartWeb(2);
  CreateHpa(Hpa(1, 10, Cpu(50)));
  SetMetric(100);
  Run(900);
  EXPECT_EQ(Replicas(), 2);
  Run(200);
  EXPECT_EQ(Replicas(), 4);
}

TEST_F(HpaTest, ClampsToMaxReplicasAndToTheScaleUpLimit) {
  StartWeb(2);
  CreateHpa(Hpa(1, 3, Cpu(50)));
  SetMetric(500);  // wants 20
  Run(1100);
  EXPECT_EQ(Replicas(), 3);
  EXPECT_EQ(Condition(Status(), "ScalingLimited")["status"], "True");
  EXPECT_EQ(Condition(Status(), "ScalingLimited")["reason"], "TooManyReplicas");
  // Without behavior one sync adds at most max(2 * current, 4).
  HttpResponse r = Call("PATCH", std::string(kHpas) + "/web", {{"spec", {{"maxReplicas", 100}}}},
                        "application/merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.body;
  Run(1000);
  EXPECT_EQ(Replicas(), 6);
  EXPECT_EQ(Condition(Status(), "ScalingLimited")["reason"], "ScaleUpLimit");
}

TEST_F(HpaTest, ReplicasOutsideTheRangeAreBroughtIntoIt) {
  StartWeb(1);
  CreateHpa(Hpa(3, 5, Cpu(50)));
  Run(1100);  // no metric needed: below minReplicas
  EXPECT_EQ(Replicas(), 3);
  Json st = Status();
  EXPECT_EQ(st["currentReplicas"], 1);
  EXPECT_EQ(st["desiredReplicas"], 3);
  EXPECT_TRUE(st["currentMetrics"].is_null());
}

TEST_F(HpaTest, ScaleDownWaitsForTheFiveMinuteStabilizationWindow) {
  StartWeb(2);
  CreateHpa(Hpa(1, 10, Cpu(50)));
  SetMetric(100);
  Run(1100);
  ASSERT_EQ(Replicas(), 4);
  SetMetric(50);
  Run(1000);  // the new pods are Ready
  SetMetric(25);  // ceil(4 * 25/50) = 2, but 4 was recommended within 5 minutes
  Run(60000, 500);
  EXPECT_EQ(Replicas(), 4);
  EXPECT_EQ(Condition(Status(), "AbleToScale")["reason"], "ScaleDownStabilized");
  Run(250000, 500);
  EXPECT_EQ(Replicas(), 2);
}

TEST_F(HpaTest, BehaviorScaleDownWindowAndPolicies) {
  StartWeb(2);
  // No scale-down window; at most one pod removed per 60 s.
  CreateHpa(Hpa(1, 10, Cpu(50),
                {{"scaleDown", {{"stabilizationWindowSeconds", 0},
                                {"policies", Json::array({{{"type", "Pods"}, {"value", 1}, {"periodSeconds", 60}}})}}}}));
  // The API server filled in the rest of the behavior.
  Json b = Body(Call("GET", std::string(kHpas) + "/web"))["spec"]["behavior"];
  EXPECT_EQ(b["scaleUp"]["stabilizationWindowSeconds"], 0);
  EXPECT_EQ(b["scaleUp"]["selectPolicy"], "Max");
  EXPECT_EQ(b["scaleUp"]["policies"].size(), 2u);
  EXPECT_EQ(b["scaleDown"]["selectPolicy"], "Max");
  SetMetric(100);
  Run(1100);
  ASSERT_EQ(Replicas(), 4);
  SetMetric(50);
  Run(1000);
  SetMetric(10);  // wants 1
  Run(1000);
  EXPECT_EQ(Replicas(), 3);
  EXPECT_EQ(Condition(Status(), "ScalingLimited")["reason"], "ScaleDownLimit");
  Run(30000);
  EXPECT_EQ(Replicas(), 3);  // still within the policy's period
  Run(31000);
  EXPECT_EQ(Replicas(), 2);
}

TEST_F(HpaTest, WithoutMetricsOrRequestsScalingIsNotActive) {
  StartWeb(2, /*with_requests=*/false);
  CreateHpa(Hpa(1, 10, Cpu(50)));
  Run(1100);
  Json active = Condition(Status(), "ScalingActive");
  EXPECT_EQ(active["status"], "False");
  EXPECT_EQ(active["reason"], "FailedGetResourceMetric");
  EXPECT_EQ(active["message"],
            "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics "
            "for resource cpu: no metrics returned from resource metrics API");
  SetMetric(100);
  Run(1000);
  active = Condition(Status(), "ScalingActive");
  EXPECT_EQ(active["message"],
            "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for "
            "cpu in container web of Pod web-0");
  EXPECT_EQ(Replicas(), 2);
  EXPECT_EQ(Status()["currentReplicas"], 2);
}

TEST_F(HpaTest, PerMetricValuesAndTheHighestProposalWins) {
  StartWeb(2);
  Json metrics = Cpu(50);
  metrics.push_back({{"type", "Pods"},
                     {"pods", {{"metric", {{"name", "qps"}}},
                               {"target", {{"type", "AverageValue"}, {"averageValue", "100"}}}}}});
  CreateHpa(Hpa(1, 10, metrics));
  ASSERT_EQ(Call("POST", "/kubesim/hpa-metric",
                 {{"name", "web"}, {"metrics", {{"cpu", 50}, {"qps", 150}}}}).status, 200);
  Run(1100);
  EXPECT_EQ(Replicas(), 3);  // qps: ceil(2 * 1.5); cpu: 2
  Json st = Status();
  EXPECT_EQ(st["currentMetrics"][1]["pods"]["current"]["averageValue"], "150");
  EXPECT_EQ(Condition(st, "ScalingActive")["message"],
            "the HPA was able to successfully calculate a replica count from pods metric qps");
}

TEST_F(HpaTest, OneObjectThroughBothVersions) {
  StartWeb(2);
  Json metrics = Cpu(60);
  metrics.push_back({{"type", "Resource"},
                     {"resource", {{"name", "memory"}, {"target", {{"type", "AverageValue"}, {"averageValue", "2Gi"}}}}}});
  CreateHpa(Hpa(2, 10, metrics, {{"scaleDown", {{"stabilizationWindowSeconds", 30}}}}));
  SetMetric(60);
  Run(1100);
  Json v1 = Body(Call("GET", std::string(kHpasV1) + "/web"));
  EXPECT_EQ(v1["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(v1["spec"]["targetCPUUtilizationPercentage"], 60);
  EXPECT_FALSE(v1["spec"].contains("metrics"));
  const Json& ann = v1["metadata"]["annotations"];
  EXPECT_EQ(ann["autoscaling.alpha.kubernetes.io/metrics"],
            R"([{"type":"Resource","resource":{"name":"memory","targetAverageValue":"2Gi"}}])");
  EXPECT_TRUE(ann.contains("autoscaling.alpha.kubernetes.io/behavior"));
  EXPECT_TRUE(ann.contains("autoscaling.alpha.kubernetes.io/conditions"));
  EXPECT_TRUE(ann.contains("autoscaling.alpha.kubernetes.io/current-metrics"));
  EXPECT_EQ(v1["status"]["currentCPUUtilizationPercentage"], 60);
  EXPECT_EQ(v1["status"]["desiredReplicas"], 2);
  // A v1 write of what was read keeps what only v2 can say.
  v1["spec"]["maxReplicas"] = 8;
  HttpResponse put = Call("PUT", std::string(kHpasV1) + "/web", v1);
  ASSERT_EQ(put.status, 200) << put.body;
  Json v2 = Body(Call("GET", std::string(kHpas) + "/web"));
  EXPECT_EQ(v2["apiVersion"], "autoscaling/v2");
  EXPECT_EQ(v2["spec"]["maxReplicas"], 8);
  ASSERT_EQ(v2["spec"]["metrics"].size(), 2u);
  EXPECT_EQ(v2["spec"]["metrics"][0]["resource"]["name"], "memory");  // the annotation's come first
  EXPECT_EQ(v2["spec"]["metrics"][1]["resource"]["target"]["averageUtilization"], 60);
  EXPECT_EQ(v2["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"], 30);
  EXPECT_FALSE(v2["metadata"].contains("annotations"));
  // Lists and watches through v1 show the v1 view too.
  Json list = Body(Call("GET", kHpasV1));
  EXPECT_EQ(list["items"][0]["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(list["items"][0]["spec"]["maxReplicas"], 8);
}

TEST_F(HpaTest, AV1ObjectGetsTheImplicitCpuTargetInV2) {
  StartWeb(2);
  Json v1 = {{"apiVersion", "autoscaling/v1"},
             {"kind", "HorizontalPodAutoscaler"},
             {"metadata", {{"name", "web"}}},
             {"spec", {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", "web"}}},
                       {"maxReplicas", 4}}}};
  HttpResponse r = Call("POST", kHpasV1, v1);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(Body(r)["spec"]["minReplicas"], 1);
  Json v2 = Body(Call("GET", std::string(kHpas) + "/web"));
  EXPECT_EQ(v2["spec"]["metrics"][0]["resource"]["name"], "cpu");
  EXPECT_EQ(v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
  SetMetric(160);  // twice the implicit 80%
  Run(1100);
  EXPECT_EQ(Replicas(), 4);
}

TEST_F(HpaTest, InvalidSpecsAreRefused) {
  Json hpa = Hpa(5, 3, Cpu(50));
  HttpResponse r = Call("POST", kHpas, hpa);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["message"],
            "HorizontalPodAutoscaler.autoscaling \"web\" is invalid: spec.maxReplicas: Invalid value: 3: must be "
            "greater than or equal to `minReplicas`");
  hpa = Hpa(0, 3, Cpu(50));
  hpa["spec"]["scaleTargetRef"].erase("name");
  r = Call("POST", kHpas, hpa);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["details"]["causes"].size(), 2u) << r.body;
}

TEST_F(HpaTest, MetricKnobNeedsAnExistingHpa) {
  EXPECT_EQ(Call("POST", "/kubesim/hpa-metric", {{"name", "nope"}, {"value", 1}}).status, 404);
  EXPECT_EQ(Call("POST", "/kubesim/hpa-metric", {{"name", "nope"}, {"value", "x"}}).status, 400);
}

TEST_F(HpaTest, StatefulSetScaleReportsItsSelector) {
  StartWeb(1);
  Json scale = Body(Call("GET", "/apis/apps/v1/namespaces/default/statefulsets/web/scale"));
  EXPECT_EQ(scale["status"]["selector"], "app=web");
}

TEST_F(HpaTest, MissingTargetIsReportedOnAbleToScale) {
  CreateHpa(Hpa(1, 3, Cpu(50)));
  Run(1100);
  Json able = Condition(Status(), "AbleToScale");
  EXPECT_EQ(able["status"], "False");
  EXPECT_EQ(able["reason"], "FailedGetScale");
  EXPECT_EQ(able["message"],
            "the HPA controller was unable to get the target's current scale: statefulsets.apps \"web\" not found");
}

// horizontal.go reconcileAutoscaler: a rescale is recorded as a Normal
// SuccessfulRescale Event about the HPA ("New size: N; reason: ..."), from
// the recorder of component "horizontal-pod-autoscaler" (client-go
// tools/record makeEvent, generateEvent).
TEST_F(HpaTest, RescalesAreRecordedAsEventsAboutTheHpa) {
  StartWeb(2);
  CreateHpa(Hpa(1, 10, Cpu(50)));
  SetMetric(100);
  Run(1100);
  ASSERT_EQ(Replicas(), 4);
  Json e = EventWithReason("SuccessfulRescale");
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(e["type"], "Normal");
  EXPECT_EQ(e["message"], "New size: 4; reason: cpu resource utilization (percentage of request) above target");
  EXPECT_EQ(e["source"]["component"], "horizontal-pod-autoscaler");
  EXPECT_EQ(e["reportingComponent"], "horizontal-pod-autoscaler");
  EXPECT_EQ(e["count"], 1);
  Json hpa = Body(Call("GET", std::string(kHpas) + "/web"));
  EXPECT_EQ(e["involvedObject"]["apiVersion"], "autoscaling/v2");
  EXPECT_EQ(e["involvedObject"]["namespace"], "default");
  EXPECT_EQ(e["involvedObject"]["uid"], hpa["metadata"]["uid"]);
  EXPECT_EQ(e["metadata"]["name"].get<std::string>().rfind("web.", 0), 0u);
  EXPECT_EQ(e["firstTimestamp"], e["lastTimestamp"]);

  SetMetric(10);  // far below: the 5 minute window holds 4, then all metrics are below target
  Run(301000, 1000);
  EXPECT_EQ(EventWithReason("SuccessfulRescale")["message"], "New size: 4; reason: cpu resource utilization (percentage of request) above target");
  bool down = false;
  for (const Json& ev : Events()) down |= ev["message"] == "New size: 1; reason: All metrics below target";
  EXPECT_TRUE(down);
}

// Out of range: the reasons reconcileAutoscaler gives before any metric.
TEST_F(HpaTest, OutOfRangeRescalesNameTheBound) {
  StartWeb(5);
  CreateHpa(Hpa(1, 3, Cpu(50)));
  Run(1100);
  EXPECT_EQ(Replicas(), 3);
  EXPECT_EQ(EventWithReason("SuccessfulRescale")["message"],
            "New size: 3; reason: Current number of replicas above Spec.MaxReplicas");
}

// A metric that cannot be computed: the metric's Warning
// (getUnableComputeReplicaCountCondition) and FailedComputeMetricsReplicas
// ("invalid metrics ..."), each repeated sync raising the count of the one
// Event (EventCorrelator's eventObserve) instead of writing a new one.
TEST_F(HpaTest, MetricFailuresAreWarningsCountedOnOneEvent) {
  StartWeb(2);
  CreateHpa(Hpa(1, 10, Cpu(50)));
  Run(1100);
  Json metric = EventWithReason("FailedGetResourceMetric");
  ASSERT_FALSE(metric.is_null());
  EXPECT_EQ(metric["type"], "Warning");
  EXPECT_EQ(metric["message"],
            "failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from "
            "resource metrics API");
  Json compute = EventWithReason("FailedComputeMetricsReplicas");
  EXPECT_EQ(compute["message"],
            "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to "
            "get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API");
  Run(2000);  // two more syncs
  EXPECT_EQ(Events().size(), 2u);
  EXPECT_EQ(EventWithReason("FailedGetResourceMetric")["count"], 3);
  EXPECT_EQ(EventWithReason("FailedGetResourceMetric")["metadata"]["name"], metric["metadata"]["name"]);
  EXPECT_EQ(EventWithReason("FailedComputeMetricsReplicas")["count"], 3);
}

// EventSourceObjectSpamFilter: 25 events about one object at once, then one
// per 5 minutes; the counts of what was dropped still show on the next one.
TEST_F(HpaTest, TheSpamFilterThrottlesAFailingHpa) {
  StartWeb(2);
  CreateHpa(Hpa(1, 10, Cpu(50)));
  Run(20000, 1000);  // 20 syncs, 2 events each: 25 written, then none
  EXPECT_EQ(EventWithReason("FailedGetResourceMetric")["count"].get<int>() +
                EventWithReason("FailedComputeMetricsReplicas")["count"].get<int>(),
            25);
  Run(300000, 1000);  // a token per 5 minutes
  const int after = EventWithReason("FailedGetResourceMetric")["count"].get<int>() +
                    EventWithReason("FailedComputeMetricsReplicas")["count"].get<int>();
  EXPECT_GT(after, 300);  // the one written carries every sync's count
  EXPECT_LT(after, 700);
}

// computeReplicasForMetrics: when a metric is missing and the others would
// scale down, nothing is scaled (a scale-up on partial metrics goes ahead).
TEST_F(HpaTest, NoScaleDownWhileAMetricIsMissing) {
  StartWeb(4);
  Json metrics = Cpu(50);
  metrics.push_back({{"type", "Pods"},
                     {"pods", {{"metric", {{"name", "qps"}}},
                               {"target", {{"type", "AverageValue"}, {"averageValue", "100"}}}}}});
  CreateHpa(Hpa(1, 10, metrics));
  ASSERT_EQ(Call("POST", "/kubesim/hpa-metric", {{"name", "web"}, {"metrics", {{"cpu", 10}}}}).status, 200);
  Run(1100);
  EXPECT_EQ(Replicas(), 4);
  EXPECT_EQ(Condition(Status(), "ScalingActive")["reason"], "FailedGetPodsMetric");
  const std::string compute = EventWithReason("FailedComputeMetricsReplicas").value("message", "");
  EXPECT_EQ(compute.rfind("invalid metrics (1 invalid out of 2), first error is: failed to get pods metric value: ", 0),
            0u)
      << compute;
  ASSERT_EQ(Call("POST", "/kubesim/hpa-metric", {{"name", "web"}, {"metrics", {{"cpu", 200}}}}).status, 200);
  Run(1000);
  EXPECT_EQ(Replicas(), 8);  // ceil(4 * 200/50) = 16, at most max(2 * 4, 4)
}

// reconcileAutoscaler: a target that cannot be read is FailedGetScale.
TEST_F(HpaTest, MissingTargetIsAFailedGetScaleEvent) {
  CreateHpa(Hpa(1, 3, Cpu(50)));
  Run(1100);
  Json e = EventWithReason("FailedGetScale");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["message"], "statefulsets.apps \"web\" not found");
}

// A rescale the API server refuses is FailedRescale with its error.
TEST_F(HpaTest, ARefusedRescaleIsAFailedRescaleEvent) {
  StartWeb(2);
  CreateHpa(Hpa(1, 10, Cpu(50)));
  SetMetric(100);
  // An admission refusal of StatefulSet updates, as a webhook would answer.
  HttpResponse refused = Call("POST", "/kubesim/faults",
                              {{"refuse", Json::array({{{"verb", "update"}, {"resource", "statefulsets"}, {"subresource", "scale"},
                                                        {"code", 403}, {"reason", "Forbidden"},
                                                        {"message", "denied by policy"}}})}});
  ASSERT_EQ(refused.status, 200) << refused.body;
  Run(1100);
  Json e = EventWithReason("FailedRescale");
  ASSERT_FALSE(e.is_null()) << Json(Events()).dump();
  EXPECT_EQ(e["message"], "New size: 4; reason: cpu resource utilization (percentage of request) above target; "
                          "error: denied by policy");
}

}  // namespace
}  // namespace doris_operator::kubesim
