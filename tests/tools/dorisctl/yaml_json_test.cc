// dorisctl's YAML reader on hostile documents: alias expansion and nesting
// are bounded, with errors that name the limit.

#include "tools/dorisctl/yaml_json.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace doris_operator::dorisctl {
namespace {

// Nine levels of ten aliases each: 10^9 strings once expanded.
std::string BillionLaughs() {
  std::string doc = "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (int level = 1; level <= 9; ++level) {
    absl::StrAppend(&doc, "a", level, ": &a", level, " [");
    for (int i = 0; i < 10; ++i) absl::StrAppend(&doc, i ? "," : "", "*a", level - 1);
    absl::StrAppend(&doc, "]\n");
  }
  return doc;
}

TEST(YamlJsonTest, BillionLaughsIsRefusedNamingTheLimit) {
  auto docs = ParseYamlDocuments(BillionLaughs());
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(docs.status().message().find("excessive aliasing"), std::string::npos)
      << docs.status();
  EXPECT_NE(docs.status().message().find("limit of 99%"), std::string::npos) << docs.status();
}

TEST(YamlJsonTest, OrdinaryAliasesStillWork) {
  auto docs = ParseYamlDocuments(
      "base: &labels {app: doris, tier: fe}\n"
      "fe: {labels: *labels}\n"
      "be: {labels: *labels}\n");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0]["be"]["labels"]["app"], "doris");
  EXPECT_EQ((*docs)[0]["fe"]["labels"], (*docs)[0]["base"]);
}

TEST(YamlJsonTest, NestingDeeperThanTheLimitIsRefused) {
  // yaml-cpp stops at 500 levels with "bad file"; the error says why.
  const std::string deep = std::string(600, '[') + std::string(600, ']');
  auto docs = ParseYamlDocuments(deep);
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.status().message().find("nests deeper than the reader's limit of 500 levels"),
            std::string::npos)
      << docs.status();
  const std::string fine = std::string(100, '[') + std::string(100, ']');
  EXPECT_TRUE(ParseYamlDocuments(fine).ok());
}

}  // namespace
}  // namespace doris_operator::dorisctl
