#ifndef DORIS_OPERATOR_TRANSLATOR_CANONICAL_JSON_H_
#define DORIS_OPERATOR_TRANSLATOR_CANONICAL_JSON_H_

// Canonical JSON: object keys sorted, no insignificant whitespace, integers
// as integers, so equal values always have equal bytes. The form every
// desired object, hash and log record uses.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace doris_operator::translator {

// nlohmann::json keeps object keys in a std::map, so dump() is sorted.
using Json = nlohmann::json;

std::string Canonical(const Json& value);
// Appends Canonical(value) / the canonical form of one string to `out`.
void AppendCanonical(const Json& value, std::string* out);
void AppendCanonicalString(std::string_view s, std::string* out);
// How deep objects and arrays may nest in JSON the operator reads: every
// walker over a document (canonical form, comparison, dump) recurses once
// per level, so without a bound a hostile document overflows the stack.
// Kubernetes objects nest a few dozen levels; kube-apiserver's own decoder
// stops at 10000.
inline constexpr int kMaxJsonDepth = 1000;
// InvalidArgument naming the limit when objects and arrays in `text` nest
// deeper than `max_depth`. A linear scan; does not validate the JSON.
absl::Status CheckJsonDepth(std::string_view text, int max_depth = kMaxJsonDepth);
// Parses JSON text (never throws); InvalidArgument with the parser's message,
// or naming kMaxJsonDepth for a document nested deeper than that.
absl::StatusOr<Json> ParseJson(std::string_view text);
// Parses and re-emits canonically.
absl::StatusOr<std::string> Canonicalize(std::string_view text);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_CANONICAL_JSON_H_
