#include "tools/kubesim/go_encoding.h"

namespace doris_operator::kubesim {

namespace {

// metav1.ObjectMeta: every field but creationTimestamp is `omitempty`.
void DropEmptyMetadata(Json& meta) {
  if (!meta.is_object()) return;
  for (const char* k : {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion"}) {
    if (meta.contains(k) && (meta[k].is_null() || (meta[k].is_string() && meta[k].get<std::string>().empty()))) {
      meta.erase(k);
    }
  }
  for (const char* k : {"labels", "annotations", "ownerReferences", "finalizers", "managedFields"}) {
    if (meta.contains(k) && (meta[k].is_null() || ((meta[k].is_object() || meta[k].is_array()) && meta[k].empty()))) {
      meta.erase(k);
    }
  }
  for (const char* k : {"deletionGracePeriodSeconds", "deletionTimestamp", "creationTimestamp"}) {
    if (meta.contains(k) && meta[k].is_null()) meta.erase(k);
  }
  if (meta.contains("generation") && (meta["generation"].is_null() || meta["generation"] == 0)) {
    meta.erase("generation");
  }
}

// Status fields whose json tag has no omitempty (k8s.io/api v0.32
// apps/v1 StatefulSetStatus, core/v1 ServiceStatus, policy/v1
// PodDisruptionBudgetStatus): Go writes them even when zero.
void FillAlwaysWrittenStatus(const ResourceType& t, Json& obj) {
  auto status = [&]() -> Json& {
    if (!obj.contains("status") || !obj["status"].is_object()) obj["status"] = Json::object();
    return obj["status"];
  };
  auto zero = [](Json& s, const char* k, const Json& v) {
    if (!s.contains(k) || s[k].is_null()) s[k] = v;
  };
  if (t.group == "apps" && t.resource == "statefulsets") {
    Json& s = status();
    zero(s, "replicas", 0);
    zero(s, "availableReplicas", 0);
  } else if (t.group.empty() && t.resource == "services") {
    zero(status(), "loadBalancer", Json::object());
  } else if (t.group == "policy" && t.resource == "poddisruptionbudgets") {
    Json& s = status();
    for (const char* k : {"disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"}) {
      zero(s, k, 0);
    }
  }
}

}  // namespace

void NormalizeAsGoEncodes(const ResourceType& t, Json& obj) {
  if (!obj.is_object()) return;
  if (obj.contains("metadata")) DropEmptyMetadata(obj["metadata"]);
  if (!t.custom) FillAlwaysWrittenStatus(t, obj);
}

}  // namespace doris_operator::kubesim
