#include "translator/quantity.h"

#include <string>

#include "gtest/gtest.h"

// Cases from k8s.io/apimachinery/pkg/api/resource/quantity_test.go
// (kubernetes/apimachinery eed236ceee2c19c2753a3d93ac0631dc20750454):
// TestQuantityParseEmit, TestQuantityString, TestParseQuantity (canonical
// column), TestQuantityParse (invalid inputs, rounding and saturation).

namespace doris_operator::translator {
namespace {

std::string Emit(const std::string& in) {
  absl::StatusOr<Quantity> q = Quantity::Parse(in);
  if (!q.ok()) return "error: " + std::string(q.status().message());
  return q->String();
}

struct Case {
  const char* in;
  const char* out;
};

TEST(Quantity, ParseEmit) {
  const Case kTable[] = {
      {"1Ki", "1Ki"},        {"1Mi", "1Mi"},          {"1Gi", "1Gi"},
      {"1024Mi", "1Gi"},     {"1000M", "1G"},         {".001Ki", "1024m"},
      {".000001Ki", "1024u"}, {".000000001Ki", "1024n"}, {".000000000001Ki", "2n"},
  };
  for (const Case& c : kTable) {
    EXPECT_EQ(Emit(c.in), c.out) << c.in;
    EXPECT_EQ(Emit(std::string("-") + c.in), std::string("-") + c.out) << "-" << c.in;
  }
}

// TestQuantityString: the canonical form parses back to itself, and the
// alternate spelling canonicalises to it.
TEST(Quantity, StringAndAlternates) {
  const Case kTable[] = {
      {"1Gi", "1024Mi"},     {"300Mi", "307200Ki"}, {"6Ki", ""},       {"1001Gi", "1025024Mi"},
      {"1Ti", "1024Gi"},     {"5", "5000m"},        {"500m", "0.5"},   {"1G", "1000M"},
      {"1G", "0.001T"},      {"1m", "1000u"},       {"80m", ""},       {"1080m", "1.08"},
      {"1080m", "1080000000n"}, {"300M", ""},       {"1T", ""},        {"1234567M", ""},
      {"1234567m", ""},      {"3k", ""},            {"1025", ""},      {"0", ""},
      {"1e9", ".001e12"},    {"1e-3", "0.001e0"},   {"1e-9", "1000e-12"}, {"80e-3", ""},
      {"300e6", ""},         {"1e12", ""},          {"1e3", ""},       {"3e3", ""},
      {"0", "00"},           {"1n", ""},            {"80n", ""},       {"1080n", ""},
      {"1u", ""},            {"80u", ""},           {"1080u", ""},
  };
  for (const Case& c : kTable) {
    EXPECT_EQ(Emit(c.in), c.in) << c.in;
    if (*c.out != '\0') EXPECT_EQ(Emit(c.out), c.in) << c.out;
    if (std::string(c.in) != "0") {
      EXPECT_EQ(Emit(std::string("-") + c.in), std::string("-") + c.in);
    }
  }
}

// TestParseQuantity: inputs past int64 and their canonical forms (empty:
// the input is already canonical).
TEST(Quantity, BeyondInt64) {
  const Case kTable[] = {
      {"-999999999999999999", ""},
      {"999999999999999999.0", "999999999999999999"},
      {"999999999999999999.1", "999999999999999999100m"},
      {"9999999999999999999", ""},
      {"-1E", ""},
      {"1000000000000000000", "1E"},
      {"-1000000000000000000", "-1E"},
      {"1.0E", "1E"},
      {"9999999999999999999000m", "9999999999999999999"},
      {"-1.0000000000000000001E", "-1000000000000000000100m"},
      {"1.000000000000000001E", "1000000000000000001"},
      {"10E", ""},
      {"10000000000000000000", "10E"},
      {"10000000000000000000000m", "10E"},
      {"-10.0000000000000000001E", "-10000000000000000000100m"},
      {"-9223372036854775809", ""},
      {"9223372036854775807.1", "9223372036854775807100m"},
      {"9223372036854775808000m", "9223372036854775808"},
  };
  for (const Case& c : kTable) {
    EXPECT_EQ(Emit(c.in), *c.out == '\0' ? c.in : c.out) << c.in;
  }
}

// TestQuantityParse: rounding up to 1n, saturation of binary values,
// fractional binary, and the forms written "by trolls".
TEST(Quantity, RoundsAndSaturates) {
  const Case kTable[] = {
      {"3.001n", "4n"},          {"1.1E-9", "2e-9"},
      {"0.0000000001", "1n"},    {"0.0000000005", "1n"},
      {"0.5e-9", "1e-9"},        {"0.9n", "1n"},
      {"0.00000012345", "124n"}, {"0.00000012354", "124n"},
      {"9Ei", "9223372036854775807"}, {"9223372036854775807Ki", "9223372036854775807"},
      {"12E", "12E"},            {"100.035Ki", "102435840m"},
      {"0.5Mi", "512Ki"},        {"0.000000000001Ki", "2n"},
      {".001", "1m"},            {".0001k", "100m"},
      {"50k", "50k"},            {"40T", "40T"},
      {"0.5", "500m"},           {"0.00050k", "500m"},
      {"1.2e3", "1200"},         {"1.3E+6", "1300e3"},
      {"0n", "0"},               {"0Ki", "0"},
      {"3Ei", "3Ei"},            {"7Mi", "7Mi"},
  };
  for (const Case& c : kTable) EXPECT_EQ(Emit(c.in), c.out) << c.in;
}

// Go's int64 fast path keeps the input when its digits look canonical
// (scale a multiple of 3, no trailing "000", no leading zero digit), even
// with a point or a sign in it: the server returns these as written.
TEST(Quantity, KeepsInputsTheFastPathCallsCanonical) {
  for (const char* kept : {"1.", "1.G", "100.035k", "10.035M", "+1", "01", "+1Ki", "1E-3"}) {
    EXPECT_EQ(Emit(kept), kept);
  }
  EXPECT_EQ(Emit("1.0"), "1");     // shifted "10": not kept
  EXPECT_EQ(Emit("0.5e0"), "500e-3");  // DecimalExponent keeps its format
  EXPECT_EQ(Emit("8Ki"), "8Ki");   // 8 & 7 == 0: recomputed, same text
}

TEST(Quantity, RejectsWhatGoRejects) {
  for (const char* bad : {"", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i",
                          "-3.01i", "-3.01e-", " 1", "1 ", "eight", "8 cores"}) {
    EXPECT_FALSE(Quantity::Parse(bad).ok()) << '"' << bad << '"';
  }
}

// What this project relies on: the API server's stored form of the values
// users write in DorisCluster specs.
TEST(Quantity, WhatTheApiServerStores) {
  EXPECT_EQ(*CanonicalQuantity(Json(8)), "8");
  EXPECT_EQ(*CanonicalQuantity(Json(0.5)), "500m");
  EXPECT_EQ(*CanonicalQuantity(Json("1024Mi")), "1Gi");
  EXPECT_EQ(*CanonicalQuantity(Json("2000m")), "2");
  EXPECT_EQ(*CanonicalQuantity(Json("16Gi")), "16Gi");
  EXPECT_EQ(*CanonicalQuantity(Json("1000")), "1k");
  // YAML `1e3` is the float 1000 (kubectl sends 1000): "1k". The string
  // "1e3" is already canonical and is kept as written.
  EXPECT_EQ(*CanonicalQuantity(Json(1000.0)), "1k");
  EXPECT_EQ(*CanonicalQuantity(Json("1e3")), "1e3");
  // Go's UnmarshalJSON trims spaces; Parse keeps an already canonical input.
  EXPECT_EQ(*CanonicalQuantity(Json(" 1 ")), "1");
  EXPECT_EQ(*CanonicalQuantity(Json("+1")), "+1");
  EXPECT_FALSE(CanonicalQuantity(Json(true)).ok());
  EXPECT_FALSE(CanonicalQuantity(Json()).ok());
}

TEST(Quantity, EqualityIsByValue) {
  auto q = [](const char* s) { return *Quantity::Parse(s); };
  EXPECT_EQ(q("1Gi"), q("1073741824"));
  EXPECT_EQ(q("500m"), q("0.5"));
  EXPECT_EQ(q("2"), q("2000m"));
  EXPECT_EQ(q("0"), q("-0Mi"));
  EXPECT_NE(q("1G"), q("1Gi"));
  EXPECT_NE(q("1"), q("-1"));
  EXPECT_TRUE(q("-1").IsNegative());
  EXPECT_FALSE(q("-0").IsNegative());
}

}  // namespace
}  // namespace doris_operator::translator
