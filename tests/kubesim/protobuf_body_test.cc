// kubesim's protobuf body decoder on hand-encoded bodies: the Go JSON rules
// that kubectl's own generators do not all exercise (pointer zeros, inline
// structs, IntOrString, Time, []byte) and the errors.

#include "tools/kubesim/protobuf_body.h"

#include <string>
#include <variant>

#include "gtest/gtest.h"
#include "tests/kubesim/api_call.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/hpa_controller.h"
#include "tools/kubesim/workloads.h"

namespace doris_operator::kubesim {
namespace {

std::string Varint(uint64_t v) {
  std::string out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(static_cast<char>(v ? b | 0x80 : b));
  } while (v);
  return out;
}
// Field `n` as varint (wire type 0) or length-delimited bytes (2).
std::string Int(int n, uint64_t v) { return Varint(n << 3) + Varint(v); }
std::string Bytes(int n, const std::string& b) { return Varint((n << 3) | 2) + Varint(b.size()) + b; }

std::string Body(const std::string& api_version, const std::string& kind, const std::string& raw) {
  const std::string type_meta = Bytes(1, api_version) + Bytes(2, kind);
  return std::string("k8s\0", 4) + Bytes(1, type_meta) + Bytes(2, raw) + Bytes(3, "") + Bytes(4, "");
}

Json Decode(const std::string& body) {
  std::variant<Json, ApiError> r = DecodeProtobufBody(body);
  if (auto* e = std::get_if<ApiError>(&r)) {
    ADD_FAILURE() << e->code << " " << e->message;
    return Json();
  }
  return std::get<Json>(r);
}

TEST(ProtobufBody, PointerZerosStayAndOmitemptyZerosGo) {
  // DeploymentSpec: *int32 replicas = 0 is sent and meant; int32
  // minReadySeconds and bool paused are always on the wire, omitempty.
  const std::string spec = Int(1, 0) + Int(5, 0) + Int(7, 0);
  const std::string meta = Bytes(1, "d") + Bytes(2, "") + Bytes(3, "");
  Json d = Decode(Body("apps/v1", "Deployment", Bytes(1, meta) + Bytes(2, spec)));
  EXPECT_EQ(d["apiVersion"], "apps/v1");
  EXPECT_EQ(d["kind"], "Deployment");
  EXPECT_EQ(d["metadata"], Json({{"name", "d"}}));
  EXPECT_EQ(d["spec"], Json({{"replicas", 0}}));
}

TEST(ProtobufBody, IntOrStringTimeAndNonOmitemptyFields) {
  // ServicePort.port has no omitempty (kept), nodePort does (dropped).
  const std::string named = Bytes(1, "http") + Int(3, 80) + Bytes(4, Int(1, 1) + Bytes(3, "web")) +
                            Int(5, 0);
  const std::string numbered = Int(3, 0) + Bytes(4, Int(1, 0) + Int(2, 8080));
  const std::string meta = Bytes(1, "s") + Bytes(8, Int(1, 1700000000) + Int(2, 5));
  Json s = Decode(Body("v1", "Service",
                       Bytes(1, meta) + Bytes(2, Bytes(1, named) + Bytes(1, numbered))));
  EXPECT_EQ(s["spec"]["ports"], Json::parse(R"([{"name":"http","port":80,"targetPort":"web"},
                                               {"port":0,"targetPort":8080}])"));
  // metav1.Time keeps whole seconds (time_proto.go).
  EXPECT_EQ(s["metadata"]["creationTimestamp"], "2023-11-14T22:13:20Z");
}

TEST(ProtobufBody, InlineStructsAndBytes) {
  // Volume's VolumeSource is `json:",inline"`; Secret data is []byte.
  const std::string volume = Bytes(1, "v") + Bytes(2, Bytes(2, ""));
  Json pod = Decode(Body("v1", "Pod", Bytes(1, Bytes(1, "p")) + Bytes(2, Bytes(1, volume))));
  EXPECT_EQ(pod["spec"]["volumes"], Json::parse(R"([{"name":"v","emptyDir":{}}])"));
  const std::string entry = Bytes(1, "k") + Bytes(2, std::string("\0\1", 2));
  Json secret = Decode(Body("v1", "Secret", Bytes(1, Bytes(1, "s")) + Bytes(2, entry)));
  EXPECT_EQ(secret["data"], Json({{"k", "AAE="}}));
  EXPECT_FALSE(secret.contains("type"));  // empty string, omitempty
}

TEST(ProtobufBody, Errors) {
  std::variant<Json, ApiError> r = DecodeProtobufBody(Body("example.com/v1", "Widget", ""));
  ASSERT_TRUE(std::holds_alternative<ApiError>(r));
  EXPECT_EQ(std::get<ApiError>(r).code, 415);
  r = DecodeProtobufBody("{}");
  ASSERT_TRUE(std::holds_alternative<ApiError>(r));
  EXPECT_EQ(std::get<ApiError>(r).code, 400);
  r = DecodeProtobufBody(Body("v1", "ConfigMap", "\xff"));  // a truncated varint
  ASSERT_TRUE(std::holds_alternative<ApiError>(r));
  EXPECT_EQ(std::get<ApiError>(r).code, 400);
}

// What kubectl v1.32's `autoscale statefulset as --min=1 --max=3
// --cpu-percent=50` POSTs (observed with -v=8): an autoscaling/v1
// HorizontalPodAutoscaler; Go's generated marshaller writes the
// non-pointer status counters even when zero.
std::string AutoscaleBody() {
  const std::string ref = Bytes(1, "StatefulSet") + Bytes(2, "as") + Bytes(3, "apps/v1");
  const std::string spec = Bytes(1, ref) + Int(2, 1) + Int(3, 3) + Int(4, 50);
  const std::string status = Int(3, 0) + Int(4, 0);
  return Body("autoscaling/v1", "HorizontalPodAutoscaler",
              Bytes(1, Bytes(1, "as") + Bytes(3, "")) + Bytes(2, spec) + Bytes(3, status));
}

TEST(ProtobufBody, KubectlAutoscaleHpa) {
  Json hpa = Decode(AutoscaleBody());
  EXPECT_EQ(hpa["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(hpa["kind"], "HorizontalPodAutoscaler");
  EXPECT_EQ(hpa["spec"], Json::parse(R"({"scaleTargetRef":{"kind":"StatefulSet","name":"as","apiVersion":"apps/v1"},
                                         "minReplicas":1,"maxReplicas":3,"targetCPUUtilizationPercentage":50})"));
  // currentReplicas and desiredReplicas have no omitempty.
  EXPECT_EQ(hpa["status"], Json::parse(R"({"currentReplicas":0,"desiredReplicas":0})"));
}

TEST(ProtobufBody, AutoscalingV2Hpa) {
  // MetricSpec{type: Resource, resource: {name: cpu, target: {type:
  // Utilization, averageUtilization: 70}}}.
  const std::string target = Bytes(1, "Utilization") + Int(4, 70);
  const std::string metric = Bytes(1, "Resource") + Bytes(4, Bytes(1, "cpu") + Bytes(2, target));
  const std::string ref = Bytes(1, "StatefulSet") + Bytes(2, "as") + Bytes(3, "apps/v1");
  const std::string spec = Bytes(1, ref) + Int(2, 2) + Int(3, 5) + Bytes(4, metric);
  Json hpa = Decode(Body("autoscaling/v2", "HorizontalPodAutoscaler", Bytes(1, Bytes(1, "as")) + Bytes(2, spec)));
  EXPECT_EQ(hpa["spec"]["metrics"], Json::parse(R"([{"type":"Resource","resource":{"name":"cpu",
                                                    "target":{"type":"Utilization","averageUtilization":70}}}])"));
  EXPECT_EQ(hpa["spec"]["minReplicas"], 2);
}

// The same body through the API server, as kubectl sends it: created as
// kube-apiserver creates it, seen through autoscaling/v2 with the CPU
// target, and acted on by the HPA controller.
TEST(ProtobufBody, KubectlAutoscaleCreatesAnHpaTheControllerActsOn) {
  ApiServer api;
  WorkloadController workloads(&api.store(), {.start_ms = 100, .ready_ms = 100});
  HpaController hpas(&api.store(), {.sync_period_ms = 1000, .metrics = &api.sim_metrics()});
  Json sts = Json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"as"},
    "spec":{"replicas":1,"serviceName":"as","selector":{"matchLabels":{"app":"as"}},
            "template":{"metadata":{"labels":{"app":"as"}},"spec":{"containers":[
              {"name":"app","image":"nginx","resources":{"requests":{"cpu":"500m"}}}]}}}})");
  ASSERT_EQ(CallApi(api, "POST", "/apis/apps/v1/namespaces/default/statefulsets", sts).status, 201);
  HttpRequest req;
  req.method = "POST";
  req.path = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
  req.query["fieldManager"] = "kubectl-autoscale";
  req.headers["content-type"] = "application/vnd.kubernetes.protobuf";
  req.headers["accept"] = "application/vnd.kubernetes.protobuf,application/json";
  req.body = AutoscaleBody();
  HttpResponse created = api.Handle(req);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.content_type, "application/json");
  // A create cannot set status (the HPA strategy's PrepareForCreate): the
  // empty status prints v1's two counters, v2's desiredReplicas and
  // currentMetrics (not omitempty).
  EXPECT_EQ(Json::parse(created.body)["status"], Json::parse(R"({"currentReplicas":0,"desiredReplicas":0})"));
  Json v2 = CallApi(api, "GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/as").body;
  EXPECT_EQ(v2["spec"]["metrics"], Json::parse(R"([{"type":"Resource","resource":{"name":"cpu",
                                                   "target":{"type":"Utilization","averageUtilization":50}}}])"));
  EXPECT_EQ(v2["metadata"]["managedFields"][0]["manager"], "kubectl-autoscale");
  EXPECT_EQ(v2["status"], Json::parse(R"({"desiredReplicas":0,"currentMetrics":null})"));
  Json with_status = v2;
  with_status["metadata"] = {{"name", "as2"}};
  with_status["status"] = {{"desiredReplicas", 7}, {"currentReplicas", 7}};
  ApiResult second =
      CallApi(api, "POST", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers", with_status);
  ASSERT_EQ(second.status, 201);
  EXPECT_EQ(second.body["status"], Json::parse(R"({"desiredReplicas":0,"currentMetrics":null})"));
  ASSERT_EQ(CallApi(api, "POST", "/kubesim/hpa-metric", {{"name", "as"}, {"value", 100}}).status, 200);
  for (int64_t now = 50; now <= 1500; now += 50) {
    workloads.Tick(now);
    hpas.Tick(now);
  }
  EXPECT_EQ(CallApi(api, "GET", "/apis/apps/v1/namespaces/default/statefulsets/as").body["spec"]["replicas"],
            2);
}

}  // namespace
}  // namespace doris_operator::kubesim
