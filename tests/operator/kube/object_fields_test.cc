#include "operator/kube/object_fields.h"

#include "gtest/gtest.h"

namespace doris_operator::kube {
namespace {

using Json = nlohmann::json;

TEST(ObjectFields, ReadsNestedFields) {
  const Json pod = Json::parse(R"({"metadata":{"name":"c-be-0","labels":{"app":"x","n":1}},
      "spec":{"replicas":3,"paused":true}})");
  EXPECT_EQ(StringAt(pod, {"metadata", "name"}), "c-be-0");
  EXPECT_EQ(IntAt(pod, {"spec", "replicas"}), 3);
  EXPECT_TRUE(BoolAt(pod, {"spec", "paused"}));
  ASSERT_NE(LabelOf(pod, "app"), nullptr);
  EXPECT_EQ(*LabelOf(pod, "app"), "x");
  EXPECT_TRUE(FieldAt(pod, {"metadata", "labels"}).is_object());
}

TEST(ObjectFields, MissingOrMistypedFieldsReadAsDefaults) {
  const Json odd = Json::parse(R"({"metadata":"not an object","spec":{"replicas":"3","paused":1},
      "list":[1,2]})");
  EXPECT_TRUE(FieldAt(odd, {"metadata", "name"}).is_null());
  EXPECT_TRUE(FieldAt(odd, {"list", "0"}).is_null());
  EXPECT_EQ(StringAt(odd, {"metadata", "name"}), "");
  EXPECT_EQ(IntAt(odd, {"spec", "replicas"}, -1), -1);
  EXPECT_EQ(IntAt(odd, {"absent"}), 0);
  EXPECT_FALSE(BoolAt(odd, {"spec", "paused"}));
  EXPECT_EQ(LabelOf(odd, "app"), nullptr);
  EXPECT_EQ(LabelOf(Json::parse(R"({"metadata":{"labels":{"n":1}}})"), "n"), nullptr);
  EXPECT_EQ(StringAt(Json(), {"a"}), "");
  EXPECT_EQ(StringAt(Json("text"), {}), "text");
}

}  // namespace
}  // namespace doris_operator::kube
