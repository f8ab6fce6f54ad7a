#include "translator/quantity.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

// Follows k8s.io/apimachinery/pkg/api/resource: quantity.go (ParseQuantity,
// parseQuantityString, CanonicalizeBytes), suffix.go (the suffix tables) and
// amount.go (AsCanonicalBytes, AsCanonicalBase1024Bytes). Go keeps small
// values in an int64 fast path and the rest in an inf.Dec; the only visible
// difference is that the fast path keeps the input string when it already is
// canonical (so "+1" and "01" come back as written), which is reproduced
// here. Everything else is computed on decimal digit strings.

namespace doris_operator::translator {

namespace {

constexpr char kFormatError[] =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr char kMaxInt64[] = "9223372036854775807";
constexpr int kMaxInt64Factors = 18;  // decimal digits that always fit an int64
constexpr int kNano = -9;             // the smallest scale a quantity keeps

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct Scanned {
  bool positive = true;
  std::string num, denom, suffix;
};

// parseQuantityString: sign, integer digits (leading zeros dropped),
// fraction digits and the suffix, or false when the text is malformed.
bool Scan(std::string_view s, Scanned* out) {
  size_t pos = 0;
  const size_t end = s.size();
  if (pos < end && (s[0] == '-' || s[0] == '+')) {
    out->positive = s[0] != '-';
    ++pos;
  }
  while (pos < end && s[pos] == '0') ++pos;
  if (pos >= end) {
    out->num = "0";
    return true;
  }
  size_t i = pos;
  while (i < end && IsDigit(s[i])) ++i;
  out->num = std::string(s.substr(pos, i - pos));
  if (i >= end) return true;
  pos = i;
  if (out->num.empty()) out->num = "0";
  if (s[pos] == '.') {
    ++pos;
    i = pos;
    while (i < end && IsDigit(s[i])) ++i;
    out->denom = std::string(s.substr(pos, i - pos));
    if (i >= end) return true;
    pos = i;
  }
  const size_t suffix_start = pos;
  i = pos;
  while (i < end && std::string_view("eEinumkKMGTP").find(s[i]) != std::string_view::npos) ++i;
  if (i >= end) {
    out->suffix = std::string(s.substr(suffix_start));
    return true;
  }
  pos = i;
  if (s[pos] == '-' || s[pos] == '+') ++pos;
  for (i = pos; i < end; ++i) {
    if (!IsDigit(s[i])) return false;
  }
  out->suffix = std::string(s.substr(suffix_start));
  return true;
}

struct Suffix {
  int base;      // 10 or 2
  int exponent;  // of the base
  Quantity::Format format;
};

// suffixHandler.interpret.
bool Interpret(const std::string& s, Suffix* out) {
  static const struct {
    const char* text;
    int base, exponent;
  } kTable[] = {{"", 10, 0},   {"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3}, {"k", 10, 3},
                {"M", 10, 6},  {"G", 10, 9},  {"T", 10, 12}, {"P", 10, 15}, {"E", 10, 18},
                {"Ki", 2, 10}, {"Mi", 2, 20}, {"Gi", 2, 30}, {"Ti", 2, 40}, {"Pi", 2, 50},
                {"Ei", 2, 60}};
  for (const auto& e : kTable) {
    if (s == e.text) {
      *out = {e.base, e.exponent,
              e.base == 2 ? Quantity::Format::kBinarySI : Quantity::Format::kDecimalSI};
      return true;
    }
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    int64_t exp = 0;
    std::string_view rest = std::string_view(s).substr(1);
    // strconv.ParseInt accepts a leading '+' too.
    if (!absl::SimpleAtoi(absl::string_view(rest.data(), rest.size()), &exp) || exp < INT32_MIN || exp > INT32_MAX) return false;
    *out = {10, static_cast<int>(exp), Quantity::Format::kDecimalExponent};
    return true;
  }
  return false;
}

std::string StripLeadingZeros(std::string d) {
  const size_t nz = d.find_first_not_of('0');
  return nz == std::string::npos ? std::string() : d.substr(nz);
}

void MulSmall(std::string* d, uint32_t m) {
  uint64_t carry = 0;
  for (size_t i = d->size(); i-- > 0;) {
    const uint64_t v = static_cast<uint64_t>((*d)[i] - '0') * m + carry;
    (*d)[i] = static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  while (carry > 0) {
    d->insert(d->begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
}

void AddOne(std::string* d) {
  for (size_t i = d->size(); i-- > 0;) {
    if ((*d)[i] != '9') {
      ++(*d)[i];
      return;
    }
    (*d)[i] = '0';
  }
  d->insert(d->begin(), '1');
}

// Compares digits*10^exp with the integer `integer` (both non-negative).
int CompareWithInteger(const std::string& digits, int64_t exp, const std::string& integer) {
  if (digits.empty()) return integer.empty() || integer == "0" ? 0 : -1;
  const int64_t int_len = static_cast<int64_t>(digits.size()) + exp;  // digits before the point
  if (int_len != static_cast<int64_t>(integer.size())) {
    return int_len < static_cast<int64_t>(integer.size()) ? -1 : 1;
  }
  // Same number of integer digits: compare digit by digit, padding with zeros.
  for (int64_t i = 0; i < std::max<int64_t>(int_len, static_cast<int64_t>(digits.size())); ++i) {
    const char a = i < static_cast<int64_t>(digits.size()) ? digits[i] : '0';
    const char b = i < int_len ? integer[i] : '0';
    if (a != b) return a < b ? -1 : 1;
  }
  return 0;
}

// Moves trailing zeros into the exponent.
void Normalize(std::string* digits, int64_t* exp) {
  while (!digits->empty() && digits->back() == '0') {
    digits->pop_back();
    ++*exp;
  }
  if (digits->empty()) *exp = 0;
}

// Whether Go's int64 fast path would keep `text` as the canonical string.
bool FastPathKeeps(const Scanned& s, const Suffix& suffix) {
  const std::string shifted = s.num + s.denom;
  if (suffix.format == Quantity::Format::kBinarySI) {
    if (suffix.exponent < 0 || !s.denom.empty()) return false;
    const int precision = 15 - static_cast<int>(s.num.size()) -
                          static_cast<int>(static_cast<float>(suffix.exponent) * 3 / 10) - 1;
    if (precision < 0) return false;
    int64_t value = 0;
    if (!absl::SimpleAtoi(shifted, &value)) return false;
    // int64Multiply(value, 1<<exponent) must not overflow.
    if (value != 0 && value > (INT64_MAX >> suffix.exponent)) return false;
    return suffix.exponent % 10 == 0 && (value & 0x07) != 0;
  }
  const int precision = kMaxInt64Factors - static_cast<int>(s.num.size() + s.denom.size());
  if (precision < 0) return false;
  const int64_t scale = suffix.exponent - static_cast<int64_t>(s.denom.size());
  if (scale < kNano) return false;
  const bool ends_000 = shifted.size() >= 3 && shifted.compare(shifted.size() - 3, 3, "000") == 0;
  return scale % 3 == 0 && !ends_000 && shifted[0] != '0';
}

}  // namespace

absl::StatusOr<Quantity> Quantity::Parse(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError(kFormatError);
  Quantity q;
  if (text == "0") {
    q.kept_ = "0";
    return q;
  }
  Scanned s;
  if (!Scan(text, &s)) return absl::InvalidArgumentError(kFormatError);
  Suffix suffix;
  if (!Interpret(s.suffix, &suffix)) {
    return absl::InvalidArgumentError("unable to parse quantity's suffix");
  }
  q.format_ = suffix.format;
  q.negative_ = !s.positive;
  q.digits_ = StripLeadingZeros(s.num + s.denom);
  q.exponent_ = -static_cast<int64_t>(s.denom.size());
  if (suffix.base == 10) {
    q.exponent_ += suffix.exponent;
  } else {
    for (int i = 0; i < suffix.exponent / 10; ++i) MulSmall(&q.digits_, 1024);
  }
  Normalize(&q.digits_, &q.exponent_);
  if (FastPathKeeps(s, suffix)) {
    q.kept_ = std::string(text);
    return q;
  }
  if (q.digits_.empty()) return q;
  // Non-zero values round up (away from zero) to the smallest scale, 1n.
  if (q.exponent_ < kNano) {
    const int64_t drop = kNano - q.exponent_;
    if (drop >= static_cast<int64_t>(q.digits_.size())) {
      q.digits_ = "1";
    } else {
      q.digits_.resize(q.digits_.size() - drop);  // the dropped digits are not all zero
      AddOne(&q.digits_);
      q.digits_ = StripLeadingZeros(q.digits_);
    }
    q.exponent_ = kNano;
    Normalize(&q.digits_, &q.exponent_);
  }
  if (q.format_ == Format::kBinarySI) {
    if (CompareWithInteger(q.digits_, q.exponent_, kMaxInt64) > 0) {
      q.digits_ = kMaxInt64;
      q.exponent_ = 0;
    }
    if (CompareWithInteger(q.digits_, q.exponent_, "1") < 0) q.format_ = Format::kDecimalSI;
  }
  return q;
}

absl::StatusOr<Quantity> Quantity::FromJson(const Json& value) {
  if (value.is_string()) {
    const absl::string_view trimmed =
        absl::StripAsciiWhitespace(value.get_ref<const std::string&>());
    return Parse(std::string_view(trimmed.data(), trimmed.size()));
  }
  if (value.is_number()) return Parse(value.dump());
  return absl::InvalidArgumentError("a quantity is a string or a number");
}

std::string Quantity::String() const {
  if (!kept_.empty()) return kept_;
  if (digits_.empty()) return "0";
  const std::string sign = negative_ ? "-" : "";
  Format format = format_;
  if (format == Format::kBinarySI) {
    // Below 1024, or not whole: shown in decimal rather than rounded.
    if (CompareWithInteger(digits_, exponent_, "1024") < 0 || exponent_ < 0) {
      format = Format::kDecimalSI;
    }
  }
  if (format == Format::kBinarySI) {
    uint64_t v = 0;
    std::string whole = digits_ + std::string(static_cast<size_t>(exponent_), '0');
    absl::SimpleAtoi(whole, &v);  // at most 2^63-1: Parse caps binary values
    static const char* const kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int k = 0;
    while (v >= 1024 && v % 1024 == 0 && k < 6) {
      v /= 1024;
      ++k;
    }
    return absl::StrCat(sign, v, kBinary[k]);
  }
  std::string digits = digits_;
  int64_t exp = exponent_;
  while (exp % 3 != 0) {
    digits.push_back('0');
    --exp;
  }
  if (format == Format::kDecimalExponent) {
    return exp == 0 ? absl::StrCat(sign, digits) : absl::StrCat(sign, digits, "e", exp);
  }
  // Go looks the suffix up and, past "E", silently prints none.
  static const struct {
    int exp;
    const char* text;
  } kDecimal[] = {{-9, "n"}, {-6, "u"}, {-3, "m"}, {0, ""},   {3, "k"},
                  {6, "M"},  {9, "G"},  {12, "T"}, {15, "P"}, {18, "E"}};
  for (const auto& e : kDecimal) {
    if (e.exp == exp) return absl::StrCat(sign, digits, e.text);
  }
  return absl::StrCat(sign, digits);
}

bool operator==(const Quantity& a, const Quantity& b) {
  if (a.digits_.empty() || b.digits_.empty()) return a.digits_.empty() && b.digits_.empty();
  return a.negative_ == b.negative_ && a.digits_ == b.digits_ && a.exponent_ == b.exponent_;
}

int Compare(const Quantity& a, const Quantity& b) {
  const int sa = a.IsZero() ? 0 : (a.negative_ ? -1 : 1);
  const int sb = b.IsZero() ? 0 : (b.negative_ ? -1 : 1);
  if (sa != sb || sa == 0) return sa < sb ? -1 : (sa > sb ? 1 : 0);
  // Same sign, both non-zero: compare magnitudes by their leading digit's
  // power of ten, then digit by digit.
  int magnitude = 0;
  const int64_t ta = static_cast<int64_t>(a.digits_.size()) + a.exponent_;
  const int64_t tb = static_cast<int64_t>(b.digits_.size()) + b.exponent_;
  if (ta != tb) {
    magnitude = ta < tb ? -1 : 1;
  } else {
    const size_t n = std::max(a.digits_.size(), b.digits_.size());
    const std::string da = a.digits_ + std::string(n - a.digits_.size(), '0');
    const std::string db = b.digits_ + std::string(n - b.digits_.size(), '0');
    magnitude = da < db ? -1 : (da > db ? 1 : 0);
  }
  return sa * magnitude;
}

absl::StatusOr<std::string> CanonicalQuantity(const Json& value) {
  absl::StatusOr<Quantity> q = Quantity::FromJson(value);
  if (!q.ok()) return q.status();
  return q->String();
}

}  // namespace doris_operator::translator
