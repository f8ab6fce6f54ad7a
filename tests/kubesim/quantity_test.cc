#include "tools/kubesim/quantity.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace doris_operator::kubesim {
namespace {

std::string Canon(const std::string& in) {
  absl::StatusOr<std::string> out = CanonicalQuantity(absl::string_view(in));
  return out.ok() ? *out : "ERROR: " + std::string(out.status().message());
}

// apimachinery quantity_test.go TestQuantityString: each canonical form
// parses back to itself, and the alternate spelling is re-emitted in it.
TEST(QuantityTest, CanonicalFormsAndAlternatesFromApimachinery) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"1Gi", "1024Mi"},     {"300Mi", "307200Ki"}, {"6Ki", ""},
      {"1001Gi", "1025024Mi"}, {"1Ti", "1024Gi"},   {"5", "5000m"},
      {"500m", "0.5"},       {"1G", "1000M"},       {"1G", "0.001T"},
      {"1m", "1000u"},       {"80m", ""},           {"1080m", "1.08"},
      {"1080m", "1080000000n"}, {"300M", ""},       {"1T", ""},
      {"1234567M", ""},      {"1234567m", ""},      {"3k", ""},
      {"1025", ""},          {"0", ""},             {"1e9", ".001e12"},
      {"1e-3", "0.001e0"},   {"1e-9", "1000e-12"},  {"80e-3", ""},
      {"300e6", ""},         {"1e12", ""},          {"1e3", ""},
      {"3e3", ""},           {"0", "00"},           {"1n", ""},
      {"80n", ""},           {"1080n", ""},         {"1u", ""},
      {"80u", ""},           {"1080u", ""},
  };
  for (const auto& [canonical, alternate] : table) {
    EXPECT_EQ(Canon(canonical), canonical);
    if (!alternate.empty()) EXPECT_EQ(Canon(alternate), canonical) << alternate;
    if (canonical != "0") EXPECT_EQ(Canon("-" + canonical), "-" + canonical);
  }
}

// quantity_test.go TestQuantityParseEmit.
TEST(QuantityTest, ParseEmit) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"1Ki", "1Ki"},   {"1Mi", "1Mi"},         {"1Gi", "1Gi"},           {"1024Mi", "1Gi"},
      {"1000M", "1G"}, {".001Ki", "1024m"},    {".000001Ki", "1024u"},
      {".000000001Ki", "1024n"},               {".000000000001Ki", "2n"},
  };
  for (const auto& [in, want] : table) {
    EXPECT_EQ(Canon(in), want) << in;
    EXPECT_EQ(Canon("-" + in), "-" + want) << in;
  }
}

// Values from quantity_test.go TestQuantityParse (rounding, saturation,
// fractional binary) and the examples a real API server returns.
TEST(QuantityTest, RoundingSaturationAndServerExamples) {
  EXPECT_EQ(Canon("8"), "8");
  EXPECT_EQ(Canon("0.5"), "500m");
  EXPECT_EQ(Canon("2000m"), "2");
  EXPECT_EQ(Canon("1000"), "1k");  // YAML 1e3 reaches the server as 1000
  EXPECT_EQ(Canon("1.5Gi"), "1536Mi");
  EXPECT_EQ(Canon("50k"), "50k");
  EXPECT_EQ(Canon("100.035k"), "100.035k");  // the int64 path keeps the input
  EXPECT_EQ(Canon("3.001n"), "4n");
  EXPECT_EQ(Canon("1.1E-9"), "2e-9");
  EXPECT_EQ(Canon("0.0000000001"), "1n");
  EXPECT_EQ(Canon("0.00000012345"), "124n");
  EXPECT_EQ(Canon("9Ei"), "9223372036854775807");  // capped at 2^63-1
  EXPECT_EQ(Canon("100.035Ki"), "102435840m");
  EXPECT_EQ(Canon("0.5Mi"), "512Ki");
  EXPECT_EQ(Canon("0.000000000001Ki"), "2n");
  EXPECT_EQ(Canon("1.2e3"), "1200");
  EXPECT_EQ(Canon("1.3E+6"), "1300e3");
  EXPECT_EQ(Canon("12E"), "12E");
  EXPECT_EQ(Canon("0m"), "0");
  EXPECT_EQ(Canon("0Ki"), "0");
  // An already canonical input is kept as written, sign and zeros included.
  EXPECT_EQ(Canon("+8"), "+8");
  EXPECT_EQ(Canon("1."), "1.");
}

// quantity_test.go's invalid inputs, with the decoder's message.
TEST(QuantityTest, MalformedQuantitiesGetApimachinerysMessage) {
  const std::string regex =
      "ERROR: quantities must match the regular expression "
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  for (const std::string& bad : {"", "eight", "1.1.M", "1+1.0M", "0.1am", "aoeu", " 1", "1 "}) {
    EXPECT_EQ(Canon(bad), regex) << bad;
  }
  for (const std::string& bad : {"0.1mi", ".5i", "1i", "-3.01i", "-3.01e-", "8KK"}) {
    EXPECT_EQ(Canon(bad), "ERROR: unable to parse quantity's suffix") << bad;
  }
}

TEST(QuantityTest, JsonValuesAreReadAsGoReadsThem) {
  EXPECT_EQ(*CanonicalQuantityValue(nlohmann::json(8)), "8");
  EXPECT_EQ(*CanonicalQuantityValue(nlohmann::json(0.5)), "500m");
  EXPECT_EQ(*CanonicalQuantityValue(nlohmann::json(" 1 ")), "1");
  EXPECT_EQ(*CanonicalQuantityValue(nlohmann::json()), "0");
  EXPECT_FALSE(CanonicalQuantityValue(nlohmann::json(true)).ok());
  EXPECT_FALSE(CanonicalQuantityValue(nlohmann::json::object()).ok());
}

}  // namespace
}  // namespace doris_operator::kubesim
