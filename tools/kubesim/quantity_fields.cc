#include "tools/kubesim/quantity_fields.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/kubesim/quantity.h"

namespace doris_operator::kubesim {

namespace {

// A path's segments: "name[]" walks every element of a list, and the last
// segment says what the quantity field is: "name{}" a ResourceList (every
// value a quantity), "name" a *Quantity (null or absent: no field), "name!"
// a Quantity value, which Go always encodes ("0" when absent).
using Paths = std::vector<std::string>;

Paths Prefixed(const std::string& prefix, const Paths& paths) {
  Paths out;
  for (const std::string& p : paths) out.push_back(absl::StrCat(prefix, p));
  return out;
}

// core/v1 PodSpec.
Paths PodSpecPaths() {
  Paths out;
  for (const char* c : {"containers[]", "initContainers[]", "ephemeralContainers[]"}) {
    out.push_back(absl::StrCat(c, ".resources.requests{}"));
    out.push_back(absl::StrCat(c, ".resources.limits{}"));
    out.push_back(absl::StrCat(c, ".env[].valueFrom.resourceFieldRef.divisor!"));
  }
  out.push_back("volumes[].emptyDir.sizeLimit");
  out.push_back("volumes[].downwardAPI.items[].resourceFieldRef.divisor!");
  out.push_back("volumes[].projected.sources[].downwardAPI.items[].resourceFieldRef.divisor!");
  out.push_back("volumes[].ephemeral.volumeClaimTemplate.spec.resources.requests{}");
  out.push_back("volumes[].ephemeral.volumeClaimTemplate.spec.resources.limits{}");
  out.push_back("overhead{}");
  out.push_back("resources.requests{}");
  out.push_back("resources.limits{}");
  return out;
}

Paths PodStatusPaths() {
  Paths out;
  for (const char* s : {"containerStatuses[]", "initContainerStatuses[]", "ephemeralContainerStatuses[]"}) {
    out.push_back(absl::StrCat(s, ".allocatedResources{}"));
    out.push_back(absl::StrCat(s, ".resources.requests{}"));
    out.push_back(absl::StrCat(s, ".resources.limits{}"));
  }
  return out;
}

// core/v1 PersistentVolumeClaim, relative to the claim.
Paths ClaimPaths() {
  return {"spec.resources.requests{}", "spec.resources.limits{}", "status.capacity{}",
          "status.allocatedResources{}"};
}

Paths HpaPaths() {
  Paths out;
  for (const char* source : {"object", "pods", "resource", "containerResource", "external"}) {
    out.push_back(absl::StrCat("spec.metrics[].", source, ".target.value"));
    out.push_back(absl::StrCat("spec.metrics[].", source, ".target.averageValue"));
    out.push_back(absl::StrCat("status.currentMetrics[].", source, ".current.value"));
    out.push_back(absl::StrCat("status.currentMetrics[].", source, ".current.averageValue"));
  }
  return out;
}

Paths PathsOf(const ResourceType& t) {
  if (t.group.empty() && t.resource == "pods") {
    Paths out = Prefixed("spec.", PodSpecPaths());
    for (const std::string& p : Prefixed("status.", PodStatusPaths())) out.push_back(p);
    return out;
  }
  if (t.group.empty() && t.resource == "persistentvolumeclaims") return ClaimPaths();
  if (t.group.empty() && t.resource == "persistentvolumes") return {"spec.capacity{}"};
  if (t.group == "apps" && t.resource == "statefulsets") {
    Paths out = Prefixed("spec.template.spec.", PodSpecPaths());
    for (const std::string& p : Prefixed("spec.volumeClaimTemplates[].", ClaimPaths())) out.push_back(p);
    return out;
  }
  if (t.group == "autoscaling" && t.version == "v2" && t.resource == "horizontalpodautoscalers") {
    return HpaPaths();
  }
  return {};
}

std::optional<std::string> Walk(Json& node, const std::vector<std::string>& segs, size_t i) {
  if (!node.is_object()) return std::nullopt;
  absl::string_view seg_view = segs[i];
  auto consume = [&](absl::string_view suffix) { return absl::ConsumeSuffix(&seg_view, suffix); };
  if (i + 1 == segs.size()) {
    if (consume("{}")) {
      const std::string seg(seg_view);
      if (!node.contains(seg) || !node[seg].is_object()) return std::nullopt;
      for (auto& [name, value] : node[seg].items()) {
        absl::StatusOr<std::string> q = CanonicalQuantityValue(value);
        if (!q.ok()) return std::string(q.status().message());
        value = *q;
      }
      return std::nullopt;
    }
    const bool value_type = consume("!");
    const std::string seg(seg_view);
    if (!node.contains(seg) || node[seg].is_null()) {
      if (value_type) {
        node[seg] = "0";
      } else {
        node.erase(seg);
      }
      return std::nullopt;
    }
    absl::StatusOr<std::string> q = CanonicalQuantityValue(node[seg]);
    if (!q.ok()) return std::string(q.status().message());
    node[seg] = *q;
    return std::nullopt;
  }
  const bool list = consume("[]");
  const std::string seg(seg_view);
  if (!node.contains(seg)) return std::nullopt;
  Json& child = node[seg];
  if (!list) return Walk(child, segs, i + 1);
  if (!child.is_array()) return std::nullopt;
  for (Json& element : child) {
    if (auto e = Walk(element, segs, i + 1)) return e;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CanonicalizeQuantities(const ResourceType& t, Json& obj) {
  if (t.custom) return std::nullopt;
  for (const std::string& path : PathsOf(t)) {
    const std::vector<std::string> segs = absl::StrSplit(path, '.');
    if (auto e = Walk(obj, segs, 0)) return e;
  }
  return std::nullopt;
}

}  // namespace doris_operator::kubesim
