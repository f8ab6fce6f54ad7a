#include "translator/object_builder.h"

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

void WriteSelectorLabels(const Ctx& x, JsonWriter& w) {
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.sts());
  w.Field(kComponentLabel, x.comp());
  w.EndObject();
}

// metadata's name, namespace and ownerReferences (after annotations, labels).
void WriteMetaTail(const Ctx& x, JsonWriter& w, const std::string& name) {
  w.Field("name", name);
  w.Field("namespace", x.ns());
  w.Key("ownerReferences");
  w.Raw(*x.owner_refs);
}

void WriteClusterObjectHead(const Ctx& x, JsonWriter& w, const Written& out, std::string_view component) {
  w.BeginObject();
  w.Field("apiVersion", out.api_version);
  w.Field("kind", out.kind);
  w.Key("metadata");
  w.BeginObject();
  w.Key("labels");
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.name());
  w.Field(kComponentLabel, component);
  w.EndObject();
  WriteMetaTail(x, w, out.name);
  w.EndObject();
}

std::vector<PortOut> Ports(const Ctx& x, bool with_protocol_quirk) {
  std::vector<PortOut> ports;
  ports.reserve(8);
  for (const PortDef& p : ContainerPorts(x.c)) {
    // The reference omits the protocol on be-port only; TCP is the default.
    ports.push_back({p.name, x.Port(p.conf_key, p.default_port),
                     !(with_protocol_quirk && p.name == "be-port")});
  }
  const int arrow = x.Port("arrow_flight_sql_port", -1);
  if (arrow != -1 && x.c != Component::kBroker) ports.push_back({"arrow-flight", arrow, true});
  return ports;
}

int LivenessPort(const Ctx& x) {
  switch (x.c) {
    case Component::kFe: return x.Port("query_port", 9030);
    case Component::kBe:
    case Component::kCn: return x.Port("heartbeat_service_port", 9050);
    case Component::kBroker: return x.Port("broker_ipc_port", 8000);
  }
  return 0;
}

}  // namespace doris_operator::translator::internal
