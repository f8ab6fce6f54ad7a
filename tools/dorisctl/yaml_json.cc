#include "tools/dorisctl/yaml_json.h"

#include <cmath>
#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "translator/canonical_json.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/yaml.h"

namespace doris_operator::dorisctl {

namespace {

using Json = nlohmann::json;

// Plain (unquoted) scalars follow YAML 1.2's core schema, as Kubernetes'
// YAML decoder does: null, booleans, integers, floats, else string.
Json Scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: always a string
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  int64_t i = 0;
  if (absl::SimpleAtoi(s, &i) && s.find_first_of("+") == std::string::npos) return i;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str() + 2, &end, s[1] == 'x' ? 16 : 8);
    if (end != nullptr && *end == '\0') return static_cast<int64_t>(v);
  }
  double d = 0;
  if (s.find_first_of(".eE") != std::string::npos && absl::SimpleAtod(s, &d) && std::isfinite(d) &&
      s.find_first_not_of("0123456789+-.eE") == std::string::npos) {
    return d;
  }
  return s;
}

// Aliases make a YAML document a graph that converting to JSON expands: a
// few lines can stand for billions of nodes ("billion laughs"). Kubernetes'
// YAML decoder (sigs.k8s.io/yaml over go-yaml) refuses a document where
// too large a share of the decoded nodes come from aliases; this applies
// the same rule (go-yaml v3 decode.go, allowedAliasRatio) while converting,
// and bounds nesting as everything that reads JSON here does.
class Converter {
 public:
  absl::StatusOr<Json> Convert(const YAML::Node& node) {
    Json out = ToJson(node, 1);
    if (!error_.empty()) return absl::InvalidArgumentError(error_);
    return out;
  }

 private:
  static double AllowedAliasRatio(int64_t decoded) {
    constexpr double kLow = 400000, kHigh = 4000000;
    if (decoded <= kLow) return 0.99;
    if (decoded >= kHigh) return 0.10;
    return 0.99 - 0.89 * ((decoded - kLow) / (kHigh - kLow));
  }

  Json ToJson(const YAML::Node& node, int depth) {
    if (!error_.empty()) return nullptr;
    if (depth > translator::kMaxJsonDepth) {
      error_ = absl::StrCat("YAML nests deeper than the limit of ", translator::kMaxJsonDepth,
                            " levels");
      return nullptr;
    }
    // yaml-cpp resolves an alias to the anchored node itself: meeting a node
    // (by its position in the text) a second time is an alias expansion.
    const bool alias = node.Mark().pos >= 0 && !seen_.insert(node.Mark().pos).second;
    ++decoded_;
    if (alias || alias_depth_ > 0) ++aliased_;
    if (aliased_ > 100 && decoded_ > 1000 &&
        static_cast<double>(aliased_) / decoded_ > AllowedAliasRatio(decoded_)) {
      error_ = absl::StrCat("YAML document contains excessive aliasing: ", aliased_, " of ",
                            decoded_, " nodes come from aliases, more than the limit of ",
                            static_cast<int>(AllowedAliasRatio(decoded_) * 100),
                            "% (the rule Kubernetes' YAML decoder applies)");
      return nullptr;
    }
    if (alias) ++alias_depth_;
    Json out = nullptr;
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        break;
      case YAML::NodeType::Scalar:
        out = Scalar(node);
        break;
      case YAML::NodeType::Sequence:
        out = Json::array();
        for (const auto& item : node) out.push_back(ToJson(item, depth + 1));
        break;
      case YAML::NodeType::Map:
        out = Json::object();
        for (const auto& kv : node) out[kv.first.as<std::string>()] = ToJson(kv.second, depth + 1);
        break;
    }
    if (alias) --alias_depth_;
    return out;
  }

  std::set<int> seen_;
  int alias_depth_ = 0;
  int64_t decoded_ = 0;
  int64_t aliased_ = 0;
  std::string error_;
};

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  const Json as_plain = [&] {
    try {
      return Scalar(YAML::Load(s));
    } catch (...) {
      return Json();
    }
  }();
  if (!as_plain.is_string() || as_plain.get<std::string>() != s) return true;
  if (absl::ascii_isspace(s.front()) || absl::ascii_isspace(s.back())) return true;
  if (std::string("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string::npos) return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  if (s.find('\n') != std::string::npos || s.find('\t') != std::string::npos) return true;
  return s.back() == ':';
}

std::string ScalarText(const Json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    return NeedsQuotes(s) ? v.dump() : s;  // JSON string syntax is valid YAML
  }
  return v.dump();
}

bool IsEmptyCollection(const Json& v) {
  return (v.is_object() || v.is_array()) && v.empty();
}

void Emit(const Json& v, int indent, std::string* out);

void EmitObject(const Json& v, int indent, std::string* out) {
  const std::string pad(indent, ' ');
  for (const auto& [key, value] : v.items()) {
    absl::StrAppend(out, pad, NeedsQuotes(key) ? Json(key).dump() : key, ":");
    if (value.is_object() && !value.empty()) {
      out->append("\n");
      EmitObject(value, indent + 2, out);
    } else if (value.is_array() && !value.empty()) {
      out->append("\n");
      Emit(value, indent, out);
    } else {
      absl::StrAppend(out, " ", IsEmptyCollection(value) ? value.dump() : ScalarText(value), "\n");
    }
  }
}

void Emit(const Json& v, int indent, std::string* out) {
  const std::string pad(indent, ' ');
  if (v.is_object() && !v.empty()) {
    EmitObject(v, indent, out);
    return;
  }
  if (v.is_array() && !v.empty()) {
    for (const Json& item : v) {
      if (item.is_object() && !item.empty()) {
        std::string inner;
        EmitObject(item, indent + 2, &inner);
        // "- " replaces the first line's indentation.
        absl::StrAppend(out, pad, "- ", inner.substr(indent + 2));
      } else if (item.is_array() && !item.empty()) {
        absl::StrAppend(out, pad, "-\n");
        Emit(item, indent + 2, out);
      } else {
        absl::StrAppend(out, pad, "- ",
                        IsEmptyCollection(item) ? item.dump() : ScalarText(item), "\n");
      }
    }
    return;
  }
  absl::StrAppend(out, pad, IsEmptyCollection(v) ? v.dump() : ScalarText(v), "\n");
}

// The offset of the first byte that is not part of well-formed UTF-8, or
// npos. YAML streams are Unicode, and Kubernetes' decoder (go-yaml) refuses
// invalid UTF-8; yaml-cpp would pass such bytes through into strings that
// neither JSON nor protobuf can carry (found by tests/fuzz/doris_cluster_fuzzer).
size_t InvalidUtf8At(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF.
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
    i += n;
  }
  return std::string_view::npos;
}

}  // namespace

absl::StatusOr<std::vector<Json>> ParseYamlDocuments(std::string_view text) {
  if (const size_t bad = InvalidUtf8At(text); bad != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid YAML: not UTF-8 (byte ", bad, " starts no valid character)"));
  }
  std::vector<Json> docs;
  try {
    for (const YAML::Node& node : YAML::LoadAll(std::string(text))) {
      if (node.IsNull()) continue;
      absl::StatusOr<Json> doc = Converter().Convert(node);
      if (!doc.ok()) return doc.status();
      docs.push_back(*std::move(doc));
    }
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard, whose message says only "bad file".
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid YAML: line ", e.mark.line + 1, ": nests deeper than the reader's limit of ",
        e.depth(), " levels"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("invalid YAML: ", e.what()));
  }
  return docs;
}

std::string ToYaml(const Json& value) {
  std::string out;
  Emit(value, 0, &out);
  return out;
}

}  // namespace doris_operator::dorisctl
