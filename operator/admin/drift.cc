#include "operator/admin/drift.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "translator/canonical_json.h"

namespace doris_operator::admin {

namespace {

using Json = nlohmann::json;

std::string PointerToken(const std::string& key) {
  return absl::StrReplaceAll(key, {{"~", "~0"}, {"/", "~1"}});
}

// "1Gi" and 1073741824, "500m" and 0.5: the API server rewrites quantities
// into canonical form, which is not a change anyone made.
std::optional<double> Quantity(const Json& v) {
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

struct Walk {
  const translator::DesiredObject* object;
  bool pending;  // the live object does not carry the desired hash yet
  std::vector<v1::FieldDrift>* out;

  void Report(const std::string& path, const Json* desired, const Json* live) {
    v1::FieldDrift d;
    d.set_api_version(object->api_version);
    d.set_kind(object->kind);
    d.set_name(object->name);
    d.set_path(path);
    if (desired != nullptr) d.set_desired(translator::Canonical(*desired));
    if (live != nullptr) d.set_live(translator::Canonical(*live));
    std::optional<double> a, b;
    if (desired != nullptr && live != nullptr) {
      a = Quantity(*desired);
      b = Quantity(*live);
    }
    if (a && b && *a == *b) {
      d.set_classification(v1::FieldDrift::SERVER_DEFAULTED);
    } else {
      d.set_classification(pending ? v1::FieldDrift::PENDING_ROLLOUT
                                   : v1::FieldDrift::CHANGED_BY_HAND);
    }
    out->push_back(std::move(d));
  }

  // Only fields the operator sets are compared: the rest is the API server's
  // defaulting (or other controllers'), not drift.
  void Compare(const std::string& path, const Json& desired, const Json& live) {
    if (desired.is_object() && live.is_object()) {
      for (const auto& [k, v] : desired.items()) {
        const std::string p = absl::StrCat(path, "/", PointerToken(k));
        auto it = live.find(k);
        if (it == live.end()) {
          Report(p, &v, nullptr);
        } else {
          Compare(p, v, *it);
        }
      }
      return;
    }
    if (desired.is_array() && live.is_array() && desired.size() == live.size()) {
      for (size_t i = 0; i < desired.size(); ++i) {
        Compare(absl::StrCat(path, "/", i), desired[i], live[i]);
      }
      return;
    }
    if (desired != live) Report(path, &desired, &live);
  }
};

}  // namespace

absl::StatusOr<std::vector<v1::FieldDrift>> ComputeDrift(
    const std::string& ns, const translator::DesiredSet& desired,
    const std::vector<DriftCandidate>& known, LiveObjectSource& live) {
  std::vector<v1::FieldDrift> out;
  std::set<std::string> desired_keys;
  for (const translator::DesiredObject& o : desired.objects) {
    desired_keys.insert(absl::StrCat(o.kind, "/", o.name));
    absl::StatusOr<std::optional<Json>> got = live.Get(o.api_version, o.kind, ns, o.name);
    if (!got.ok()) return got.status();
    if (!got->has_value()) {
      v1::FieldDrift d;
      d.set_api_version(o.api_version);
      d.set_kind(o.kind);
      d.set_name(o.name);
      d.set_classification(v1::FieldDrift::MISSING);
      out.push_back(std::move(d));
      continue;
    }
    const Json& l = **got;
    absl::StatusOr<Json> want = translator::ParseJson(o.json);
    if (!want.ok()) return want.status();
    std::string live_hash;
    if (l.contains("metadata") && l["metadata"].is_object() &&
        l["metadata"].contains("annotations") && l["metadata"]["annotations"].is_object()) {
      live_hash = l["metadata"]["annotations"].value(translator::kHashAnnotation, "");
    }
    Walk walk{&o, live_hash != o.hash, &out};
    for (const char* top : {"metadata", "spec", "data"}) {
      if (!want->contains(top)) continue;
      if (!l.contains(top)) {
        walk.Report(absl::StrCat("/", top), &(*want)[top], nullptr);
      } else {
        walk.Compare(absl::StrCat("/", top), (*want)[top], l[top]);
      }
    }
  }
  for (const DriftCandidate& c : known) {
    if (desired_keys.count(absl::StrCat(c.kind, "/", c.name))) continue;
    absl::StatusOr<std::optional<Json>> got = live.Get(c.api_version, c.kind, ns, c.name);
    if (!got.ok()) return got.status();
    if (!got->has_value()) continue;
    v1::FieldDrift d;
    d.set_api_version(c.api_version);
    d.set_kind(c.kind);
    d.set_name(c.name);
    d.set_classification(v1::FieldDrift::EXTRA);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace doris_operator::admin
