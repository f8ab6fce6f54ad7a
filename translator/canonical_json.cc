#include "translator/canonical_json.h"

#include "absl/strings/str_cat.h"

namespace doris_operator::translator {

std::string Canonical(const Json& value) {
  // Replace invalid UTF-8 instead of throwing: input was validated upstream,
  // and a canonical form must exist for every value.
  return value.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

absl::StatusOr<Json> ParseJson(std::string_view text) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", e.what()));
  }
}

absl::StatusOr<std::string> Canonicalize(std::string_view text) {
  absl::StatusOr<Json> parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  return Canonical(*parsed);
}

}  // namespace doris_operator::translator
