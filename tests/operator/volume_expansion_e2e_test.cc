// Volume expansion end to end: a persistentVolumes entry's storage request
// grows, the operator patches every claim, kubesim's resizer and kubelet
// take each through Resizing and FileSystemResizePending to the new
// capacity, and the StatefulSet is re-created (orphan delete) with the new
// claim templates while its pods keep running. A StorageClass that cannot
// expand, and a shrink, are refused as an invalid spec naming the field.

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

constexpr char kStorageField[] = "spec.beSpec.persistentVolumes[0].persistentVolumeClaimSpec.resources.requests.storage";

std::string StorageClass(const std::string& name, bool expandable) {
  return absl::StrCat("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: ", name,
                      "\nprovisioner: kubesim.io/fake\nallowVolumeExpansion: ", expandable ? "true" : "false",
                      "\n");
}

// One FE, `be` BEs whose data claim asks `storage` of class `cls`.
std::string Demo(int be, const std::string& storage, const std::string& cls) {
  return absl::StrCat(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata:
  name: demo
  namespace: default
spec:
  feSpec:
    replicas: 1
    image: apache/doris:fe-2.1.8
  beSpec:
    replicas: )", be, R"(
    image: apache/doris:be-2.1.8
    persistentVolumes:
    - name: be-storage
      mountPath: /opt/apache-doris/be/storage
      persistentVolumeClaimSpec:
        storageClassName: )", cls, R"(
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: )", storage, "\n");
}

Json Condition(const Json& dcr, const std::string& type) {
  for (const Json& c : At(dcr, "/status/conditions").is_array() ? At(dcr, "/status/conditions") : Json::array()) {
    if (c.value("type", "") == type) return c;
  }
  return Json();
}

class VolumeExpansionE2eTest : public OperatorE2eTest {
 protected:
  Json Dcr() { return Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo")); }
  Json Claim(int ordinal) {
    return Get(absl::StrCat("/api/v1/namespaces/default/persistentvolumeclaims/be-storage-demo-be-", ordinal));
  }
  std::vector<Json> Events(const std::string& reason) {
    std::vector<Json> out;
    for (const Json& e : Get("/api/v1/namespaces/default/events").value("items", Json::array())) {
      if (e.value("reason", "") == reason && e["involvedObject"].value("name", "") == "demo") out.push_back(e);
    }
    return out;
  }
  std::map<std::string, std::string> PodUids(const std::string& component) {
    std::map<std::string, std::string> out;
    for (const auto& [name, pod] : Pods("demo", component)) out[name] = pod.uid;
    return out;
  }
};

TEST_F(VolumeExpansionE2eTest, GrowsClaimsThenRecreatesTheStatefulSetWithPodsUntouched) {
  Apply(StorageClass("expandable", true));
  Apply(Demo(2, "10Gi", "expandable"));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << Dcr().dump() << operator_->Output();
  const std::map<std::string, std::string> be_pods = PodUids("be");
  const std::map<std::string, std::string> fe_pods = PodUids("fe");
  ASSERT_EQ(be_pods.size(), 2u);
  const std::string sts_uid = At(Get("/apis/apps/v1/namespaces/default/statefulsets/demo-be"), "/metadata/uid");
  ASSERT_EQ(At(Claim(0), "/status/capacity/storage"), "10Gi") << Claim(0).dump();

  Apply(Demo(2, "20Gi", "expandable"));
  // Every claim reaches the new capacity, the StatefulSet is a new object
  // whose template asks for it, and its controller has adopted the orphaned
  // pods (a later sync than the one that made the pods ready).
  auto adopted = [&](const Json& sts) {
    for (const auto& [name, uid] : be_pods) {
      if (At(Get("/api/v1/namespaces/default/pods/" + name), "/metadata/ownerReferences/0/uid") !=
          At(sts, "/metadata/uid")) {
        return false;
      }
    }
    return true;
  };
  ASSERT_TRUE(Eventually([&] {
    const Json sts = Get("/apis/apps/v1/namespaces/default/statefulsets/demo-be");
    return At(Claim(0), "/status/capacity/storage") == "20Gi" && At(Claim(1), "/status/capacity/storage") == "20Gi" &&
           At(sts, "/spec/volumeClaimTemplates/0/spec/resources/requests/storage") == "20Gi" &&
           At(sts, "/metadata/uid").is_string() && At(sts, "/metadata/uid") != sts_uid && Available("demo") &&
           adopted(sts);
  })) << Claim(0).dump() << Dcr().dump() << operator_->Output();
  EXPECT_EQ(At(Claim(0), "/spec/resources/requests/storage"), "20Gi");
  EXPECT_TRUE(At(Claim(0), "/status/conditions").is_null()) << Claim(0).dump();
  // The pods ran through it all: same pods, adopted by the new StatefulSet.
  EXPECT_EQ(PodUids("be"), be_pods);
  EXPECT_EQ(PodUids("fe"), fe_pods);
  for (const auto& [name, uid] : be_pods) {
    const Json pod = Get("/api/v1/namespaces/default/pods/" + name);
    EXPECT_EQ(At(pod, "/metadata/ownerReferences/0/name"), "demo-be") << pod.dump();
    EXPECT_NE(At(pod, "/metadata/ownerReferences/0/uid"), sts_uid) << pod.dump();
  }
  // The claims' resize went through the node-side step, and the operator's
  // log saw it.
  EXPECT_NE(LoggedVersion("v1", "PersistentVolumeClaim", "default", "be-storage-demo-be-0",
                          [](const Json& pvc) {
                            return At(pvc, "/status/conditions/0/type") == "FileSystemResizePending";
                          }),
            0u);
  // Both steps are in the Events, with their causes.
  const std::vector<Json> events = Events("VolumeExpansion");
  bool patched = false, recreated = false;
  for (const Json& e : events) {
    const std::string m = e.value("message", "");
    patched |= m.find("patched be-storage-demo-be-0, be-storage-demo-be-1") != std::string::npos &&
               m.find(kStorageField) != std::string::npos;
    recreated |= m.find("propagationPolicy Orphan") != std::string::npos;
  }
  EXPECT_TRUE(patched && recreated) << Get("/api/v1/namespaces/default/events").dump();

  // Scaling out afterwards: the new claim is made at the new size.
  Apply(Demo(3, "20Gi", "expandable"));
  ASSERT_TRUE(Eventually([&] { return At(Claim(2), "/status/capacity/storage") == "20Gi" && Available("demo"); }))
      << Claim(2).dump() << operator_->Output();
}

TEST_F(VolumeExpansionE2eTest, RefusesAClassThatCannotExpandAndAShrink) {
  Apply(StorageClass("fixed", false));
  Apply(Demo(1, "10Gi", "fixed"));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << Dcr().dump() << operator_->Output();

  Apply(Demo(1, "20Gi", "fixed"));
  ASSERT_TRUE(Eventually([&] {
    const Json ready = Condition(Dcr(), "Ready");
    return ready.value("reason", "") == "InvalidSpec" &&
           ready.value("message", "").find("does not allow volume expansion") != std::string::npos;
  })) << Dcr().dump() << operator_->Output();
  EXPECT_NE(Condition(Dcr(), "Ready").value("message", "").find(kStorageField), std::string::npos);
  // Refused before any write: the claim and its template keep their size.
  EXPECT_EQ(At(Claim(0), "/spec/resources/requests/storage"), "10Gi");
  EXPECT_EQ(At(Get("/apis/apps/v1/namespaces/default/statefulsets/demo-be"),
               "/spec/volumeClaimTemplates/0/spec/resources/requests/storage"),
            "10Gi");
  EXPECT_FALSE(Events("InvalidSpec").empty());

  Apply(Demo(1, "5Gi", "fixed"));
  ASSERT_TRUE(Eventually([&] {
    const Json ready = Condition(Dcr(), "Ready");
    return ready.value("reason", "") == "InvalidSpec" &&
           ready.value("message", "").find("cannot shrink") != std::string::npos;
  })) << Dcr().dump() << operator_->Output();
  EXPECT_NE(Condition(Dcr(), "Ready").value("message", "").find(kStorageField), std::string::npos);
  EXPECT_EQ(At(Claim(0), "/spec/resources/requests/storage"), "10Gi");

  // Back to what it has: available again.
  Apply(Demo(1, "10Gi", "fixed"));
  ASSERT_TRUE(Eventually([&] {
    return Available("demo") && Condition(Dcr(), "Ready").value("status", "") == "True";
  })) << Dcr().dump() << operator_->Output();
}

// A scale-in keeps the removed pod's claim (the StatefulSet's default
// retention policy). No pod mounts it, so its file system resize stays
// pending until one does: the expansion must not wait for it. It grows when
// a scale-out mounts it again. (The operator used to wait for it forever,
// never re-creating the StatefulSet: rbac_e2e_test, growing after a
// scale-in.)
TEST_F(VolumeExpansionE2eTest, AClaimLeftByAScaleInDoesNotHoldTheExpansion) {
  Apply(StorageClass("expandable", true));
  Apply(Demo(2, "10Gi", "expandable"));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << Dcr().dump() << operator_->Output();
  Apply(Demo(1, "10Gi", "expandable"));
  ASSERT_TRUE(Eventually([&] { return StsReplicas("demo-be") == 1 && Pods("demo", "be").size() == 1 && Available("demo"); }))
      << Dcr().dump() << operator_->Output();
  ASSERT_TRUE(Claim(1).is_object()) << "the scale-in removed the claim";

  Apply(Demo(1, "20Gi", "expandable"));
  ASSERT_TRUE(Eventually([&] {
    const Json sts = Get("/apis/apps/v1/namespaces/default/statefulsets/demo-be");
    return At(Claim(0), "/status/capacity/storage") == "20Gi" &&
           At(sts, "/spec/volumeClaimTemplates/0/spec/resources/requests/storage") == "20Gi" && Available("demo");
  })) << Claim(0).dump() << Claim(1).dump() << Dcr().dump() << operator_->Output();
  // The unmounted claim was resized too; its node step waits for a pod.
  EXPECT_EQ(At(Claim(1), "/spec/resources/requests/storage"), "20Gi") << Claim(1).dump();

  Apply(Demo(2, "20Gi", "expandable"));
  ASSERT_TRUE(Eventually([&] { return At(Claim(1), "/status/capacity/storage") == "20Gi" && Available("demo"); }))
      << Claim(1).dump() << operator_->Output();
}

}  // namespace
}  // namespace doris_operator
