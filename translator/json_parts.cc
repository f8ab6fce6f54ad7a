#include "translator/json_parts.h"

#include "absl/status/statusor.h"
#include "translator/quantity.h"

namespace doris_operator::translator::internal {

Json RawOr(const model::v1::RawJson& raw, Json fallback) {
  if (raw.json().empty()) return fallback;
  absl::StatusOr<Json> parsed = ParseJson(raw.json());
  return parsed.ok() ? *parsed : fallback;
}

// Writes what Canonical(RawOr(raw, fallback)) would, without parsing when
// the stored text is already canonical (it is when it came from ModelFromJson).
void WriteRaw(JsonWriter& w, const model::v1::RawJson& raw, std::string_view fallback) {
  const std::string& text = raw.json();
  if (text.empty()) {
    w.Raw(fallback);
  } else if (IsCanonical(text)) {
    w.Raw(text);
  } else {
    absl::StatusOr<Json> parsed = ParseJson(text);
    if (parsed.ok()) {
      w.Value(*parsed);
    } else {
      w.Raw(fallback);
    }
  }
}

// `"key": <raw>` when the spec set the field; nothing otherwise.
void WriteRawField(JsonWriter& w, std::string_view key, bool present,
                   const model::v1::RawJson& raw) {
  if (!present) return;
  w.Key(key);
  WriteRaw(w, raw, "null");
}

Json CanonicalResourceList(Json list) {
  if (!list.is_object()) return list;
  for (auto& [name, value] : list.items()) {
    absl::StatusOr<std::string> q = CanonicalQuantity(value);
    if (q.ok()) value = *q;
  }
  return list;
}

void WriteResourceListField(JsonWriter& w, std::string_view key, bool present,
                            const model::v1::RawJson& raw) {
  if (!present) return;
  w.Key(key);
  w.Value(CanonicalResourceList(RawOr(raw)));
}

Json CanonicalClaimSpec(Json spec) {
  if (!spec.is_object()) return spec;
  auto resources = spec.find("resources");
  if (resources == spec.end() || !resources->is_object()) return spec;
  for (const char* list : {"limits", "requests"}) {
    auto it = resources->find(list);
    if (it != resources->end()) *it = CanonicalResourceList(std::move(*it));
  }
  return spec;
}

Json CanonicalMetrics(Json metrics) {
  if (!metrics.is_array()) return metrics;
  // Each metric's source ("resource", "pods", "object", "external",
  // "containerResource") carries a MetricTarget.
  for (Json& metric : metrics) {
    if (!metric.is_object()) continue;
    for (auto& [type, source] : metric.items()) {
      if (!source.is_object()) continue;
      auto target = source.find("target");
      if (target == source.end() || !target->is_object()) continue;
      for (const char* key : {"averageValue", "value"}) {
        auto v = target->find(key);
        if (v == target->end()) continue;
        absl::StatusOr<std::string> q = CanonicalQuantity(*v);
        if (q.ok()) *v = *q;
      }
    }
  }
  return metrics;
}

void WriteStringMap(JsonWriter& w, const google::protobuf::Map<std::string, std::string>& m,
                    std::string_view skip_key) {
  w.BeginObject();
  for (const auto& [k, v] : m) {
    if (!skip_key.empty() && k == skip_key) continue;
    w.Field(k, v);
  }
  w.EndObject();
}

std::string TrimSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace doris_operator::translator::internal
