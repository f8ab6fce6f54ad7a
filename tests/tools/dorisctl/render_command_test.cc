#include "tools/dorisctl/render_command.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "tools/dorisctl/yaml_json.h"

namespace doris_operator::dorisctl {
namespace {

namespace fs = std::filesystem;

struct RenderRun {
  int code;
  std::string out, err;
};

RenderRun Render(const std::string& yaml, std::vector<std::string> extra = {}) {
  const fs::path file = fs::path(::testing::TempDir()) / "in.yaml";
  std::ofstream(file) << yaml;
  std::vector<std::string> args = {"-f", file.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  std::ostringstream out, err;
  const int code = RunRender(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(Render, BadInputPrintsEveryErrorWithItsPathAndExits1) {
  RenderRun r = Render(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata: {name: c}
spec:
  beSpec:
    replicas: three
  feSpec:
    image: fe
    replicas: 2
    electionNumber: 2
)");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: spec.beSpec.replicas: expected integer, got \"three\"\n");
  // Once types are right, semantic problems are all reported together.
  r = Render(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata: {name: c}
spec:
  beSpec: {replicas: -1}
  feSpec: {image: fe, replicas: 2, electionNumber: 2}
)");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "error: spec.feSpec.electionNumber: must be a positive odd number (a quorum needs a "
            "majority), got 2\n"
            "error: spec.beSpec.image: required\n"
            "error: spec.beSpec.replicas: must be >= 0, got -1\n");
}

TEST(Render, QuantitiesAreCheckedAndPrintedAsTheApiServerStoresThem) {
  RenderRun r = Render(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata: {name: c}
spec:
  feSpec:
    image: fe
    limits: {cpu: eight, memory: 16Gi}
)");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: spec.feSpec.limits.cpu: \"eight\" is not a quantity\n");
  r = Render(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata: {name: c}
spec:
  feSpec:
    image: fe
    limits: {cpu: 8, memory: 16384Mi}
    requests: {cpu: "0.5", memory: 1024Mi}
)");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("limits:\n            cpu: \"8\"\n            memory: 16Gi\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("requests:\n            cpu: 500m\n            memory: 1Gi\n"),
            std::string::npos)
      << r.out;
}

TEST(Render, WarningsGoToStderrAndRenderingContinues) {
  RenderRun r = Render(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata: {name: c}
spec:
  feSpec: {image: fe, replicas: 1, replica: 3, configMapInfo: {configMapName: fe-cm}}
)");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.err.find("warning: spec.feSpec.replica: unknown field"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("warning: spec.feSpec.configMapInfo: ConfigMap \"fe-cm\" was not found"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("name: c-fe\n"), std::string::npos);
}

TEST(Render, ConfigMapFlagSuppliesTheCoreConfig) {
  const fs::path conf = fs::path(::testing::TempDir()) / "fe.conf";
  std::ofstream(conf) << "query_port = 19999\n";
  RenderRun r = Render(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata: {name: c}
spec:
  feSpec: {image: fe, replicas: 1, configMapInfo: {configMapName: fe-cm}}
)",
                 {"--configmap", "fe.conf=" + conf.string(), "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("19999"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(r.out)["kind"], "List");
}

TEST(Render, UsageAndUnreadableInput) {
  std::ostringstream out, err;
  EXPECT_EQ(RunRender({}, out, err), 2);
  EXPECT_EQ(RunRender({"-f", "/nonexistent/x.yaml"}, out, err), 1);
  EXPECT_EQ(RunRender({"-f", "x", "-o", "xml"}, out, err), 2);
  EXPECT_EQ(Render("kind: ConfigMap\n").code, 1);
  EXPECT_EQ(Render("a: [unclosed\n").code, 1);
}

// Found by tests/fuzz/doris_cluster_fuzzer: a ConfigMap without
// metadata (or with a metadata that is not an object) aborted render.
TEST(Render, AConfigMapWithoutANameIsAnError) {
  for (const char* meta : {"", "metadata: 7\n", "metadata: {namespace: x}\n", "metadata: {name: [a]}\n"}) {
    RenderRun r = Render(std::string("apiVersion: v1\nkind: ConfigMap\n") + meta +
                         "data: {fe.conf: x}\n---\n"
                         "apiVersion: doris.selectdb.com/v1\nkind: DorisCluster\nmetadata: {name: c}\n"
                         "spec: {feSpec: {image: fe, replicas: 1}}\n");
    EXPECT_EQ(r.code, 1) << meta;
    EXPECT_NE(r.err.find("a ConfigMap has no metadata.name"), std::string::npos) << r.err;
  }
}

// Found by tests/fuzz/doris_cluster_fuzzer: invalid UTF-8 reached the
// model's strings, which the proto wire format and JSON cannot carry.
TEST(YamlJson, InvalidUtf8IsAnErrorNamingTheByte) {
  for (const std::string bad : {std::string("a: \xe3" "b\n"), std::string("a: \xc0\xaf" "x\n"),
                                std::string("a: \xed\xa0\x80\n"), std::string("a: \xf0\x9f\n")}) {
    auto docs = ParseYamlDocuments(bad);
    ASSERT_FALSE(docs.ok()) << bad;
    EXPECT_EQ(docs.status().message(), "invalid YAML: not UTF-8 (byte 3 starts no valid character)");
  }
  auto ok = ParseYamlDocuments("a: \"Asia/Shanghai \xe4\xb8\x8a\xe6\xb5\xb7 \xf0\x9f\x90\xac\"\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[0]["a"], "Asia/Shanghai \xe4\xb8\x8a\xe6\xb5\xb7 \xf0\x9f\x90\xac");
}

TEST(YamlJson, ScalarsFollowKubernetesRulesAndOutputReadsBack) {
  auto docs = ParseYamlDocuments("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: \"yes\"\ng: 0x1f\n---\nx: y\n");
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 2u);
  const nlohmann::json& d = (*docs)[0];
  EXPECT_EQ(d["a"], 1);
  EXPECT_EQ(d["b"], "1");
  EXPECT_EQ(d["c"], true);
  EXPECT_TRUE(d["d"].is_null());
  EXPECT_EQ(d["e"], 1.5);
  EXPECT_EQ(d["f"], "yes");
  EXPECT_EQ(d["g"], 31);
  // Strings that look like other types are quoted on the way out.
  nlohmann::json tricky = {{"n", "123"}, {"b", "true"}, {"e", ""}, {"c", "a: b"}, {"l", {"-x", "ok"}},
                           {"m", nlohmann::json::object()}, {"v", "$(ENV_FE_ADDR)"}};
  auto back = ParseYamlDocuments(ToYaml(tricky));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)[0], tricky);
}

// ---- DorisDisaggregatedCluster: render dispatches on kind ----

constexpr char kDdc[] = R"(apiVersion: disaggregated.cluster.doris.com/v1
kind: DorisDisaggregatedCluster
metadata: {name: d, namespace: prod}
spec:
  metaService:
    image: ms
    fdb: {configMapNamespaceName: {namespace: fdb-ns, name: fdb-cm}}
  feSpec: {image: fe, replicas: 1, configMaps: [{name: fe-cm}]}
  computeGroups:
  - {uniqueId: cg_1, image: be, replicas: 2}
)";

std::string Kinds(const std::string& yaml_out) {
  auto docs = ParseYamlDocuments(yaml_out);
  EXPECT_TRUE(docs.ok()) << docs.status();
  std::string out;
  for (const auto& d : docs.ok() ? *docs : std::vector<nlohmann::json>{}) {
    out += d["kind"].get<std::string>() + "/" + d["metadata"]["name"].get<std::string>() + " ";
  }
  return out;
}

TEST(RenderDdc, RendersTheDdcWithItsConfigMapsFromTheFile) {
  RenderRun r = Render(std::string(kDdc) + R"(---
apiVersion: v1
kind: ConfigMap
metadata: {namespace: fdb-ns, name: fdb-cm}
data: {cluster-file: "fdb:abc@10.0.0.1:4500"}
---
apiVersion: v1
kind: ConfigMap
metadata: {namespace: prod, name: fe-cm}
data: {fe.conf: "query_port = 19030\n"}
)");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Kinds(r.out),
            "Service/d-ms StatefulSet/d-ms Service/d-fe-internal Service/d-fe StatefulSet/d-fe "
            "Service/d-cg-1 Service/d-cg-1-external StatefulSet/d-cg-1 ");
  EXPECT_NE(r.out.find("- name: FDB_ENDPOINT\n          value: fdb:abc@10.0.0.1:4500\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("- name: FE_QUERY_PORT\n          value: \"19030\"\n"), std::string::npos);
  EXPECT_NE(r.out.find("- name: COMPUTE_GROUP_NAME\n          value: cg_1\n"), std::string::npos);
}

TEST(RenderDdc, AMissingFdbConfigMapIsAWarningNamingWhatIsNeeded) {
  RenderRun r = Render(kDdc, {"-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err,
            "warning: spec.feSpec.configMaps[0].name: ConfigMap \"fe-cm\" was not found; using "
            "defaults\n"
            "warning: spec.metaService.fdb.configMapNamespaceName: ConfigMap fdb-ns/fdb-cm (key "
            "cluster-file) was not read; the meta service gets no FDB_ENDPOINT\n");
  const nlohmann::json list = nlohmann::json::parse(r.out);
  EXPECT_EQ(list["kind"], "List");
  EXPECT_EQ(list["items"].size(), 8u);
  EXPECT_EQ(r.out.find("FDB_ENDPOINT"), std::string::npos);
}

TEST(RenderDdc, ConfigMapFlagSuppliesAComponentsConfigFile) {
  const fs::path conf = fs::path(::testing::TempDir()) / "fe.conf";
  std::ofstream(conf) << "query_port = 19999\n";
  RenderRun r = Render(kDdc, {"--configmap", "fe.conf=" + conf.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("fe-cm"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("value: \"19999\""), std::string::npos);
  r = Render(kDdc, {"--configmap", "be.conf=" + conf.string()});
  EXPECT_NE(r.err.find("warning: --configmap be.conf is not the config file of any component"),
            std::string::npos)
      << r.err;
}

TEST(RenderDdc, InvalidDdcPrintsEveryErrorWithItsPathAndExits1) {
  RenderRun r = Render(R"(apiVersion: disaggregated.cluster.doris.com/v1
kind: DorisDisaggregatedCluster
metadata: {name: d}
spec:
  metaService: {image: ms}
  feSpec: {image: fe}
  computeGroups:
  - {uniqueId: cg1, image: be}
  - {uniqueId: cg1, image: be, replicas: three}
)");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: spec.computeGroups[1].replicas: expected integer, got \"three\"\n");
  r = Render(R"(apiVersion: disaggregated.cluster.doris.com/v1
kind: DorisDisaggregatedCluster
metadata: {name: d}
spec:
  metaService: {image: ms}
  feSpec: {image: fe}
  computeGroups:
  - {uniqueId: cg1, image: be}
  - {uniqueId: cg1, image: be}
)");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: spec.metaService.fdb: required: set address (the fdb.cluster string) or "
            "configMapNamespaceName (the ConfigMap holding cluster-file)\n"
            "error: spec.computeGroups[1].uniqueId: \"cg1\" is already the uniqueId of "
            "spec.computeGroups[0]\n");
}

TEST(RenderDdc, OneClusterAFile) {
  RenderRun r = Render(std::string(kDdc) + "---\n" + kDdc);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("holds more than one DorisDisaggregatedCluster"), std::string::npos);
  r = Render(std::string(kDdc) +
             "---\napiVersion: doris.selectdb.com/v1\nkind: DorisCluster\nmetadata: {name: c}\n"
             "spec: {feSpec: {image: fe, replicas: 1}}\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("holds a DorisCluster and a DorisDisaggregatedCluster"), std::string::npos);
  r = Render("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no DorisCluster or DorisDisaggregatedCluster in the file"),
            std::string::npos);
}

}  // namespace
}  // namespace doris_operator::dorisctl
