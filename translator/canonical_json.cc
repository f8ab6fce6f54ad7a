#include "translator/canonical_json.h"

#include "absl/strings/str_cat.h"

namespace doris_operator::translator {

namespace {

// What each ASCII byte needs in a JSON string: 0 = itself, 'u' = \u00xx,
// else the letter after the backslash. Matches nlohmann's serializer.
struct EscapeTable {
  char code[128] = {};
  constexpr EscapeTable() {
    for (int c = 0; c < 0x20; ++c) code[c] = 'u';
    code['\b'] = 'b';
    code['\t'] = 't';
    code['\n'] = 'n';
    code['\f'] = 'f';
    code['\r'] = 'r';
    code['"'] = '"';
    code['\\'] = '\\';
  }
};
constexpr EscapeTable kEscape;

}  // namespace

// Escapes ASCII here (the common case, mostly with nothing to escape) and
// leaves anything non-ASCII to nlohmann's serializer, which also replaces
// invalid UTF-8. Output is byte-identical to dump() (checked by
// tests/translator).
void AppendCanonicalString(std::string_view s, std::string* out) {
  bool plain = true;
  for (unsigned char ch : s) {
    if (ch >= 0x80) {
      out->append(Json(std::string(s)).dump(-1, ' ', /*ensure_ascii=*/false,
                                            Json::error_handler_t::replace));
      return;
    }
    if (kEscape.code[ch] != 0) plain = false;
  }
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  if (plain) {
    out->append(s);
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char ch : s) {
      const char code = kEscape.code[ch];
      if (code == 0) {
        out->push_back(static_cast<char>(ch));
      } else if (code == 'u') {
        const char esc[] = {'\\', 'u', '0', '0', kHex[ch >> 4], kHex[ch & 0xf]};
        out->append(esc, sizeof(esc));
      } else {
        const char esc[] = {'\\', code};
        out->append(esc, sizeof(esc));
      }
    }
  }
  out->push_back('"');
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

absl::Status CheckJsonDepth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        return absl::InvalidArgumentError(absl::StrCat(
            "JSON nests objects and arrays deeper than the limit of ", max_depth, " levels"));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Json> ParseJson(std::string_view text) {
  if (absl::Status deep = CheckJsonDepth(text); !deep.ok()) return deep;
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
