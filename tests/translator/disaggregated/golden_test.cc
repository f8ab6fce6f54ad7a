// Renders every DorisDisaggregatedCluster sample in deploy/samples/disaggregated
// and compares it with its golden file in golden/. The sample list is the
// directory: a new sample is rendered (and fails until it has a golden)
// without anyone adding it to a list. Regenerate after an intended change with:
//   bazel run //tests/translator/disaggregated:golden_test -- --update_goldens
// and review the diff like any code change.

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "tests/translator/render_testing.h"
#include "tools/dorisctl/render_command.h"
#include "tools/dorisctl/yaml_json.h"

namespace doris_operator::dorisctl {
namespace {

namespace fs = std::filesystem;
using translator::testing::ReadFile;
using translator::testing::SampleTestName;
using nlohmann::json;

bool g_update = false;

const fs::path kSamples = "deploy/samples/disaggregated";
const fs::path kGoldens = "tests/translator/disaggregated/golden";
constexpr std::string_view kGolden = ".golden.yaml";
// What fdb-kubernetes-operator would have written under `cluster-file`.
constexpr char kFixtureClusterFile[] = "fixture_fdb:Fixture0@fdb-0.fdb-cluster:4500";

std::vector<std::string> Samples() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kSamples)) {
    if (e.path().extension() == ".yaml") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The ddc document of a sample file.
json Ddc(const std::string& text) {
  absl::StatusOr<std::vector<json>> docs = ParseYamlDocuments(text);
  EXPECT_TRUE(docs.ok()) << docs.status();
  if (!docs.ok()) return json();
  for (const json& d : *docs) {
    if (d.is_object() && d.value("kind", "") == "DorisDisaggregatedCluster") return d;
  }
  ADD_FAILURE() << "no DorisDisaggregatedCluster in the sample";
  return json();
}

// The FDB ConfigMap a sample names (metaService.fdb.configMapNamespaceName,
// no address), as namespace/name; empty when it names none.
std::string FdbRef(const json& ddc) {
  const json fdb = ddc.value(json::json_pointer("/spec/metaService/fdb"), json::object());
  if (!fdb.value("address", "").empty() || !fdb.contains("configMapNamespaceName")) return "";
  const json& ref = fdb["configMapNamespaceName"];
  return ref.value("namespace", "") + "/" + ref.value("name", "");
}

// The sample plus, when it names one, the FDB ConfigMap with `cluster-file`:
// the goldens show the meta service as it runs once FoundationDB is there.
std::string WithFdbConfigMap(const std::string& text) {
  const std::string ref = FdbRef(Ddc(text));
  if (ref.empty()) return text;
  const size_t slash = ref.find('/');
  return text + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: " +
         ref.substr(0, slash) + "\n  name: " + ref.substr(slash + 1) +
         "\ndata:\n  cluster-file: \"" + kFixtureClusterFile + "\"\n";
}

struct RenderRun {
  int code;
  std::string out, err;
};

RenderRun RenderText(const std::string& name, const std::string& text) {
  const fs::path file = fs::path(::testing::TempDir()) / (name + ".yaml");
  std::ofstream(file, std::ios::binary) << text;
  std::ostringstream out, err;
  const int code = RunRender({"-f", file.string()}, out, err);
  return {code, out.str(), err.str()};
}

TEST(GoldenFiles, ThereAreSamples) { EXPECT_GE(Samples().size(), 3u); }

// A golden without its sample tests nothing and hides that the sample went.
TEST(GoldenFiles, EveryGoldenHasItsSample) {
  for (const auto& e : fs::directory_iterator(kGoldens)) {
    const std::string name = e.path().filename().string();
    ASSERT_GT(name.size(), kGolden.size()) << e.path();
    ASSERT_EQ(name.substr(name.size() - kGolden.size()), kGolden) << e.path() << " is not a golden";
    const fs::path input = kSamples / (name.substr(0, name.size() - kGolden.size()) + ".yaml");
    EXPECT_TRUE(fs::exists(input)) << e.path() << " has no sample " << input << "; delete it";
  }
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, RenderMatchesGolden) {
  const fs::path input = kSamples / (GetParam() + ".yaml");
  const fs::path golden = kGoldens / (GetParam() + std::string(kGolden));
  const RenderRun r = RenderText(GetParam(), WithFdbConfigMap(ReadFile(input)));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "rendering a sample (with its FDB ConfigMap) should produce no warnings";
  if (g_update) {
    const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    ASSERT_NE(ws, nullptr) << "--update_goldens works under `bazel run` only";
    std::ofstream(fs::path(ws) / golden, std::ios::binary) << r.out;
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with --update_goldens";
  EXPECT_EQ(r.out, ReadFile(golden)) << "rendering of " << input << " changed; if intended, "
                                 << "regenerate with --update_goldens and review the diff";
}

// A sample rendered alone, without the FDB ConfigMap it names: the
// translation says what it needs (the field, the ConfigMap, the key) and
// renders everything else as in the golden; the meta service has no
// FDB_ENDPOINT (as the reference, which raises FDBAddressNotConfiged).
TEST_P(GoldenTest, WithoutItsFdbConfigMapTheRenderingSaysWhatItNeeds) {
  if (g_update) GTEST_SKIP();
  const std::string text = ReadFile(kSamples / (GetParam() + ".yaml"));
  const json ddc = Ddc(text);
  const std::string ref = FdbRef(ddc);
  const RenderRun r = RenderText(GetParam(), text);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string golden = ReadFile(kGoldens / (GetParam() + std::string(kGolden)));
  if (ref.empty()) {
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, golden);
    return;
  }
  EXPECT_EQ(r.err, "warning: spec.metaService.fdb.configMapNamespaceName: ConfigMap " + ref +
                       " (key cluster-file) was not read; the meta service gets no FDB_ENDPOINT\n");
  EXPECT_EQ(r.out.find("FDB_ENDPOINT"), std::string::npos);
  absl::StatusOr<std::vector<json>> got = ParseYamlDocuments(r.out);
  absl::StatusOr<std::vector<json>> want = ParseYamlDocuments(golden);
  ASSERT_TRUE(got.ok() && want.ok());
  ASSERT_EQ(got->size(), want->size());
  const std::string ms = ddc["metadata"]["name"].get<std::string>() + "-ms";
  int differing = 0;
  for (size_t i = 0; i < got->size(); ++i) {
    const json& g = (*got)[i];
    if (g == (*want)[i]) continue;
    ++differing;
    EXPECT_EQ(g["kind"].get<std::string>() + "/" + g["metadata"]["name"].get<std::string>(),
              "StatefulSet/" + ms)
        << "only the meta service's StatefulSet depends on the FDB ConfigMap";
  }
  EXPECT_EQ(differing, 1);
}

INSTANTIATE_TEST_SUITE_P(Samples, GoldenTest, ::testing::ValuesIn(Samples()),
                         [](const auto& info) { return SampleTestName(info.param); });

}  // namespace
}  // namespace doris_operator::dorisctl

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--update_goldens") doris_operator::dorisctl::g_update = true;
  }
  return RUN_ALL_TESTS();
}
