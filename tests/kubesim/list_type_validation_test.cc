// x-kubernetes-list-type set/map uniqueness of custom resources, with the
// API server's paths and words (apiextensions-apiserver
// pkg/apiserver/schema/listtype/validation.go).
#include "tools/kubesim/list_type_validation.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace doris_operator::kubesim {
namespace {

using Json = nlohmann::json;

std::vector<std::string> Errors(const Json& schema, const Json& value) {
  std::vector<std::string> out;
  for (const FieldError& e : ValidateListSetsAndMaps(schema, value, "")) {
    EXPECT_TRUE(e.reason == "FieldValueDuplicate" || e.reason == "FieldValueInvalid") << e.reason;
    out.push_back(e.ToString());
  }
  return out;
}

const Json kSchema = Json::parse(R"({
  "type": "object",
  "properties": {
    "spec": {
      "type": "object",
      "properties": {
        "groups": {
          "type": "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["uniqueId"],
          "items": {
            "type": "object",
            "properties": {
              "uniqueId": {"type": "string"},
              "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}
            }
          }
        },
        "ports": {
          "type": "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["port", "protocol"],
          "items": {"type": "object"}
        },
        "plain": {"type": "array", "items": {"type": "string"}},
        "byName": {
          "type": "object",
          "additionalProperties": {"type": "array", "x-kubernetes-list-type": "set"}
        }
      }
    }
  }
})");

TEST(ListTypeValidation, UniqueListsPass) {
  EXPECT_EQ(Errors(kSchema, Json::parse(R"({"spec": {
      "groups": [{"uniqueId": "a", "tags": ["x", "y"]}, {"uniqueId": "b"}],
      "ports": [{"port": 80, "protocol": "TCP"}, {"port": 80, "protocol": "UDP"}],
      "plain": ["x", "x"]}})")),
            std::vector<std::string>{});
}

TEST(ListTypeValidation, MapKeyRepeatedOnceReportedOnce) {
  // The third "a" is not reported again, as the API server does.
  EXPECT_EQ(Errors(kSchema, Json::parse(R"({"spec": {"groups": [
      {"uniqueId": "a"}, {"uniqueId": "b"}, {"uniqueId": "a"}, {"uniqueId": "a"}]}})")),
            std::vector<std::string>{
                R"(spec.groups[2]: Duplicate value: map[string]interface {}{"uniqueId":"a"})"});
}

TEST(ListTypeValidation, MissingKeysAndCompoundKeys) {
  EXPECT_EQ(Errors(kSchema, Json::parse(R"({"spec": {
      "groups": [{}, {"tags": []}],
      "ports": [{"port": 80, "protocol": "TCP"}, {"protocol": "TCP", "port": 80}]}})")),
            (std::vector<std::string>{
                R"(spec.groups[1]: Duplicate value: map[string]interface {}{})",
                R"(spec.ports[1]: Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"})"}));
}

TEST(ListTypeValidation, SetsInsideItemsAndMapValues) {
  EXPECT_EQ(Errors(kSchema, Json::parse(R"({"spec": {
      "groups": [{"uniqueId": "a", "tags": ["x", "y", "x"]}],
      "byName": {"k": [1, 2, 2], "j": [{"a": 1}, {"a": 1}]}}})")),
            (std::vector<std::string>{
                R"(spec.byName[j][1]: Duplicate value: map[string]interface {}{"a":1})",
                "spec.byName[k][2]: Duplicate value: 2",
                R"(spec.groups[0].tags[2]: Duplicate value: "x")"}));
}

TEST(ListTypeValidation, MapItemsMustBeObjects) {
  EXPECT_EQ(Errors(kSchema, Json::parse(R"({"spec": {"groups": [{"uniqueId": "a"}, "b"]}})")),
            std::vector<std::string>{
                R"(spec.groups[1]: Invalid value: "b": must be an object for an array of list-type map)"});
}

}  // namespace
}  // namespace doris_operator::kubesim
