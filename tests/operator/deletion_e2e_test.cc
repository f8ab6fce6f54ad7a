// Deleting a DorisCluster in the foreground while a write of a reconcile
// that did not see the deletion is still on its way. The write (the apply
// of a StatefulSet) is held by kubesim before it acts (a hold fault) until
// the garbage collector has removed the StatefulSets; then it lands and
// creates one again, owned by the cluster that is waiting for its
// dependents to go. kube-apiserver accepts that create (it does not look at
// owners, only at the permission to set blockOwnerDeletion); the garbage
// collector deletes the late dependent, and the deletion ends.

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

class DeletionE2eTest : public OperatorE2eTest {
 protected:
  // resourceVersion -> name of every StatefulSet created after `from_rv`,
  // from the API server's watch history.
  std::map<int64_t, std::string> StatefulSetsCreatedSince(int64_t from_rv) {
    std::map<int64_t, std::string> out;
    kube::WatchOptions w;
    w.resource_version = std::to_string(from_rv);
    w.timeout_seconds = 1;
    w.bookmarks = false;
    const absl::Status s = client_->Watch("/apis/apps/v1/namespaces/default/statefulsets", w, [&](Json event) {
      int64_t rv = 0;
      if (event.value("type", "") == "ADDED" &&
          absl::SimpleAtoi(At(event, "/object/metadata/resourceVersion").get<std::string>(), &rv)) {
        out[rv] = At(event, "/object/metadata/name").get<std::string>();
      }
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  bool Exists(const std::string& api_version, const std::string& resource, const std::string& name) {
    return Get(kube::ObjectPath(api_version, "default", resource, name)).is_object();
  }
};

TEST_F(DeletionE2eTest, AForegroundDeletionEndsThoughAWriteThatMissedItCreatesAStatefulSetAfterIt) {
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  const std::string dcr_path = kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo");
  const std::string uid = At(Get(dcr_path), "/metadata/uid").get<std::string>();
  // Another controller's dependent of the cluster, which blocks its
  // deletion until that controller removes its finalizer: the cluster
  // waits for as long as the test needs.
  Apply(absl::StrCat(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: demo-keeper
  namespace: default
  finalizers: [e2e.test/keep]
  ownerReferences:
  - {apiVersion: doris.selectdb.com/v1, kind: DorisCluster, name: demo, uid: ")", uid, R"(", blockOwnerDeletion: true}
)"));

  // A scale-out: the reconcile that sees it applies demo-be, and that
  // write waits at the API server.
  SetFaults(R"({"hold":[{"verb":"patch","resource":"statefulsets","name":"demo-be","userAgent":"doris-operator"}]})");
  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(Eventually([&] { return !Held().empty(); })) << operator_->Output();

  // Deleted in the foreground meanwhile: the collector removes the
  // StatefulSets (after their pods); the cluster waits for the keeper.
  ASSERT_EQ(Kubectl({"delete", "dcr", "demo", "--cascade=foreground", "--wait=false"}).exit_code, 0);
  ASSERT_TRUE(Eventually([&] {
    return !Exists("apps/v1", "statefulsets", "demo-fe") && !Exists("apps/v1", "statefulsets", "demo-be");
  })) << operator_->Output();
  const Json waiting = Get(dcr_path);
  ASSERT_FALSE(At(waiting, "/metadata/deletionTimestamp").is_null()) << waiting.dump();
  int64_t deleted_rv = 0;
  ASSERT_TRUE(absl::SimpleAtoi(At(waiting, "/metadata/resourceVersion").get<std::string>(), &deleted_rv));

  // The write goes on: demo-be for two replicas, created again, owned by
  // the cluster being deleted.
  SetFaults("{}");
  std::map<int64_t, std::string> created;
  ASSERT_TRUE(Eventually([&] {
    created = StatefulSetsCreatedSince(deleted_rv);
    return !created.empty();
  })) << "no StatefulSet was created after the deletion began: the race was not forced\n"
      << operator_->Output();
  EXPECT_EQ(created.begin()->second, "demo-be");

  // The collector deletes it while the cluster still waits, ...
  EXPECT_TRUE(Eventually([&] {
    return !Exists("apps/v1", "statefulsets", "demo-be") && Exists("doris.selectdb.com/v1", "dorisclusters", "demo");
  })) << operator_->Output() << "\n" << Get("/apis/apps/v1/namespaces/default/statefulsets").dump();
  // ... and once the keeper's finalizer goes, so does everything else.
  ASSERT_EQ(Kubectl({"patch", "configmap", "demo-keeper", "--type=merge", "-p", R"({"metadata":{"finalizers":null}})"})
                .exit_code,
            0);
  EXPECT_TRUE(Eventually([&] {
    const Json pods = Get("/api/v1/namespaces/default/pods");
    return !Exists("doris.selectdb.com/v1", "dorisclusters", "demo") && !Exists("v1", "configmaps", "demo-keeper") &&
           !Exists("apps/v1", "statefulsets", "demo-be") && pods.is_object() && pods["items"].empty();
  })) << operator_->Output() << "\nstill there: " << Get(dcr_path).dump() << "\n"
      << Get("/apis/apps/v1/namespaces/default/statefulsets").dump();
}

}  // namespace
}  // namespace doris_operator
