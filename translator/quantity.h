#ifndef DORIS_OPERATOR_TRANSLATOR_QUANTITY_H_
#define DORIS_OPERATOR_TRANSLATOR_QUANTITY_H_

// Kubernetes resource quantities ("500m", "1Gi", 8), parsed and printed the
// way k8s.io/apimachinery's resource.Quantity does (ParseQuantity, String),
// so the translator writes what the API server stores and comparisons see
// through the server's rewrites ("1024Mi" is stored as "1Gi", 0.5 as "500m").
// Pure; exact (decimal digits, never floating point).

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "translator/canonical_json.h"

namespace doris_operator::translator {

class Quantity {
 public:
  enum class Format { kDecimalExponent, kBinarySI, kDecimalSI };

  // InvalidArgument when `text` is not a quantity (the message says why).
  static absl::StatusOr<Quantity> Parse(std::string_view text);
  // A JSON string or number, as the API server reads it (Go's UnmarshalJSON).
  static absl::StatusOr<Quantity> FromJson(const Json& value);

  // The canonical form the API server stores and returns.
  std::string String() const;

  bool IsZero() const { return digits_.empty(); }
  bool IsNegative() const { return negative_ && !digits_.empty(); }
  Format format() const { return format_; }

  // Equal values, whatever their format ("1Gi" == "1073741824").
  friend bool operator==(const Quantity& a, const Quantity& b);
  friend bool operator!=(const Quantity& a, const Quantity& b) { return !(a == b); }
  // Quantity.Cmp: -1, 0 or 1 as `a` is less than, equal to or greater than `b`.
  friend int Compare(const Quantity& a, const Quantity& b);

 private:
  bool negative_ = false;
  std::string digits_;    // magnitude's decimal digits without leading zeros; "" is zero
  int64_t exponent_ = 0;  // value = digits_ * 10^exponent_
  Format format_ = Format::kDecimalSI;
  std::string kept_;      // the input itself when it already was canonical
};

// The canonical form of a quantity given as JSON (string or number);
// InvalidArgument when it is not one.
absl::StatusOr<std::string> CanonicalQuantity(const Json& value);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_QUANTITY_H_
