#include "translator/translator.h"

#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "gtest/gtest.h"
#include "translator/canonical_json.h"
#include "translator/hash.h"
#include "translator/model_json.h"
#include "tests/translator/render_testing.h"

namespace doris_operator::translator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ByName;
using testing::RenderFile;
using testing::ReversedKeysText;
using testing::RunProcess;

model::v1::DorisCluster Model(const json& j) {
  ModelFromJsonResult r = ModelFromJson(j);
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  return r.cluster;
}

json Base() {
  return {{"apiVersion", "doris.selectdb.com/v1"},
          {"kind", "DorisCluster"},
          {"metadata", {{"name", "t"}, {"namespace", "ns"}, {"uid", "u1"}}},
          {"spec",
           {{"feSpec", {{"image", "fe:1"}, {"replicas", 3}}},
            {"beSpec", {{"image", "be:1"}, {"replicas", 3}}}}}};
}

DesiredSet Tr(const json& j, const TranslateInputs& in = {}) {
  absl::StatusOr<DesiredSet> s = Translate(Model(j), in);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : DesiredSet();
}

json Sts(const DesiredSet& s, const std::string& name) {
  return json::parse(ByName(s).at("StatefulSet/" + name).json);
}

TEST(Hash, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CanonicalJson, SortedCompactStable) {
  EXPECT_EQ(*Canonicalize(R"({ "b": 1, "a": [ 2, {"d": 1, "c": "x"} ] })"),
            R"({"a":[2,{"c":"x","d":1}],"b":1})");
  EXPECT_FALSE(Canonicalize("{").ok());
}

TEST(CanonicalJson, SameBytesAsNlohmannDump) {
  const json v = json::parse(R"({"s":"plain","e":"q\"uote\\back\nline\u0001","u":"h\u00e9llo",
      "n":[-3,0,18446744073709551615,1.5,1e300,-0.0],"b":[true,false,null],"o":{},"a":[]})");
  EXPECT_EQ(Canonical(v), v.dump(-1, ' ', false, json::error_handler_t::replace));
}

TEST(Translate, OrderFeFirstAndHashAnnotationMatchesContent) {
  DesiredSet s = Tr(Base());
  std::vector<std::string> names;
  for (const auto& o : s.objects) names.push_back(o.kind + "/" + o.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "Service/t-fe-internal", "Service/t-fe-service", "StatefulSet/t-fe",
                       "Service/t-be-internal", "Service/t-be-service", "StatefulSet/t-be"}));
  for (const auto& o : s.objects) {
    json j = json::parse(o.json);
    EXPECT_EQ(j["metadata"]["annotations"][kHashAnnotation], o.hash);
    j["metadata"]["annotations"].erase(kHashAnnotation);
    if (j["metadata"]["annotations"].empty()) j["metadata"].erase("annotations");
    EXPECT_EQ(Sha256Hex(Canonical(j)), o.hash) << o.name;
    EXPECT_EQ(Canonical(json::parse(o.json)), o.json) << "not canonical: " << o.name;
  }
}

// adminUser's password reaches the pods as the images read it (env PASSWD),
// through the operator's Secret: no desired object holds it, and the
// objects do not depend on it, so the sanitised cluster in the log
// translates to the same bytes and a password change rolls no pod.
TEST(Translate, AdminUserPasswordReachesPodsThroughTheOperatorsSecretOnly) {
  json j = Base();
  j["spec"]["adminUser"] = {{"name", "ops"}, {"password", "pw-not-in-objects"}};
  const DesiredSet with = Tr(j);
  ASSERT_FALSE(with.objects.empty());
  const DesiredObject& first = with.objects.front();
  EXPECT_EQ(first.kind + "/" + first.name, "Secret/t-admin-user");
  const json secret = json::parse(first.json);
  EXPECT_EQ(secret["type"], "kubernetes.io/basic-auth");
  EXPECT_FALSE(secret.contains("data"));
  EXPECT_FALSE(secret.contains("stringData"));
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0]["uid"], "u1");
  for (const auto& o : with.objects) {
    EXPECT_EQ(o.json.find("pw-not-in-objects"), std::string::npos) << o.name;
  }
  for (const char* sts : {"t-fe", "t-be"}) {
    std::map<std::string, json> env;
    const json set = Sts(with, sts);
    for (const json& e : set["spec"]["template"]["spec"]["containers"][0]["env"]) {
      env[e["name"].get<std::string>()] = e;
    }
    EXPECT_EQ(env["USER"].value("value", ""), "ops") << sts;
    EXPECT_EQ(env["PASSWD"], (json{{"name", "PASSWD"},
                                   {"valueFrom",
                                    {{"secretKeyRef", {{"key", "password"}, {"name", "t-admin-user"}}}}}}))
        << sts;
  }
  json changed = j;
  changed["spec"]["adminUser"]["password"] = "another";
  json sanitised = j;
  sanitised["spec"]["adminUser"].erase("password");
  EXPECT_EQ(Tr(changed).hash, with.hash);
  EXPECT_EQ(Tr(sanitised).hash, with.hash);

  // A password without a name is honoured too (the images default USER to root).
  json nameless = Base();
  nameless["spec"]["adminUser"] = json::object();
  const DesiredSet n = Tr(nameless);
  EXPECT_TRUE(ByName(n).count("Secret/t-admin-user"));
  // Without adminUser: no Secret, no PASSWD.
  const DesiredSet none = Tr(Base());
  EXPECT_FALSE(ByName(none).count("Secret/t-admin-user"));
  EXPECT_EQ(ByName(none).at("StatefulSet/t-fe").json.find("PASSWD"), std::string::npos);
}

TEST(Translate, InvalidSpecIsAnErrorListingEveryProblem) {
  json j = Base();
  j["spec"]["beSpec"]["replicas"] = -2;
  j["spec"]["feSpec"].erase("image");
  absl::StatusOr<DesiredSet> s = Translate(Model(j), {});
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("spec.feSpec.image: required"), std::string::npos);
  EXPECT_NE(s.status().message().find("spec.beSpec.replicas: must be >= 0"), std::string::npos);
}

TEST(Translate, PartitionInputMovesOnlyThatStatefulSet) {
  const DesiredSet a = Tr(Base());
  TranslateInputs in;
  in.partitions[Component::kBe] = 2;
  const DesiredSet b = Tr(Base(), in);
  EXPECT_EQ(Sts(b, "t-be")["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 2);
  auto an = ByName(a), bn = ByName(b);
  for (const auto& [name, obj] : an) {
    EXPECT_EQ(obj.hash == bn.at(name).hash, name != "StatefulSet/t-be") << name;
  }
}

// A dropped FE observer's meta claim must go with its pod (fe_entrypoint.sh
// starts an FE on a dropped FE's meta without joining); hibernation keeps
// every claim; BE claims and an FE without claims are left to the default.
TEST(Translate, FeClaimsGoWithScaledInPodsExceptWhileHibernating) {
  const json claim = {{"name", "fe-meta"},
                      {"mountPath", "/opt/apache-doris/fe/doris-meta"},
                      {"persistentVolumeClaimSpec",
                       {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "5Gi"}}}}}}}};
  json j = Base();
  EXPECT_FALSE(Sts(Tr(j), "t-fe")["spec"].contains("persistentVolumeClaimRetentionPolicy"));
  j["spec"]["feSpec"]["persistentVolumes"] = json::array({claim});
  j["spec"]["beSpec"]["persistentVolumes"] = json::array({claim});
  j["spec"]["beSpec"]["persistentVolumes"][0]["name"] = "be-storage";
  j["spec"]["beSpec"]["persistentVolumes"][0]["mountPath"] = "/opt/apache-doris/be/storage";
  DesiredSet s = Tr(j);
  EXPECT_EQ(Sts(s, "t-fe")["spec"]["persistentVolumeClaimRetentionPolicy"],
            (json{{"whenDeleted", "Retain"}, {"whenScaled", "Delete"}}));
  EXPECT_FALSE(Sts(s, "t-be")["spec"].contains("persistentVolumeClaimRetentionPolicy"));

  j["metadata"]["annotations"] = {{"doris-operator.io/hibernate", "true"}};
  EXPECT_EQ(Sts(Tr(j), "t-fe")["spec"]["persistentVolumeClaimRetentionPolicy"],
            (json{{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}}));
  // A hibernation the operator refuses (BE data in the pods) stops nothing:
  // observers still leave, and their claims with them.
  j["spec"]["beSpec"].erase("persistentVolumes");
  EXPECT_EQ(Sts(Tr(j), "t-fe")["spec"]["persistentVolumeClaimRetentionPolicy"]["whenScaled"], "Delete");
}

TEST(Translate, AbsentReplicasIsOneExceptUnderAnAutoscaler) {
  json j = Base();
  j["spec"]["beSpec"].erase("replicas");
  j["spec"]["cnSpec"] = {{"image", "be:1"}, {"autoScalingPolicy", {{"maxReplicas", 4}}}};
  DesiredSet s = Tr(j);
  EXPECT_EQ(Sts(s, "t-be")["spec"]["replicas"], 1);
  EXPECT_FALSE(Sts(s, "t-cn")["spec"].contains("replicas"));
  EXPECT_EQ(json::parse(ByName(s).at("HorizontalPodAutoscaler/t-cn-autoscaler").json)["apiVersion"],
            "autoscaling/v2");
}

TEST(Translate, AnAutoscaledCnNeverCarriesReplicasEvenWhenTheSpecSetsThem) {
  json j = Base();
  j["spec"]["cnSpec"] = {{"image", "be:1"}, {"replicas", 2}, {"autoScalingPolicy", {{"maxReplicas", 4}}}};
  DesiredSet s = Tr(j);
  EXPECT_FALSE(Sts(s, "t-cn")["spec"].contains("replicas"));
  // The count the HPA chose does not change what is desired.
  j["spec"]["cnSpec"]["replicas"] = 3;
  EXPECT_EQ(ByName(Tr(j)).at("StatefulSet/t-cn").hash, ByName(s).at("StatefulSet/t-cn").hash);
}

TEST(Translate, DebugModeKeepsContainersUpWithoutLivenessProbes) {
  json j = Base();
  j["metadata"]["annotations"] = {{"apache.org/doris-unrelated", "x"},
                                  {"apache.org.doris/runmode", "debug"}};
  DesiredSet s = Tr(j);
  for (const char* sts : {"t-fe", "t-be"}) {
    json c = Sts(s, sts)["spec"]["template"];
    EXPECT_EQ(c["metadata"]["annotations"]["apache.org.doris/runmode"], "debug");
    EXPECT_FALSE(c["spec"]["containers"][0].contains("livenessProbe"));
    EXPECT_FALSE(c["spec"]["containers"][0].contains("startupProbe"));
    EXPECT_TRUE(c["spec"]["containers"][0].contains("readinessProbe"));
  }
  // Removing the annotation returns to normal.
  EXPECT_TRUE(Sts(Tr(Base()), "t-fe")["spec"]["template"]["spec"]["containers"][0].contains(
      "livenessProbe"));
}

TEST(Translate, RestartAnnotationReachesFeAndBePodTemplates) {
  json j = Base();
  j["metadata"]["annotations"] = {{"apache.doris.be/restartedAt", "2026-11-25T10:00:00+00:00"}};
  DesiredSet s = Tr(j);
  EXPECT_EQ(Sts(s, "t-be")["spec"]["template"]["metadata"]["annotations"]
                ["apache.doris.be/restartedAt"],
            "2026-11-25T10:00:00+00:00");
  EXPECT_FALSE(Sts(s, "t-fe")["spec"]["template"]["metadata"].contains("annotations"));
}

TEST(Translate, OperatorRestartStampsWinAndReachEveryComponent) {
  json j = Base();
  j["metadata"]["annotations"] = {{"apache.doris.fe/restartedAt", "user-time"}};
  j["spec"]["cnSpec"] = {{"image", "be:1"}};
  TranslateInputs in;
  in.restarted_at[Component::kFe] = "operator-time";
  in.restarted_at[Component::kCn] = "cn-time";
  DesiredSet s = Tr(j, in);
  EXPECT_EQ(Sts(s, "t-fe")["spec"]["template"]["metadata"]["annotations"]
                ["apache.doris.fe/restartedAt"],
            "operator-time");
  EXPECT_EQ(Sts(s, "t-cn")["spec"]["template"]["metadata"]["annotations"]
                ["apache.doris.cn/restartedAt"],
            "cn-time");
}

TEST(Translate, ConfigMapContentChangesPortsAndWarnsWhenMissing) {
  json j = Base();
  j["spec"]["feSpec"]["configMapInfo"] = {{"configMapName", "fe-cm"}};
  DesiredSet missing = Tr(j);
  ASSERT_EQ(missing.warnings.size(), 1u);
  EXPECT_EQ(missing.warnings[0].path, "spec.feSpec.configMapInfo");
  TranslateInputs in;
  in.config_maps["fe-cm"]["fe.conf"] = "query_port=19030\n";
  DesiredSet s = Tr(j, in);
  EXPECT_TRUE(s.warnings.empty());
  json svc = json::parse(ByName(s).at("Service/t-fe-internal").json);
  EXPECT_EQ(svc["spec"]["ports"][0]["port"], 19030);
  // BE dials the FE query port from FE's config.
  bool found = false;
  const json be = Sts(s, "t-be");
  for (const json& e : be["spec"]["template"]["spec"]["containers"][0]["env"]) {
    if (e["name"] == "FE_QUERY_PORT") found = e["value"] == "19030";
  }
  EXPECT_TRUE(found);
}

TEST(Translate, UserMapsAndMergedKeysComeOutCanonicalLaterSourcesWinning) {
  json j = Base();
  j["spec"]["feSpec"]["podLabels"] = {{"zz", "1"}, {"app.kubernetes.io/component", "mine"}, {"a", "2"}};
  j["spec"]["feSpec"]["nodeSelector"] = {{"z", "1"}, {"b", "2"}};
  j["spec"]["feSpec"]["annotations"] = {{"z", "1"}, {"apache.doris.fe/restartedAt", "user"}};
  j["spec"]["feSpec"]["service"] = {{"annotations", {{kHashAnnotation, "bogus"}, {"b", "x"}}}};
  model::v1::DorisCluster m = Model(j);
  // RawJson that is not canonical (as an older record might hold) is
  // re-canonicalised, not copied through.
  m.mutable_spec()->mutable_fe_spec()->mutable_base()->mutable_requests()->set_json(
      R"({ "memory": "1Gi", "cpu": "1.50" })");
  TranslateInputs in;
  in.restarted_at[Component::kFe] = "operator";
  absl::StatusOr<DesiredSet> s = Translate(m, in);
  ASSERT_TRUE(s.ok()) << s.status();
  for (const auto& o : s->objects) {
    EXPECT_EQ(Canonical(json::parse(o.json)), o.json) << "not canonical: " << o.name;
  }
  const json sts = Sts(*s, "t-fe");
  const json& tmpl = sts["spec"]["template"];
  EXPECT_EQ(tmpl["metadata"]["labels"]["app.kubernetes.io/component"], "mine");
  EXPECT_EQ(tmpl["metadata"]["annotations"]["apache.doris.fe/restartedAt"], "operator");
  // ...and its quantities come out as the API server stores them ("1.50" -> "1500m").
  EXPECT_EQ(tmpl["spec"]["containers"][0]["resources"]["requests"],
            json::parse(R"({"cpu":"1500m","memory":"1Gi"})"));
  const DesiredObject svc = ByName(*s).at("Service/t-fe-service");
  const json svc_json = json::parse(svc.json);
  EXPECT_EQ(svc_json["metadata"]["annotations"][kHashAnnotation], svc.hash);
  EXPECT_EQ(svc_json["metadata"]["annotations"]["b"], "x");
}

// ---- determinism ----

TEST(Determinism, KeyOrderOfTheInputDoesNotMatter) {
  const fs::path tmp = fs::path(::testing::TempDir()) / "reversed.yaml";
  json j = Base();
  j["spec"]["beSpec"]["persistentVolumes"] = {
      {{"name", "data"}, {"mountPath", "/d"},
       {"persistentVolumeClaimSpec",
        {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}};
  j["spec"]["feSpec"]["nodeSelector"] = {{"z", "1"}, {"a", "2"}};
  const fs::path straight = fs::path(::testing::TempDir()) / "straight.yaml";
  std::ofstream(straight) << j.dump(1);
  std::ofstream(tmp) << ReversedKeysText(j);
  ASSERT_NE(j.dump(1), ReversedKeysText(j));
  EXPECT_EQ(RenderFile(straight.string()), RenderFile(tmp.string()));
}

TEST(Determinism, TwoProcessesProduceTheSameBytes) {
  const std::string cmd =
      "tools/dorisctl/dorisctl render -f tests/translator/testdata/storage.yaml 2>&1";
  const std::string a = RunProcess(cmd);
  const std::string b = RunProcess(cmd);
  ASSERT_GT(a.size(), 1000u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, RenderFile("tests/translator/testdata/storage.yaml"));
}

// Generated specs: translating twice gives identical bytes, and an object's
// hash changes exactly when its content does.
TEST(Determinism, GeneratedSpecsAreStableAndHashesTrackContent) {
  std::mt19937 rng(20261125);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const char* types[] = {"ClusterIP", "NodePort", "LoadBalancer"};
  for (int i = 0; i < 150; ++i) {
    json j = Base();
    json& spec = j["spec"];
    spec["feSpec"]["replicas"] = 1 + 2 * pick(3);
    if (pick(2)) spec["feSpec"]["service"] = {{"type", types[pick(3)]}};
    if (pick(2)) spec["beSpec"]["configMapInfo"] = {{"configMapName", "be-cm"}};
    if (pick(2)) spec["cnSpec"] = {{"image", "be:1"}, {"replicas", pick(5)}};
    if (pick(2)) spec["brokerSpec"] = {{"image", "broker:1"}};
    if (pick(2)) spec["authSecret"] = "auth";
    if (pick(2)) spec["beSpec"]["podLabels"] = {{"team", "t" + std::to_string(pick(9))}};
    TranslateInputs in;
    if (pick(2)) in.config_maps["be-cm"]["be.conf"] = "be_port=" + std::to_string(9000 + pick(900));

    const DesiredSet a = Tr(j, in);
    const DesiredSet b = Tr(j, in);
    ASSERT_EQ(a.objects.size(), b.objects.size());
    for (size_t k = 0; k < a.objects.size(); ++k) ASSERT_EQ(a.objects[k].json, b.objects[k].json);
    ASSERT_EQ(a.hash, b.hash);

    // Change only the BE image: exactly the BE StatefulSet changes.
    json changed = j;
    changed["spec"]["beSpec"]["image"] = "be:2";
    const DesiredSet c = Tr(changed, in);
    auto an = ByName(a), cn = ByName(c);
    ASSERT_EQ(an.size(), cn.size());
    for (const auto& [name, obj] : an) {
      const bool same_json = obj.json == cn.at(name).json;
      EXPECT_EQ(same_json, obj.hash == cn.at(name).hash) << name;
      EXPECT_EQ(same_json, name != "StatefulSet/t-be") << name;
    }
    EXPECT_NE(a.hash, c.hash);
  }
}

}  // namespace
}  // namespace doris_operator::translator
