#include "translator/canonical_json.h"

#include "absl/strings/str_cat.h"

namespace doris_operator::translator {

// nlohmann's serializer inspects strings byte by byte; most of ours need no
// escaping at all, so copy those whole and defer to it only when needed.
// Output is byte-identical to dump() (checked by tests/translator).
void AppendCanonicalString(std::string_view s, std::string* out) {
  bool plain = true;
  for (unsigned char ch : s) {
    if (ch < 0x20 || ch == '"' || ch == '\\' || ch >= 0x80) {
      plain = false;
      break;
    }
  }
  if (plain) {
    out->push_back('"');
    out->append(s);
    out->push_back('"');
  } else {
    out->append(Json(std::string(s)).dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace));
  }
}

void AppendCanonical(const Json& v, std::string* out) {
  switch (v.type()) {
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : v.get_ref<const Json::object_t&>()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonicalString(key, out);
        out->push_back(':');
        AppendCanonical(item, out);
      }
      out->push_back('}');
      return;
    }
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& item : v.get_ref<const Json::array_t&>()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonical(item, out);
      }
      out->push_back(']');
      return;
    }
    case Json::value_t::string:
      AppendCanonicalString(v.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::null:
      out->append("null");
      return;
    case Json::value_t::number_integer:
      out->append(std::to_string(v.get<int64_t>()));
      return;
    case Json::value_t::number_unsigned:
      out->append(std::to_string(v.get<uint64_t>()));
      return;
    default:  // floats and binary: nlohmann's exact formatting
      out->append(v.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace));
      return;
  }
}

std::string Canonical(const Json& value) {
  std::string out;
  out.reserve(1024);
  AppendCanonical(value, &out);
  return out;
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
