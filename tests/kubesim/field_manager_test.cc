// Field ownership (metadata.managedFields) and server-side apply, one
// upstream rule per test. Sources: k8s.io/apimachinery
// pkg/util/managedfields/internal (the apiserver's field manager chain),
// sigs.k8s.io/structured-merge-diff merge/update.go and typed/*.go,
// k8s.io/apiserver pkg/endpoints/handlers, k8s.io/apimachinery
// pkg/util/strategicpatch.

#include <map>
#include <regex>
#include <string>

#include "gtest/gtest.h"
#include "tests/kubesim/api_call.h"
#include "tools/kubesim/api_server.h"

namespace doris_operator::kubesim {
namespace {

struct Result {
  int status;
  Json body;
};

constexpr char kApply[] = "application/apply-patch+yaml";
constexpr char kMerge[] = "application/merge-patch+json";
constexpr char kStrategic[] = "application/strategic-merge-patch+json";

class FieldManagerTest : public ::testing::Test {
 protected:
  Result Call(const std::string& method, const std::string& path_and_query, const Json& body = Json(),
              const std::string& content_type = "application/json", const std::string& user_agent = "") {
    testing::ApiResult r = testing::ApiCall(api_, method, path_and_query, body, content_type, user_agent);
    return {r.status, r.body};
  }

  Result Apply(const std::string& path, const std::string& manager, const Json& body, bool force = false) {
    return Call("PATCH", path + "?fieldManager=" + manager + (force ? "&force=true" : ""), body, kApply);
  }

  // The entry of `manager` with `operation` (and subresource), or null.
  static Json Entry(const Json& obj, const std::string& manager, const std::string& operation,
                    const std::string& subresource = "") {
    for (const Json& e : obj["metadata"].value("managedFields", Json::array())) {
      if (e["manager"] == manager && e["operation"] == operation && e.value("subresource", "") == subresource) {
        return e;
      }
    }
    return Json();
  }

  Json Get(const std::string& path) { return Call("GET", path).body; }

  static Json Sts(const std::string& name, Json pod_spec, int replicas = 1) {
    return {{"apiVersion", "apps/v1"},
            {"kind", "StatefulSet"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"replicas", replicas},
              {"serviceName", name},
              {"selector", {{"matchLabels", {{"app", name}}}}},
              {"template", {{"metadata", {{"labels", {{"app", name}}}}}, {"spec", std::move(pod_spec)}}}}}};
  }

  static Json Container(const std::string& name, Json env = Json::array()) {
    Json c = {{"name", name}, {"image", "img"}};
    if (!env.empty()) c["env"] = std::move(env);
    return c;
  }

  static Json Cm(const std::string& name, Json labels, Json data = Json::object()) {
    Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}, {"labels", labels}}}};
    if (!data.empty()) cm["data"] = std::move(data);
    return cm;
  }

  ApiServer api_;
  const std::string cms_ = "/api/v1/namespaces/default/configmaps";
  const std::string stss_ = "/apis/apps/v1/namespaces/default/statefulsets";
};

// handlers/create.go: a create is an Update by the request's fieldManager;
// fields it sets are that entry's, in fieldsV1 form, with a time.
TEST_F(FieldManagerTest, CreateIsAnUpdateEntryOfTheFieldManager) {
  Result r = Call("POST", cms_ + "?fieldManager=creator", Cm("a", {{"app", "x"}}, {{"k", "v"}}));
  ASSERT_EQ(r.status, 201) << r.body.dump();
  ASSERT_EQ(r.body["metadata"]["managedFields"].size(), 1u) << r.body.dump();
  const Json e = r.body["metadata"]["managedFields"][0];
  EXPECT_EQ(e["manager"], "creator");
  EXPECT_EQ(e["operation"], "Update");
  EXPECT_EQ(e["apiVersion"], "v1");
  EXPECT_EQ(e["fieldsType"], "FieldsV1");
  EXPECT_FALSE(e.contains("subresource"));
  // Maps created by this write are members themselves ("."), their keys too;
  // name and namespace belong to nobody (stripmeta.go).
  EXPECT_EQ(e["fieldsV1"], Json::parse(R"({"f:data":{".":{},"f:k":{}},
                                           "f:metadata":{"f:labels":{".":{},"f:app":{}}}})"));
  EXPECT_TRUE(std::regex_match(e["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << e.dump();
}

// handlers/create.go managerOrUserAgent/prefixFromUserAgent: without
// fieldManager the manager is the User-Agent up to its first '/';
// buildmanagerinfo.go: no name at all is "unknown".
TEST_F(FieldManagerTest, ManagerDefaultsToTheUserAgentPrefix) {
  Result r = Call("POST", cms_, Cm("ua", {{"a", "1"}}), "application/json",
                  "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07");
  ASSERT_EQ(r.status, 201);
  EXPECT_EQ(r.body["metadata"]["managedFields"][0]["manager"], "kubectl");
  r = Call("POST", cms_, Cm("none", {{"a", "1"}}));
  EXPECT_EQ(r.body["metadata"]["managedFields"][0]["manager"], "unknown");
  r = Call("PATCH", cms_ + "/ua", {{"metadata", {{"labels", {{"b", "2"}}}}}}, kMerge, "doris-operator/1.0");
  EXPECT_FALSE(Entry(r.body, "doris-operator", "Update").is_null()) << r.body.dump();
}

// meta/v1/validation ValidatePatchOptions: apply needs a fieldManager,
// force is for apply only; structuredmerge.go: an applied config carries no
// managedFields.
TEST_F(FieldManagerTest, ApplyOptionsAreValidated) {
  Result r = Call("PATCH", cms_ + "/x", Cm("x", {{"a", "1"}}), kApply);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["message"],
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
  ASSERT_EQ(Apply(cms_ + "/x", "me", Cm("x", {{"a", "1"}})).status, 201);
  r = Call("PATCH", cms_ + "/x?force=true", {{"data", {{"k", "v"}}}}, kMerge);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body["message"].get<std::string>().find("force: Forbidden: may not be specified for non-apply patch"),
            std::string::npos);
  Json with_mf = Cm("x", {{"a", "1"}});
  with_mf["metadata"]["managedFields"] = Json::array({{{"manager", "me"}}});
  r = Apply(cms_ + "/x", "me", with_mf);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["message"], "metadata.managedFields must be nil");
}

// typed/tofieldset.go: associative lists are owned item by item under their
// keys (containers and env by name, container ports by containerPort and
// protocol with protocol's default), struct fields are not members, map
// keys are.
TEST_F(FieldManagerTest, ApplyOwnsListItemsByTheirMergeKeys) {
  Json c = Container("app", Json::array({{{"name", "A"}, {"value", "1"}}}));
  c["ports"] = Json::array({{{"containerPort", 9030}, {"name", "http"}}});
  c["volumeMounts"] = Json::array({{{"name", "data"}, {"mountPath", "/data"}}});
  Json spec = {{"containers", Json::array({c})},
               {"volumes", Json::array({{{"name", "data"}, {"emptyDir", Json::object()}}})},
               {"tolerations", Json::array({{{"key", "k"}, {"operator", "Exists"}}})}};
  Result r = Apply(stss_ + "/s", "op", Sts("s", spec));
  ASSERT_EQ(r.status, 201) << r.body.dump();
  const Json e = Entry(r.body, "op", "Apply");
  ASSERT_FALSE(e.is_null()) << r.body.dump();
  EXPECT_EQ(e["apiVersion"], "apps/v1");
  const Json& pod = e["fieldsV1"]["f:spec"]["f:template"]["f:spec"];
  const Json& container = pod["f:containers"]["k:{\"name\":\"app\"}"];
  EXPECT_TRUE(container.contains(".")) << pod.dump();
  EXPECT_TRUE(container["f:env"]["k:{\"name\":\"A\"}"].contains("f:value")) << pod.dump();
  EXPECT_TRUE(container["f:ports"].contains("k:{\"containerPort\":9030,\"protocol\":\"TCP\"}")) << pod.dump();
  EXPECT_TRUE(container["f:volumeMounts"].contains("k:{\"mountPath\":\"/data\"}")) << pod.dump();
  EXPECT_TRUE(pod["f:volumes"]["k:{\"name\":\"data\"}"].contains("f:emptyDir")) << pod.dump();
  // Atomic: tolerations (no list type) and the LabelSelector are leaves.
  EXPECT_EQ(pod["f:tolerations"], Json::object());
  EXPECT_EQ(e["fieldsV1"]["f:spec"]["f:selector"], Json::object());
  EXPECT_FALSE(e["fieldsV1"]["f:spec"].contains("."));
  EXPECT_EQ(e["fieldsV1"]["f:spec"]["f:template"]["f:metadata"]["f:labels"],
            Json::parse(R"({"f:app":{}})"));
}

// merge/update.go prune: an applier's next apply removes what it applied
// before and no longer sends, unless another manager owns it too.
TEST_F(FieldManagerTest, ApplyRemovesOnlyWhatNoOtherManagerOwns) {
  Json env = Json::array({{{"name", "A"}, {"value", "1"}}, {{"name", "B"}, {"value", "2"}}});
  ASSERT_EQ(Apply(stss_ + "/s", "op", Sts("s", {{"containers", Json::array({Container("app", env)})}})).status, 201);
  // Another applier co-owns B (same value: no conflict) and adds a sidecar.
  Json theirs = Sts("s", {{"containers", Json::array({Container("app", Json::array({env[1]})),
                                                      Container("sidecar")})}});
  theirs["spec"].erase("replicas");
  theirs["spec"].erase("serviceName");
  Result r = Apply(stss_ + "/s", "other", theirs);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  // op stops sending A and B: A goes, B stays (other's), the sidecar stays.
  r = Apply(stss_ + "/s", "op", Sts("s", {{"containers", Json::array({Container("app")})}}));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const Json& containers = r.body["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u) << containers.dump();
  EXPECT_EQ(containers[0]["env"], Json::array({env[1]})) << containers.dump();
  EXPECT_EQ(containers[1]["name"], "sidecar");
  // op stops sending its container: the container stays, other owns part of it.
  r = Apply(stss_ + "/s", "op", Sts("s", {{"containers", Json::array({Container("sidecar")})}}));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["spec"]["template"]["spec"]["containers"].size(), 2u);
}

// conflict.go getConflictMessage: the real wording, Apply managers by name,
// Update managers "using <apiVersion>"; causes name the field.
TEST_F(FieldManagerTest, ConflictsAre409WithTheRealMessage) {
  ASSERT_EQ(Apply(stss_ + "/s", "a", Sts("s", {{"containers", Json::array({Container("app")})}}, 3)).status, 201);
  Result r = Apply(stss_ + "/s", "b", Sts("s", {{"containers", Json::array({Container("app")})}}, 5));
  ASSERT_EQ(r.status, 409) << r.body.dump();
  EXPECT_EQ(r.body["reason"], "Conflict");
  EXPECT_EQ(r.body["message"], "Apply failed with 1 conflict: conflict with \"a\": .spec.replicas");
  EXPECT_EQ(r.body["details"]["causes"][0]["field"], ".spec.replicas");
  EXPECT_EQ(r.body["details"]["causes"][0]["reason"], "FieldManagerConflict");
  // Against an Update manager (a merge patch by "scaler").
  ASSERT_EQ(Call("PATCH", stss_ + "/s?fieldManager=scaler", {{"spec", {{"replicas", 4}}}}, kMerge).status, 200);
  r = Apply(stss_ + "/s", "a", Sts("s", {{"containers", Json::array({Container("app", Json::array({{{"name", "X"}, {"value", "y"}}}))})}}, 3));
  ASSERT_EQ(r.status, 409);
  EXPECT_EQ(r.body["message"], "Apply failed with 1 conflict: conflict with \"scaler\" using apps/v1: .spec.replicas");
  // Several conflicts, grouped by manager.
  ASSERT_EQ(Apply(cms_ + "/c", "a", Cm("c", {{"x", "1"}, {"y", "1"}})).status, 201);
  r = Apply(cms_ + "/c", "b", Cm("c", {{"x", "2"}, {"y", "2"}}));
  ASSERT_EQ(r.status, 409);
  EXPECT_EQ(r.body["message"],
            "Apply failed with 2 conflicts: conflicts with \"a\":\n- .metadata.labels.x\n- .metadata.labels.y");
}

// merge/update.go update with force: the conflicting fields change hands;
// a manager left with nothing is removed (update.go deletes empty sets).
TEST_F(FieldManagerTest, ForceTakesFieldsOverAndEmptyManagersGo) {
  ASSERT_EQ(Call("POST", cms_ + "?fieldManager=creator", Cm("f", {{"x", "1"}})).status, 201);
  Result r = Apply(cms_ + "/f", "op", Cm("f", {{"x", "2"}}));
  ASSERT_EQ(r.status, 409);
  EXPECT_EQ(r.body["message"],
            "Apply failed with 1 conflict: conflict with \"creator\" using v1: .metadata.labels.x");
  r = Apply(cms_ + "/f", "op", Cm("f", {{"x", "2"}}), /*force=*/true);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["metadata"]["labels"]["x"], "2");
  // The creator keeps the labels map it created (its "." member), not x.
  EXPECT_EQ(Entry(r.body, "creator", "Update")["fieldsV1"], Json::parse(R"({"f:metadata":{"f:labels":{}}})"))
      << r.body.dump();
  EXPECT_FALSE(Entry(r.body, "op", "Apply").is_null());
  // Same value from another manager: shared, not a conflict.
  r = Apply(cms_ + "/f", "peer", Cm("f", {{"x", "2"}}));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["metadata"]["managedFields"].size(), 3u);
  // A manager left with nothing is removed: op's only field goes to "editor".
  r = Call("PATCH", cms_ + "/f?fieldManager=editor", {{"metadata", {{"labels", {{"x", "3"}}}}}}, kMerge);
  EXPECT_TRUE(Entry(r.body, "op", "Apply").is_null()) << r.body.dump();
  EXPECT_TRUE(Entry(r.body, "peer", "Apply").is_null()) << r.body.dump();
}

// The consequence upstream documents for controllers that create with POST
// and apply later under the same name: Update and Apply are different
// entries (BuildManagerIdentifier), so what the create set stays owned by
// the Update entry and an apply that stops sending it does not remove it.
TEST_F(FieldManagerTest, CreateThenApplySameNameKeepsWhatTheCreateSet) {
  ASSERT_EQ(Call("POST", cms_ + "?fieldManager=op", Cm("c", {{"keep", "1"}, {"drop", "1"}})).status, 201);
  ASSERT_EQ(Apply(cms_ + "/c", "op", Cm("c", {{"keep", "1"}, {"drop", "1"}}), true).status, 200);
  Result r = Apply(cms_ + "/c", "op", Cm("c", {{"keep", "1"}}), true);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["metadata"]["labels"]["drop"], "1") << r.body.dump();
  EXPECT_FALSE(Entry(r.body, "op", "Update").is_null());
  EXPECT_FALSE(Entry(r.body, "op", "Apply").is_null());
  // Created by apply instead, the same drop removes the label.
  ASSERT_EQ(Apply(cms_ + "/d", "op", Cm("d", {{"keep", "1"}, {"drop", "1"}}), true).status, 201);
  r = Apply(cms_ + "/d", "op", Cm("d", {{"keep", "1"}}), true);
  EXPECT_FALSE(r.body["metadata"]["labels"].contains("drop")) << r.body.dump();
}

// An Update that removes a field takes it from every manager (update.go
// "removed"); an Update that changes one takes it over.
TEST_F(FieldManagerTest, UpdatesTakeOverChangedFieldsAndDropRemovedOnes) {
  ASSERT_EQ(Apply(cms_ + "/u", "op", Cm("u", {{"a", "1"}, {"b", "1"}})).status, 201);
  Result r = Call("PATCH", cms_ + "/u?fieldManager=editor",
                  {{"metadata", {{"labels", {{"a", "2"}, {"b", nullptr}}}}}}, kMerge);
  ASSERT_EQ(r.status, 200);
  const Json op = Entry(r.body, "op", "Apply");
  EXPECT_TRUE(op.is_null()) << r.body.dump();  // a taken over, b removed: nothing left
  const Json editor = Entry(r.body, "editor", "Update");
  EXPECT_EQ(editor["fieldsV1"], Json::parse(R"({"f:metadata":{"f:labels":{"f:a":{}}}})")) << r.body.dump();
}

// Subresources get their own entries (BuildManagerIdentifier includes the
// subresource); a status write owns status only, a main-resource write of a
// kind with a status subresource owns no status (strategies' reset fields);
// scalehandler.go: /scale owns spec.replicas.
TEST_F(FieldManagerTest, StatusAndScaleWritesHaveSubresourceEntries) {
  ASSERT_EQ(Apply(stss_ + "/s", "op", Sts("s", {{"containers", Json::array({Container("app")})}})).status, 201);
  Json live = Get(stss_ + "/s");
  live["status"] = {{"replicas", 1}, {"readyReplicas", 1}};
  live["spec"]["replicas"] = 7;  // ignored by a status write
  Result r = Call("PUT", stss_ + "/s/status?fieldManager=ctl", live);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const Json status = Entry(r.body, "ctl", "Update", "status");
  ASSERT_FALSE(status.is_null()) << r.body.dump();
  EXPECT_EQ(status["fieldsV1"].size(), 1u);
  EXPECT_TRUE(status["fieldsV1"].contains("f:status")) << status.dump();
  r = Call("PATCH", stss_ + "/s/scale?fieldManager=hpa", {{"spec", {{"replicas", 2}}}}, kMerge);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const Json scale = Entry(Get(stss_ + "/s"), "hpa", "Update", "scale");
  EXPECT_EQ(scale["fieldsV1"], Json::parse(R"({"f:spec":{"f:replicas":{}}})")) << Get(stss_ + "/s").dump();
  // Apply entries sort before Update entries (sortEncodedManagedFields).
  const Json all = Get(stss_ + "/s")["metadata"]["managedFields"];
  EXPECT_EQ(all[0]["operation"], "Apply");
}

// equality.go / managedfieldsupdater.go: a write that changes nothing keeps
// the entries and their times, so the resourceVersion stays.
TEST_F(FieldManagerTest, NoOpApplyKeepsTheObjectAndItsTimes) {
  const Json cm = Cm("n", {{"a", "1"}});
  Result first = Apply(cms_ + "/n", "op", cm);
  ASSERT_EQ(first.status, 201);
  Result again = Apply(cms_ + "/n", "op", cm);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body["metadata"]["resourceVersion"], first.body["metadata"]["resourceVersion"]);
  EXPECT_EQ(again.body["metadata"]["managedFields"], first.body["metadata"]["managedFields"]);
}

// strategicpatch: lists merge by patchMergeKey (containers, env, volumes by
// name, container ports by containerPort, volumeMounts by mountPath), lists
// without one (tolerations) are replaced, `$patch:
// delete` removes an item; custom resources refuse strategic merge (415).
TEST_F(FieldManagerTest, StrategicMergeFollowsPatchMergeKeys) {
  Json c = Container("app", Json::array({{{"name", "A"}, {"value", "1"}}}));
  c["ports"] = Json::array({{{"containerPort", 80}}});
  c["volumeMounts"] = Json::array({{{"name", "v"}, {"mountPath", "/a"}}});
  Json sts = Sts("s", {{"containers", Json::array({c})},
                       {"volumes", Json::array({{{"name", "v"}, {"emptyDir", Json::object()}}})},
                       {"tolerations", Json::array({{{"key", "a"}, {"operator", "Exists"}}})}});
  ASSERT_EQ(Call("POST", stss_, sts).status, 201);
  Json patch_c = {{"name", "app"},
                  {"env", Json::array({{{"name", "B"}, {"value", "2"}}})},
                  {"ports", Json::array({{{"containerPort", 81}}})},
                  {"volumeMounts", Json::array({{{"name", "w"}, {"mountPath", "/b"}}})}};
  Json patch = {{"spec",
                 {{"template",
                   {{"spec",
                     {{"containers", Json::array({patch_c, {{"name", "side"}, {"image", "i"}}})},
                      {"volumes", Json::array({{{"name", "v"}, {"$patch", "delete"}}})},
                      {"tolerations", Json::array({{{"key", "b"}, {"operator", "Exists"}}})}}}}}}}};
  Result r = Call("PATCH", stss_ + "/s", patch, kStrategic);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const Json& pod = r.body["spec"]["template"]["spec"];
  ASSERT_EQ(pod["containers"].size(), 2u);
  EXPECT_EQ(pod["containers"][0]["env"].size(), 2u);
  EXPECT_EQ(pod["containers"][0]["ports"].size(), 2u);
  EXPECT_EQ(pod["containers"][0]["volumeMounts"].size(), 2u);
  EXPECT_FALSE(pod.contains("volumes")) << pod.dump();
  ASSERT_EQ(pod["tolerations"].size(), 1u);
  EXPECT_EQ(pod["tolerations"][0]["key"], "b");
  // The patch is an Update of kubectl-patch's kind: its fields are its own.
  EXPECT_FALSE(Entry(r.body, "unknown", "Update").is_null());
  // Finalizers merge as a set.
  Call("POST", cms_, Cm("fin", {{"a", "1"}}));
  Call("PATCH", cms_ + "/fin", {{"metadata", {{"finalizers", {"x/a"}}}}}, kStrategic);
  r = Call("PATCH", cms_ + "/fin", {{"metadata", {{"finalizers", {"x/b"}}}}}, kStrategic);
  EXPECT_EQ(r.body["metadata"]["finalizers"], Json::array({"x/a", "x/b"}));
}

TEST_F(FieldManagerTest, StrategicMergeOnACustomResourceIs415) {
  Json crd = {{"apiVersion", "apiextensions.k8s.io/v1"}, {"kind", "CustomResourceDefinition"},
              {"metadata", {{"name", "widgets.example.com"}}},
              {"spec", {{"group", "example.com"}, {"scope", "Namespaced"},
                        {"names", {{"plural", "widgets"}, {"kind", "Widget"}}},
                        {"versions", Json::array({{{"name", "v1"}, {"served", true}, {"storage", true}}})}}}};
  ASSERT_EQ(Call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status, 201);
  const std::string widgets = "/apis/example.com/v1/namespaces/default/widgets";
  ASSERT_EQ(Call("POST", widgets, {{"metadata", {{"name", "w"}}}, {"spec", {{"a", 1}}}}).status, 201);
  Result r = Call("PATCH", widgets + "/w", {{"spec", {{"a", 2}}}}, kStrategic);
  EXPECT_EQ(r.status, 415) << r.body.dump();
  EXPECT_EQ(r.body["reason"], "UnsupportedMediaType");
  EXPECT_EQ(Call("PATCH", widgets + "/w", {{"spec", {{"a", 2}}}}, kMerge).status, 200);
}

}  // namespace
}  // namespace doris_operator::kubesim
