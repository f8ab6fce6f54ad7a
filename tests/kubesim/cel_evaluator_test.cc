// kubesim's CEL evaluator child: when it cannot run, the error says how it
// ended and where to look, instead of a bare "Broken pipe".

#include "tools/kubesim/cel_evaluator.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace doris_operator::kubesim {
namespace {

std::shared_ptr<const nlohmann::json> SchemaWithARule() {
  return std::make_shared<const nlohmann::json>(nlohmann::json::parse(R"j({
    "type": "object",
    "properties": {"spec": {"type": "object",
      "x-kubernetes-validations": [{"rule": "has(self.a)", "message": "a is required"}]}}})j"));
}

TEST(CelEvaluator, AChildThatCannotRunIsReportedWithHowItEnded) {
  // What a checkout without its npm modules does: node exits at the import.
  const std::string script = std::string(std::getenv("TEST_TMPDIR")) + "/exits.mjs";
  std::ofstream(script) << "process.exit(3);\n";
  CelEvaluator cel({"node", script});
  const auto schema = SchemaWithARule();
  ASSERT_TRUE(cel.HasRules(schema));
  const auto result = cel.Validate(schema, nlohmann::json::parse(R"({"spec": {}})"));
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  const std::string& error = std::get<std::string>(result);
  EXPECT_NE(error.find("ended with exit status 3"), std::string::npos) << error;
  EXPECT_NE(error.find("kubesim's log"), std::string::npos) << error;
  EXPECT_NE(error.find("tools/bootstrap"), std::string::npos) << error;
}

TEST(CelEvaluator, AMissingScriptSaysToRunBootstrap) {
  CelEvaluator cel({"node", "/nonexistent/cel_server.mjs"});
  const auto schema = SchemaWithARule();
  const auto result = cel.Validate(schema, nlohmann::json::parse(R"({"spec": {}})"));
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  EXPECT_NE(std::get<std::string>(result).find("run tools/bootstrap"), std::string::npos);
}

}  // namespace
}  // namespace doris_operator::kubesim
