#include "operator/reconcile/diff.h"

#include <set>

#include "gtest/gtest.h"
#include "translator/model_json.h"

namespace doris_operator::reconcile {
namespace {

using Json = nlohmann::json;

translator::DesiredSet Desired(Json spec) {
  Json j = {{"apiVersion", "doris.selectdb.com/v1"},
            {"kind", "DorisCluster"},
            {"metadata", {{"name", "c"}, {"namespace", "ns"}, {"uid", "u"}}},
            {"spec", spec}};
  auto m = translator::ModelFromJson(j);
  auto s = translator::Translate(m.cluster, {});
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

const Json kSpec = {{"feSpec", {{"image", "fe:1"}, {"replicas", 1}}},
                    {"cnSpec", {{"image", "be:1"}, {"autoScalingPolicy", {{"maxReplicas", 3}}}}}};

// What the API server returns for an object we created: ours plus defaults,
// uid, resourceVersion and status.
std::vector<LiveObject> AsLive(const translator::DesiredSet& set) {
  std::vector<LiveObject> out;
  for (const auto& d : set.objects) {
    Json o = Json::parse(d.json);
    o["metadata"]["uid"] = "live-" + d.name;
    o["metadata"]["resourceVersion"] = "7";
    o["status"] = {{"observedGeneration", 1}};
    if (d.kind == "StatefulSet" && d.name == "c-cn") o["spec"]["replicas"] = 4;  // set by the HPA
    if (d.kind == "StatefulSet") o["spec"]["template"]["spec"]["dnsPolicy"] = "ClusterFirst";
    if (d.kind == "Service") o["spec"]["clusterIPs"] = Json::array({"10.0.0.1"});
    out.push_back({d.api_version, d.kind, d.name, o});
  }
  return out;
}

TEST(Diff, CreatesWhatIsMissingInDesiredOrder) {
  const auto desired = Desired(kSpec);
  DiffResult r = Diff(desired, {});
  ASSERT_EQ(r.writes.size(), desired.objects.size());
  for (size_t i = 0; i < r.writes.size(); ++i) {
    EXPECT_EQ(r.writes[i].verb, Verb::kCreate);
    EXPECT_EQ(r.writes[i].name, desired.objects[i].name);
    EXPECT_EQ(r.writes[i].body, desired.objects[i].json);
  }
}

TEST(Diff, NothingToDoWhenHashesMatchWhateverTheServerAdded) {
  const auto desired = Desired(kSpec);
  DiffResult r = Diff(desired, AsLive(desired));
  EXPECT_TRUE(r.writes.empty());
  EXPECT_TRUE(r.notes.empty());
}

TEST(Diff, AppliesChangedObjectsOnly) {
  const auto before = Desired(kSpec);
  Json changed = kSpec;
  changed["feSpec"]["image"] = "fe:2";
  const auto after = Desired(changed);
  DiffResult r = Diff(after, AsLive(before));
  ASSERT_EQ(r.writes.size(), 1u);
  EXPECT_EQ(r.writes[0].verb, Verb::kApply);
  EXPECT_EQ(r.writes[0].name, "c-fe");
  EXPECT_NE(r.writes[0].body.find("fe:2"), std::string::npos);
  EXPECT_NE(r.writes[0].reason.find("content hash"), std::string::npos);
}

TEST(Diff, FieldsChangedByHandArePutBackButServerRewritesAreNot) {
  const auto desired = Desired(kSpec);
  auto live = AsLive(desired);
  for (LiveObject& l : live) {
    if (l.name != "c-fe") continue;
    // Someone edits the image; the hash annotation stays as we wrote it.
    l.object["spec"]["template"]["spec"]["containers"][0]["image"] = "fe:hacked";
  }
  DiffResult r = Diff(desired, live);
  ASSERT_EQ(r.writes.size(), 1u);
  EXPECT_EQ(r.writes[0].verb, Verb::kApply);
  EXPECT_EQ(r.writes[0].name, "c-fe");
  EXPECT_NE(r.writes[0].reason.find("/spec/template/spec/containers/0/image"), std::string::npos)
      << r.writes[0].reason;

  // A quantity the server rewrote to its canonical form is not a change.
  Json spec = kSpec;
  spec["feSpec"]["requests"] = {{"memory", "1Gi"}};
  const auto with_requests = Desired(spec);
  auto rewritten = AsLive(with_requests);
  for (LiveObject& l : rewritten) {
    if (l.name == "c-fe") {
      l.object["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"] =
          1073741824;
    }
  }
  EXPECT_TRUE(Diff(with_requests, rewritten).writes.empty());
}

TEST(Diff, ObjectWithoutOurHashIsTakenOver) {
  const auto desired = Desired(kSpec);
  auto live = AsLive(desired);
  live[0].object["metadata"].erase("annotations");
  DiffResult r = Diff(desired, live);
  ASSERT_EQ(r.writes.size(), 1u);
  EXPECT_EQ(r.writes[0].verb, Verb::kApply);
  EXPECT_NE(r.writes[0].reason.find("no content hash"), std::string::npos);
}

TEST(Diff, DeletesOwnedObjectsNoLongerDesired) {
  const auto with_cn = Desired(kSpec);
  Json no_cn = kSpec;
  no_cn.erase("cnSpec");
  DiffResult r = Diff(Desired(no_cn), AsLive(with_cn));
  std::set<std::string> deleted;
  for (const auto& w : r.writes) {
    EXPECT_EQ(w.verb, Verb::kDelete) << w.name;
    deleted.insert(w.kind + "/" + w.name);
  }
  EXPECT_EQ(deleted, (std::set<std::string>{"Service/c-cn-internal", "Service/c-cn-service",
                                            "StatefulSet/c-cn",
                                            "HorizontalPodAutoscaler/c-cn-autoscaler"}));
}

// A user's own object that copies the cluster's labels is not ours to delete.
TEST(Diff, ObjectsNotOwnedByTheClusterAreNeverDeleted) {
  std::vector<LiveObject> live = AsLive(Desired(kSpec));
  Json mine = {{"apiVersion", "v1"}, {"kind", "Service"},
               {"metadata", {{"name", "my-fe-dashboard"}, {"labels", {{"app.doris.cluster", "c"}}}}}};
  live.push_back({"v1", "Service", "my-fe-dashboard", mine, /*owned=*/false});
  for (const auto& w : Diff(Desired(kSpec), live).writes) {
    EXPECT_NE(w.name, "my-fe-dashboard") << "would " << static_cast<int>(w.verb) << " the user's Service";
  }
}

TEST(Diff, HpaReadThroughAnotherVersionIsTheSameObject) {
  const auto desired = Desired(kSpec);
  auto live = AsLive(desired);
  for (auto& l : live) {
    if (l.kind == "HorizontalPodAutoscaler") l.api_version = "autoscaling/v1";
  }
  EXPECT_TRUE(Diff(desired, live).writes.empty());
}

TEST(Diff, StatefulSetKeepsItsLiveVolumeClaimTemplates) {
  Json spec = kSpec;
  spec["feSpec"]["persistentVolumes"] = {
      {{"name", "meta"}, {"mountPath", "/m"},
       {"persistentVolumeClaimSpec", {{"resources", {{"requests", {{"storage", "10Gi"}}}}}}}}};
  const auto before = Desired(spec);
  spec["feSpec"]["persistentVolumes"][0]["persistentVolumeClaimSpec"]["resources"]["requests"]
      ["storage"] = "20Gi";
  spec["feSpec"]["image"] = "fe:2";
  DiffResult r = Diff(Desired(spec), AsLive(before));
  ASSERT_EQ(r.writes.size(), 1u);
  EXPECT_NE(r.writes[0].body.find("10Gi"), std::string::npos);
  EXPECT_EQ(r.writes[0].body.find("20Gi"), std::string::npos);
  EXPECT_NE(r.writes[0].body.find("fe:2"), std::string::npos);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("volumeClaimTemplates"), std::string::npos);
}

TEST(Diff, ClaimTemplatesCompareAsTheServerStoresThem) {
  Json spec = kSpec;
  spec["feSpec"]["persistentVolumes"] = {
      {{"name", "meta"}, {"mountPath", "/m"},
       {"persistentVolumeClaimSpec",
        {{"storageClassName", "fast"}, {"resources", {{"requests", {{"storage", "1024Gi"}}}}}}}}};
  const auto desired = Desired(spec);
  auto live = AsLive(desired);
  for (LiveObject& l : live) {
    if (l.name != "c-fe") continue;
    Json& t = l.object["spec"]["volumeClaimTemplates"][0];
    ASSERT_EQ(t["spec"]["resources"]["requests"]["storage"], "1Ti");  // as the server stores it
    t["spec"]["volumeMode"] = "Filesystem";
    t["status"] = {{"phase", "Pending"}};
  }
  EXPECT_TRUE(Diff(desired, live).writes.empty());

  // The user dropped storageClassName: the live templates are kept (server-side
  // apply would remove the field, which the API server forbids).
  spec["feSpec"]["persistentVolumes"][0]["persistentVolumeClaimSpec"].erase("storageClassName");
  spec["feSpec"]["image"] = "fe:2";
  DiffResult r = Diff(Desired(spec), live);
  ASSERT_EQ(r.writes.size(), 1u);
  EXPECT_NE(r.writes[0].body.find("\"fast\""), std::string::npos);
  ASSERT_EQ(r.notes.size(), 1u);
}

// Once the rest of the change is applied (the hash matches), the storage
// that could not be changed is still noted: status keeps saying so.
TEST(Diff, StorageThatWasKeptIsNotedAfterTheApplyToo) {
  Json spec = kSpec;
  spec["feSpec"]["persistentVolumes"] = {
      {{"name", "meta"}, {"mountPath", "/m"},
       {"persistentVolumeClaimSpec", {{"resources", {{"requests", {{"storage", "10Gi"}}}}}}}}};
  const auto before = Desired(spec);
  spec["feSpec"]["persistentVolumes"][0]["persistentVolumeClaimSpec"]["resources"]["requests"]
      ["storage"] = "20Gi";
  const auto after = Desired(spec);
  std::vector<LiveObject> live = AsLive(after);
  const std::vector<LiveObject> old = AsLive(before);
  for (LiveObject& l : live) {
    for (const LiveObject& o : old) {
      if (l.kind == "StatefulSet" && o.kind == "StatefulSet" && l.name == o.name &&
          o.object["spec"].contains("volumeClaimTemplates")) {
        l.object["spec"]["volumeClaimTemplates"] = o.object["spec"].at("volumeClaimTemplates");
      }
    }
  }
  DiffResult r = Diff(after, live);
  EXPECT_TRUE(r.writes.empty());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("volumeClaimTemplates"), std::string::npos);
  EXPECT_TRUE(Diff(after, AsLive(after)).notes.empty());
}

}  // namespace
}  // namespace doris_operator::reconcile
