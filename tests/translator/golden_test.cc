// Renders every sample in testdata/ and compares with its golden file.
// Regenerate after an intended change with:
//   bazel run //tests/translator:golden_test -- --update_goldens
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

namespace doris_operator::dorisctl {
namespace {

namespace fs = std::filesystem;
using translator::testing::ReadFile;
using translator::testing::SampleTestName;

bool g_update = false;

const fs::path kDir = "tests/translator/testdata";
constexpr std::string_view kGolden = ".golden.yaml";

bool IsGolden(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.size() > kGolden.size() && name.compare(name.size() - kGolden.size(), kGolden.size(), kGolden) == 0;
}

// Every sample in testdata/, by name: a new sample is rendered (and fails
// until it has a golden) without anyone adding it to a list.
std::vector<std::string> Samples() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (e.path().extension() == ".yaml" && !IsGolden(e.path())) out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GoldenFiles, ThereAreSamples) { EXPECT_GE(Samples().size(), 10u); }

// A golden without its sample tests nothing and hides that the sample went.
TEST(GoldenFiles, EveryGoldenHasItsSample) {
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (!IsGolden(e.path())) continue;
    const std::string name = e.path().filename().string();
    const fs::path input = kDir / (name.substr(0, name.size() - kGolden.size()) + ".yaml");
    EXPECT_TRUE(fs::exists(input)) << e.path() << " has no sample " << input << "; delete it";
  }
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, RenderMatchesGolden) {
  const fs::path input = kDir / (GetParam() + ".yaml");
  const fs::path golden = kDir / (GetParam() + std::string(kGolden));
  std::ostringstream out, err;
  ASSERT_EQ(RunRender({"-f", input.string()}, out, err), 0) << err.str();
  EXPECT_EQ(err.str(), "") << "rendering a sample should produce no warnings";
  if (g_update) {
    const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    ASSERT_NE(ws, nullptr) << "--update_goldens works under `bazel run` only";
    std::ofstream(fs::path(ws) / golden, std::ios::binary) << out.str();
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with --update_goldens";
  EXPECT_EQ(out.str(), ReadFile(golden)) << "rendering of " << input << " changed; if intended, "
                                     << "regenerate with --update_goldens and review the diff";
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
