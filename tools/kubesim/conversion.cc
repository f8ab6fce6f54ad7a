#include "tools/kubesim/conversion.h"

#include <string>

#include "absl/strings/ascii.h"

namespace doris_operator::kubesim {

namespace {

// Go's encoding/json writes struct fields in declaration order; the
// annotations hold such encodings, so they are built in that order.
using Ordered = nlohmann::ordered_json;

constexpr char kMetricsAnnotation[] = "autoscaling.alpha.kubernetes.io/metrics";
constexpr char kCurrentMetricsAnnotation[] = "autoscaling.alpha.kubernetes.io/current-metrics";
constexpr char kConditionsAnnotation[] = "autoscaling.alpha.kubernetes.io/conditions";
constexpr char kBehaviorAnnotation[] = "autoscaling.alpha.kubernetes.io/behavior";
// autoscaling.DefaultCPUUtilization, applied when a v1 object names no metric.
constexpr int kDefaultCpuUtilization = 80;

bool IsHpa(const ResourceType& t) {
  return t.group == "autoscaling" && t.resource == "horizontalpodautoscalers";
}

const Json& Field(const Json& j, const char* k) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(k);
  return it == j.end() ? kNull : *it;
}

// encoding/json matches keys case-insensitively when decoding.
const Json& FieldCi(const Json& j, const std::string& k) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  const std::string want = absl::AsciiStrToLower(k);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (absl::AsciiStrToLower(it.key()) == want) return *it;
  }
  return kNull;
}

void PutIf(Ordered& out, const char* k, const Json& v) {
  if (!v.is_null()) out[k] = Ordered::parse(v.dump());
}
void PutIf(Json& out, const char* k, const Json& v) {
  if (!v.is_null()) out[k] = v;
}
// Quantities that are not pointers in v1 are always written ("0" when unset).
Json QuantityOrZero(const Json& v) { return v.is_null() ? Json("0") : v; }

bool IsCpuUtilization(const Json& m) {
  return Field(m, "type") == "Resource" && Field(Field(m, "resource"), "name") == "cpu" &&
         !Field(Field(Field(m, "resource"), "target"), "averageUtilization").is_null();
}

// v2 describedObject -> v1 target, and back (CrossVersionObjectReference).
Ordered V1Target(const Json& d) {
  Ordered target;
  PutIf(target, "kind", Field(d, "kind"));
  PutIf(target, "name", Field(d, "name"));
  PutIf(target, "apiVersion", Field(d, "apiVersion"));
  return target;
}
Json DescribedObject(const Json& t) {
  Json described = Json::object();
  PutIf(described, "kind", FieldCi(t, "kind"));
  PutIf(described, "name", FieldCi(t, "name"));
  PutIf(described, "apiVersion", FieldCi(t, "apiVersion"));
  return described;
}

// v2 MetricSpec -> v1 MetricSpec (conversion.go, Convert_autoscaling_*_To_v1_*).
Ordered MetricSpecToV1(const Json& m) {
  Ordered out;
  const std::string type = Field(m, "type").is_string() ? Field(m, "type").get<std::string>() : "";
  out["type"] = type;
  if (type == "Object") {
    const Json& o = Field(m, "object");
    const Json& d = Field(o, "describedObject");
    Ordered src;
    src["target"] = V1Target(d);
    PutIf(src, "metricName", Field(Field(o, "metric"), "name"));
    src["targetValue"] = QuantityOrZero(Field(Field(o, "target"), "value"));
    PutIf(src, "selector", Field(Field(o, "metric"), "selector"));
    PutIf(src, "averageValue", Field(Field(o, "target"), "averageValue"));
    out["object"] = src;
  } else if (type == "Pods") {
    const Json& p = Field(m, "pods");
    Ordered src;
    PutIf(src, "metricName", Field(Field(p, "metric"), "name"));
    src["targetAverageValue"] = QuantityOrZero(Field(Field(p, "target"), "averageValue"));
    PutIf(src, "selector", Field(Field(p, "metric"), "selector"));
    out["pods"] = src;
  } else if (type == "Resource" || type == "ContainerResource") {
    const Json& r = Field(m, type == "Resource" ? "resource" : "containerResource");
    Ordered src;
    PutIf(src, "name", Field(r, "name"));
    PutIf(src, "targetAverageUtilization", Field(Field(r, "target"), "averageUtilization"));
    PutIf(src, "targetAverageValue", Field(Field(r, "target"), "averageValue"));
    if (type == "ContainerResource") PutIf(src, "container", Field(r, "container"));
    out[type == "Resource" ? "resource" : "containerResource"] = src;
  } else if (type == "External") {
    const Json& e = Field(m, "external");
    Ordered src;
    PutIf(src, "metricName", Field(Field(e, "metric"), "name"));
    PutIf(src, "metricSelector", Field(Field(e, "metric"), "selector"));
    PutIf(src, "targetValue", Field(Field(e, "target"), "value"));
    PutIf(src, "targetAverageValue", Field(Field(e, "target"), "averageValue"));
    out["external"] = src;
  }
  return out;
}

Json Identifier(const Json& name, const Json& selector) {
  Json id = Json::object();
  PutIf(id, "name", name);
  PutIf(id, "selector", selector);
  return id;
}

// v1 MetricSpec -> v2 MetricSpec.
Json MetricSpecToV2(const Json& m) {
  const std::string type = FieldCi(m, "type").is_string() ? FieldCi(m, "type").get<std::string>() : "";
  Json out = {{"type", type}};
  if (type == "Object") {
    const Json& o = FieldCi(m, "object");
    const Json& avg = FieldCi(o, "averageValue");
    Json target = {{"type", avg.is_null() ? "Value" : "AverageValue"},
                   {"value", QuantityOrZero(FieldCi(o, "targetValue"))}};
    PutIf(target, "averageValue", avg);
    const Json described = DescribedObject(FieldCi(o, "target"));
    out["object"] = {{"describedObject", described},
                     {"metric", Identifier(FieldCi(o, "metricName"), FieldCi(o, "selector"))},
                     {"target", target}};
  } else if (type == "Pods") {
    const Json& p = FieldCi(m, "pods");
    out["pods"] = {{"metric", Identifier(FieldCi(p, "metricName"), FieldCi(p, "selector"))},
                   {"target", {{"type", "AverageValue"},
                               {"averageValue", QuantityOrZero(FieldCi(p, "targetAverageValue"))}}}};
  } else if (type == "Resource" || type == "ContainerResource") {
    const Json& r = FieldCi(m, type == "Resource" ? "resource" : "containerResource");
    const Json& util = FieldCi(r, "targetAverageUtilization");
    Json target = {{"type", util.is_null() ? "AverageValue" : "Utilization"}};
    PutIf(target, "averageUtilization", util);
    PutIf(target, "averageValue", FieldCi(r, "targetAverageValue"));
    Json src = {{"target", target}};
    PutIf(src, "name", FieldCi(r, "name"));
    if (type == "ContainerResource") PutIf(src, "container", FieldCi(r, "container"));
    out[type == "Resource" ? "resource" : "containerResource"] = src;
  } else if (type == "External") {
    const Json& e = FieldCi(m, "external");
    const Json& value = FieldCi(e, "targetValue");
    Json target = {{"type", value.is_null() ? "AverageValue" : "Value"}};
    PutIf(target, "value", value);
    PutIf(target, "averageValue", FieldCi(e, "targetAverageValue"));
    out["external"] = {{"metric", Identifier(FieldCi(e, "metricName"), FieldCi(e, "metricSelector"))},
                       {"target", target}};
  }
  return out;
}

// v2 MetricStatus -> v1 MetricStatus.
Ordered MetricStatusToV1(const Json& m) {
  Ordered out;
  const std::string type = Field(m, "type").is_string() ? Field(m, "type").get<std::string>() : "";
  out["type"] = type;
  if (type == "Object") {
    const Json& o = Field(m, "object");
    const Json& d = Field(o, "describedObject");
    Ordered src;
    src["target"] = V1Target(d);
    PutIf(src, "metricName", Field(Field(o, "metric"), "name"));
    src["currentValue"] = QuantityOrZero(Field(Field(o, "current"), "value"));
    PutIf(src, "selector", Field(Field(o, "metric"), "selector"));
    PutIf(src, "averageValue", Field(Field(o, "current"), "averageValue"));
    out["object"] = src;
  } else if (type == "Pods") {
    const Json& p = Field(m, "pods");
    Ordered src;
    PutIf(src, "metricName", Field(Field(p, "metric"), "name"));
    src["currentAverageValue"] = QuantityOrZero(Field(Field(p, "current"), "averageValue"));
    PutIf(src, "selector", Field(Field(p, "metric"), "selector"));
    out["pods"] = src;
  } else if (type == "Resource" || type == "ContainerResource") {
    const Json& r = Field(m, type == "Resource" ? "resource" : "containerResource");
    Ordered src;
    PutIf(src, "name", Field(r, "name"));
    PutIf(src, "currentAverageUtilization", Field(Field(r, "current"), "averageUtilization"));
    src["currentAverageValue"] = QuantityOrZero(Field(Field(r, "current"), "averageValue"));
    if (type == "ContainerResource") PutIf(src, "container", Field(r, "container"));
    out[type == "Resource" ? "resource" : "containerResource"] = src;
  } else if (type == "External") {
    const Json& e = Field(m, "external");
    Ordered src;
    PutIf(src, "metricName", Field(Field(e, "metric"), "name"));
    PutIf(src, "metricSelector", Field(Field(e, "metric"), "selector"));
    src["currentValue"] = QuantityOrZero(Field(Field(e, "current"), "value"));
    PutIf(src, "currentAverageValue", Field(Field(e, "current"), "averageValue"));
    out["external"] = src;
  }
  return out;
}

// v1 MetricStatus -> v2 MetricStatus.
Json MetricStatusToV2(const Json& m) {
  const std::string type = FieldCi(m, "type").is_string() ? FieldCi(m, "type").get<std::string>() : "";
  Json out = {{"type", type}};
  if (type == "Object") {
    const Json& o = FieldCi(m, "object");
    Json current = {{"value", QuantityOrZero(FieldCi(o, "currentValue"))}};
    PutIf(current, "averageValue", FieldCi(o, "averageValue"));
    const Json described = DescribedObject(FieldCi(o, "target"));
    out["object"] = {{"describedObject", described},
                     {"metric", Identifier(FieldCi(o, "metricName"), FieldCi(o, "selector"))},
                     {"current", current}};
  } else if (type == "Pods") {
    const Json& p = FieldCi(m, "pods");
    out["pods"] = {{"metric", Identifier(FieldCi(p, "metricName"), FieldCi(p, "selector"))},
                   {"current", {{"averageValue", QuantityOrZero(FieldCi(p, "currentAverageValue"))}}}};
  } else if (type == "Resource" || type == "ContainerResource") {
    const Json& r = FieldCi(m, type == "Resource" ? "resource" : "containerResource");
    Json current = {{"averageValue", QuantityOrZero(FieldCi(r, "currentAverageValue"))}};
    PutIf(current, "averageUtilization", FieldCi(r, "currentAverageUtilization"));
    Json src = {{"current", current}};
    PutIf(src, "name", FieldCi(r, "name"));
    if (type == "ContainerResource") PutIf(src, "container", FieldCi(r, "container"));
    out[type == "Resource" ? "resource" : "containerResource"] = src;
  } else if (type == "External") {
    const Json& e = FieldCi(m, "external");
    Json current = {{"value", QuantityOrZero(FieldCi(e, "currentValue"))}};
    PutIf(current, "averageValue", FieldCi(e, "currentAverageValue"));
    out["external"] = {{"metric", Identifier(FieldCi(e, "metricName"), FieldCi(e, "metricSelector"))},
                       {"current", current}};
  }
  return out;
}

// The behavior annotation is the internal type marshalled as is: Go field
// names, nil pointers as null.
Ordered BehaviorToAnnotation(const Json& b) {
  auto rules = [](const Json& r) -> Ordered {
    if (r.is_null()) return nullptr;
    Ordered out;
    out["StabilizationWindowSeconds"] = Ordered::parse(Field(r, "stabilizationWindowSeconds").dump());
    out["SelectPolicy"] = Ordered::parse(Field(r, "selectPolicy").dump());
    Ordered policies = nullptr;
    if (Field(r, "policies").is_array()) {
      policies = Ordered::array();
      for (const Json& p : Field(r, "policies")) {
        Ordered po;
        po["Type"] = Ordered::parse(Field(p, "type").dump());
        po["Value"] = Ordered::parse(Field(p, "value").dump());
        po["PeriodSeconds"] = Ordered::parse(Field(p, "periodSeconds").dump());
        policies.push_back(po);
      }
    }
    out["Policies"] = policies;
    return out;
  };
  Ordered out;
  out["ScaleUp"] = rules(Field(b, "scaleUp"));
  out["ScaleDown"] = rules(Field(b, "scaleDown"));
  return out;
}

Json BehaviorFromAnnotation(const Json& a) {
  auto rules = [](const Json& r) -> Json {
    Json out = Json::object();
    PutIf(out, "stabilizationWindowSeconds", FieldCi(r, "StabilizationWindowSeconds"));
    PutIf(out, "selectPolicy", FieldCi(r, "SelectPolicy"));
    if (FieldCi(r, "Policies").is_array()) {
      Json policies = Json::array();
      for (const Json& p : FieldCi(r, "Policies")) {
        Json po = Json::object();
        PutIf(po, "type", FieldCi(p, "Type"));
        PutIf(po, "value", FieldCi(p, "Value"));
        PutIf(po, "periodSeconds", FieldCi(p, "PeriodSeconds"));
        policies.push_back(po);
      }
      out["policies"] = policies;
    }
    return out;
  };
  Json out = Json::object();
  if (!FieldCi(a, "ScaleUp").is_null()) out["scaleUp"] = rules(FieldCi(a, "ScaleUp"));
  if (!FieldCi(a, "ScaleDown").is_null()) out["scaleDown"] = rules(FieldCi(a, "ScaleDown"));
  return out;
}

Json ParseAnnotation(const Json& annotations, const char* key) {
  const Json& v = Field(annotations, key);
  if (!v.is_string()) return Json();
  return Json::parse(v.get<std::string>(), nullptr, false);
}

}  // namespace

Json HpaV2ToV1(const Json& v2) {
  Json out = {{"apiVersion", "autoscaling/v1"}, {"kind", "HorizontalPodAutoscaler"}};
  Json meta = Field(v2, "metadata").is_object() ? Field(v2, "metadata") : Json::object();
  const Json& spec = Field(v2, "spec");
  const Json& status = Field(v2, "status");
  Json s1 = Json::object();
  PutIf(s1, "scaleTargetRef", Field(spec, "scaleTargetRef"));
  PutIf(s1, "minReplicas", Field(spec, "minReplicas"));
  s1["maxReplicas"] = Field(spec, "maxReplicas").is_null() ? Json(0) : Field(spec, "maxReplicas");
  Ordered other = Ordered::array();
  if (Field(spec, "metrics").is_array()) {
    bool cpu_seen = false;
    for (const Json& m : Field(spec, "metrics")) {
      if (!cpu_seen && Field(m, "type") == "Resource" && Field(Field(m, "resource"), "name") == "cpu") {
        cpu_seen = true;  // the first CPU metric decides, as in the real conversion
        PutIf(s1, "targetCPUUtilizationPercentage",
              Field(Field(Field(m, "resource"), "target"), "averageUtilization"));
      }
      if (IsCpuUtilization(m)) continue;
      other.push_back(MetricSpecToV1(m));
    }
  }
  Json annotations = Field(meta, "annotations").is_object() ? Field(meta, "annotations") : Json::object();
  if (!other.empty()) annotations[kMetricsAnnotation] = other.dump();
  if (Field(status, "currentMetrics").is_array() && !Field(status, "currentMetrics").empty()) {
    Ordered current = Ordered::array();
    for (const Json& m : Field(status, "currentMetrics")) current.push_back(MetricStatusToV1(m));
    annotations[kCurrentMetricsAnnotation] = current.dump();
  }
  if (Field(status, "conditions").is_array() && !Field(status, "conditions").empty()) {
    Ordered conditions = Ordered::array();
    for (const Json& c : Field(status, "conditions")) {
      Ordered o;
      for (const char* k : {"type", "status", "lastTransitionTime", "reason", "message"}) {
        PutIf(o, k, Field(c, k));
      }
      conditions.push_back(o);
    }
    annotations[kConditionsAnnotation] = conditions.dump();
  }
  if (Field(spec, "behavior").is_object()) {
    annotations[kBehaviorAnnotation] = BehaviorToAnnotation(Field(spec, "behavior")).dump();
  }
  if (!annotations.empty()) meta["annotations"] = annotations;
  out["metadata"] = meta;
  out["spec"] = s1;
  Json st = {{"currentReplicas", Field(status, "currentReplicas").is_null() ? Json(0)
                                                                           : Field(status, "currentReplicas")},
             {"desiredReplicas", Field(status, "desiredReplicas").is_null() ? Json(0)
                                                                           : Field(status, "desiredReplicas")}};
  PutIf(st, "observedGeneration", Field(status, "observedGeneration"));
  PutIf(st, "lastScaleTime", Field(status, "lastScaleTime"));
  if (Field(status, "currentMetrics").is_array()) {
    for (const Json& m : Field(status, "currentMetrics")) {
      if (Field(m, "type") == "Resource" && Field(Field(m, "resource"), "name") == "cpu") {
        PutIf(st, "currentCPUUtilizationPercentage",
              Field(Field(Field(m, "resource"), "current"), "averageUtilization"));
      }
    }
  }
  out["status"] = st;
  return out;
}

Json HpaV1ToV2(const Json& v1) {
  Json out = {{"apiVersion", "autoscaling/v2"}, {"kind", "HorizontalPodAutoscaler"}};
  Json meta = Field(v1, "metadata").is_object() ? Field(v1, "metadata") : Json::object();
  Json annotations = Field(meta, "annotations").is_object() ? Field(meta, "annotations") : Json::object();
  const Json& spec = Field(v1, "spec");
  const Json& status = Field(v1, "status");
  Json s2 = Json::object();
  PutIf(s2, "scaleTargetRef", Field(spec, "scaleTargetRef"));
  PutIf(s2, "minReplicas", Field(spec, "minReplicas"));
  PutIf(s2, "maxReplicas", Field(spec, "maxReplicas"));
  Json metrics = Json::array();
  const Json other = ParseAnnotation(annotations, kMetricsAnnotation);
  if (other.is_array()) {
    for (const Json& m : other) metrics.push_back(MetricSpecToV2(m));
  }
  // The spec's own CPU target goes after the annotation's metrics.
  if (!Field(spec, "targetCPUUtilizationPercentage").is_null()) {
    metrics.push_back({{"type", "Resource"},
                       {"resource", {{"name", "cpu"},
                                     {"target", {{"type", "Utilization"},
                                                 {"averageUtilization",
                                                  Field(spec, "targetCPUUtilizationPercentage")}}}}}});
  }
  // autoscaling/v1 had an implicit CPU default, made explicit here.
  if (metrics.empty()) {
    metrics.push_back({{"type", "Resource"},
                       {"resource", {{"name", "cpu"},
                                     {"target", {{"type", "Utilization"},
                                                 {"averageUtilization", kDefaultCpuUtilization}}}}}});
  }
  s2["metrics"] = metrics;
  const Json behavior = ParseAnnotation(annotations, kBehaviorAnnotation);
  if (behavior.is_object()) s2["behavior"] = BehaviorFromAnnotation(behavior);
  Json st = Json::object();
  PutIf(st, "observedGeneration", Field(status, "observedGeneration"));
  PutIf(st, "lastScaleTime", Field(status, "lastScaleTime"));
  // v2's currentReplicas is omitempty; v1's is not.
  if (Field(status, "currentReplicas") != Json(0)) PutIf(st, "currentReplicas", Field(status, "currentReplicas"));
  st["desiredReplicas"] = Field(status, "desiredReplicas").is_null() ? Json(0) : Field(status, "desiredReplicas");
  const Json current = ParseAnnotation(annotations, kCurrentMetricsAnnotation);
  if (current.is_array()) {
    st["currentMetrics"] = Json::array();
    for (const Json& m : current) st["currentMetrics"].push_back(MetricStatusToV2(m));
  } else if (!Field(status, "currentCPUUtilizationPercentage").is_null()) {
    st["currentMetrics"] = Json::array(
        {{{"type", "Resource"},
          {"resource", {{"name", "cpu"},
                        {"current", {{"averageUtilization", Field(status, "currentCPUUtilizationPercentage")},
                                     {"averageValue", "0"}}}}}}});
  } else {
    st["currentMetrics"] = nullptr;
  }
  const Json conditions = ParseAnnotation(annotations, kConditionsAnnotation);
  if (conditions.is_array()) {
    st["conditions"] = Json::array();
    for (const Json& c : conditions) {
      Json o = Json::object();
      for (const char* k : {"type", "status", "lastTransitionTime", "reason", "message"}) PutIf(o, k, FieldCi(c, k));
      st["conditions"].push_back(o);
    }
  }
  for (const char* k : {kMetricsAnnotation, kCurrentMetricsAnnotation, kConditionsAnnotation, kBehaviorAnnotation}) {
    annotations.erase(k);
  }
  if (annotations.empty()) {
    meta.erase("annotations");
  } else {
    meta["annotations"] = annotations;
  }
  out["metadata"] = meta;
  out["spec"] = s2;
  out["status"] = st;
  return out;
}

bool ConvertsToStorage(const ResourceType& t) { return IsHpa(t) && t.version == "v1"; }

Json ToStorageVersion(const ResourceType& t, Json obj) {
  if (!ConvertsToStorage(t) || !obj.is_object()) return obj;
  return HpaV1ToV2(obj);
}

Json FromStorageVersion(const ResourceType& t, Json obj) {
  if (!ConvertsToStorage(t) || !obj.is_object()) return obj;
  return HpaV2ToV1(obj);
}

}  // namespace doris_operator::kubesim
