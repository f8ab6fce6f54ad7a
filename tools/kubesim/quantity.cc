#include "tools/kubesim/quantity.h"

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::kubesim {

namespace {

// apimachinery's error values, word for word: a malformed quantity fails
// JSON decoding with one of these.
constexpr char kFormatWrong[] =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr char kNumeric[] = "unable to parse numeric part of quantity";
constexpr char kSuffix[] = "unable to parse quantity's suffix";

enum class Format { kDecimalExponent, kBinarySI, kDecimalSI };

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// An arbitrary-precision decimal like inf.Dec: value = (-1)^negative *
// digits * 10^-scale. `digits` has no leading zeros ("0" for zero).
struct Decimal {
  bool negative = false;
  std::string digits = "0";
  int64_t scale = 0;

  bool IsZero() const { return digits == "0"; }
};

std::string TrimLeadingZeros(std::string s) {
  size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  return s.substr(i);
}

// Digit-string arithmetic on non-negative integers.
std::string MulSmall(const std::string& a, int m) {
  std::string out(a.size(), '0');
  int carry = 0;
  for (size_t i = a.size(); i-- > 0;) {
    const int v = (a[i] - '0') * m + carry;
    out[i] = static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  while (carry > 0) {
    out.insert(out.begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
  return TrimLeadingZeros(out);
}

std::string AddOne(const std::string& a) {
  std::string out = a;
  for (size_t i = out.size(); i-- > 0;) {
    if (out[i] != '9') {
      ++out[i];
      return out;
    }
    out[i] = '0';
  }
  return "1" + out;
}

// Quotient and remainder of a / d.
std::pair<std::string, int> DivSmall(const std::string& a, int d) {
  std::string q;
  int64_t r = 0;
  for (char c : a) {
    r = r * 10 + (c - '0');
    q.push_back(static_cast<char>('0' + r / d));
    r %= d;
  }
  return {TrimLeadingZeros(q.empty() ? "0" : q), static_cast<int>(r)};
}

int CmpDigits(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Compares |a| with |b|.
int CmpAbs(const Decimal& a, const Decimal& b) {
  const int64_t scale = std::max(a.scale, b.scale);
  const std::string x = a.IsZero() ? "0" : a.digits + std::string(scale - a.scale, '0');
  const std::string y = b.IsZero() ? "0" : b.digits + std::string(scale - b.scale, '0');
  return CmpDigits(x, y);
}

// Rounds |d| to `scale` decimal places away from zero (inf.RoundUp);
// returns whether that was exact.
bool RoundUpToScale(Decimal& d, int64_t scale) {
  if (d.scale <= scale) return true;
  const int64_t drop = d.scale - scale;
  d.scale = scale;
  if (static_cast<int64_t>(d.digits.size()) <= drop) {
    const bool exact = d.IsZero();
    d.digits = exact ? "0" : "1";
    return exact;
  }
  const std::string kept = d.digits.substr(0, d.digits.size() - drop);
  const bool exact = d.digits.find_first_not_of('0', kept.size()) == std::string::npos;
  d.digits = exact ? kept : AddOne(kept);
  return exact;
}

struct Parsed {
  // Exactly one of `amount` (inf.Dec) is the value; `reused` is set when
  // apimachinery keeps the input string because it is already canonical.
  Decimal amount;
  Format format = Format::kDecimalSI;
  std::optional<std::string> reused;
};

struct Split {
  bool positive = true;
  std::string value, num, denom, suffix;
};

// parseQuantityString: sign, numerator, denominator and suffix.
std::optional<Split> SplitQuantity(absl::string_view str) {
  Split s;
  size_t pos = 0;
  const size_t end = str.size();
  if (pos < end && (str[0] == '-' || str[0] == '+')) {
    s.positive = str[0] == '+';
    ++pos;
  }
  for (size_t i = pos;; ++i) {  // leading zeros
    if (i >= end) {
      s.num = "0";
      s.value = s.num;
      return s;
    }
    if (str[i] != '0') break;
    ++pos;
  }
  for (size_t i = pos;; ++i) {  // numerator
    if (i >= end) {
      s.num = std::string(str.substr(pos));
      s.value = std::string(str);
      return s;
    }
    if (!IsDigit(str[i])) {
      s.num = std::string(str.substr(pos, i - pos));
      pos = i;
      break;
    }
  }
  if (s.num.empty()) s.num = "0";
  if (pos < end && str[pos] == '.') {  // denominator
    ++pos;
    for (size_t i = pos;; ++i) {
      if (i >= end) {
        s.denom = std::string(str.substr(pos));
        s.value = std::string(str);
        return s;
      }
      if (!IsDigit(str[i])) {
        s.denom = std::string(str.substr(pos, i - pos));
        pos = i;
        break;
      }
    }
  }
  s.value = std::string(str.substr(0, pos));
  const size_t suffix_start = pos;
  for (size_t i = pos;; ++i) {
    if (i >= end) {
      s.suffix = std::string(str.substr(suffix_start));
      return s;
    }
    if (absl::string_view("eEinumkKMGTP").find(str[i]) == absl::string_view::npos) {
      pos = i;
      break;
    }
  }
  if (pos < end && (str[pos] == '-' || str[pos] == '+')) ++pos;
  for (size_t i = pos;; ++i) {
    if (i >= end) {
      s.suffix = std::string(str.substr(suffix_start));
      return s;
    }
    if (!IsDigit(str[i])) break;
  }
  return std::nullopt;  // a non-digit after the exponent: ErrFormatWrong
}

struct Suffix {
  int base;
  int32_t exponent;
  Format format;
};

std::optional<Suffix> Interpret(const std::string& s) {
  static const std::pair<const char*, int32_t> kDecimal[] = {
      {"", 0}, {"n", -9}, {"u", -6}, {"m", -3}, {"k", 3},
      {"M", 6}, {"G", 9}, {"T", 12}, {"P", 15}, {"E", 18}};
  static const std::pair<const char*, int32_t> kBinary[] = {
      {"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  for (const auto& [name, exp] : kDecimal) {
    if (s == name) return Suffix{10, exp, Format::kDecimalSI};
  }
  for (const auto& [name, exp] : kBinary) {
    if (s == name) return Suffix{2, exp, Format::kBinarySI};
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    int64_t parsed;
    // strconv.ParseInt(s, 10, 64) also takes a leading '+'.
    absl::string_view digits = absl::string_view(s).substr(1);
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    if (digits.empty() || digits[0] == '+' || !absl::SimpleAtoi(digits, &parsed)) return std::nullopt;
    return Suffix{10, static_cast<int32_t>(parsed), Format::kDecimalExponent};
  }
  return std::nullopt;
}

// inf.Dec.SetString of "[+-]digits[.digits]".
std::optional<Decimal> DecimalOf(absl::string_view text) {
  Decimal d;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    d.negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view frac = dot == absl::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  for (char c : whole) {
    if (!IsDigit(c)) return std::nullopt;
  }
  for (char c : frac) {
    if (!IsDigit(c)) return std::nullopt;
  }
  d.digits = TrimLeadingZeros(absl::StrCat(whole, frac).empty() ? "0" : absl::StrCat(whole, frac));
  d.scale = static_cast<int64_t>(frac.size());
  if (d.IsZero()) d.negative = false;
  return d;
}

absl::StatusOr<Parsed> Parse(absl::string_view str) {
  if (str.empty()) return absl::InvalidArgumentError(kFormatWrong);
  if (str == "0") return Parsed{Decimal{}, Format::kDecimalSI, std::string("0")};
  const std::optional<Split> split = SplitQuantity(str);
  if (!split) return absl::InvalidArgumentError(kFormatWrong);
  const std::optional<Suffix> suffix = Interpret(split->suffix);
  if (!suffix) return absl::InvalidArgumentError(kSuffix);
  const std::string& num = split->num;
  const std::string& denom = split->denom;

  // The int64 fast path decides whether the input string is kept as the
  // serialized form; its value equals the exact one computed below.
  int32_t precision = 0;
  int32_t scale = 0;
  int64_t mantissa = 1;
  if (suffix->format == Format::kBinarySI) {
    if (suffix->exponent >= 0 && denom.empty()) {
      mantissa = int64_t{1} << suffix->exponent;
      precision = 15 - static_cast<int32_t>(num.size()) -
                  static_cast<int32_t>(static_cast<float>(suffix->exponent) * 3 / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = suffix->exponent;
    precision = 18 - static_cast<int32_t>(num.size() + denom.size());
  }
  std::optional<std::string> reused;
  std::optional<Decimal> amount;
  if (precision >= 0) {
    scale -= static_cast<int32_t>(denom.size());
    if (scale >= -9) {
      const std::string shifted = num + denom;
      int64_t value;
      if (!absl::SimpleAtoi(shifted, &value)) return absl::InvalidArgumentError(kNumeric);
      __int128 product = static_cast<__int128>(value) * mantissa;
      if (product <= INT64_MAX && product >= INT64_MIN) {
        std::string digits = TrimLeadingZeros(shifted);
        for (int i = 0; suffix->base == 2 && i < suffix->exponent; ++i) digits = MulSmall(digits, 2);
        amount = Decimal{!split->positive && digits != "0", digits, -static_cast<int64_t>(scale)};
        const bool canonical =
            suffix->format == Format::kBinarySI
                ? suffix->exponent % 10 == 0 && (value & 0x07) != 0
                : scale % 3 == 0 && !absl::EndsWith(shifted, "000") && shifted[0] != '0';
        if (canonical) reused = std::string(str);
      }
    }
  }

  Format format = suffix->format;
  if (!amount) {
    amount = DecimalOf(split->value);
    if (!amount) return absl::InvalidArgumentError(kNumeric);
    if (suffix->base == 10) {
      amount->scale -= suffix->exponent;
    } else {
      for (int i = 0; i < suffix->exponent; ++i) amount->digits = MulSmall(amount->digits, 2);
    }
    // Values finer than nano round away from zero; binary values are capped
    // at 2^63-1 and below 1 become decimal.
    if (!amount->IsZero()) RoundUpToScale(*amount, 9);
    if (format == Format::kBinarySI) {
      const Decimal max{false, "9223372036854775807", 0};
      if (CmpAbs(*amount, max) > 0) amount->digits = max.digits, amount->scale = 0;
      const Decimal one{false, "1", 0};
      if (!amount->IsZero() && CmpAbs(*amount, one) < 0) format = Format::kDecimalSI;
    }
  }
  return Parsed{*amount, format, reused};
}

// CanonicalizeBytes: no fractional digits, the largest exponent (or
// suffix) that loses nothing.
std::string Canonical(const Parsed& q) {
  if (q.reused) return *q.reused;
  Decimal d = q.amount;
  if (d.IsZero()) return "0";
  const std::string sign = d.negative ? "-" : "";
  Format format = q.format;
  if (format == Format::kBinarySI) {
    if (CmpAbs(d, Decimal{false, "1024", 0}) < 0) {
      format = Format::kDecimalSI;
    } else if (!RoundUpToScale(d, 0)) {
      format = Format::kDecimalSI;
      d = q.amount;
    }
  }
  if (format == Format::kBinarySI) {
    // d is an integer now (scale <= 0).
    std::string n = d.digits + std::string(-d.scale, '0');
    int exponent = 0;
    while (true) {
      auto [quot, rem] = DivSmall(n, 1024);
      if (rem != 0 || quot == "0") break;
      n = quot;
      ++exponent;
    }
    static const char* kSuffix[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    return absl::StrCat(sign, n, exponent <= 6 ? kSuffix[exponent] : "");
  }
  std::string n = d.digits;
  int64_t exponent = -d.scale;
  while (n.size() > 1 && n.back() == '0') {
    n.pop_back();
    ++exponent;
  }
  while (exponent % 3 != 0) {
    n.push_back('0');
    --exponent;
  }
  if (format == Format::kDecimalExponent) {
    return exponent == 0 ? absl::StrCat(sign, n) : absl::StrCat(sign, n, "e", exponent);
  }
  static const char* kSi[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
  // 1.32 emits no suffix past "E" (the value is then misread; fixed upstream
  // later), so neither does kubesim.
  const std::string si = exponent >= -9 && exponent <= 18 ? kSi[(exponent + 9) / 3] : "";
  return absl::StrCat(sign, n, si);
}

}  // namespace

absl::StatusOr<std::string> CanonicalQuantity(absl::string_view text) {
  absl::StatusOr<Parsed> q = Parse(text);
  if (!q.ok()) return q.status();
  return Canonical(*q);
}

absl::StatusOr<std::string> CanonicalQuantityValue(const nlohmann::json& value) {
  if (value.is_null()) return std::string("0");
  if (value.is_string()) {
    return CanonicalQuantity(absl::string_view(absl::StripAsciiWhitespace(value.get<std::string>())));
  }
  if (value.is_number()) return CanonicalQuantity(absl::string_view(value.dump()));
  return absl::InvalidArgumentError(kFormatWrong);
}

absl::StatusOr<int> CompareQuantities(const nlohmann::json& a, const nlohmann::json& b) {
  auto parse = [](const nlohmann::json& v) -> absl::StatusOr<Parsed> {
    if (v.is_null()) return Parse("0");
    if (v.is_string()) return Parse(absl::StripAsciiWhitespace(v.get<std::string>()));
    if (v.is_number()) return Parse(v.dump());
    return absl::InvalidArgumentError(kFormatWrong);
  };
  absl::StatusOr<Parsed> x = parse(a), y = parse(b);
  if (!x.ok()) return x.status();
  if (!y.ok()) return y.status();
  const Decimal& p = x->amount;
  const Decimal& q = y->amount;
  const bool pn = p.negative && !p.IsZero(), qn = q.negative && !q.IsZero();
  if (pn != qn) return pn ? -1 : 1;
  const int abs = CmpAbs(p, q);
  return pn ? -abs : abs;
}

}  // namespace doris_operator::kubesim
