// Every object the translator's golden files hold (tests/translator/testdata,
// the rendered output for each sample) must be one kube-apiserver accepts
// under kubectl's default fieldValidation=Strict: kubesim's decoder and
// validation of built-in kinds, run on the files alone (kubesim shares no
// code with the translator).

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tools/dorisctl/yaml_json.h"
#include "tools/kubesim/builtin_validation.h"

namespace doris_operator::kubesim {
namespace {

namespace fs = std::filesystem;

fs::path TestData() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return fs::path(srcdir ? srcdir : ".") / (workspace ? workspace : "doris_operator") /
         "tests/translator/testdata";
}

std::vector<Json> ReadDocuments(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  auto docs = dorisctl::ParseYamlDocuments(text.str());
  EXPECT_TRUE(docs.ok()) << file << ": " << docs.status();
  return docs.ok() ? *docs : std::vector<Json>{};
}

// What a real API server would refuse in `obj`, one line per problem.
std::vector<std::string> Refusals(Json obj) {
  BuiltinCheck check = CheckBuiltinObject(obj);
  std::vector<std::string> out;
  if (!check.known) out.push_back("no schema for this kind");
  if (!check.type_error.empty()) out.push_back(check.type_error);
  for (const std::string& f : check.unknown_fields) out.push_back(absl::StrCat("unknown field \"", f, "\""));
  for (const FieldError& e : check.errors) out.push_back(e.ToString());
  return out;
}

TEST(TranslatorGoldensTest, EveryRenderedObjectIsAcceptedStrictly) {
  int files = 0, objects = 0;
  for (const auto& entry : fs::directory_iterator(TestData())) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 12 || name.substr(name.size() - 12) != ".golden.yaml") continue;
    ++files;
    for (const Json& obj : ReadDocuments(entry.path())) {
      if (obj.is_null()) continue;
      ++objects;
      const std::vector<std::string> refusals = Refusals(obj);
      EXPECT_TRUE(refusals.empty()) << name << ": " << obj.value("kind", "") << "/"
                                    << obj["metadata"].value("name", "") << ":\n  "
                                    << absl::StrJoin(refusals, "\n  ");
    }
  }
  EXPECT_GE(files, 10) << "the golden files were not found under " << TestData();
  EXPECT_GT(objects, files);
}

// The check above means something only if a misspelled field in a rendered
// object fails it.
TEST(TranslatorGoldensTest, AMisspelledFieldInARenderedStatefulSetIsRefused) {
  Json sts;
  for (const Json& obj : ReadDocuments(TestData() / "minimal.golden.yaml")) {
    if (obj.value("kind", "") == "StatefulSet") sts = obj;
  }
  ASSERT_TRUE(sts.is_object()) << "minimal.golden.yaml renders no StatefulSet";
  ASSERT_TRUE(Refusals(sts).empty());
  Json& container = sts["spec"]["template"]["spec"]["containers"][0];
  container["readinesProbe"] = container.value("readinessProbe", Json{{"tcpSocket", {{"port", 9030}}}});
  container.erase("readinessProbe");
  EXPECT_EQ(Refusals(sts),
            std::vector<std::string>{"unknown field \"spec.template.spec.containers[0].readinesProbe\""});
  // So are a wrong type and a port out of range.
  Json typed = sts;
  typed["spec"]["replicas"] = "3";
  ASSERT_FALSE(Refusals(typed).empty());
  EXPECT_EQ(Refusals(typed)[0],
            "json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32");
  Json port = sts;
  port["spec"]["template"]["spec"]["containers"][0]["ports"] = Json::array({{{"containerPort", 70000}}});
  EXPECT_EQ(Refusals(port),
            (std::vector<std::string>{
                "unknown field \"spec.template.spec.containers[0].readinesProbe\"",
                "spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: "
                "must be between 1 and 65535, inclusive"}));
}

}  // namespace
}  // namespace doris_operator::kubesim
