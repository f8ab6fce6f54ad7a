#include "translator/json_writer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "translator/canonical_json.h"

namespace doris_operator::translator {
namespace {

using nlohmann::json;

TEST(JsonWriter, SortedKeysGiveCanonicalBytesWithoutReordering) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("a", "x");
  w.Key("b");
  w.BeginArray();
  w.Int(-3);
  w.Int(0);
  w.Bool(true);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Key("c");
  w.Raw(R"({"k":1})");
  w.Field("d", "q\"uote\\ h\u00e9llo \n");
  w.EndObject();
  const json expected = {{"a", "x"},
                         {"b", {-3, 0, true, nullptr, json::object(), json::array()}},
                         {"c", {{"k", 1}}},
                         {"d", "q\"uote\\ h\u00e9llo \n"}};
  EXPECT_EQ(out, Canonical(expected));
  EXPECT_EQ(w.reorders(), 0);
}

TEST(JsonWriter, UnsortedMembersAreSortedAndTheLastOfEqualKeysWins) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  w.Int(1);
  w.BeginObject();
  w.Field("z", 1);
  w.Key("m");
  w.BeginObject();  // nested members move with their parent member
  w.Field("y", 2);
  w.Field("b", 3);
  w.EndObject();
  w.Field("a", "first");
  w.Field("a", "second");
  w.EndObject();
  w.Int(2);
  w.EndArray();
  EXPECT_EQ(out, R"([1,{"a":"second","m":{"b":3,"y":2},"z":1},2])");
  EXPECT_EQ(w.reorders(), 2);
}

TEST(JsonWriter, ValueEmbedsATreeCanonically) {
  std::string out;
  JsonWriter w(&out);
  const json v = json::parse(R"({"b":[1.5,-0.0,1e300],"a":"\u0001"})");
  w.BeginObject();
  w.Key("v");
  w.Value(v);
  w.EndObject();
  EXPECT_EQ(out, "{\"v\":" + Canonical(v) + "}");
}

TEST(CanonicalString, EveryAsciiByteEscapedLikeNlohmann) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string s = std::string("a") + static_cast<char>(c) + "b";
    std::string out;
    AppendCanonicalString(s, &out);
    EXPECT_EQ(out, json(s).dump(-1, ' ', false, json::error_handler_t::replace)) << c;
  }
  std::string out;
  AppendCanonicalString("\xff invalid \xc3\xa9 valid", &out);
  const std::string expected =
      json("\xff invalid \xc3\xa9 valid").dump(-1, ' ', false, json::error_handler_t::replace);
  EXPECT_EQ(out, expected);
}

TEST(IsCanonical, AcceptsOnlyTextThatCanonicalWouldReproduce) {
  const std::vector<std::string> yes = {
      "{}", "[]", "0", "-1", "123456789012345678", "true", "null", R"("a b/c")",
      R"({"a":1,"b":[{"c":"d"},[],{}],"c":null})", R"([false,-7,"x"])"};
  for (const std::string& t : yes) {
    EXPECT_TRUE(IsCanonical(t)) << t;
    EXPECT_EQ(*Canonicalize(t), t) << t;
  }
  const std::vector<std::string> no = {
      "", " {}", "{} ", R"({"a": 1})", R"({"b":1,"a":2})", R"({"a":1,"a":2})", "1.5", "1e3",
      "-0", "01", "1234567890123456789", R"("\n")", "\"h\xc3\xa9\"", "\"\x7f\"", "[1,]", "{",
      R"({"a"})", "tru", "nul", "[1 2]", "{\"a\":1}x"};
  for (const std::string& t : no) EXPECT_FALSE(IsCanonical(t)) << t;
  // Deep nesting is left to the parser rather than recursed into.
  EXPECT_FALSE(IsCanonical(std::string(100, '[') + std::string(100, ']')));
}

}  // namespace
}  // namespace doris_operator::translator
