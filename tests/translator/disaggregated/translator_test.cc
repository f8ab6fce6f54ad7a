// The ddc translator: apply order, hashes, errors named by field path, what
// it needs from the cluster (ConfigMaps), and the determinism property the
// DorisCluster translator has (same input, in any key or group order, same
// bytes; a hash changes exactly when its object does).

#include "translator/disaggregated/translator.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>

#include "gtest/gtest.h"
#include "tests/translator/render_testing.h"
#include "tools/dorisctl/render_command.h"
#include "tools/dorisctl/yaml_json.h"
#include "translator/canonical_json.h"
#include "translator/disaggregated/model_json.h"
#include "translator/disaggregated/names.h"
#include "translator/hash.h"

namespace doris_operator::translator::disaggregated {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
namespace dv1 = model::disaggregated::v1;
using translator::testing::ByName;
using translator::testing::ReadFile;
using translator::testing::RenderFile;
using translator::testing::ReversedKeysText;
using translator::testing::RunProcess;

const fs::path kSamples = "deploy/samples/disaggregated";

dv1::DorisDisaggregatedCluster Model(const json& j) {
  ModelFromJsonResult r = ModelFromJson(j);
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  return r.ddc;
}

json Base() {
  return {{"apiVersion", "disaggregated.cluster.doris.com/v1"},
          {"kind", "DorisDisaggregatedCluster"},
          {"metadata", {{"name", "t"}, {"namespace", "ns"}, {"uid", "u1"}}},
          {"spec",
           {{"metaService", {{"image", "ms:1"}, {"fdb", {{"address", "fdb:x@1.2.3.4:4500"}}}}},
            {"feSpec", {{"image", "fe:1"}, {"replicas", 3}, {"electionNumber", 3}}},
            {"computeGroups",
             {{{"uniqueId", "cg1"}, {"image", "be:1"}, {"replicas", 2}},
              {{"uniqueId", "cg_2"}, {"image", "be:1"}, {"replicas", 3}}}}}}};
}

DesiredSet Tr(const json& j, const TranslateInputs& in = {}) {
  absl::StatusOr<DesiredSet> s = Translate(Model(j), in);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : DesiredSet();
}

json Obj(const DesiredSet& s, const std::string& kind_name) {
  return json::parse(ByName(s).at(kind_name).json);
}

std::map<std::string, json> Env(const json& sts) {
  std::map<std::string, json> env;
  for (const json& e : sts["spec"]["template"]["spec"]["containers"][0]["env"]) {
    env[e["name"].get<std::string>()] = e;
  }
  return env;
}

TEST(Translate, ObjectsInApplyOrderCanonicalWithTheirHash) {
  const DesiredSet s = Tr(Base());
  std::vector<std::string> names;
  for (const auto& o : s.objects) names.push_back(o.kind + "/" + o.name);
  // Meta service, FE, then each group in spec order: the start order Doris needs.
  EXPECT_EQ(names, (std::vector<std::string>{
                       "Service/t-ms", "StatefulSet/t-ms", "Service/t-fe-internal", "Service/t-fe",
                       "StatefulSet/t-fe", "Service/t-cg1", "Service/t-cg1-external",
                       "StatefulSet/t-cg1", "Service/t-cg-2", "Service/t-cg-2-external",
                       "StatefulSet/t-cg-2"}));
  for (const auto& o : s.objects) {
    json j = json::parse(o.json);
    EXPECT_EQ(j["metadata"]["annotations"][kHashAnnotation], o.hash) << o.name;
    j["metadata"]["annotations"].erase(kHashAnnotation);
    if (j["metadata"]["annotations"].empty()) j["metadata"].erase("annotations");
    EXPECT_EQ(Sha256Hex(Canonical(j)), o.hash) << o.name;
    EXPECT_EQ(Canonical(json::parse(o.json)), o.json) << "not canonical: " << o.name;
    EXPECT_EQ(j["metadata"]["ownerReferences"][0]["uid"], "u1") << o.name;
    EXPECT_EQ(j["metadata"]["namespace"], "ns") << o.name;
  }
  // The Doris compute-group name turns '-' into '_'; object names the reverse.
  EXPECT_EQ(Env(Obj(s, "StatefulSet/t-cg-2"))["COMPUTE_GROUP_NAME"]["value"], "cg_2");
  EXPECT_EQ(Obj(s, "StatefulSet/t-cg-2")["spec"]["selector"]["matchLabels"]
               ["app.doris.disaggregated.cg-uniqueid"],
            "cg_2");
}

// The parts reconcile records name map to the StatefulSets the translator
// makes (a record's "cg/cg_2" is StatefulSet t-cg-2).
TEST(Names, EachPartNamesItsStatefulSet) {
  EXPECT_EQ(PartStatefulSet("t", kMetaServicePart), MetaServiceName("t"));
  EXPECT_EQ(PartStatefulSet("t", kFePart), FeName("t"));
  EXPECT_EQ(ComputeGroupPart("cg_2"), "cg/cg_2");
  EXPECT_EQ(PartStatefulSet("t", ComputeGroupPart("cg_2")), "t-cg-2");
  EXPECT_EQ(ComputeGroupOfPart("cg/cg_2"), "cg_2");
  EXPECT_EQ(ComputeGroupOfPart("fe"), std::nullopt);
  EXPECT_EQ(PartStatefulSet("t", "be"), "");
}

std::vector<std::string> ClaimNamesOf(const json& sts) {
  std::vector<std::string> out;
  for (const json& c : sts["spec"].value("volumeClaimTemplates", json::array())) {
    out.push_back(c["metadata"]["name"].get<std::string>());
  }
  return out;
}

// Claim names follow the reference's (contract §5) so that a ddc it ran keeps
// its PVCs (`<claim>-<pod>`): paths in the order FE meta / BE cache, listed
// mount paths, log; each takes as few trailing components as no earlier path
// took, and a path listed again (the BE cache below) is named again.
TEST(Translate, ClaimNamesAreTheReferences) {
  const json claim = {{"resources", {{"requests", {{"storage", "1Gi"}}}}}};
  json j = Base();
  j["spec"]["computeGroups"][0]["persistentVolumes"] = {
      {{"mountPaths", {"/opt/apache-doris/be/file_cache"}}, {"persistentVolumeClaimSpec", claim}},
      {{"mountPaths", {"/a/data", "/b/data"}}, {"persistentVolumeClaimSpec", claim}},
      {{"persistentVolumeClaimSpec", claim}}};
  j["spec"]["feSpec"]["persistentVolumes"] = {
      {{"mountPaths", {"/opt/apache-doris/fe/doris-meta"}}, {"persistentVolumeClaimSpec", claim}},
      {{"mountPaths", {"/x/log"}}, {"persistentVolumeClaimSpec", claim}},
      {{"persistentVolumeClaimSpec", claim}}};
  const DesiredSet s = Tr(j);
  // BE: file_cache (cache), be-file_cache (listed again), data, b-data, log.
  EXPECT_EQ(ClaimNamesOf(Obj(s, "StatefulSet/t-cg1")),
            (std::vector<std::string>{"log", "be-file-cache", "data", "b-data"}));
  // FE: doris-meta, fe-doris-meta (listed again), log (/x/log), fe-log (the log path).
  EXPECT_EQ(ClaimNamesOf(Obj(s, "StatefulSet/t-fe")),
            (std::vector<std::string>{"fe-log", "fe-doris-meta", "log"}));
}

// The reference replaces the default init image (selectdb/alpine) by the BE
// image in every init container of a compute group, not of FE or the meta
// service (UseNewDefaultInitContainerImage, called by the group's builder).
TEST(Translate, TheDefaultInitImageIsTheBeImageInComputeGroupsOnly) {
  json j = Base();
  const json si = {{"command", {"/bin/sh"}}, {"args", {"-c", "ulimit -n"}}};
  j["spec"]["computeGroups"][0]["systemInitialization"] = si;
  j["spec"]["feSpec"]["systemInitialization"] = si;
  j["spec"]["computeGroups"][1]["systemInitialization"] = {{"initImage", "mine:1"}};
  const DesiredSet s = Tr(j);
  auto images = [&](const std::string& sts) {
    std::vector<std::string> out;
    const json set = Obj(s, "StatefulSet/" + sts);
    for (const json& c : set["spec"]["template"]["spec"]["initContainers"]) {
      out.push_back(c["name"].get<std::string>() + "=" + c["image"].get<std::string>());
    }
    return out;
  };
  EXPECT_EQ(images("t-cg1"), (std::vector<std::string>{"default-init=be:1", "init=be:1"}));
  EXPECT_EQ(images("t-cg-2"), (std::vector<std::string>{"default-init=mine:1", "init=mine:1"}));
  EXPECT_EQ(images("t-fe"), (std::vector<std::string>{"init=selectdb/alpine:latest"}));
}

// ---- errors: every problem, each at its field path ----

std::string Problems(const json& j) {
  ModelFromJsonResult r = ModelFromJson(j);
  if (!r.errors.empty()) {
    std::string out;
    for (const auto& e : r.errors) out += e.ToString() + "\n";
    return "model: " + out;
  }
  absl::StatusOr<DesiredSet> s = Translate(r.ddc, {});
  if (s.ok()) return "ok";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

struct Case {
  const char* what;
  std::function<void(json&)> edit;
  std::string want;
};

TEST(Translate, InvalidSpecIsAnInvalidArgumentNamingTheFieldPath) {
  const std::vector<Case> cases = {
      {"duplicate uniqueId", [](json& j) { j["spec"]["computeGroups"][1]["uniqueId"] = "cg1"; },
       "spec.computeGroups[1].uniqueId: \"cg1\" is already the uniqueId of spec.computeGroups[0]"},
      {"uniqueIds equal once '_' is '-'",
       [](json& j) { j["spec"]["computeGroups"][0]["uniqueId"] = "cg-2"; },
       "spec.computeGroups[1].uniqueId: names the StatefulSet \"t-cg-2\", as "
       "spec.computeGroups[0].uniqueId does ('_' becomes '-' in object names)"},
      {"uniqueId naming FE's StatefulSet",
       [](json& j) { j["spec"]["computeGroups"][1]["uniqueId"] = "fe"; },
       "spec.computeGroups[1].uniqueId: names the StatefulSet \"t-fe\", as FE does ('_' becomes "
       "'-' in object names)"},
      {"uniqueId not matching the pattern",
       [](json& j) { j["spec"]["computeGroups"][0]["uniqueId"] = "1cg"; },
       "spec.computeGroups[0].uniqueId: \"1cg\" must start with a letter and contain only "
       "letters, digits, '_' and '-'"},
      {"upper-case uniqueId", [](json& j) { j["spec"]["computeGroups"][0]["uniqueId"] = "Cg"; },
       "spec.computeGroups[0].uniqueId: names the StatefulSet and Service \"t-Cg\", which must be "
       "lower-case letters, digits and '-'; use a lower-case uniqueId"},
      {"missing uniqueId", [](json& j) { j["spec"]["computeGroups"][1].erase("uniqueId"); },
       "spec.computeGroups[1].uniqueId: required"},
      {"missing metaService.fdb", [](json& j) { j["spec"]["metaService"].erase("fdb"); },
       "spec.metaService.fdb: required: set address (the fdb.cluster string) or "
       "configMapNamespaceName (the ConfigMap holding cluster-file)"},
      {"empty metaService.fdb", [](json& j) { j["spec"]["metaService"]["fdb"] = json::object(); },
       "spec.metaService.fdb: required: set address (the fdb.cluster string) or "
       "configMapNamespaceName (the ConfigMap holding cluster-file)"},
      {"FDB ConfigMap without namespace",
       [](json& j) {
         j["spec"]["metaService"]["fdb"] = {{"configMapNamespaceName", {{"name", "fdb"}}}};
       },
       "spec.metaService.fdb.configMapNamespaceName.namespace: required"},
      {"missing metaService", [](json& j) { j["spec"].erase("metaService"); },
       "spec.metaService: required (the meta service every FE and BE registers with)"},
      {"missing feSpec", [](json& j) { j["spec"].erase("feSpec"); }, "spec.feSpec: required"},
      {"even electionNumber", [](json& j) { j["spec"]["feSpec"]["electionNumber"] = 2; },
       "spec.feSpec.electionNumber: must be a positive odd number (a quorum needs a majority), "
       "got 2"},
      {"electionNumber above replicas", [](json& j) { j["spec"]["feSpec"]["replicas"] = 1; },
       "spec.feSpec.electionNumber: must not exceed spec.feSpec.replicas (1), got 3"},
      {"group without image, negative replicas",
       [](json& j) {
         j["spec"]["computeGroups"][1].erase("image");
         j["spec"]["computeGroups"][1]["replicas"] = -1;
       },
       "spec.computeGroups[1].image: required\nspec.computeGroups[1].replicas: must be >= 0, got -1"},
      {"adminUser admin", [](json& j) { j["spec"]["adminUser"] = {{"name", "Admin"}}; },
       "spec.adminUser.name: \"admin\" is reserved by Doris; use another user name"},
      {"name too long for <name>-fe-internal",
       [](json& j) { j["metadata"]["name"] = std::string(52, 'a'); },
       "metadata.name: must be at most 51 characters so that \"<name>-fe-internal\" fits in 63"},
      {"external Service name too long",
       [](json& j) { j["spec"]["computeGroups"][0]["uniqueId"] = std::string(53, 'g'); },
       "spec.computeGroups[0].uniqueId: names the Service \"t-" + std::string(53, 'g') +
           "-external\" (64 characters); together with metadata.name it must leave "
           "\"<name>-<uniqueId>-external\" at most 63"},
      {"service type", [](json& j) { j["spec"]["feSpec"]["service"] = {{"type", "Headless"}}; },
       "spec.feSpec.service.type: \"Headless\" is not one of ClusterIP, NodePort, LoadBalancer, "
       "ExternalName"},
      {"portMaps port",
       [](json& j) {
         j["spec"]["computeGroups"][1]["service"] = {{"portMaps", {{{"targetPort", 0}}}}};
       },
       "spec.computeGroups[1].service.portMaps[0].targetPort: must be a port (1-65535), got 0"},
      {"a mount path used twice",
       [](json& j) {
         j["spec"]["feSpec"]["configMaps"] = {{{"name", "a"}}, {{"name", "b"}}};
       },
       "spec.feSpec.configMaps[1].mountPath: mount path \"/etc/doris\" is already used by "
       "spec.feSpec.configMaps[0].mountPath"},
      {"a claim name that is not a DNS label",
       [](json& j) {
         j["spec"]["computeGroups"][0]["persistentVolumes"] = {
             {{"mountPaths", {"/data/Cache"}},
              {"persistentVolumeClaimSpec", {{"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}};
       },
       "spec.computeGroups[0].persistentVolumes[0].mountPaths[0]: the claim for \"/data/Cache\" "
       "would be named \"Cache\", which is not a DNS-1123 label (lower-case letters, digits, '-', "
       "at most 63); choose another path"},
      {"a type error is the model's, with its path",
       [](json& j) { j["spec"]["computeGroups"][1]["replicas"] = "three"; },
       "model: spec.computeGroups[1].replicas: expected integer, got \"three\"\n"},
  };
  for (const Case& c : cases) {
    json j = Base();
    c.edit(j);
    EXPECT_EQ(Problems(j), c.want) << c.what;
  }
}

TEST(Translate, EveryProblemIsReportedAtOnce) {
  json j = Base();
  j["spec"]["metaService"].erase("fdb");
  j["spec"]["computeGroups"][1]["uniqueId"] = "cg1";
  j["spec"]["feSpec"].erase("image");
  EXPECT_EQ(Problems(j),
            "spec.metaService.fdb: required: set address (the fdb.cluster string) or "
            "configMapNamespaceName (the ConfigMap holding cluster-file)\n"
            "spec.feSpec.image: required\n"
            "spec.computeGroups[1].uniqueId: \"cg1\" is already the uniqueId of "
            "spec.computeGroups[0]");
}

// ---- what the translation needs from the cluster ----

TEST(NeededConfigMaps, NamesEveryConfigFileAndTheFdbClusterFile) {
  json j = Base();
  j["spec"]["metaService"]["fdb"] = {
      {"configMapNamespaceName", {{"namespace", "fdb-ns"}, {"name", "fdb-cm"}}}};
  j["spec"]["feSpec"]["configMaps"] = {{{"name", "fe-cm"}}};
  j["spec"]["computeGroups"][1]["configMaps"] = {{{"name", "be-a"}, {"mountPath", "/etc/a"}},
                                                 {{"name", "be-b"}, {"mountPath", "/etc/b"}}};
  std::vector<std::string> got;
  for (const NeededConfigMap& n : NeededConfigMaps(Model(j))) {
    got.push_back(n.namespace_ + "/" + n.name + " " + n.key + " @" + n.field);
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "fdb-ns/fdb-cm cluster-file @spec.metaService.fdb.configMapNamespaceName",
                     "ns/fe-cm fe.conf @spec.feSpec.configMaps[0].name",
                     "ns/be-a be.conf @spec.computeGroups[1].configMaps[0].name",
                     "ns/be-b be.conf @spec.computeGroups[1].configMaps[1].name"}));

  // Not supplied: a warning at the field, and no FDB_ENDPOINT.
  const DesiredSet missing = Tr(j);
  std::vector<std::string> warnings;
  for (const auto& w : missing.warnings) warnings.push_back(w.ToString());
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "spec.feSpec.configMaps[0].name: ConfigMap \"fe-cm\" was not found; "
                          "using defaults",
                          "spec.computeGroups[1].configMaps[0].name: ConfigMap \"be-a\" was not "
                          "found; using defaults",
                          "spec.computeGroups[1].configMaps[1].name: ConfigMap \"be-b\" was not "
                          "found; using defaults",
                          "spec.metaService.fdb.configMapNamespaceName: ConfigMap fdb-ns/fdb-cm "
                          "(key cluster-file) was not read; the meta service gets no "
                          "FDB_ENDPOINT"}));
  EXPECT_FALSE(Env(Obj(missing, "StatefulSet/t-ms")).count("FDB_ENDPOINT"));

  // Supplied: no warnings; the content reaches the pods.
  TranslateInputs in;
  in.fdb_cluster_file = "fdb:y@5.6.7.8:4500";
  in.config_maps["fe-cm"]["fe.conf"] = "query_port = 19030\n";
  in.config_maps["be-a"]["other"] = "x";
  in.config_maps["be-b"]["be.conf"] = "heartbeat_service_port = 19050\n";
  const DesiredSet s = Tr(j, in);
  EXPECT_TRUE(s.warnings.empty());
  EXPECT_EQ(Env(Obj(s, "StatefulSet/t-ms"))["FDB_ENDPOINT"]["value"], "fdb:y@5.6.7.8:4500");
  EXPECT_EQ(Env(Obj(s, "StatefulSet/t-cg1"))["FE_QUERY_PORT"]["value"], "19030");
  EXPECT_EQ(Obj(s, "Service/t-cg-2")["spec"]["ports"][0]["port"], 19050);
  EXPECT_EQ(Obj(s, "Service/t-cg1")["spec"]["ports"][0]["port"], 9050);

  // fdb.address wins: the ConfigMap is neither needed nor read.
  j["spec"]["metaService"]["fdb"]["address"] = "fdb:z@9.9.9.9:4500";
  for (const NeededConfigMap& n : NeededConfigMaps(Model(j))) EXPECT_NE(n.key, "cluster-file");
  EXPECT_EQ(Env(Obj(Tr(j, in), "StatefulSet/t-ms"))["FDB_ENDPOINT"]["value"],
            "fdb:z@9.9.9.9:4500");
}

// ---- determinism ----

std::vector<fs::path> SampleFiles() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kSamples)) {
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

json SampleDdc(const fs::path& p) {
  absl::StatusOr<std::vector<json>> docs = dorisctl::ParseYamlDocuments(ReadFile(p));
  EXPECT_TRUE(docs.ok()) << docs.status();
  for (const json& d : docs.ok() ? *docs : std::vector<json>{}) {
    if (d.value("kind", "") == "DorisDisaggregatedCluster") return d;
  }
  ADD_FAILURE() << p << " holds no DorisDisaggregatedCluster";
  return Base();
}

TEST(Determinism, KeyOrderOfTheInputDoesNotMatter) {
  const fs::path dir = ::testing::TempDir();
  for (const fs::path& sample : SampleFiles()) {
    json j = SampleDdc(sample);
    j["spec"]["feSpec"]["nodeSelector"] = {{"z", "1"}, {"a", "2"}};
    j["spec"]["feSpec"]["labels"] = {{"zz", "1"}, {"aa", "2"}};
    j["spec"]["computeGroups"][0]["annotations"] = {{"z", "1"}, {"a", "2"}};
    const fs::path straight = dir / "straight.yaml", reversed = dir / "reversed.yaml";
    std::ofstream(straight) << j.dump(1);
    std::ofstream(reversed) << ReversedKeysText(j);
    ASSERT_NE(j.dump(1), ReversedKeysText(j));
    const std::string a = RenderFile(straight);
    ASSERT_GT(a.size(), 1000u) << sample;
    EXPECT_EQ(a, RenderFile(reversed)) << sample;
  }
}

TEST(Determinism, TwoProcessesProduceTheSameBytes) {
  for (const fs::path& sample : SampleFiles()) {
    const std::string cmd = "tools/dorisctl/dorisctl render -f " + sample.string() + " 2>&1";
    const std::string a = RunProcess(cmd);
    ASSERT_GT(a.size(), 1000u) << sample;
    EXPECT_EQ(a, RunProcess(cmd)) << sample;
  }
}

// A group's objects do not depend on where it stands in the list, nor on the
// other groups: reordering the groups only reorders the objects.
TEST(Determinism, GroupOrderOnlyReordersObjects) {
  for (const fs::path& sample : SampleFiles()) {
    json j = SampleDdc(sample);
    j["metadata"]["namespace"] = "ns";
    j["spec"]["computeGroups"].push_back(
        {{"uniqueId", "extra_group"}, {"image", "be:9"}, {"replicas", 1}});
    json permuted = j;
    std::reverse(permuted["spec"]["computeGroups"].begin(), permuted["spec"]["computeGroups"].end());
    const DesiredSet a = Tr(j), b = Tr(permuted);
    auto an = ByName(a), bn = ByName(b);
    ASSERT_EQ(an.size(), bn.size()) << sample;
    for (const auto& [name, obj] : an) {
      ASSERT_TRUE(bn.count(name)) << name;
      EXPECT_EQ(obj.json, bn.at(name).json) << sample << " " << name;
    }
  }
}

// Generated specs: translating twice gives identical bytes, and an object's
// hash changes exactly when its content does.
TEST(Determinism, GeneratedSpecsAreStableAndHashesTrackContent) {
  std::mt19937 rng(20261201);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const char* types[] = {"ClusterIP", "NodePort", "LoadBalancer"};
  for (int i = 0; i < 150; ++i) {
    json j = Base();
    json& spec = j["spec"];
    spec["feSpec"]["replicas"] = 3 + pick(3);
    if (pick(2)) spec["feSpec"]["service"] = {{"type", types[pick(3)]}};
    if (pick(2)) spec["computeGroups"][0]["configMaps"] = {{{"name", "be-cm"}}};
    if (pick(2)) spec["computeGroups"][1]["skipDefaultSystemInit"] = true;
    if (pick(2)) spec["computeGroups"][1]["enableWorkloadGroup"] = true;
    if (pick(2)) spec["authSecret"] = "auth";
    if (pick(2)) spec["adminUser"] = {{"name", "ops"}, {"password", "p" + std::to_string(pick(9))}};
    if (pick(2)) spec["computeGroups"][0]["labels"] = {{"team", "t" + std::to_string(pick(9))}};
    if (pick(2)) {
      spec["computeGroups"].push_back({{"uniqueId", "g" + std::to_string(pick(99))},
                                       {"image", "be:1"},
                                       {"replicas", pick(4)}});
    }
    if (pick(2)) {
      spec["metaService"]["fdb"] = {
          {"configMapNamespaceName", {{"namespace", "fdb"}, {"name", "fdb-cm"}}}};
    }
    TranslateInputs in;
    if (pick(2)) in.config_maps["be-cm"]["be.conf"] = "be_port=" + std::to_string(9000 + pick(900));
    if (pick(2)) in.fdb_cluster_file = "fdb:c@10.0.0." + std::to_string(pick(200)) + ":4500";
    if (pick(2)) in.partitions["t-cg1"] = pick(3);

    const DesiredSet a = Tr(j, in);
    const DesiredSet b = Tr(j, in);
    ASSERT_EQ(a.objects.size(), b.objects.size());
    for (size_t k = 0; k < a.objects.size(); ++k) ASSERT_EQ(a.objects[k].json, b.objects[k].json);
    ASSERT_EQ(a.hash, b.hash);

    // Change only group cg1's image: exactly its StatefulSet changes.
    json changed = j;
    changed["spec"]["computeGroups"][0]["image"] = "be:2";
    const DesiredSet c = Tr(changed, in);
    auto an = ByName(a), cn = ByName(c);
    ASSERT_EQ(an.size(), cn.size());
    for (const auto& [name, obj] : an) {
      const bool same_json = obj.json == cn.at(name).json;
      EXPECT_EQ(same_json, obj.hash == cn.at(name).hash) << name;
      EXPECT_EQ(same_json, name != "StatefulSet/t-cg1") << name;
    }
    EXPECT_NE(a.hash, c.hash);
  }
}

}  // namespace
}  // namespace doris_operator::translator::disaggregated
