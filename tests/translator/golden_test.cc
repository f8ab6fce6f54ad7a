// Renders every sample in testdata/ and compares with its golden file.
// Regenerate after an intended change with:
//   bazel run //tests/translator:golden_test -- --update_goldens
// and review the diff like any code change.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tools/dorisctl/render_command.h"

namespace doris_operator::dorisctl {
namespace {

namespace fs = std::filesystem;

bool g_update = false;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, RenderMatchesGolden) {
  const fs::path dir = "tests/translator/testdata";
  const fs::path input = dir / (GetParam() + ".yaml");
  const fs::path golden = dir / (GetParam() + ".golden.yaml");
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
  EXPECT_EQ(out.str(), Read(golden)) << "rendering of " << input << " changed; if intended, "
                                     << "regenerate with --update_goldens and review the diff";
}

INSTANTIATE_TEST_SUITE_P(Samples, GoldenTest,
                         ::testing::Values("minimal", "configmap-ports", "storage", "system-init",
                                           "fe-observers", "broker", "compute-nodes",
                                           "cn-autoscaler", "secrets", "auth-secret",
                                           "debug-mode", "service-types", "quantities"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace doris_operator::dorisctl

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--update_goldens") doris_operator::dorisctl::g_update = true;
  }
  return RUN_ALL_TESTS();
}
