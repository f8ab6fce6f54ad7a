#include "operator/reconcile/field_compare.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;

std::string PointerToken(const std::string& key) {
  return absl::StrReplaceAll(key, {{"~", "~0"}, {"/", "~1"}});
}

void Report(const std::string& path, const Json* desired, const Json* live,
            std::vector<FieldDifference>* out) {
  FieldDifference d{path, desired, live};
  if (desired != nullptr && live != nullptr) {
    std::optional<double> a = QuantityValue(*desired);
    std::optional<double> b = QuantityValue(*live);
    d.same_quantity = a && b && *a == *b;
  }
  out->push_back(d);
}

void Compare(const std::string& path, const Json& desired, const Json& live,
             std::vector<FieldDifference>* out) {
  if (desired.is_object() && live.is_object()) {
    for (const auto& [k, v] : desired.items()) {
      const std::string p = absl::StrCat(path, "/", PointerToken(k));
      auto it = live.find(k);
      if (it == live.end()) {
        Report(p, &v, nullptr, out);
      } else {
        Compare(p, v, *it, out);
      }
    }
    return;
  }
  if (desired.is_array() && live.is_array() && desired.size() == live.size()) {
    for (size_t i = 0; i < desired.size(); ++i) {
      Compare(absl::StrCat(path, "/", i), desired[i], live[i], out);
    }
    return;
  }
  if (desired != live) Report(path, &desired, &live, out);
}

}  // namespace

std::optional<double> QuantityValue(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  static const std::pair<const char*, double> kSuffixes[] = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"k", 1e3},     {"M", 1e6},        {"G", 1e9},           {"T", 1e12},
      {"m", 1e-3},    {"", 1.0}};
  for (const auto& [suffix, factor] : kSuffixes) {
    const size_t n = std::char_traits<char>::length(suffix);
    if (s.size() <= n || s.compare(s.size() - n, n, suffix) != 0) continue;
    const std::string number = s.substr(0, s.size() - n);
    char* end = nullptr;
    const double d = std::strtod(number.c_str(), &end);
    if (end == number.c_str() || *end != '\0') return std::nullopt;
    return d * factor;
  }
  return std::nullopt;
}

std::vector<FieldDifference> CompareOwnedFields(const Json& desired, const Json& live,
                                                const std::vector<std::string>& tops) {
  std::vector<FieldDifference> out;
  if (!desired.is_object() || !live.is_object()) return out;
  for (const std::string& top : tops) {
    auto want = desired.find(top);
    if (want == desired.end()) continue;
    auto have = live.find(top);
    if (have == live.end()) {
      Report(absl::StrCat("/", top), &*want, nullptr, &out);
    } else {
      Compare(absl::StrCat("/", top), *want, *have, &out);
    }
  }
  return out;
}

}  // namespace doris_operator::reconcile
