// kubesim's storage rules (docs/kubesim.md, "StorageClasses, claim resize,
// StatefulSet re-creation"), through the API as a client sees them: class
// defaults and immutable fields, the default class, which claim updates are
// valid and admitted, the resize conditions, and a StatefulSet deleted with
// orphan propagation whose pods a new one adopts.

#include "gtest/gtest.h"
#include "tests/kubesim/api_call.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/workloads.h"

namespace doris_operator::kubesim {
namespace {

constexpr char kClaims[] = "/api/v1/namespaces/default/persistentvolumeclaims";
constexpr char kClasses[] = "/apis/storage.k8s.io/v1/storageclasses";

class StorageTest : public ::testing::Test {
 protected:
  StorageTest() : workloads_(&api_.store(), {.start_ms = 100, .ready_ms = 100, .init_ms = 100}) {}

  ApiResult Call(const std::string& method, const std::string& path, const Json& body = Json(),
                 const std::string& content_type = "application/json") {
    return CallApi(api_, method, path, body, {.content_type = content_type});
  }
  void Class(const std::string& name, bool expandable, bool is_default = false) {
    Json sc = {{"apiVersion", "storage.k8s.io/v1"},
               {"kind", "StorageClass"},
               {"metadata", {{"name", name}}},
               {"provisioner", "kubesim.io/fake"},
               {"allowVolumeExpansion", expandable}};
    if (is_default) sc["metadata"]["annotations"] = {{"storageclass.kubernetes.io/is-default-class", "true"}};
    ASSERT_EQ(Call("POST", kClasses, sc).status, 201);
  }
  Json Sts() {
    return {{"apiVersion", "apps/v1"},
            {"kind", "StatefulSet"},
            {"metadata", {{"name", "db"}}},
            {"spec",
             {{"replicas", 2},
              {"serviceName", "db"},
              {"podManagementPolicy", "Parallel"},
              {"selector", {{"matchLabels", {{"app", "db"}}}}},
              {"volumeClaimTemplates",
               Json::array({{{"metadata", {{"name", "data"}}},
                             {"spec",
                              {{"accessModes", {"ReadWriteOnce"}},
                               {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}})},
              {"template",
               {{"metadata", {{"labels", {{"app", "db"}}}}},
                {"spec", {{"containers", Json::array({{{"name", "db"}, {"image", "db:1"}}})}}}}}}}};
  }
  // Runs the simulated controllers for `ms` of simulated time.
  void Run(int64_t ms) {
    for (int64_t t = 50; t <= ms; t += 50) workloads_.Tick(now_ += 50);
  }
  Json Claim(const std::string& name) { return Call("GET", std::string(kClaims) + "/" + name).body; }
  ApiResult Grow(const std::string& name, const std::string& size) {
    return Call("PATCH", std::string(kClaims) + "/" + name,
                {{"spec", {{"resources", {{"requests", {{"storage", size}}}}}}}},
                "application/merge-patch+json");
  }

  ApiServer api_;
  WorkloadController workloads_;
  int64_t now_ = 0;
};

TEST_F(StorageTest, ClassDefaultsAndImmutableFields) {
  Class("fast", false);
  const Json sc = Call("GET", std::string(kClasses) + "/fast").body;
  EXPECT_EQ(sc["reclaimPolicy"], "Delete");
  EXPECT_EQ(sc["volumeBindingMode"], "Immediate");
  ApiResult r = Call("PATCH", std::string(kClasses) + "/fast", {{"provisioner", "other.io/x"}},
                     "application/merge-patch+json");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["message"],
            "StorageClass.storage.k8s.io \"fast\" is invalid: provisioner: Forbidden: updates to provisioner are "
            "forbidden.");
  r = Call("PATCH", std::string(kClasses) + "/fast", {{"allowVolumeExpansion", true}}, "application/merge-patch+json");
  EXPECT_EQ(r.status, 200) << r.body.dump();
}

TEST_F(StorageTest, ClaimsGetTheDefaultClassAndResizeOnlyWhereAllowed) {
  Class("standard", true, /*is_default=*/true);
  ASSERT_EQ(Call("POST", "/apis/apps/v1/namespaces/default/statefulsets", Sts()).status, 201);
  Run(1000);
  Json claim = Claim("data-db-0");
  EXPECT_EQ(claim["spec"]["storageClassName"], "standard");
  EXPECT_EQ(claim["status"]["phase"], "Bound");
  EXPECT_EQ(claim["status"]["capacity"]["storage"], "1Gi");

  // Shrinking below the capacity, and changing other spec fields, is invalid.
  ApiResult r = Grow("data-db-0", "512Mi");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["message"],
            "PersistentVolumeClaim \"data-db-0\" is invalid: spec.resources.requests.storage: Forbidden: field can "
            "not be less than status.capacity");
  r = Call("PATCH", std::string(kClaims) + "/data-db-0", {{"spec", {{"accessModes", {"ReadWriteMany"}}}}},
           "application/merge-patch+json");
  EXPECT_EQ(r.status, 422);

  // Growing: Resizing, then FileSystemResizePending, then the kubelet of the
  // running pod grows the file system and capacity follows.
  r = Grow("data-db-0", "2Gi");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  Run(50);
  claim = Claim("data-db-0");
  EXPECT_EQ(claim["status"]["conditions"][0]["type"], "Resizing") << claim.dump();
  EXPECT_EQ(claim["status"]["allocatedResourceStatuses"]["storage"], "ControllerResizeInProgress");
  EXPECT_EQ(claim["status"]["capacity"]["storage"], "1Gi");
  bool pending_seen = false;
  for (int i = 0; i < 40 && Claim("data-db-0")["status"]["capacity"]["storage"] != "2Gi"; ++i) {
    pending_seen |= Claim("data-db-0")["status"]["conditions"][0]["type"] == "FileSystemResizePending";
    Run(50);
  }
  EXPECT_TRUE(pending_seen);
  claim = Claim("data-db-0");
  EXPECT_EQ(claim["status"]["capacity"]["storage"], "2Gi") << claim.dump();
  EXPECT_FALSE(claim["status"].contains("conditions")) << claim.dump();

  // The StatefulSet's claim templates cannot follow by an update.
  Json sts = Sts();
  sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = "2Gi";
  r = Call("PUT", "/apis/apps/v1/namespaces/default/statefulsets/db", sts);
  EXPECT_EQ(r.status, 422) << r.body.dump();
}

TEST_F(StorageTest, GrowingIsForbiddenWithoutAnExpandableClass) {
  Class("fixed", false, /*is_default=*/true);
  ASSERT_EQ(Call("POST", "/apis/apps/v1/namespaces/default/statefulsets", Sts()).status, 201);
  Run(1000);
  ApiResult r = Grow("data-db-0", "2Gi");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body["reason"], "Forbidden");
  EXPECT_EQ(r.body["message"],
            "persistentvolumeclaims \"data-db-0\" is forbidden: only dynamically provisioned pvc can be resized and "
            "the storageclass that provisions the pvc must support resize");
  // Not bound: its spec, the request included, cannot change at all (the
  // validation refuses it before the resize admission's own "Only bound
  // persistent volume claims can be expanded").
  ASSERT_EQ(Call("POST", kClaims,
                 {{"metadata", {{"name", "loose"}}},
                  {"spec",
                   {{"storageClassName", "fixed"},
                    {"accessModes", {"ReadWriteOnce"}},
                    {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}})
                .status,
            201);
  r = Grow("loose", "2Gi");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["message"],
            "PersistentVolumeClaim \"loose\" is invalid: spec: Forbidden: spec is immutable after creation except "
            "resources.requests and volumeAttributesClassName for bound claims");
}

TEST_F(StorageTest, AStatefulSetDeletedWithOrphanPropagationLeavesPodsANewOneAdopts) {
  ASSERT_EQ(Call("POST", "/apis/apps/v1/namespaces/default/statefulsets", Sts()).status, 201);
  Run(1000);
  const Json before = Call("GET", "/api/v1/namespaces/default/pods/db-0").body;
  ASSERT_EQ(before["status"]["phase"], "Running");
  ApiResult r = Call("DELETE", "/apis/apps/v1/namespaces/default/statefulsets/db",
                     {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", "Orphan"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  Run(200);
  Json orphan = Call("GET", "/api/v1/namespaces/default/pods/db-0").body;
  EXPECT_EQ(orphan["metadata"]["uid"], before["metadata"]["uid"]);
  EXPECT_FALSE(orphan["metadata"].contains("ownerReferences")) << orphan.dump();
  EXPECT_EQ(Claim("data-db-0")["status"]["phase"], "Bound");

  ASSERT_EQ(Call("POST", "/apis/apps/v1/namespaces/default/statefulsets", Sts()).status, 201);
  Run(500);
  const Json sts = Call("GET", "/apis/apps/v1/namespaces/default/statefulsets/db").body;
  const Json adopted = Call("GET", "/api/v1/namespaces/default/pods/db-0").body;
  EXPECT_EQ(adopted["metadata"]["uid"], before["metadata"]["uid"]) << "the pod was replaced";
  EXPECT_EQ(adopted["metadata"]["ownerReferences"][0]["uid"], sts["metadata"]["uid"]) << adopted.dump();
  EXPECT_EQ(adopted["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(sts["status"]["readyReplicas"], 2) << sts.dump();
}

}  // namespace
}  // namespace doris_operator::kubesim
