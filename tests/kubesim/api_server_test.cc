#include "tools/kubesim/api_server.h"

#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/kubesim/api_call.h"

namespace doris_operator::kubesim {
namespace {

// The smallest StatefulSet spec a real API server accepts (a selector and
// a template whose labels it matches), plus `extra`.
Json StsSpec(Json extra = Json::object()) {
  Json spec = {{"selector", {{"matchLabels", {{"app", "s"}}}}},
               {"template", {{"metadata", {{"labels", {{"app", "s"}}}}},
                             {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "i"}}})}}}}}};
  spec.merge_patch(extra);
  return spec;
}

using Result = ApiResult;

class ApiServerTest : public ::testing::Test {
 protected:
  Result Call(const std::string& method, const std::string& path_and_query,
              const Json& body = Json(), const std::string& content_type = "application/json") {
    return CallApi(api_, method, path_and_query, body, {.content_type = content_type});
  }

  Json Cm(const std::string& name, Json labels = Json::object()) {
    return {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
            {"metadata", {{"name", name}, {"labels", labels}}}, {"data", {{"k", "v"}}}};
  }

  ApiServer api_;
  const std::string cms_ = "/api/v1/namespaces/default/configmaps";
};

TEST_F(ApiServerTest, CreateGetAndBookkeeping) {
  Result r = Call("POST", cms_, Cm("a"));
  ASSERT_EQ(r.status, 201);
  EXPECT_FALSE(r.body["metadata"]["uid"].get<std::string>().empty());
  EXPECT_EQ(r.body["metadata"]["namespace"], "default");
  // The ConfigMap strategy keeps no generation (only spec-carrying kinds do).
  EXPECT_FALSE(r.body["metadata"].contains("generation"));
  Result dup = Call("POST", cms_, Cm("a"));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.body["reason"], "AlreadyExists");
  EXPECT_EQ(dup.body["details"]["kind"], "configmaps");
  Result missing = Call("GET", cms_ + "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["message"], "configmaps \"nope\" not found");
}

TEST_F(ApiServerTest, OptimisticConcurrencyAndGenerationOnSpecOnly) {
  Json created = Call("POST", "/apis/apps/v1/namespaces/default/statefulsets",
                      {{"metadata", {{"name", "s"}}}, {"spec", StsSpec({{"replicas", 1}})}}).body;
  Json stale = created;
  created["spec"]["replicas"] = 2;
  Result ok = Call("PUT", "/apis/apps/v1/namespaces/default/statefulsets/s", created);
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["metadata"]["generation"], 2);
  stale["spec"]["replicas"] = 5;
  Result conflict = Call("PUT", "/apis/apps/v1/namespaces/default/statefulsets/s", stale);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body["reason"], "Conflict");
  // Status writes do not bump generation and do not touch spec.
  Json st = ok.body;
  st["status"] = {{"replicas", 2}};
  st["spec"]["replicas"] = 9;
  Result status = Call("PUT", "/apis/apps/v1/namespaces/default/statefulsets/s/status", st);
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.body["metadata"]["generation"], 2);
  EXPECT_EQ(status.body["spec"]["replicas"], 2);
  EXPECT_EQ(status.body["status"]["replicas"], 2);
  // And a spec update keeps status (status subresource).
  Json spec = status.body;
  spec.erase("status");
  spec["spec"]["replicas"] = 3;
  EXPECT_EQ(Call("PUT", "/apis/apps/v1/namespaces/default/statefulsets/s", spec).body["status"]["replicas"], 2);
}

TEST_F(ApiServerTest, StrategicMergeMergesNamedListEntries) {
  const Json containers = Json::array({{{"name", "a"}, {"image", "1"}}, {{"name", "b"}, {"image", "1"}}});
  Call("POST", "/apis/apps/v1/namespaces/default/statefulsets",
       {{"metadata", {{"name", "s"}}},
        {"spec", StsSpec({{"template", {{"spec", {{"containers", containers}}}}}})}});
  Result r = Call("PATCH", "/apis/apps/v1/namespaces/default/statefulsets/s",
                  {{"spec", {{"template", {{"spec", {{"containers", Json::array({{{"name", "b"}, {"image", "2"}}})}}}}}}}},
                  "application/strategic-merge-patch+json");
  ASSERT_EQ(r.status, 200);
  const Json& c = r.body["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["image"], "1");
  EXPECT_EQ(c[1]["image"], "2");
  // Merge patch replaces the list.
  r = Call("PATCH", "/apis/apps/v1/namespaces/default/statefulsets/s",
           {{"spec", {{"template", {{"spec", {{"containers", Json::array({{{"name", "b"}}})}}}}}}}},
           "application/merge-patch+json");
  EXPECT_EQ(r.body["spec"]["template"]["spec"]["containers"].size(), 1u);
}

// Found by tests/fuzz/kubesim_request_fuzzer: a malformed body holding
// invalid UTF-8 was echoed into the Status message, and encoding the answer
// threw. kube-apiserver (Go's encoding/json) answers with U+FFFD instead.
TEST_F(ApiServerTest, InvalidUtf8InAnErrorAnswerIsReplaced) {
  Call("POST", cms_, Cm("t"));
  HttpRequest req;
  req.method = "PUT";
  req.path = cms_ + "/t";
  req.headers["content-type"] = "application/json";
  req.body = "{\"apiVersion\": \"v1\", \"m\xe5tadata\": {\"name\": \"t\"}, \"data\":: 1}";
  HttpResponse r;
  ASSERT_NO_THROW(r = api_.Handle(req));
  EXPECT_EQ(r.status, 400);
  const Json body = Json::parse(r.body);  // valid UTF-8, or this throws
  EXPECT_EQ(body["kind"], "Status");
  EXPECT_EQ(body["code"], 400);
}

// Found by tests/fuzz/kubesim_request_fuzzer: a merge patch that is a JSON
// array (and a JSON patch replacing the whole object) threw in kubesim. The
// default fieldValidation (Warn) refuses the array before patching (400);
// under Ignore it becomes the document, which does not decode (422).
TEST_F(ApiServerTest, APatchYieldingANonObjectIs422) {
  Call("POST", cms_, Cm("t"));
  Result r = Call("PATCH", cms_ + "/t", Json::array({{{"op", "add"}}}), "application/merge-patch+json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["reason"], "BadRequest");
  r = Call("PATCH", cms_ + "/t?fieldValidation=Ignore", Json::array({{{"op", "add"}}}),
           "application/merge-patch+json");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["reason"], "Invalid");
  r = Call("PATCH", cms_ + "/t", Json::array({{{"op", "replace"}, {"path", ""}, {"value", 5}}}),
           "application/json-patch+json");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Call("GET", cms_ + "/t").body["data"]["k"], "v");
}

TEST_F(ApiServerTest, FinalizersDelayDeletion) {
  Json cm = Cm("f");
  cm["metadata"]["finalizers"] = {"example.com/keep"};
  Call("POST", cms_, cm);
  Result del = Call("DELETE", cms_ + "/f");
  ASSERT_EQ(del.status, 200);
  EXPECT_TRUE(del.body["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(Call("GET", cms_ + "/f").status, 200);
  Result cleared = Call("PATCH", cms_ + "/f", {{"metadata", {{"finalizers", nullptr}}}},
                        "application/merge-patch+json");
  EXPECT_EQ(cleared.status, 200);
  EXPECT_EQ(Call("GET", cms_ + "/f").status, 404);
}

TEST_F(ApiServerTest, ListSelectorsAndPaging) {
  for (int i = 0; i < 5; ++i) {
    Call("POST", cms_, Cm("c" + std::to_string(i), {{"tier", i % 2 ? "odd" : "even"}}));
  }
  EXPECT_EQ(Call("GET", cms_ + "?labelSelector=tier%3Deven").body["items"].size(), 3u);
  EXPECT_EQ(Call("GET", cms_ + "?labelSelector=tier!%3Deven").body["items"].size(), 2u);
  EXPECT_EQ(Call("GET", cms_ + "?labelSelector=tier%20in%20(odd)").body["items"].size(), 2u);
  EXPECT_EQ(Call("GET", cms_ + "?fieldSelector=metadata.name%3Dc3").body["items"].size(), 1u);
  Result page = Call("GET", cms_ + "?limit=2");
  ASSERT_EQ(page.body["items"].size(), 2u);
  const std::string cont = page.body["metadata"]["continue"];
  Result rest = Call("GET", cms_ + "?limit=10&continue=" + cont);
  EXPECT_EQ(rest.body["items"].size(), 3u);
  EXPECT_FALSE(rest.body["metadata"].contains("continue"));
  EXPECT_EQ(Call("GET", "/api/v1/configmaps").body["items"].size(), 5u);  // all namespaces
}

TEST_F(ApiServerTest, WatchFromAVersionAndGoneWhenExpired) {
  const std::string rv = Call("GET", cms_).body["metadata"]["resourceVersion"];
  Call("POST", cms_, Cm("w1"));
  Call("DELETE", cms_ + "/w1");
  auto events = api_.store().EventsSince(*api_.store().Find("", "v1", "configmaps"), "default",
                                         std::stoll(rv), 0);
  ASSERT_TRUE(std::holds_alternative<std::vector<WatchEvent>>(events));
  const auto& list = std::get<std::vector<WatchEvent>>(events);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].type, "ADDED");
  EXPECT_EQ(list[1].type, "DELETED");
  api_.store().ExpireHistory();
  auto gone = api_.store().EventsSince(*api_.store().Find("", "v1", "configmaps"), "default",
                                       std::stoll(rv), 0);
  ASSERT_TRUE(std::holds_alternative<ApiError>(gone));
  EXPECT_EQ(std::get<ApiError>(gone).code, 410);
}

TEST_F(ApiServerTest, DeletingACrdRemovesItsResource) {
  Json crd = {{"apiVersion", "apiextensions.k8s.io/v1"}, {"kind", "CustomResourceDefinition"},
              {"metadata", {{"name", "widgets.example.com"}}},
              {"spec", {{"group", "example.com"}, {"scope", "Namespaced"},
                        {"names", {{"plural", "widgets"}, {"kind", "Widget"}}},
                        {"versions", Json::array({{{"name", "v1"}, {"served", true}, {"storage", true}}})}}}};
  ASSERT_EQ(Call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status, 201);
  EXPECT_EQ(Call("POST", "/apis/example.com/v1/namespaces/default/widgets",
                 {{"metadata", {{"name", "w"}}}}).status, 201);
  EXPECT_EQ(Call("GET", "/apis/example.com/v1").status, 200);
  Call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
  EXPECT_EQ(Call("GET", "/apis/example.com/v1/namespaces/default/widgets/w").status, 404);
  EXPECT_EQ(Call("GET", "/apis/example.com/v1").status, 404);
}

TEST_F(ApiServerTest, RbacKindsAreStoredClusterAndNamespaceScoped) {
  const std::string rbac = "/apis/rbac.authorization.k8s.io/v1";
  Json role = {{"metadata", {{"name", "reader"}}},
               {"rules", Json::array({{{"apiGroups", {""}}, {"resources", {"pods"}}, {"verbs", {"get"}}}})}};
  Result cluster_role = Call("POST", rbac + "/clusterroles", role);
  ASSERT_EQ(cluster_role.status, 201);
  EXPECT_FALSE(cluster_role.body["metadata"].contains("namespace"));
  EXPECT_EQ(Call("GET", rbac + "/clusterroles/reader").body["rules"][0]["verbs"][0], "get");
  Result ns_role = Call("POST", rbac + "/namespaces/default/roles", role);
  ASSERT_EQ(ns_role.status, 201);
  EXPECT_EQ(ns_role.body["metadata"]["namespace"], "default");
  const Json role_ref = {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", "reader"}};
  EXPECT_EQ(Call("POST", rbac + "/clusterrolebindings", {{"metadata", {{"name", "b"}}}, {"roleRef", role_ref}}).status,
            201);
  EXPECT_EQ(Call("POST", rbac + "/namespaces/default/rolebindings",
                 {{"metadata", {{"name", "b"}}}, {"roleRef", role_ref}}).status,
            201);
  Result discovery = Call("GET", rbac);
  ASSERT_EQ(discovery.status, 200);
  EXPECT_EQ(discovery.body["resources"].size(), 4u);
}

TEST_F(ApiServerTest, InjectedFaultsAreDeterministicUnderASeed) {
  auto run = [&](uint64_t seed) {
    EXPECT_EQ(Call("POST", "/kubesim/faults",
                   {{"errorRate", 0.5}, {"errorCode", 429}, {"retryAfterSeconds", 2}, {"seed", seed}})
                  .status,
              200);
    std::string pattern;
    for (int i = 0; i < 40; ++i) pattern += Call("GET", cms_).status == 429 ? 'x' : '.';
    return pattern;
  };
  const std::string a = run(7), b = run(7), c = run(8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a.find('x'), std::string::npos);
  EXPECT_NE(a.find('.'), std::string::npos);
  HttpRequest req;
  req.method = "GET";
  req.path = cms_;
  bool saw_retry_after = false;
  for (int i = 0; i < 20 && !saw_retry_after; ++i) {
    HttpResponse r = api_.Handle(req);
    if (r.status == 429) saw_retry_after = r.headers["Retry-After"] == "2";
  }
  EXPECT_TRUE(saw_retry_after);
  Call("POST", "/kubesim/faults", Json::object());  // off again
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Call("GET", cms_).status, 200);
  EXPECT_EQ(Call("POST", "/kubesim/faults", {{"errorRate", 2}}).status, 400);
}

TEST_F(ApiServerTest, StatefulSetDefaultsIncludeTheClaimRetentionPolicy) {
  Result r = Call("POST", "/apis/apps/v1/namespaces/default/statefulsets",
                  {{"metadata", {{"name", "s"}}}, {"spec", StsSpec()}});
  ASSERT_EQ(r.status, 201);
  EXPECT_EQ(r.body["spec"]["persistentVolumeClaimRetentionPolicy"],
            (Json{{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}}));
  EXPECT_EQ(r.body["spec"]["revisionHistoryLimit"], 10);
  r = Call("POST", "/apis/apps/v1/namespaces/default/statefulsets",
           {{"metadata", {{"name", "t"}}},
            {"spec", StsSpec({{"persistentVolumeClaimRetentionPolicy", {{"whenScaled", "Delete"}}}})}});
  EXPECT_EQ(r.body["spec"]["persistentVolumeClaimRetentionPolicy"],
            (Json{{"whenDeleted", "Retain"}, {"whenScaled", "Delete"}}));
}

TEST_F(ApiServerTest, ClusterFaultEndpointsCheckTheirInput) {
  EXPECT_EQ(Call("POST", "/kubesim/crash-pod", Json{{"namespace", "default"}}).status, 400);
  EXPECT_EQ(Call("POST", "/kubesim/crash-pod", Json{{"name", "nope"}}).status, 404);
  EXPECT_EQ(Call("POST", "/kubesim/node-not-ready", Json::object()).status, 400);
  EXPECT_EQ(Call("POST", "/kubesim/node-not-ready", Json{{"node", "n"}, {"ready", "yes"}}).status, 400);
  EXPECT_EQ(Call("POST", "/kubesim/pvc-provisioning", Json{{"fail", 1}}).status, 400);
  EXPECT_EQ(Call("POST", "/kubesim/pvc-provisioning", Json::array()).status, 400);
  EXPECT_EQ(Call("POST", "/kubesim/node-not-ready", Json{{"node", "kubesim-node-1"}}).status, 200);
  EXPECT_EQ(api_.sim_faults().NotReadyNodes(), (std::set<std::string>{"kubesim-node-1"}));
  EXPECT_EQ(Call("POST", "/kubesim/node-not-ready", Json{{"node", "kubesim-node-1"}, {"ready", true}}).status, 200);
  EXPECT_TRUE(api_.sim_faults().NotReadyNodes().empty());
  EXPECT_EQ(Call("POST", "/kubesim/pvc-provisioning", Json{{"fail", true}}).status, 200);
  EXPECT_TRUE(api_.sim_faults().ProvisioningFails());
}

TEST_F(ApiServerTest, GarbageCollectionFollowsOwnerReferences) {
  Json owner = Call("POST", cms_, Cm("owner")).body;
  auto owned = [&](const std::string& name) {
    Json cm = Cm(name);
    cm["metadata"]["ownerReferences"] = Json::array(
        {{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "owner"}, {"uid", owner["metadata"]["uid"]}}});
    return Call("POST", cms_, cm).body;
  };
  Json child = owned("child");
  Json grandchild = Cm("grandchild");
  grandchild["metadata"]["ownerReferences"] = Json::array(
      {{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "child"}, {"uid", child["metadata"]["uid"]}}});
  Call("POST", cms_, grandchild);
  Call("POST", cms_, Cm("bystander"));
  ASSERT_EQ(Call("DELETE", cms_ + "/owner").status, 200);
  EXPECT_EQ(Call("GET", cms_ + "/child").status, 404);
  EXPECT_EQ(Call("GET", cms_ + "/grandchild").status, 404);
  EXPECT_EQ(Call("GET", cms_ + "/bystander").status, 200);
  // Orphan keeps dependents and releases them.
  owner = Call("POST", cms_, Cm("owner")).body;
  owned("kept");
  ASSERT_EQ(Call("DELETE", cms_ + "/owner", {{"kind", "DeleteOptions"}, {"propagationPolicy", "Orphan"}}).status, 200);
  Result kept = Call("GET", cms_ + "/kept");
  ASSERT_EQ(kept.status, 200);
  EXPECT_FALSE(kept.body["metadata"].contains("ownerReferences"));
}

TEST_F(ApiServerTest, BadInputIsAStatusNotACrash) {
  HttpRequest req;
  req.method = "POST";
  req.path = cms_;
  req.body = "{not json";
  HttpResponse r = api_.Handle(req);
  EXPECT_EQ(r.status, 400);
  req.headers["content-type"] = "application/vnd.kubernetes.protobuf";
  EXPECT_EQ(api_.Handle(req).status, 400);  // protobuf without the k8s magic
  EXPECT_EQ(Call("PATCH", cms_ + "/x", Json::array(), "application/json-patch+json").status, 404);
  Call("POST", cms_, Cm("p"));
  EXPECT_EQ(Call("PATCH", cms_ + "/p", Json::array({{{"op", "remove"}, {"path", "/nope/x"}}}),
                 "application/json-patch+json").status,
            422);
  EXPECT_EQ(Call("GET", "/apis/nothing/v1/things").status, 404);
}

// A CRD whose schema exercises every structural-schema rule kubesim applies.
class CrdSchemaTest : public ApiServerTest {
 protected:
  void SetUp() override {
    const Json spec = Json::parse(R"({
      "type": "object", "required": ["image"],
      "properties": {
        "image": {"type": "string", "minLength": 3, "maxLength": 20, "pattern": "^[a-z]"},
        "replicas": {"type": "integer", "minimum": 0, "maximum": 9},
        "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"},
        "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
        "plainPort": {"x-kubernetes-int-or-string": true},
        "labels": {"type": "object", "maxProperties": 3, "additionalProperties": {"type": "string"}},
        "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "items": {"type": "array", "items": {"type": "object",
                  "properties": {"name": {"type": "string"}, "weight": {"type": "number"}}}},
        "note": {"type": "string", "nullable": true},
        "policy": {"type": "object", "default": {},
                   "properties": {"version": {"type": "string", "default": "v2"}}},
        "rule": {"type": "object", "x-kubernetes-validations": [{"rule": "false", "message": "never"}]}
      }})");
    const Json status = Json::parse(R"({
      "type": "object",
      "properties": {
        "phase": {"type": "string", "enum": ["Ready", "Failed"]},
        "since": {"type": "string", "format": "date-time"},
        "observedGeneration": {"type": "integer"}
      }})");
    const Json schema = {{"type", "object"},
                         {"properties", {{"apiVersion", {{"type", "string"}}},
                                         {"kind", {{"type", "string"}}},
                                         {"metadata", {{"type", "object"}}},
                                         {"spec", spec},
                                         {"status", status}}}};
    Json crd = {{"apiVersion", "apiextensions.k8s.io/v1"}, {"kind", "CustomResourceDefinition"},
                {"metadata", {{"name", "widgets.example.com"}}},
                {"spec", {{"group", "example.com"}, {"scope", "Namespaced"},
                          {"names", {{"plural", "widgets"}, {"kind", "Widget"}}},
                          {"versions", Json::array({{{"name", "v1"}, {"served", true}, {"storage", true},
                                                     {"subresources", {{"status", Json::object()}}},
                                                     {"schema", {{"openAPIV3Schema", schema}}}}})}}}};
    ASSERT_EQ(Call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status, 201);
  }

  static Json Widget(const std::string& name, Json spec) {
    return {{"apiVersion", "example.com/v1"}, {"kind", "Widget"}, {"metadata", {{"name", name}}}, {"spec", spec}};
  }
  Result Create(const Json& w, const std::string& query = "") { return Call("POST", widgets_ + query, w); }
  Json Stored(const std::string& name) { return Call("GET", widgets_ + "/" + name).body; }

  const std::string widgets_ = "/apis/example.com/v1/namespaces/default/widgets";
};

TEST_F(CrdSchemaTest, TypeErrorNamesThePathInTheApiServersWords) {
  Result r = Create(Widget("w", {{"image", "nginx"}, {"replicas", "three"}}));
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.body["reason"], "Invalid");
  EXPECT_EQ(r.body["message"],
            "Widget.example.com \"w\" is invalid: spec.replicas: Invalid value: \"string\": "
            "spec.replicas in body must be of type integer: \"string\"");
  EXPECT_EQ(r.body["details"]["kind"], "Widget");
  EXPECT_EQ(r.body["details"]["group"], "example.com");
  EXPECT_EQ(r.body["details"]["name"], "w");
  ASSERT_EQ(r.body["details"]["causes"].size(), 1u);
  EXPECT_EQ(r.body["details"]["causes"][0]["field"], "spec.replicas");
  EXPECT_EQ(r.body["details"]["causes"][0]["reason"], "FieldValueTypeInvalid");
  EXPECT_EQ(Call("GET", widgets_ + "/w").status, 404);
  // Inside lists the index is part of the path.
  Result item = Create(Widget("w", {{"image", "nginx"},
                                    {"items", Json::array({{{"name", "a"}}, {{"weight", "heavy"}}})}}));
  ASSERT_EQ(item.status, 422);
  EXPECT_EQ(item.body["details"]["causes"][0]["field"], "spec.items[1].weight");
  // An integer is a number.
  EXPECT_EQ(Create(Widget("w", {{"image", "nginx"}, {"items", Json::array({{{"weight", 3}}})}})).status, 201);
}

TEST_F(CrdSchemaTest, RequiredFieldsMustBePresent) {
  Result r = Create(Widget("w", {{"replicas", 1}}));
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.body["message"], "Widget.example.com \"w\" is invalid: spec.image: Required value");
  EXPECT_EQ(r.body["details"]["causes"][0]["reason"], "FieldValueRequired");
  EXPECT_EQ(r.body["details"]["causes"][0]["field"], "spec.image");
}

TEST_F(CrdSchemaTest, EnumBoundsLengthAndPattern) {
  // A wrong type does not hide the enum's complaint.
  Result both = Create(Widget("w", {{"image", "nginx"}, {"mode", true}}));
  ASSERT_EQ(both.body["details"]["causes"].size(), 2u);
  EXPECT_EQ(both.body["details"]["causes"][1]["message"],
            "Unsupported value: true: supported values: \"fast\", \"safe\"");
  Result e = Create(Widget("w", {{"image", "nginx"}, {"mode", "slow"}}));
  ASSERT_EQ(e.status, 422);
  EXPECT_EQ(e.body["details"]["causes"][0]["reason"], "FieldValueNotSupported");
  EXPECT_EQ(e.body["details"]["causes"][0]["message"],
            "Unsupported value: \"slow\": supported values: \"fast\", \"safe\"");
  Result low = Create(Widget("w", {{"image", "nginx"}, {"replicas", -1}}));
  EXPECT_EQ(low.body["details"]["causes"][0]["message"],
            "Invalid value: -1: spec.replicas in body should be greater than or equal to 0");
  Result high = Create(Widget("w", {{"image", "nginx"}, {"replicas", 10}}));
  EXPECT_EQ(high.body["details"]["causes"][0]["message"],
            "Invalid value: 10: spec.replicas in body should be less than or equal to 9");
  // Several errors at once: one cause each, the message lists them all.
  Result many = Create(Widget("w", {{"image", "Ab"}}));
  ASSERT_EQ(many.status, 422);
  EXPECT_EQ(many.body["message"],
            "Widget.example.com \"w\" is invalid: [spec.image: Invalid value: \"Ab\": spec.image in body "
            "should be at least 3 chars long, spec.image: Invalid value: \"Ab\": spec.image in body should "
            "match '^[a-z]']");
  Result long_image = Create(Widget("w", {{"image", std::string(21, 'a')}}));
  EXPECT_EQ(long_image.body["details"]["causes"][0]["reason"], "FieldValueTooLong");
  EXPECT_EQ(long_image.body["details"]["causes"][0]["message"], "Too long: may not be more than 20 bytes");
  Result many_labels = Create(Widget("w", {{"image", "nginx"}, {"labels", {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}}}));
  EXPECT_EQ(many_labels.body["details"]["causes"][0]["message"], "Too many: 4: must have at most 3 items");
  EXPECT_EQ(Create(Widget("w", {{"image", "nginx"}, {"replicas", 9}, {"mode", "fast"}})).status, 201);
}

TEST_F(CrdSchemaTest, UnknownFieldsArePrunedOrRefusedUnderStrictValidation) {
  Json w = Widget("w", {{"image", "nginx"}, {"colour", "red"},
                        {"items", Json::array({{{"name", "a"}, {"size", 3}}})},
                        {"extra", {{"anything", {{"goes", true}}}}},
                        {"labels", {{"team", "db"}}}});
  w["topLevel"] = 1;
  Result strict = Create(w, "?fieldValidation=Strict");
  ASSERT_EQ(strict.status, 400);
  EXPECT_EQ(strict.body["reason"], "BadRequest");
  EXPECT_EQ(strict.body["message"],
            "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field "
            "\"spec.colour\", unknown field \"spec.items[0].size\", unknown field \"topLevel\"");
  Result r = Create(w);
  ASSERT_EQ(r.status, 201);
  EXPECT_NE(r.headers["Warning"].find("299 - \"unknown field \\\"spec.colour\\\"\""), std::string::npos)
      << r.headers["Warning"];
  Json stored = Stored("w");
  EXPECT_FALSE(stored.contains("topLevel"));
  EXPECT_FALSE(stored["spec"].contains("colour"));
  EXPECT_EQ(stored["spec"]["items"][0], Json({{"name", "a"}}));
  // Preserved and map-typed fields keep what they hold.
  EXPECT_EQ(stored["spec"]["extra"]["anything"]["goes"], true);
  EXPECT_EQ(stored["spec"]["labels"]["team"], "db");
  EXPECT_EQ(Create(Widget("x", {{"image", "nginx"}, {"colour", "red"}}), "?fieldValidation=Ignore")
                .headers.count("Warning"), 0u);
  // Map values are validated against additionalProperties.
  Result map = Create(Widget("y", {{"image", "nginx"}, {"labels", {{"n", 5}}}}));
  ASSERT_EQ(map.status, 422);
  EXPECT_EQ(map.body["details"]["causes"][0]["field"], "spec.labels.n");
  // A patch adding an unknown field is pruned the same way.
  ASSERT_EQ(Call("PATCH", widgets_ + "/w", {{"spec", {{"shape", "round"}}}}, "application/merge-patch+json").status,
            200);
  EXPECT_FALSE(Stored("w")["spec"].contains("shape"));
}

TEST_F(CrdSchemaTest, DefaultsAreAppliedOnWrite) {
  ASSERT_EQ(Create(Widget("w", {{"image", "nginx"}})).status, 201);
  Json stored = Stored("w");
  EXPECT_EQ(stored["spec"]["mode"], "safe");
  // A defaulted object gets its own properties' defaults too.
  EXPECT_EQ(stored["spec"]["policy"], Json({{"version", "v2"}}));
  // Removing a defaulted field brings the default back.
  ASSERT_EQ(Call("PATCH", widgets_ + "/w", {{"spec", {{"mode", nullptr}, {"policy", {{"version", "v1"}}}}}},
                 "application/merge-patch+json").status,
            200);
  stored = Stored("w");
  EXPECT_EQ(stored["spec"]["mode"], "safe");
  EXPECT_EQ(stored["spec"]["policy"]["version"], "v1");
  EXPECT_EQ(stored["metadata"]["generation"], 2);
}

TEST_F(CrdSchemaTest, IntOrStringNullableAndNulls) {
  EXPECT_EQ(Create(Widget("a", {{"image", "nginx"}, {"port", 8080}})).status, 201);
  EXPECT_EQ(Create(Widget("b", {{"image", "nginx"}, {"port", "http"}})).status, 201);
  Result r = Create(Widget("c", {{"image", "nginx"}, {"port", true}}));
  ASSERT_EQ(r.status, 422);
  // With the anyOf CRD generators add, the API server's three errors.
  EXPECT_EQ(r.body["message"],
            "Widget.example.com \"c\" is invalid: [<nil>: Invalid value: \"\": \"spec.port\" must validate at "
            "least one schema (anyOf), spec.port: Invalid value: \"boolean\": spec.port in body must be of type "
            "integer,string: \"boolean\", spec.port: Invalid value: \"boolean\": spec.port in body must be of "
            "type integer: \"boolean\"]");
  Result plain = Create(Widget("c", {{"image", "nginx"}, {"plainPort", 1.5}}));
  ASSERT_EQ(plain.status, 422);
  EXPECT_EQ(plain.body["message"],
            "Widget.example.com \"c\" is invalid: spec.plainPort: Invalid value: \"number\": spec.plainPort in "
            "body must be of type integer,string: \"number\"");
  EXPECT_EQ(Create(Widget("e", {{"image", "nginx"}, {"plainPort", 80.0}})).status, 201);
  // nullable keeps a null; a non-nullable null without default is dropped.
  ASSERT_EQ(Create(Widget("d", {{"image", "nginx"}, {"note", nullptr}, {"replicas", nullptr}})).status, 201);
  Json stored = Stored("d");
  EXPECT_TRUE(stored["spec"].contains("note"));
  EXPECT_FALSE(stored["spec"].contains("replicas"));
}

TEST_F(CrdSchemaTest, UpdatesAndPatchesAreValidatedAndLeaveTheObjectAlone) {
  Json created = Create(Widget("w", {{"image", "nginx"}, {"replicas", 1}})).body;
  Result merge = Call("PATCH", widgets_ + "/w", {{"spec", {{"replicas", "x"}}}}, "application/merge-patch+json");
  EXPECT_EQ(merge.status, 422);
  Result json_patch = Call("PATCH", widgets_ + "/w",
                           Json::array({{{"op", "remove"}, {"path", "/spec/image"}}}), "application/json-patch+json");
  EXPECT_EQ(json_patch.status, 422);
  EXPECT_EQ(json_patch.body["details"]["causes"][0]["field"], "spec.image");
  Json put = created;
  put["spec"]["mode"] = "slow";
  EXPECT_EQ(Call("PUT", widgets_ + "/w", put).status, 422);
  // Forced: the create's Update entry owns replicas, which would otherwise
  // be a conflict (409) before validation runs.
  Result apply = Call("PATCH", widgets_ + "/w?fieldManager=me&force=true",
                      Widget("w", {{"image", "nginx"}, {"replicas", 100}}), "application/apply-patch+yaml");
  EXPECT_EQ(apply.status, 422);
  Result apply_new = Call("PATCH", widgets_ + "/n?fieldManager=me", Widget("n", {{"replicas", 1}}),
                          "application/apply-patch+yaml");
  EXPECT_EQ(apply_new.status, 422);
  EXPECT_EQ(Call("GET", widgets_ + "/n").status, 404);
  Json stored = Stored("w");
  EXPECT_EQ(stored["spec"]["replicas"], 1);
  EXPECT_EQ(stored["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"]);
}

TEST_F(CrdSchemaTest, StatusSubresourceValidatesStatusOnly) {
  Json w = Widget("w", {{"image", "nginx"}});
  // A main-resource write does not store status, so it is not validated.
  w["status"] = {{"phase", "Bogus"}};
  ASSERT_EQ(Create(w).status, 201);
  EXPECT_FALSE(Stored("w").contains("status"));
  Result bad = Call("PATCH", widgets_ + "/w/status", {{"status", {{"phase", "Bogus"}}}},
                    "application/merge-patch+json");
  ASSERT_EQ(bad.status, 422);
  EXPECT_EQ(bad.body["details"]["causes"][0]["field"], "status.phase");
  Result time = Call("PATCH", widgets_ + "/w/status", {{"status", {{"since", "yesterday"}}}},
                     "application/merge-patch+json");
  ASSERT_EQ(time.status, 422);
  EXPECT_EQ(time.body["details"]["causes"][0]["message"],
            "Invalid value: \"yesterday\": status.since in body must be of type date-time: \"yesterday\"");
  Result ok = Call("PATCH", widgets_ + "/w/status",
                   {{"status", {{"phase", "Ready"}, {"since", "2026-01-02T03:04:05Z"}, {"observedGeneration", 1}}}},
                   "application/merge-patch+json");
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(Stored("w")["status"]["phase"], "Ready");
}

TEST_F(CrdSchemaTest, CelRulesAreNotEvaluated) {
  // x-kubernetes-validations is kept in the CRD but kubesim has no CEL.
  EXPECT_EQ(Create(Widget("w", {{"image", "nginx"}, {"rule", Json::object()}})).status, 201);
}

TEST_F(CrdSchemaTest, ObjectsOfACrdWithoutSchemaAreStoredAsSent) {
  Json crd = {{"apiVersion", "apiextensions.k8s.io/v1"}, {"kind", "CustomResourceDefinition"},
              {"metadata", {{"name", "gadgets.example.com"}}},
              {"spec", {{"group", "example.com"}, {"scope", "Namespaced"},
                        {"names", {{"plural", "gadgets"}, {"kind", "Gadget"}}},
                        {"versions", Json::array({{{"name", "v1"}, {"served", true}, {"storage", true}}})}}}};
  ASSERT_EQ(Call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status, 201);
  ASSERT_EQ(Call("POST", "/apis/example.com/v1/namespaces/default/gadgets",
                 {{"metadata", {{"name", "g"}}}, {"spec", {{"anything", 1}}}}).status, 201);
  EXPECT_EQ(Call("GET", "/apis/example.com/v1/namespaces/default/gadgets/g").body["spec"]["anything"], 1);
}

HttpRequest Get(const std::string& path, const std::string& authorization) {
  HttpRequest req;
  req.method = "GET";
  req.path = path;
  if (!authorization.empty()) req.headers["authorization"] = authorization;
  return req;
}

TEST(ApiServerAuthTest, BearerTokenRequiredOnEveryPath) {
  ApiServer api;
  api.RequireBearerToken("s3cret-token");
  for (const std::string path : {"/version", "/api/v1/namespaces", "/kubesim/expire-history",
                                 "/api/v1/namespaces/default/services/c-fe-service:8030/proxy/api/health"}) {
    for (const std::string auth : {"", "Bearer", "Bearer ", "Bearer wrong", "Bearer s3cret-toke",
                                   "Bearer s3cret-token2", "Basic czNjcmV0LXRva2Vu", "s3cret-token"}) {
      HttpResponse r = api.Handle(Get(path, auth));
      EXPECT_EQ(r.status, 401) << path << " with '" << auth << "'";
      const Json body = Json::parse(r.body);
      EXPECT_EQ(body["kind"], "Status");
      EXPECT_EQ(body["reason"], "Unauthorized");
      EXPECT_EQ(body["code"], 401);
    }
  }
  EXPECT_EQ(api.Handle(Get("/api/v1/namespaces", "Bearer s3cret-token")).status, 200);
  // The scheme is case-insensitive, as in the API server.
  EXPECT_EQ(api.Handle(Get("/version", "bearer s3cret-token")).status, 200);
}

TEST(ApiServerAuthTest, WithoutATokenNothingIsRequired) {
  ApiServer api;
  EXPECT_EQ(api.Handle(Get("/api/v1/namespaces", "")).status, 200);
  EXPECT_EQ(api.Handle(Get("/api/v1/namespaces", "Bearer anything")).status, 200);
}

TEST(ApiServerAuthTest, ServiceProxyDoesNotForwardTheClusterToken) {
  ApiServer api;
  api.RequireBearerToken("s3cret-token");
  std::string seen = "unset";
  api.SetServiceProxy([&seen](const std::string&, const std::string&, const std::string&,
                              const HttpRequest& req) {
    seen = req.Header("authorization");
    HttpResponse r;
    r.body = "{}";
    return r;
  });
  const std::string proxy = "/api/v1/namespaces/default/services/c-fe-service:8030/proxy/api/health";
  EXPECT_EQ(api.Handle(Get(proxy, "Bearer s3cret-token")).status, 200);
  EXPECT_EQ(seen, "");
}

TEST_F(ApiServerTest, ServerSideApplyOwnsFieldsRemovesDroppedOnesAndReportsConflicts) {
  const std::string path = cms_ + "/ssa?fieldManager=op&force=true";
  const std::string ct = "application/apply-patch+yaml";
  Json first = Cm("ssa");
  first["metadata"]["annotations"] = {{"debug", "on"}, {"keep", "yes"}};
  ASSERT_EQ(Call("PATCH", path, first, ct).status, 201);
  // Someone else applies a field of their own.
  Json theirs = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                 {"metadata", {{"name", "ssa"}, {"annotations", {{"owner", "them"}}}}}};
  ASSERT_EQ(Call("PATCH", cms_ + "/ssa?fieldManager=other", theirs, ct).status, 200);
  // The first applier stops sending "debug": it goes; "owner" stays.
  Json second = Cm("ssa");
  second["metadata"]["annotations"] = {{"keep", "yes"}};
  Result r = Call("PATCH", path, second, ct);
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.body["metadata"]["annotations"].contains("debug")) << r.body.dump();
  EXPECT_EQ(r.body["metadata"]["annotations"]["owner"], "them");
  EXPECT_EQ(r.body["metadata"]["annotations"]["keep"], "yes");
  // Changing a field another applier owns is a conflict unless forced.
  Json grab = second;
  grab["metadata"]["annotations"]["owner"] = "me";
  Result conflict = Call("PATCH", cms_ + "/ssa?fieldManager=op", grab, ct);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body["message"],
            "Apply failed with 1 conflict: conflict with \"other\": .metadata.annotations.owner")
      << conflict.body.dump();
  Result forced = Call("PATCH", path, grab, ct);
  ASSERT_EQ(forced.status, 200);
  EXPECT_EQ(forced.body["metadata"]["annotations"]["owner"], "me");
  // An apply without a field manager is refused.
  EXPECT_EQ(Call("PATCH", cms_ + "/ssa", second, ct).status, 422);
}

TEST_F(ApiServerTest, ProtobufBodiesOfTypedGeneratorsDecodeOrFailClearly) {
  auto post = [&](const std::string& path, const std::string& body) {
    HttpRequest req;
    req.method = "POST";
    req.path = path;
    req.headers["content-type"] = "application/vnd.kubernetes.protobuf";
    req.body = body;
    HttpResponse r = api_.Handle(req);
    return std::make_pair(r.status, Json::parse(r.body));
  };
  auto len = [](const std::string& s) { return std::string(1, static_cast<char>(s.size())) + s; };
  // runtime.Unknown{1: TypeMeta{1: "v1", 2: kind}, 2: raw}
  auto wrap = [&](const std::string& kind, const std::string& raw) {
    const std::string type_meta = "\x0a" + len("v1") + "\x12" + len(kind);
    return std::string("k8s\0", 4) + "\x0a" + len(type_meta) + "\x12" + len(raw);
  };
  // ConfigMap{1: ObjectMeta{1: "pb"}, 2: data{"k": "v"}}
  const std::string meta = "\x0a" + len("pb");
  const std::string entry = "\x0a" + len("k") + "\x12" + len("v");
  auto [created, obj] = post(cms_, wrap("ConfigMap", "\x0a" + len(meta) + "\x12" + len(entry)));
  ASSERT_EQ(created, 201) << obj.dump();
  EXPECT_EQ(obj["metadata"]["name"], "pb");
  EXPECT_EQ(obj["data"]["k"], "v");
  auto [bad, bad_body] = post(cms_, "not protobuf");
  EXPECT_EQ(bad, 400);
  EXPECT_NE(bad_body["message"].get<std::string>().find("magic"), std::string::npos);
  auto [unsupported, u_body] = post("/apis/apps/v1/namespaces/default/statefulsets",
                                    wrap("StatefulSet", ""));
  EXPECT_EQ(unsupported, 415) << u_body.dump();
}

TEST_F(ApiServerTest, DeleteCollectionRemovesWhatTheSelectorMatches) {
  ASSERT_EQ(Call("POST", cms_, Cm("keep", {{"app", "other"}})).status, 201);
  ASSERT_EQ(Call("POST", cms_, Cm("go-1", {{"app", "doris"}})).status, 201);
  ASSERT_EQ(Call("POST", cms_, Cm("go-2", {{"app", "doris"}})).status, 201);
  Result r = Call("DELETE", cms_ + "?labelSelector=app%3Ddoris");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["kind"], "ConfigMapList");
  EXPECT_EQ(r.body["items"].size(), 2u);
  Result left = Call("GET", cms_);
  ASSERT_EQ(left.body["items"].size(), 1u);
  EXPECT_EQ(left.body["items"][0]["metadata"]["name"], "keep");
}

// Who may do what: GET /kubesim/requests lists each client's authorization
// checks by verb, resource and namespace: its requests' own, and those
// kube-apiserver's OwnerReferencesPermissionEnforcement admission plugin
// makes (plugin/pkg/admission/gc/gc_admission.go): setting a blocking
// ownerReference needs `update` on the owner's finalizers; changing the
// references of an existing object needs `delete` on it.
TEST_F(ApiServerTest, AccessLogRecordsNamespacesAndOwnerReferenceChecks) {
  const std::string sts = "/apis/apps/v1/namespaces/default/statefulsets";
  Json owner = CallApi(api_, "POST", sts, {{"metadata", {{"name", "owner"}}}, {"spec", StsSpec()}}, {.user_agent = "a"}).body;
  ASSERT_TRUE(owner["metadata"]["uid"].is_string()) << owner.dump();
  const std::string uid = owner["metadata"]["uid"];
  auto ref = [&](bool block) {
    return Json::array({{{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", "owner"}, {"uid", uid},
                         {"blockOwnerDeletion", block}}});
  };
  const std::string cms = "/api/v1/namespaces/default/configmaps";
  ASSERT_EQ(CallApi(api_, "POST", cms, {{"metadata", {{"name", "plain"}, {"ownerReferences", ref(false)}}}},
                    {.user_agent = "b"}).status, 201);
  Json blocking = CallApi(api_, "POST", cms, {{"metadata", {{"name", "blocking"}, {"ownerReferences", ref(true)}}}},
                          {.user_agent = "c"}).body;
  Json changed = CallApi(api_, "GET", cms + "/plain").body;
  changed["metadata"]["ownerReferences"] = ref(true);
  ASSERT_EQ(CallApi(api_, "PUT", cms + "/plain", changed, {.user_agent = "d"}).status, 200);
  blocking["data"] = {{"k", "v"}};  // references untouched: no check
  ASSERT_EQ(CallApi(api_, "PUT", cms + "/blocking", blocking, {.user_agent = "e"}).status, 200);

  auto checks = [&](const std::string& agent) {
    std::set<std::string> out;
    const Json log = Call("GET", "/kubesim/requests?userAgent=" + agent).body;
    for (const Json& r : log["requests"]) {
      out.insert(absl::StrCat(r["verb"].get<std::string>(), " ", r["group"].get<std::string>(), "/",
                              r["resource"].get<std::string>(), " ns=", r["namespace"].get<std::string>(), " ",
                              r["check"].get<std::string>()));
    }
    return out;
  };
  EXPECT_EQ(checks("a"), (std::set<std::string>{"create apps/statefulsets ns=default request"}));
  // A create may name any owner; a non-blocking reference asks nothing more.
  EXPECT_EQ(checks("b"), (std::set<std::string>{"create /configmaps ns=default request"}));
  EXPECT_EQ(checks("c"), (std::set<std::string>{"create /configmaps ns=default request",
                                                "update apps/statefulsets/finalizers ns=default owner-references"}));
  EXPECT_EQ(checks("d"), (std::set<std::string>{"update /configmaps ns=default request",
                                                "delete /configmaps ns=default owner-references",
                                                "update apps/statefulsets/finalizers ns=default owner-references"}));
  EXPECT_EQ(checks("e"), (std::set<std::string>{"update /configmaps ns=default request"}));
  // A list across namespaces is cluster-wide.
  Call("GET", "/api/v1/configmaps");
  EXPECT_TRUE(checks("").count("list /configmaps ns= request"));
}

}  // namespace
}  // namespace doris_operator::kubesim
