#include "operator/reconcile/volume_expansion.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "operator/kube/object_fields.h"
#include "translator/canonical_json.h"
#include "translator/quantity.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;
using kube::FieldAt;
using kube::StringAt;
using translator::Quantity;

constexpr char kStorageClassApi[] = "storage.k8s.io/v1";

std::optional<Quantity> StorageOf(const Json& claim_or_template) {
  const Json& v = FieldAt(claim_or_template, {"spec", "resources", "requests", "storage"});
  if (v.is_null()) return std::nullopt;
  absl::StatusOr<Quantity> q = Quantity::FromJson(v);
  return q.ok() ? std::optional<Quantity>(*q) : std::nullopt;
}

std::optional<Quantity> CapacityOf(const Json& claim) {
  const Json& v = FieldAt(claim, {"status", "capacity", "storage"});
  if (v.is_null()) return std::nullopt;
  absl::StatusOr<Quantity> q = Quantity::FromJson(v);
  return q.ok() ? std::optional<Quantity>(*q) : std::nullopt;
}

const Json* TemplateNamed(const Json& sts, const std::string& name) {
  const Json& vcts = FieldAt(sts, {"spec", "volumeClaimTemplates"});
  if (!vcts.is_array()) return nullptr;
  for (const Json& t : vcts) {
    if (StringAt(t, {"metadata", "name"}) == name) return &t;
  }
  return nullptr;
}

// The spec field a claim template comes from: its persistentVolumes entry
// (by name; a template entry without mountPath expands to `<name>-<suffix>`).
std::string FieldFor(const model::v1::DorisClusterSpec& spec, Component c, const std::string& claim_template) {
  const model::v1::BaseSpec* base = translator::BaseOf(spec, c);
  int index = -1;
  if (base != nullptr) {
    for (int i = 0; i < base->persistent_volumes_size(); ++i) {
      const auto& pv = base->persistent_volumes(i);
      if (pv.name() == claim_template && index < 0) index = i;
    }
    for (int i = base->persistent_volumes_size() - 1; index < 0 && i >= 0; --i) {
      const auto& pv = base->persistent_volumes(i);
      if (pv.mount_path().empty() && claim_template.rfind(pv.name() + "-", 0) == 0) index = i;
    }
  }
  return absl::StrCat("spec.", translator::ComponentName(c), "Spec.persistentVolumes[", std::max(index, 0),
                      "].persistentVolumeClaimSpec.resources.requests.storage");
}

// The claims the StatefulSet made from one template: `<template>-<set>-<ordinal>`.
std::vector<std::pair<std::string, Json>> ClaimsOf(const Run& run, const std::string& claim_template,
                                                   const std::string& sts) {
  std::vector<std::pair<std::string, Json>> out;
  const std::string prefix = absl::StrCat(claim_template, "-", sts, "-");
  for (const auto& [id, obj] : run.objects) {
    if (id.kind != "PersistentVolumeClaim" || id.name.rfind(prefix, 0) != 0) continue;
    int ordinal = 0;
    if (!absl::SimpleAtoi(id.name.substr(prefix.size()), &ordinal) || ordinal < 0) continue;
    Json j = Json::parse(obj.object_json(), nullptr, false);
    if (j.is_discarded()) continue;
    out.emplace_back(id.name, std::move(j));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// Whether the claim has condition `type` with status True.
bool HasCondition(const Json& claim, const std::string& type) {
  const Json& conditions = FieldAt(claim, {"status", "conditions"});
  if (!conditions.is_array()) return false;
  for (const Json& c : conditions) {
    if (StringAt(c, {"type"}) == type && StringAt(c, {"status"}) == "True") return true;
  }
  return false;
}

// What a claim waits for, from its resize conditions.
std::string ClaimState(const Json& claim) {
  const Json& conditions = FieldAt(claim, {"status", "conditions"});
  if (conditions.is_array()) {
    for (const Json& c : conditions) {
      if (StringAt(c, {"status"}) != "True") continue;
      const std::string type = StringAt(c, {"type"});
      if (type == "FileSystemResizePending") return "FileSystemResizePending (its file system grows on its node)";
      if (type == "Resizing") return "Resizing";
      if (!type.empty()) return type;
    }
  }
  return "waiting for the resizer";
}

// The templates as Kubernetes compares them, without what the server fills
// and without the storage requests this plan changes.
Json Comparable(Json vcts, const std::vector<const VolumeExpansion*>& mine) {
  if (!vcts.is_array()) return Json::array();
  for (Json& t : vcts) {
    t.erase("status");
    if (t.contains("metadata") && t["metadata"].is_object()) t["metadata"].erase("creationTimestamp");
    if (!t.contains("spec") || !t["spec"].is_object()) continue;
    t["spec"].erase("volumeMode");
    for (const VolumeExpansion* e : mine) {
      if (StringAt(t, {"metadata", "name"}) != e->claim_template) continue;
      if (t["spec"].contains("resources") && t["spec"]["resources"].contains("requests")) {
        t["spec"]["resources"]["requests"].erase("storage");
      }
    }
  }
  return vcts;
}

translator::DesiredObject* DesiredNamed(translator::DesiredSet* desired, const std::string& kind,
                                        const std::string& name) {
  for (translator::DesiredObject& o : desired->objects) {
    if (o.kind == kind && o.name == name) return &o;
  }
  return nullptr;
}

// Keeps the desired StatefulSet's templates at their live sizes (its hash
// stays that of the full desired object, so once applied it is not applied
// again): the rest of a change goes through while claims resize.
void HoldTemplates(translator::DesiredObject* d, const std::vector<const VolumeExpansion*>& mine) {
  Json want = Json::parse(d->json, nullptr, false);
  if (want.is_discarded() || !want["spec"].contains("volumeClaimTemplates")) return;
  for (Json& t : want["spec"]["volumeClaimTemplates"]) {
    for (const VolumeExpansion* e : mine) {
      if (StringAt(t, {"metadata", "name"}) == e->claim_template) {
        t["spec"]["resources"]["requests"]["storage"] = e->from;
      }
    }
  }
  d->json = translator::Canonical(want);
}

// Waits (briefly) for an orphan-deleted StatefulSet to be gone: the garbage
// collector first releases its pods, then removes it.
bool GoneSoon(kube::Client* kube, const std::string& path) {
  for (int i = 0; i < 50; ++i) {
    absl::StatusOr<Json> got = kube->Get(path);
    if (!got.ok() && got.status().code() == absl::StatusCode::kNotFound) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

}  // namespace

VolumePlan PlanVolumeExpansion(Run& run) {
  VolumePlan plan;
  absl::StatusOr<translator::DesiredSet> desired = translator::Translate(run.cluster, run.inputs);
  if (!desired.ok()) return plan;  // the translate step reports it
  std::map<std::string, std::optional<bool>> classes;  // name -> allowVolumeExpansion, nullopt = missing
  for (const translator::DesiredObject& d : desired->objects) {
    if (d.kind != "StatefulSet") continue;
    std::optional<Component> comp;
    for (Component c : translator::kAllComponents) {
      if (translator::StatefulSetName(run.key.name, c) == d.name) comp = c;
    }
    if (!comp || !run.of(*comp).statefulset) continue;
    const Json& live = *run.of(*comp).statefulset;
    const Json want_sts = Json::parse(d.json, nullptr, false);
    const Json& want_vcts = FieldAt(want_sts, {"spec", "volumeClaimTemplates"});
    if (!want_vcts.is_array()) continue;
    for (const Json& t : want_vcts) {
      const std::string name = StringAt(t, {"metadata", "name"});
      const Json* live_t = TemplateNamed(live, name);
      const std::optional<Quantity> want = StorageOf(t);
      const std::optional<Quantity> have = live_t != nullptr ? StorageOf(*live_t) : std::nullopt;
      if (!want || !have) continue;
      const std::vector<std::pair<std::string, Json>> claims = ClaimsOf(run, name, d.name);
      Quantity floor = *have;
      bool claim_behind = false;
      std::string storage_class = StringAt(t, {"spec", "storageClassName"});
      for (const auto& [claim_name, claim] : claims) {
        const std::optional<Quantity> requested = StorageOf(claim);
        if (requested && Compare(*requested, floor) > 0) floor = *requested;
        if (requested && Compare(*requested, *want) < 0) claim_behind = true;
        // The class a claim got by default, when the template names none.
        if (storage_class.empty()) storage_class = StringAt(claim, {"spec", "storageClassName"});
      }
      const std::string field = FieldFor(run.cluster.spec(), *comp, name);
      if (Compare(*want, floor) < 0) {
        plan.problems.push_back(absl::StrCat(field, ": ", want->String(), " is less than the ", floor.String(),
                                             " claim template ", name, " already has: Kubernetes volumes "
                                             "cannot shrink; set it back to ", floor.String(), " or more"));
        continue;
      }
      if (Compare(*want, *have) == 0 && !claim_behind) continue;
      if (storage_class.empty()) {
        plan.problems.push_back(absl::StrCat(field, ": cannot grow from ", have->String(), " to ", want->String(),
                                             ": the claims name no StorageClass, and only a StorageClass with "
                                             "allowVolumeExpansion: true can grow a volume"));
        continue;
      }
      auto known = classes.find(storage_class);
      if (known == classes.end()) {
        const std::string path = kube::ObjectPath(kStorageClassApi, "", "storageclasses", storage_class);
        absl::StatusOr<Json> sc = run.services.kube->Get(path);
        const log::v1::ObjectRef ref = RefFor(kStorageClassApi, "StorageClass", "", storage_class);
        if (!sc.ok() && sc.status().code() != absl::StatusCode::kNotFound) {
          // Cannot tell: neither refuse nor grow this time.
          run.Action("get", ref, "allowVolumeExpansion unknown", sc.status());
          continue;
        }
        std::optional<bool> allow;
        if (sc.ok()) allow = kube::BoolAt(*sc, {"allowVolumeExpansion"});
        run.Action("get", ref,
                   !allow ? "not found" : absl::StrCat("allowVolumeExpansion=", *allow ? "true" : "false"),
                   absl::OkStatus(), false);
        known = classes.emplace(storage_class, allow).first;
      }
      if (!known->second) {
        plan.problems.push_back(absl::StrCat(field, ": cannot grow from ", have->String(), " to ", want->String(),
                                             ": StorageClass \"", storage_class, "\" does not exist"));
        continue;
      }
      if (!*known->second) {
        plan.problems.push_back(absl::StrCat(field, ": cannot grow from ", have->String(), " to ", want->String(),
                                             ": StorageClass \"", storage_class,
                                             "\" does not allow volume expansion (allowVolumeExpansion is not true)"));
        continue;
      }
      plan.expansions.push_back({*comp, d.name, name, field, have->String(), want->String(), storage_class});
    }
  }
  return plan;
}

void ExpandVolumes(Run& run, const VolumePlan& plan, translator::DesiredSet* desired) {
  std::map<std::string, std::vector<const VolumeExpansion*>> by_set;
  for (const VolumeExpansion& e : plan.expansions) by_set[e.statefulset].push_back(&e);
  kube::Client* kube = run.services.kube;
  for (const auto& [sts, mine] : by_set) {
    const Component c = mine.front()->component;
    ComponentState& state = run.of(c);
    std::vector<std::string> waiting;
    // Ordinals at or past the set's replicas have no pod (a scale-in keeps
    // their claims): nothing mounts them, so their file system resize stays
    // pending until a scale-out does, and the expansion must not wait for it.
    const int64_t pods_up_to =
        state.statefulset ? kube::IntAt(*state.statefulset, {"spec", "replicas"}, 1) : INT64_MAX;
    for (const VolumeExpansion* e : mine) {
      const absl::StatusOr<Quantity> to = Quantity::Parse(e->to);
      std::vector<std::string> patched;
      for (const auto& [claim_name, claim] : ClaimsOf(run, e->claim_template, sts)) {
        const std::optional<Quantity> requested = StorageOf(claim);
        const log::v1::ObjectRef ref = RefFor("v1", "PersistentVolumeClaim", run.key.ns, claim_name);
        if (requested && Compare(*requested, *to) < 0) {
          const std::string path = kube::ObjectPath("v1", run.key.ns, "persistentvolumeclaims", claim_name);
          const absl::Status s =
              kube->MergePatch(path, Json{{"spec", {{"resources", {{"requests", {{"storage", e->to}}}}}}}}.dump())
                  .status();
          ++run.writes;
          run.Action("patch", ref,
                     absl::StrCat("storage ", requested->String(), " -> ", e->to, ": ", e->field,
                                  " grew; StorageClass ", e->storage_class, " allows expansion"),
                     s);
          if (s.ok()) {
            patched.push_back(claim_name);
          } else {
            const std::string what = absl::StrCat("patch PersistentVolumeClaim ", claim_name, ": ", s.message());
            run.failed_writes.push_back(what);
            run.failure_events.emplace_back("FailedVolumeExpansion", what);
          }
          waiting.push_back(absl::StrCat(claim_name, " resize requested"));
          continue;
        }
        const std::optional<Quantity> capacity = CapacityOf(claim);
        if (!capacity || Compare(*capacity, *to) < 0) {
          int64_t ordinal = 0;
          const std::string prefix = absl::StrCat(e->claim_template, "-", sts, "-");
          if (absl::SimpleAtoi(absl::string_view(claim_name).substr(prefix.size()), &ordinal) &&
              ordinal >= pods_up_to && HasCondition(claim, "FileSystemResizePending")) {
            continue;  // the volume has grown; its file system grows when a pod mounts it
          }
          waiting.push_back(absl::StrCat(claim_name, " ", ClaimState(claim)));
        }
      }
      if (!patched.empty()) {
        run.Event("Normal", "VolumeExpansion",
                  absl::StrCat(translator::ComponentName(c), ": growing ", e->claim_template, " from ", e->from,
                               " to ", e->to, " (", e->field, "; StorageClass ", e->storage_class,
                               " allows expansion): patched ", absl::StrJoin(patched, ", ")));
      }
    }
    translator::DesiredObject* d = DesiredNamed(desired, "StatefulSet", sts);
    if (d == nullptr) continue;  // withheld
    const Json& live = *state.statefulset;
    const std::string path = kube::ObjectPath("apps/v1", run.key.ns, "statefulsets", sts);
    auto hold = [&](const std::string& why) {
      HoldTemplates(d, mine);
      state.scaling = true;
      state.waiting_on = absl::StrCat("volume expansion to ", mine.front()->to, ": ", why);
    };
    if (!waiting.empty()) {
      hold(absl::StrJoin(waiting, ", "));
      continue;
    }
    // Every claim has its new size. Re-create the StatefulSet only when
    // nothing else is under way on it: the rest of the spec applied (same
    // hash), the templates differing in these sizes only, its pods on one
    // revision (a re-created set starts without a rollout's partition).
    const bool applied = StringAt(live, {"metadata", "annotations", translator::kHashAnnotation}) == d->hash;
    const bool same_templates = Comparable(FieldAt(Json::parse(d->json), {"spec", "volumeClaimTemplates"}), mine) ==
                                Comparable(FieldAt(live, {"spec", "volumeClaimTemplates"}), mine);
    const bool settled =
        kube::IntAt(live, {"status", "observedGeneration"}, 0) >= kube::IntAt(live, {"metadata", "generation"}, 0) &&
        StringAt(live, {"status", "currentRevision"}) == StringAt(live, {"status", "updateRevision"});
    if (!same_templates) continue;  // another template change: the diff says it cannot be applied
    if (!applied || !settled || !FieldAt(live, {"metadata", "deletionTimestamp"}).is_null()) {
      hold(absl::StrCat("StatefulSet ", sts, " to settle before it is re-created with the new claim templates"));
      continue;
    }
    // The log may lag behind a re-creation of ours: ask the API server.
    absl::StatusOr<Json> current = kube->Get(path);
    if (current.ok() && Comparable(FieldAt(*current, {"spec", "volumeClaimTemplates"}), {}) ==
                            Comparable(FieldAt(Json::parse(d->json), {"spec", "volumeClaimTemplates"}), {})) {
      continue;  // already re-created
    }
    const absl::Status s = current.ok() ? kube->Delete(path, "Orphan") : current.status();
    ++run.writes;
    std::vector<std::string> sizes;
    for (const VolumeExpansion* e : mine) sizes.push_back(absl::StrCat(e->claim_template, " ", e->from, " -> ", e->to));
    run.Action("delete_orphan", RefFor("apps/v1", "StatefulSet", run.key.ns, sts),
               absl::StrCat("volumeClaimTemplates ", absl::StrJoin(sizes, ", "),
                            " cannot change in place; every claim is resized; pods and claims stay, the "
                            "StatefulSet is created again"),
               s);
    if (!s.ok()) {
      const std::string what = absl::StrCat("delete StatefulSet ", sts, " (orphan): ", s.message());
      run.failed_writes.push_back(what);
      run.failure_events.emplace_back("FailedDelete", what);
      hold("re-creating the StatefulSet");
      continue;
    }
    run.Event("Normal", "VolumeExpansion",
              absl::StrCat(translator::ComponentName(c), ": every claim resized (", absl::StrJoin(sizes, ", "),
                           "); StatefulSet ", sts,
                           " deleted with propagationPolicy Orphan and created again with the new claim "
                           "templates; its pods keep running"));
    if (GoneSoon(kube, path)) {
      // The diff creates it from the desired object.
      run.live.erase(std::remove_if(run.live.begin(), run.live.end(),
                                    [&](const LiveObject& l) { return l.kind == "StatefulSet" && l.name == sts; }),
                     run.live.end());
    } else {
      // Still being deleted: created by a later reconcile.
      desired->objects.erase(std::remove_if(desired->objects.begin(), desired->objects.end(),
                                            [&](const translator::DesiredObject& o) {
                                              return o.kind == "StatefulSet" && o.name == sts;
                                            }),
                             desired->objects.end());
      state.scaling = true;
      state.waiting_on = absl::StrCat("StatefulSet ", sts, " to be deleted before it is created again");
    }
  }
}

}  // namespace doris_operator::reconcile
