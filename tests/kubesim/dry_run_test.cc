// dryRun=All on every write, one upstream rule per test. Sources:
// k8s.io/apiserver pkg/endpoints/handlers/{create,update,patch,delete}.go
// and rest.go (ConnectResource), pkg/registry/generic/registry/dryrun.go
// and store.go (DryRunnableStorage, Delete), k8s.io/apimachinery
// pkg/apis/meta/v1/validation (ValidateDryRun), kubernetes
// pkg/registry/core/service/ipallocator/bitmap.go (dryRunRange) and
// portallocator/operation.go (a dry-run PortAllocationOperation).

#include <string>

#include "gtest/gtest.h"
#include "tests/kubesim/api_call.h"
#include "tools/kubesim/api_server.h"

namespace doris_operator::kubesim {
namespace {


constexpr char kApply[] = "application/apply-patch+yaml";

class DryRunTest : public ::testing::Test {
 protected:
  ApiResult Call(const std::string& method, const std::string& path, const Json& body = Json(),
                 const std::string& content_type = "application/json") {
    return CallApi(api_, method, path, body, {.content_type = content_type});
  }
  static Json Cm(const std::string& name) {
    return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"k", "v"}}}};
  }
  // Nothing stored, no resourceVersion used, no watch event since `rv`.
  void ExpectNothingHappenedSince(int64_t rv) {
    EXPECT_EQ(api_.store().CurrentRv(), rv);
    ResourceType cms = *api_.store().Find("", "v1", "configmaps");
    auto events = api_.store().EventsSince(cms, "", rv, 0);
    ASSERT_TRUE(std::holds_alternative<std::vector<WatchEvent>>(events));
    EXPECT_TRUE(std::get<std::vector<WatchEvent>>(events).empty());
  }

  ApiServer api_;
  const std::string cms_ = "/api/v1/namespaces/default/configmaps";
  const std::string svcs_ = "/api/v1/namespaces/default/services";
};

// dryrun.go Create: the object as it would be stored (uid and
// creationTimestamp from FillObjectMetaSystemFields, managedFields from the
// handler's field manager) but never written, so no resourceVersion.
TEST_F(DryRunTest, CreateAnswersTheObjectAndStoresNothing) {
  const int64_t rv = api_.store().CurrentRv();
  ApiResult r = Call("POST", cms_ + "?dryRun=All&fieldManager=me", Cm("a"));
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["metadata"]["name"], "a");
  EXPECT_EQ(r.body["metadata"]["namespace"], "default");
  EXPECT_FALSE(r.body["metadata"].value("uid", "").empty());
  EXPECT_FALSE(r.body["metadata"].value("creationTimestamp", "").empty());
  EXPECT_FALSE(r.body["metadata"].contains("resourceVersion"));
  EXPECT_EQ(r.body["metadata"]["managedFields"][0]["manager"], "me");
  EXPECT_EQ(Call("GET", cms_ + "/a").status, 404);
  ExpectNothingHappenedSince(rv);
  // The name is still free.
  EXPECT_EQ(Call("POST", cms_, Cm("a")).status, 201);
}

// store.go create: the name is generated before storage, dry run or not.
TEST_F(DryRunTest, GenerateNameStillGeneratesAName) {
  Json cm = Cm("");
  cm["metadata"].erase("name");
  cm["metadata"]["generateName"] = "gen-";
  ApiResult r = Call("POST", cms_ + "?dryRun=All", cm);
  ASSERT_EQ(r.status, 201) << r.body.dump();
  const std::string name = r.body["metadata"].value("name", "");
  EXPECT_EQ(name.rfind("gen-", 0), 0u);
  EXPECT_GT(name.size(), 4u);
  EXPECT_TRUE(Call("GET", cms_).body["items"].empty());
}

// Validation, admission and the storage's existence check all run.
TEST_F(DryRunTest, CreateIsValidatedAsARealOne) {
  ASSERT_EQ(Call("POST", cms_, Cm("a")).status, 201);
  ApiResult dup = Call("POST", cms_ + "?dryRun=All", Cm("a"));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.body["reason"], "AlreadyExists");
  Json bad = {{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"metadata", {{"name", "s"}}},
              {"spec", {{"replicas", "three"}}}};
  ApiResult invalid = Call("POST", "/apis/apps/v1/namespaces/default/statefulsets?dryRun=All", bad);
  EXPECT_EQ(invalid.status, Call("POST", "/apis/apps/v1/namespaces/default/statefulsets", bad).status);
  EXPECT_NE(invalid.status / 100, 2);
  EXPECT_EQ(Call("POST", "/api/v1/namespaces/nowhere/configmaps?dryRun=All", Cm("x")).status, 404);
}

// dryrun.go GuaranteedUpdate: preconditions checked, the updated object
// answered with the stored resourceVersion, nothing written; the strategy's
// generation bump shows.
TEST_F(DryRunTest, UpdateAndPatchAnswerTheResultAndKeepTheStoredObject) {
  Json sts = {{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"metadata", {{"name", "s"}}},
              {"spec", {{"replicas", 1}, {"serviceName", "s"},
                        {"selector", {{"matchLabels", {{"app", "s"}}}}},
                        {"template", {{"metadata", {{"labels", {{"app", "s"}}}}},
                                      {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "i"}}})}}}}}}}};
  const std::string path = "/apis/apps/v1/namespaces/default/statefulsets";
  Json stored = Call("POST", path, sts).body;
  const std::string stored_rv = stored["metadata"]["resourceVersion"];
  const int64_t rv = api_.store().CurrentRv();

  Json put = stored;
  put["spec"]["replicas"] = 3;
  ApiResult updated = Call("PUT", path + "/s?dryRun=All", put);
  ASSERT_EQ(updated.status, 200) << updated.body.dump();
  EXPECT_EQ(updated.body["spec"]["replicas"], 3);
  EXPECT_EQ(updated.body["metadata"]["generation"], 2);
  EXPECT_EQ(updated.body["metadata"]["resourceVersion"], stored_rv);

  ApiResult patched = Call("PATCH", path + "/s?dryRun=All", {{"spec", {{"replicas", 4}}}},
                           "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body.dump();
  EXPECT_EQ(patched.body["spec"]["replicas"], 4);

  ApiResult scaled = Call("PUT", path + "/s/scale?dryRun=All",
                          {{"apiVersion", "autoscaling/v1"}, {"kind", "Scale"},
                           {"metadata", {{"name", "s"}, {"namespace", "default"}}}, {"spec", {{"replicas", 5}}}});
  ASSERT_EQ(scaled.status, 200) << scaled.body.dump();
  EXPECT_EQ(scaled.body["spec"]["replicas"], 5);

  Json stale = put;
  stale["metadata"]["resourceVersion"] = "1";
  EXPECT_EQ(Call("PUT", path + "/s?dryRun=All", stale).status, 409);

  Json now = Call("GET", path + "/s").body;
  EXPECT_EQ(now["spec"]["replicas"], 1);
  EXPECT_EQ(now["metadata"]["generation"], 1);
  EXPECT_EQ(now["metadata"]["resourceVersion"], stored_rv);
  EXPECT_EQ(api_.store().CurrentRv(), rv);
}

// Server-side apply through the same dry-run storage: a create (201) or an
// update (200) with the applier's Apply entry, nothing stored.
TEST_F(DryRunTest, ServerSideApplyCreatesAndUpdatesNothing) {
  const int64_t rv = api_.store().CurrentRv();
  ApiResult created = Call("PATCH", cms_ + "/a?dryRun=All&fieldManager=kubectl", Cm("a"), kApply);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["metadata"]["managedFields"][0]["operation"], "Apply");
  ExpectNothingHappenedSince(rv);
  EXPECT_EQ(Call("GET", cms_ + "/a").status, 404);

  ASSERT_EQ(Call("PATCH", cms_ + "/a?fieldManager=kubectl", Cm("a"), kApply).status, 201);
  Json changed = Cm("a");
  changed["data"]["k"] = "v2";
  const int64_t rv2 = api_.store().CurrentRv();
  ApiResult applied = Call("PATCH", cms_ + "/a?dryRun=All&fieldManager=kubectl", changed, kApply);
  ASSERT_EQ(applied.status, 200) << applied.body.dump();
  EXPECT_EQ(applied.body["data"]["k"], "v2");
  EXPECT_EQ(Call("GET", cms_ + "/a").body["data"]["k"], "v");
  ExpectNothingHappenedSince(rv2);
}

// store.go Delete under dry run: the object as the deletion would leave it;
// it stays, and so do its dependents (the garbage collector never sees a
// deletion). DeleteOptions may come in the body (kubectl) or the query.
TEST_F(DryRunTest, DeleteKeepsTheObjectAndItsDependents) {
  Json owner = Call("POST", cms_, Cm("owner")).body;
  Json child = Cm("child");
  child["metadata"]["ownerReferences"] = Json::array(
      {{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "owner"}, {"uid", owner["metadata"]["uid"]}}});
  ASSERT_EQ(Call("POST", cms_, child).status, 201);
  const int64_t rv = api_.store().CurrentRv();
  ApiResult by_body = Call("DELETE", cms_ + "/owner",
                           {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"dryRun", {"All"}},
                            {"propagationPolicy", "Background"}});
  EXPECT_EQ(by_body.status, 200) << by_body.body.dump();
  EXPECT_EQ(Call("DELETE", cms_ + "/owner?dryRun=All").status, 200);
  EXPECT_EQ(Call("DELETE", cms_ + "/owner?dryRun=All&propagationPolicy=Foreground").status, 200);
  EXPECT_EQ(Call("DELETE", cms_ + "?dryRun=All").body["items"].size(), 2u);
  EXPECT_EQ(Call("GET", cms_ + "/owner").status, 200);
  EXPECT_EQ(Call("GET", cms_ + "/child").status, 200);
  ExpectNothingHappenedSince(rv);
  EXPECT_EQ(Call("DELETE", cms_ + "/nope?dryRun=All").status, 404);
}

// A pod with a grace period: the dry run answers the deletionTimestamp the
// graceful deletion would set, and the pod stays as it was.
TEST_F(DryRunTest, GracefulPodDeletionIsOnlyAnswered) {
  const std::string pods = "/api/v1/namespaces/default/pods";
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}}},
              {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "i"}}})}}}};
  ASSERT_EQ(Call("POST", pods, pod).status, 201);
  ApiResult r = Call("DELETE", pods + "/p?dryRun=All");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.body["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(r.body["metadata"]["deletionGracePeriodSeconds"], 30);
  EXPECT_FALSE(Call("GET", pods + "/p").body["metadata"].contains("deletionTimestamp"));
}

// ValidateDryRun: "All" is the only value; anything else is a 422 on the
// verb's options kind.
TEST_F(DryRunTest, UnknownValuesAreRefused) {
  ApiResult create = Call("POST", cms_ + "?dryRun=Some", Cm("a"));
  EXPECT_EQ(create.status, 422);
  EXPECT_EQ(create.body["reason"], "Invalid");
  EXPECT_EQ(create.body["message"],
            "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"Some\"}: "
            "supported values: \"All\"");
  EXPECT_EQ(create.body["details"]["kind"], "CreateOptions");
  EXPECT_EQ(create.body["details"]["causes"][0]["field"], "dryRun");
  EXPECT_EQ(create.body["details"]["causes"][0]["reason"], "FieldValueNotSupported");
  ASSERT_EQ(Call("POST", cms_, Cm("a")).status, 201);
  EXPECT_EQ(Call("PUT", cms_ + "/a?dryRun=true", Cm("a")).body["details"]["kind"], "UpdateOptions");
  EXPECT_EQ(Call("PATCH", cms_ + "/a?dryRun=", Json::object(), "application/merge-patch+json").body["message"],
            "PatchOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"\"}: "
            "supported values: \"All\"");
  ApiResult del = Call("DELETE", cms_ + "/a", {{"kind", "DeleteOptions"}, {"dryRun", {"All", "x"}}});
  EXPECT_EQ(del.status, 422);
  EXPECT_EQ(del.body["message"],
            "DeleteOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"All\", \"x\"}: "
            "supported values: \"All\"");
  EXPECT_EQ(Call("GET", cms_ + "/a").status, 200);
  // Reads have no dryRun option: it is ignored there.
  EXPECT_EQ(Call("GET", cms_ + "/a?dryRun=x").status, 200);
  // A connect request (the service proxy) cannot be a dry run.
  ApiResult proxy = Call("GET", "/api/v1/namespaces/default/services/s/proxy/x?dryRun=All");
  EXPECT_EQ(proxy.status, 400);
  EXPECT_EQ(proxy.body["message"], "dryRun is not supported");
}

// ipallocator's dryRunRange: a missing clusterIP is the range's network
// address and nothing is reserved; a requested one is checked against the
// range only. portallocator's dry-run operation: missing node ports are
// dummies from 32769, a requested one is refused only when held.
TEST_F(DryRunTest, ServiceAllocationsAreDryRunAllocations) {
  auto svc = [](const std::string& name, const std::string& type, Json ports) {
    return Json{{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"name", name}}},
                {"spec", {{"type", type}, {"selector", {{"app", "x"}}}, {"ports", ports}}}};
  };
  const Json two_ports = Json::array({{{"name", "a"}, {"port", 80}}, {{"name", "b"}, {"port", 81}}});
  ApiResult dry = Call("POST", svcs_ + "?dryRun=All", svc("np", "NodePort", two_ports));
  ASSERT_EQ(dry.status, 201) << dry.body.dump();
  EXPECT_EQ(dry.body["spec"]["clusterIP"], "10.96.0.0");
  EXPECT_EQ(dry.body["spec"]["clusterIPs"], Json::array({"10.96.0.0"}));
  EXPECT_EQ(dry.body["spec"]["ports"][0]["nodePort"], 32769);
  EXPECT_EQ(dry.body["spec"]["ports"][1]["nodePort"], 32770);

  // The real create gets what it would have got without the dry run.
  ApiResult real = Call("POST", svcs_, svc("np", "NodePort", two_ports));
  ASSERT_EQ(real.status, 201) << real.body.dump();
  EXPECT_EQ(real.body["spec"]["clusterIP"], "10.96.1.1");
  EXPECT_EQ(real.body["spec"]["ports"][0]["nodePort"], 30086);
  EXPECT_EQ(real.body["spec"]["ports"][1]["nodePort"], 30087);

  Json same_ip = svc("same", "ClusterIP", Json::array({{{"port", 80}}}));
  same_ip["spec"]["clusterIP"] = "10.96.1.1";
  EXPECT_EQ(Call("POST", svcs_ + "?dryRun=All", same_ip).status, 201);
  EXPECT_EQ(Call("POST", svcs_, same_ip).status, 422);
  same_ip["spec"]["clusterIP"] = "1.2.3.4";
  EXPECT_EQ(Call("POST", svcs_ + "?dryRun=All", same_ip).status, 422);

  Json held = svc("held", "NodePort", Json::array({{{"port", 80}, {"nodePort", 30086}}}));
  ApiResult taken = Call("POST", svcs_ + "?dryRun=All", held);
  EXPECT_EQ(taken.status, 422);
  EXPECT_EQ(taken.body["details"]["causes"][0]["message"], "Invalid value: 30086: provided port is already allocated");
  // After a requested port, a missing one is the next number up.
  Json mixed = svc("mixed", "NodePort", Json::array({{{"name", "a"}, {"port", 80}, {"nodePort", 30500}},
                                                     {{"name", "b"}, {"port", 81}}}));
  ApiResult picked = Call("POST", svcs_ + "?dryRun=All", mixed);
  ASSERT_EQ(picked.status, 201) << picked.body.dump();
  EXPECT_EQ(picked.body["spec"]["ports"][1]["nodePort"], 30501);
}

}  // namespace
}  // namespace doris_operator::kubesim
