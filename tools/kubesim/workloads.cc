#include "tools/kubesim/workloads.h"

#include <algorithm>
#include <set>
#include <variant>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/kubesim/statefulset_adoption.h"
#include "tools/kubesim/storage_admission.h"
#include "tools/kubesim/workloads_internal.h"

namespace doris_operator::kubesim {

namespace {

using workloads_internal::Condition;
using workloads_internal::ContainersOf;
using workloads_internal::ImageOf;
using workloads_internal::StartDelay;
using workloads_internal::WaitingStatus;

constexpr char kRevisionLabel[] = "controller-revision-hash";
constexpr char kPodNameLabel[] = "statefulset.kubernetes.io/pod-name";
constexpr char kHashLabel[] = "controller.kubernetes.io/hash";

uint32_t Fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string Selector(const Json& match_labels) {
  std::string out;
  if (!match_labels.is_object()) return out;
  for (const auto& [k, v] : match_labels.items()) {
    if (!out.empty()) out += ",";
    out += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

int OrdinalOf(const std::string& pod, const std::string& sts) {
  if (pod.rfind(sts + "-", 0) != 0) return -1;
  int ordinal = -1;
  return absl::SimpleAtoi(pod.substr(sts.size() + 1), &ordinal) ? ordinal : -1;
}

bool PodReady(const Json& pod) {
  if (!pod.contains("status") || !pod["status"].contains("conditions")) return false;
  for (const Json& c : pod["status"]["conditions"]) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

bool Terminating(const Json& pod) { return pod["metadata"].contains("deletionTimestamp"); }

Json OwnerRef(const char* api_version, const char* kind, const Json& owner, bool controller) {
  Json r = {{"apiVersion", api_version}, {"kind", kind}, {"name", owner["metadata"]["name"]},
            {"uid", owner["metadata"]["uid"]}, {"blockOwnerDeletion", true}};
  if (controller) r["controller"] = true;
  return r;
}

// maxUnavailable as the controller reads it: a count or a percentage of
// replicas rounded down, never below one.
int MaxUnavailable(const Json& rolling, int replicas) {
  if (!rolling.is_object() || !rolling.contains("maxUnavailable")) return 1;
  const Json& v = rolling["maxUnavailable"];
  int n = 1;
  if (v.is_number_integer()) {
    n = v.get<int>();
  } else if (v.is_string()) {
    std::string s = v.get<std::string>();
    int pct = 0;
    if (!s.empty() && s.back() == '%' && absl::SimpleAtoi(s.substr(0, s.size() - 1), &pct)) {
      n = replicas * pct / 100;
    } else if (!absl::SimpleAtoi(s, &n)) {
      n = 1;
    }
  }
  return std::max(n, 1);
}

std::vector<std::string> ClaimNames(const Json& pod) {
  std::vector<std::string> out;
  if (!pod.contains("spec")) return out;
  for (const Json& v : pod["spec"].value("volumes", Json::array())) {
    if (v.contains("persistentVolumeClaim")) {
      out.push_back(v["persistentVolumeClaim"].value("claimName", ""));
    }
  }
  return out;
}

// The status the binder gives a claim: Bound, with the access modes and,
// as a dynamically provisioned volume has it, the requested capacity.
Json BoundStatus(const Json& claim) {
  Json status = {{"phase", "Bound"}};
  const Json spec = claim.value("spec", Json::object());
  if (spec.contains("accessModes")) status["accessModes"] = spec["accessModes"];
  const Json storage = spec.value("resources", Json::object()).value("requests", Json::object()).value("storage", Json());
  if (!storage.is_null()) status["capacity"] = {{"storage", storage}};
  return status;
}

ResourceType Must(const ObjectStore& store, const char* group, const char* version,
                  const char* resource) {
  return *store.Find(group, version, resource);
}

}  // namespace

namespace workloads_internal {

Json Condition(const char* type, bool status, const char* reason, const std::string& message) {
  Json c = {{"type", type}, {"status", status ? "True" : "False"}};
  if (reason != nullptr) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

std::string ImageOf(const Json& pod) {
  if (!pod.contains("spec") || !pod["spec"].contains("containers") ||
      pod["spec"]["containers"].empty()) {
    return "";
  }
  return pod["spec"]["containers"][0].value("image", "");
}

int64_t StartDelay(const Json& pod, const WorkloadOptions& options) {
  return options.start_ms * (ImageOf(pod).find("slow-start") != std::string::npos ? 10 : 1);
}

const Json& ContainersOf(const Json& pod, const char* field) {
  static const Json kNone = Json::array();
  return pod["spec"].contains(field) && pod["spec"][field].is_array() ? pod["spec"][field] : kNone;
}

}  // namespace workloads_internal

std::string TemplateRevision(const std::string& sts_name, const Json& pod_template) {
  return absl::StrCat(sts_name, "-", absl::Hex(Fnv1a(pod_template.dump()), absl::kZeroPad8));
}

WorkloadController::WorkloadController(ObjectStore* store, WorkloadOptions options)
    : store_(store),
      options_(options),
      sts_(Must(*store, "apps", "v1", "statefulsets")),
      pods_(Must(*store, "", "v1", "pods")),
      pvcs_(Must(*store, "", "v1", "persistentvolumeclaims")),
      services_(Must(*store, "", "v1", "services")),
      endpoints_(Must(*store, "", "v1", "endpoints")),
      revisions_(Must(*store, "apps", "v1", "controllerrevisions")),
      events_(Must(*store, "", "v1", "events")),
      secrets_(Must(*store, "", "v1", "secrets")),
      configmaps_(Must(*store, "", "v1", "configmaps")),
      resizer_(store),
      kubelet_events_(store, "kubelet") {}

const std::vector<std::string>& SimNodes() {
  static const std::vector<std::string> kNodes = {"kubesim-node-0", "kubesim-node-1",
                                                  "kubesim-node-2"};
  return kNodes;
}

std::string NodeFor(const std::string& pod_name) {
  return SimNodes()[Fnv1a(pod_name) % SimNodes().size()];
}

void WorkloadController::Tick(int64_t now_ms) {
  if (options_.faults != nullptr) {
    for (const auto& [ns, name] : options_.faults->TakeCrashes()) {
      auto pod = store_->Get(pods_, ns, name);
      // Only a running container can crash; a pod still starting or
      // already terminating ignores the request.
      if (auto* p = std::get_if<Json>(&pod);
          p != nullptr && !Terminating(*p) && (*p)["status"].value("phase", "") == "Running") {
        Crash& c = crashes_[(*p)["metadata"].value("uid", "")];
        c.at_ms = now_ms;
        ++c.count;
      }
    }
  }
  // One pass over the pods (and revisions), grouped by the UID of the
  // StatefulSet their controller reference names, instead of one selector
  // scan of every pod per StatefulSet. By UID, as the real controller claims
  // pods (controller_ref_manager.go: a controllerRef whose UID is not the
  // set's is not the set's), never by name: a StatefulSet deleted with
  // orphan propagation and re-created under the same name must not take
  // the old one's pods (or revisions) as its own before adopting them.
  // Objects without a controller owner are orphans a StatefulSet may adopt.
  using Owned = std::map<std::string, std::vector<Json>>;
  auto group = [](std::vector<Json> items, std::vector<Json>* orphans) {
    Owned by_owner;
    for (Json& obj : items) {
      std::string owner;
      bool controlled = false;
      for (const Json& r : obj["metadata"].value("ownerReferences", Json::array())) {
        if (!r.value("controller", false)) continue;
        controlled = true;
        if (r.value("kind", "") == "StatefulSet") owner = r.value("uid", "");
      }
      if (!controlled) orphans->push_back(obj);
      if (owner.empty()) continue;
      by_owner[owner].push_back(std::move(obj));
    }
    return by_owner;
  };
  std::vector<Json> orphan_pods, orphan_revisions;
  Owned pods_by_owner = group(store_->List(pods_, "", "", "", 0, "").items, &orphan_pods);
  Owned revisions_by_owner = group(store_->List(revisions_, "", "", "", 0, "").items, &orphan_revisions);
  for (const Json& sts : store_->List(sts_, "", "", "", 0, "").items) {
    const std::string key = sts["metadata"].value("uid", "");
    std::vector<Json>& pods = pods_by_owner[key];
    std::vector<Json>& revisions = revisions_by_owner[key];
    if (!orphan_pods.empty() || !orphan_revisions.empty()) {
      for (Json& p : AdoptOrphans(store_, pods_, sts, orphan_pods, /*pods=*/true)) pods.push_back(std::move(p));
      for (Json& r : AdoptOrphans(store_, revisions_, sts, orphan_revisions, /*pods=*/false)) {
        revisions.push_back(std::move(r));
      }
    }
    SyncStatefulSet(sts, pods, revisions, now_ms);
  }
  const std::vector<Json> pods = SyncPods(now_ms);
  resizer_.Tick(now_ms, pods);
  SyncEndpoints(pods);
}

Json WorkloadController::NewPod(const Json& sts, int ordinal, const std::string& revision,
                                int64_t now_ms) const {
  const std::string sts_name = sts["metadata"]["name"];
  const std::string name = absl::StrCat(sts_name, "-", ordinal);
  const Json& tmpl = sts["spec"]["template"];
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod["metadata"] = tmpl.value("metadata", Json::object());
  pod["metadata"]["name"] = name;
  pod["metadata"]["labels"][kRevisionLabel] = revision;
  pod["metadata"]["labels"][kPodNameLabel] = name;
  pod["metadata"]["ownerReferences"] = Json::array({OwnerRef("apps/v1", "StatefulSet", sts, true)});
  pod["spec"] = tmpl.value("spec", Json::object());
  pod["spec"]["hostname"] = name;
  if (sts["spec"].contains("serviceName")) pod["spec"]["subdomain"] = sts["spec"]["serviceName"];
  // As the real controller does: one volume per claim template, replacing a
  // template volume of the same name.
  for (const Json& vct : sts["spec"].value("volumeClaimTemplates", Json::array())) {
    const std::string vname = vct["metadata"].value("name", "");
    Json volumes = Json::array();
    for (const Json& v : pod["spec"].value("volumes", Json::array())) {
      if (v.value("name", "") != vname) volumes.push_back(v);
    }
    volumes.push_back({{"name", vname},
                       {"persistentVolumeClaim", {{"claimName", absl::StrCat(vname, "-", sts_name, "-", ordinal)}}}});
    pod["spec"]["volumes"] = volumes;
  }
  pod["status"] = {{"phase", "Pending"}};
  (void)now_ms;
  return pod;
}

void WorkloadController::SyncClaims(const Json& sts, const std::map<int, Json>& pods,
                                    bool provisioning_fails) {
  const std::string name = sts["metadata"]["name"];
  const std::string ns = sts["metadata"].value("namespace", "");
  const Json& spec = sts["spec"];
  const Json vcts = spec.value("volumeClaimTemplates", Json::array());
  if (vcts.empty()) return;
  const int replicas = spec.value("replicas", 1);
  const Json policy = spec.value("persistentVolumeClaimRetentionPolicy", Json::object());
  const bool delete_with_set = policy.value("whenDeleted", "Retain") == "Delete";
  const bool delete_on_scale = policy.value("whenScaled", "Retain") == "Delete";
  const std::string sts_uid = sts["metadata"].value("uid", "");
  // The retention policy is carried by ownerReferences, as the real
  // controller does: the set owns its claims (whenDeleted), the pod of a
  // removed ordinal owns its claims (whenScaled), and the garbage collector
  // does the rest.
  auto with_owners = [&](const Json& claim, const Json* pod_owner) {
    Json refs = Json::array();
    for (const Json& r : claim["metadata"].value("ownerReferences", Json::array())) {
      if (r.value("uid", "") == sts_uid) continue;
      if (r.value("kind", "") == "Pod") continue;
      refs.push_back(r);
    }
    if (pod_owner != nullptr) {
      refs.push_back(OwnerRef("v1", "Pod", *pod_owner, false));
    } else if (delete_with_set) {
      refs.push_back(OwnerRef("apps/v1", "StatefulSet", sts, false));
    }
    return refs;
  };
  std::set<int> ordinals;
  for (int i = 0; i < replicas; ++i) ordinals.insert(i);
  for (const auto& [i, pod] : pods) ordinals.insert(i);
  for (int i : ordinals) {
    const bool condemned = i >= replicas;
    auto pod = pods.find(i);
    const Json* pod_owner = condemned && delete_on_scale && pod != pods.end() ? &pod->second : nullptr;
    for (const Json& vct : vcts) {
      const std::string claim = absl::StrCat(vct["metadata"].value("name", ""), "-", name, "-", i);
      auto cur = store_->Get(pvcs_, ns, claim);
      if (auto* obj = std::get_if<Json>(&cur)) {
        Json refs = with_owners(*obj, pod_owner);
        if (refs != (*obj)["metadata"].value("ownerReferences", Json::array())) {
          Json next = *obj;
          if (refs.empty()) {
            next["metadata"].erase("ownerReferences");
          } else {
            next["metadata"]["ownerReferences"] = refs;
          }
          if (auto* updated = std::get_if<Json>(&(cur = store_->Update(pvcs_, ns, next, false)))) obj = updated;
        }
        if ((*obj)["status"].value("phase", "") != "Bound" && !provisioning_fails) {
          Json next = *obj;
          next["status"] = BoundStatus(next);
          store_->Update(pvcs_, ns, next, /*status_only=*/true);
        }
        continue;
      }
      if (condemned) continue;
      Json pvc = {{"metadata", vct.value("metadata", Json::object())},
                  {"spec", vct.value("spec", Json::object())}};
      pvc["metadata"]["name"] = claim;
      pvc["metadata"]["labels"] = spec.value("selector", Json::object()).value("matchLabels", Json::object());
      Json refs = with_owners(pvc, nullptr);
      if (!refs.empty()) pvc["metadata"]["ownerReferences"] = refs;
      // Created through the API server, so its admission runs (the default
      // StorageClass).
      AdmitStorage(*store_, pvcs_, nullptr, pvc);
      auto created = store_->Create(pvcs_, ns, pvc);
      auto* obj = std::get_if<Json>(&created);
      if (obj == nullptr) continue;
      if (!provisioning_fails) {
        (*obj)["status"] = BoundStatus(*obj);
        store_->Update(pvcs_, ns, *obj, /*status_only=*/true);
        continue;
      }
      (*obj)["status"] = {{"phase", "Pending"}};
      store_->Update(pvcs_, ns, *obj, /*status_only=*/true);
      const std::string uid = (*obj)["metadata"].value("uid", "");
      store_->Create(events_, ns,
                     {{"metadata", {{"name", absl::StrCat(claim, ".", absl::Hex(Fnv1a(uid), absl::kZeroPad8))}}},
                      {"involvedObject", {{"apiVersion", "v1"}, {"kind", "PersistentVolumeClaim"},
                                          {"namespace", ns}, {"name", claim}, {"uid", uid}}},
                      {"reason", "ProvisioningFailed"},
                      {"message", "kubesim: volume provisioning is failing (injected fault)"},
                      {"type", "Warning"},
                      {"count", 1},
                      {"source", {{"component", "persistentvolume-controller"}}}});
    }
  }
}

void WorkloadController::SyncRevisions(const Json& sts, const std::string& update_rev,
                                       const std::string& current_rev, const std::vector<Json>& revisions,
                                       const std::map<int, Json>& pods) {
  const std::string ns = sts["metadata"].value("namespace", "");
  const std::string sts_uid = sts["metadata"].value("uid", "");
  int64_t max_rev = 0;
  const Json* update = nullptr;
  std::vector<const Json*> mine;
  for (const Json& r : revisions) {
    bool owned = false;
    for (const Json& ref : r["metadata"].value("ownerReferences", Json::array())) owned |= ref.value("uid", "") == sts_uid;
    if (!owned) continue;
    mine.push_back(&r);
    max_rev = std::max<int64_t>(max_rev, r.value("revision", int64_t{0}));
    if (r["metadata"].value("name", "") == update_rev) update = &r;
  }
  if (update == nullptr) {
    const Json tmpl = sts["spec"].value("template", Json::object());
    Json labels = tmpl.contains("metadata") ? tmpl["metadata"].value("labels", Json::object()) : Json::object();
    labels[kHashLabel] = update_rev.substr(update_rev.rfind('-') + 1);
    Json data_template = tmpl;
    data_template["$patch"] = "replace";
    store_->Create(revisions_, ns,
                   {{"apiVersion", "apps/v1"},
                    {"kind", "ControllerRevision"},
                    {"metadata", {{"name", update_rev}, {"labels", labels},
                                  {"ownerReferences", Json::array({OwnerRef("apps/v1", "StatefulSet", sts, true)})}}},
                    {"data", {{"spec", {{"template", data_template}}}}},
                    {"revision", max_rev + 1}});
  } else if (update->value("revision", int64_t{0}) != max_rev) {
    // Back to an earlier template (a rollback): that revision becomes the
    // newest again, as in Kubernetes.
    Json next = *update;
    next["revision"] = max_rev + 1;
    store_->Update(revisions_, ns, next, false);
  }
  std::set<std::string> live = {update_rev, current_rev};
  for (const auto& [i, pod] : pods) live.insert(pod["metadata"]["labels"].value(kRevisionLabel, ""));
  std::vector<std::pair<int64_t, std::string>> history;
  for (const Json* r : mine) {
    const std::string name = (*r)["metadata"].value("name", "");
    if (!live.count(name)) history.push_back({(*r).value("revision", int64_t{0}), name});
  }
  const size_t limit = static_cast<size_t>(std::max(0, sts["spec"].value("revisionHistoryLimit", 10)));
  std::sort(history.begin(), history.end());
  for (size_t i = 0; i + limit < history.size(); ++i) store_->Delete(revisions_, ns, history[i].second);
}

void WorkloadController::ReleaseClaims(const Json& pod) {
  const std::string ns = pod["metadata"].value("namespace", "");
  const std::string uid = pod["metadata"].value("uid", "");
  for (const std::string& claim : ClaimNames(pod)) {
    auto cur = store_->Get(pvcs_, ns, claim);
    auto* obj = std::get_if<Json>(&cur);
    if (obj == nullptr) continue;
    Json kept = Json::array();
    bool owned = false;
    for (const Json& r : (*obj)["metadata"].value("ownerReferences", Json::array())) {
      if (r.value("uid", "") == uid) {
        owned = true;
      } else {
        kept.push_back(r);
      }
    }
    if (!owned) continue;
    if (kept.empty()) {
      store_->Delete(pvcs_, ns, claim);
    } else {
      (*obj)["metadata"]["ownerReferences"] = kept;
      store_->Update(pvcs_, ns, *obj, false);
    }
  }
}

void WorkloadController::SyncStatefulSet(const Json& sts, const std::vector<Json>& owned_pods,
                                         const std::vector<Json>& revisions, int64_t now_ms) {
  // Being deleted (foreground): its pods go, none come back.
  if (sts["metadata"].contains("deletionTimestamp")) return;
  const std::string name = sts["metadata"]["name"];
  const std::string ns = sts["metadata"].value("namespace", "");
  const Json& spec = sts["spec"];
  const int replicas = spec.value("replicas", 1);
  const bool parallel = spec.value("podManagementPolicy", "OrderedReady") == "Parallel";
  const Json strategy = spec.value("updateStrategy", Json::object());
  const bool on_delete = strategy.value("type", "RollingUpdate") == "OnDelete";
  const Json rolling = strategy.value("rollingUpdate", Json::object());
  const int partition = rolling.is_object() ? rolling.value("partition", 0) : 0;
  const int max_unavailable = MaxUnavailable(rolling, replicas);
  const std::string update_rev = TemplateRevision(name, spec.value("template", Json::object()));
  const Json status = sts.value("status", Json::object());
  const std::string current_rev = status.value("currentRevision", update_rev);
  const bool provisioning_fails = options_.faults != nullptr && options_.faults->ProvisioningFails();

  std::map<int, Json> pods;
  const std::string selector = Selector(spec.value("selector", Json::object()).value("matchLabels", Json()));
  for (const Json& pod : owned_pods) {
    if (!MatchesLabels(pod, selector)) continue;
    const int ordinal = OrdinalOf(pod["metadata"]["name"], name);
    if (ordinal >= 0) pods[ordinal] = pod;
  }

  // Claims first: a pod's volumes must exist before it starts.
  SyncClaims(sts, pods, provisioning_fails);

  // Create missing pods.
  for (int i = 0; i < replicas; ++i) {
    if (pods.count(i)) continue;
    if (!parallel) {
      bool previous_ready = true;
      for (int j = 0; j < i; ++j) previous_ready &= pods.count(j) && PodReady(pods[j]);
      if (!previous_ready) break;
    }
    const std::string rev = (!on_delete && i < partition) ? current_rev : update_rev;
    Json pod = NewPod(sts, i, rev, now_ms);
    // Its claims are Bound unless provisioning fails, so it is scheduled at
    // once (saves the scheduler a write per pod).
    if (!provisioning_fails && pod["spec"].value("nodeName", "").empty()) {
      pod["spec"]["nodeName"] = NodeFor(pod["metadata"]["name"]);
    }
    auto created = store_->Create(pods_, ns, pod);
    if (auto* obj = std::get_if<Json>(&created)) {
      pods[i] = *obj;
    }
    if (!parallel) break;
  }

  // Remove pods above the desired count (highest first when ordered).
  std::vector<int> surplus;
  for (auto it = pods.rbegin(); it != pods.rend() && it->first >= replicas; ++it) {
    surplus.push_back(it->first);
    if (!parallel) break;
  }
  for (int ordinal : surplus) {
    auto deleted = store_->Delete(pods_, ns, pods[ordinal]["metadata"]["name"]);
    if (auto* d = std::get_if<Json>(&deleted); d != nullptr && !Terminating(*d)) ReleaseClaims(*d);
    pods.erase(ordinal);
  }

  // Rolling update, highest ordinal first, never below the partition: as
  // many pods at once as maxUnavailable leaves room for, counting missing,
  // unready and terminating pods as unavailable (maxUnavailable 1 updates
  // one pod at a time, only while all are Ready).
  if (!on_delete && (pods.empty() || pods.rbegin()->first < replicas)) {
    int unavailable = 0;
    for (int i = 0; i < replicas; ++i) {
      auto it = pods.find(i);
      unavailable += it == pods.end() || !PodReady(it->second);
    }
    std::vector<int> outdated;
    for (auto it = pods.rbegin();
         it != pods.rend() && it->first >= partition &&
         unavailable + static_cast<int>(outdated.size()) < max_unavailable;
         ++it) {
      if (Terminating(it->second)) continue;
      if (it->second["metadata"]["labels"].value(kRevisionLabel, "") != update_rev) {
        outdated.push_back(it->first);
        // An unready pod being replaced is already counted as unavailable.
        if (!PodReady(it->second)) --unavailable;
      }
    }
    for (int ordinal : outdated) {
      store_->Delete(pods_, ns, pods[ordinal]["metadata"]["name"]);
      pods.erase(ordinal);
    }
  }

  SyncRevisions(sts, update_rev, current_rev, revisions, pods);

  int ready = 0, updated = 0, current = 0;
  for (const auto& [i, pod] : pods) {
    ready += PodReady(pod);
    const std::string rev = pod["metadata"]["labels"].value(kRevisionLabel, "");
    updated += rev == update_rev;
    current += rev == current_rev;
  }
  Json next = {{"observedGeneration", sts["metadata"].value("generation", 1)},
               {"replicas", static_cast<int>(pods.size())},
               {"readyReplicas", ready},
               {"availableReplicas", ready},
               {"currentReplicas", updated == replicas ? updated : current},
               {"updatedReplicas", updated},
               {"currentRevision", updated == replicas ? update_rev : current_rev},
               {"updateRevision", update_rev},
               {"collisionCount", 0}};
  if (next != status) {
    Json obj = sts;
    obj["status"] = next;
    store_->Update(sts_, ns, obj, /*status_only=*/true);
  }
}

Json WorkloadController::KubeletStatus(const Json& pod, int64_t scheduled_ms, int64_t now_ms,
                                       bool node_ready, const Held* held) const {
  const int64_t age = now_ms - scheduled_ms;
  const std::string image = ImageOf(pod);
  const int64_t start = StartDelay(pod, options_);
  const Json& inits = ContainersOf(pod, "initContainers");
  const int64_t init_end = start + static_cast<int64_t>(inits.size()) * options_.init_ms;
  const std::string name = pod["metadata"]["name"];
  const std::string node = pod["spec"].value("nodeName", "");
  const uint32_t h = Fnv1a(name);
  const Json& containers = ContainersOf(pod, "containers");
  const std::string container = containers.empty() ? "main" : containers[0].value("name", "main");
  Json next = pod.value("status", Json::object());
  if (!node.empty()) {
    const auto& nodes = SimNodes();
    const size_t idx = std::find(nodes.begin(), nodes.end(), node) - nodes.begin();
    next["hostIP"] = absl::StrCat("10.0.0.", idx + 1);
  }
  if (held != nullptr && held->mounting) return HeldStatus(pod, *held, std::move(next), "");
  if (age < start) return next;  // pulling images, creating the sandbox

  // Init containers, one after another, before any main container starts.
  if (!inits.empty()) {
    const int64_t running = age < init_end ? (age - start) / options_.init_ms : static_cast<int64_t>(inits.size());
    Json statuses = Json::array();
    std::vector<std::string> incomplete;
    for (size_t j = 0; j < inits.size(); ++j) {
      const std::string iname = inits[j].value("name", absl::StrCat("init-", j));
      Json st = {{"name", iname}, {"image", inits[j].value("image", "")}, {"restartCount", 0}};
      if (static_cast<int64_t>(j) < running) {
        st["ready"] = true;
        st["started"] = false;
        st["state"] = {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}};
      } else if (held != nullptr && held->stage == j) {
        incomplete.push_back(iname);
        st = WaitingStatus(inits[j], "CreateContainerConfigError", held->errors[0]);
      } else {
        incomplete.push_back(iname);
        st["ready"] = false;
        st["started"] = static_cast<int64_t>(j) == running;
        st["state"] = static_cast<int64_t>(j) == running
                          ? Json{{"running", Json::object()}}
                          : Json{{"waiting", {{"reason", "PodInitializing"}}}};
      }
      statuses.push_back(st);
    }
    next["initContainerStatuses"] = statuses;
    if (age < init_end) {
      next["phase"] = "Pending";
      next["podIP"] = absl::StrCat("10.244.", (h >> 8) & 255, ".", h & 255);
      Json mains = Json::array();
      for (const Json& c : containers) {
        mains.push_back({{"name", c.value("name", "main")}, {"image", c.value("image", "")}, {"ready", false},
                         {"restartCount", 0}, {"started", false},
                         {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}});
      }
      next["containerStatuses"] = mains;
      const std::string msg = absl::StrCat("containers with incomplete status: [", absl::StrJoin(incomplete, " "), "]");
      next["conditions"] = Json::array(
          {Condition("PodScheduled", true), Condition("Initialized", false, "ContainersNotInitialized", msg),
           Condition("ContainersReady", false, "ContainersNotReady"), Condition("Ready", false, "ContainersNotReady")});
      return next;
    }
  }
  if (held != nullptr && held->stage == inits.size()) {
    return HeldStatus(pod, *held, std::move(next), absl::StrCat("10.244.", (h >> 8) & 255, ".", h & 255));
  }
  const int64_t run_age = age - init_end;
  if (image.find("crashloop") != std::string::npos) {
    next["phase"] = "Running";
    next["containerStatuses"] = Json::array(
        {{{"name", container}, {"ready", false}, {"restartCount", static_cast<int>(run_age / 1000)},
          {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}}});
    next["conditions"] = Json::array({Condition("PodScheduled", true), Condition("Initialized", true),
                                      Condition("ContainersReady", false), Condition("Ready", false)});
    return next;
  }
  // An injected crash: the container is down (CrashLoopBackOff) for the
  // restart time, then runs again and passes its readiness check after the
  // usual ready time.
  int restarts = 0;
  int64_t since = run_age;  // how long the current container has been running
  bool down = false;
  auto crash = crashes_.find(pod["metadata"].value("uid", ""));
  if (crash != crashes_.end()) {
    restarts = crash->second.count;
    const int64_t back_at = crash->second.at_ms + options_.restart_ms;
    down = now_ms < back_at;
    since = std::min(run_age, now_ms - back_at);
  }
  const bool containers_ready = !down && since >= options_.ready_ms && image.find("never-ready") == std::string::npos;
  const bool ready = containers_ready && node_ready;
  next["phase"] = "Running";
  next["podIP"] = absl::StrCat("10.244.", (h >> 8) & 255, ".", h & 255);
  Json st = {{"name", container}, {"ready", containers_ready}, {"restartCount", restarts}, {"started", !down}};
  if (containers.size() > 0) st["image"] = containers[0].value("image", "");
  st["state"] = down ? Json{{"waiting", {{"reason", "CrashLoopBackOff"}}}} : Json{{"running", Json::object()}};
  if (restarts > 0) st["lastState"] = {{"terminated", {{"exitCode", 137}, {"reason", "Error"}}}};
  next["containerStatuses"] = Json::array({st});
  Json ready_cond = node_ready ? Condition("Ready", ready, ready ? nullptr : "ContainersNotReady")
                               : Condition("Ready", false, "NodeNotReady");
  next["conditions"] = Json::array(
      {Condition("PodScheduled", true), Condition("Initialized", true),
       Condition("ContainersReady", containers_ready, containers_ready ? nullptr : "ContainersNotReady"), ready_cond});
  return next;
}

std::vector<Json> WorkloadController::SyncPods(int64_t now_ms) {
  const std::set<std::string> not_ready_nodes =
      options_.faults != nullptr ? options_.faults->NotReadyNodes() : std::set<std::string>();
  // Each pod is changed in place in this copy of the list and written only
  // when its status changes: copying every pod each tick is what made ticks
  // slow with thousands of pods.
  std::vector<Json> items = store_->List(pods_, "", "", "", 0, "").items;
  static const Json kNoStatus = Json::object();
  // The Secrets and ConfigMaps pods name, each read once per tick.
  std::map<std::string, std::optional<Json>> referenced;
  auto lookup_in = [&](const std::string& ns) -> PodObjectLookup {
    return [&, ns](const std::string& kind, const std::string& name) {
      auto [it, inserted] = referenced.try_emplace(absl::StrCat(kind, "/", ns, "/", name));
      if (inserted) {
        auto got = store_->Get(kind == "Secret" ? secrets_ : configmaps_, ns, name);
        if (auto* obj = std::get_if<Json>(&got)) it->second = std::move(*obj);
      }
      return it->second;
    };
  };
  for (Json& pod : items) {
    const std::string ns = pod["metadata"].value("namespace", "");
    const std::string uid = pod["metadata"].value("uid", "");
    if (Terminating(pod)) {
      // Terminating: preStop and the grace period run on the simulated
      // clock, capped so tests stay fast.
      auto [it, inserted] = terminating_since_ms_.emplace(uid, now_ms);
      const int64_t grace_ms =
          std::min<int64_t>(pod["metadata"].value("deletionGracePeriodSeconds", 0) * 1000,
                            options_.termination_ms);
      if (now_ms - it->second >= grace_ms) {
        store_->Erase(pods_, ns, pod["metadata"]["name"]);
        ReleaseClaims(pod);
        terminating_since_ms_.erase(it);
        created_at_ms_.erase(uid);
        crashes_.erase(uid);
        mounted_.erase(uid);
        configured_.erase(uid);
        reported_ms_.erase(uid);
        pod = Json();  // gone: dropped from what SyncEndpoints sees
      }
      continue;
    }
    Json& obj = pod;
    if (obj["spec"].value("nodeName", "").empty()) {
      // The scheduler: a pod whose claims are not all Bound stays Pending
      // and unscheduled (immediate binding), else it goes to its node.
      bool bound = true;
      for (const std::string& claim : ClaimNames(obj)) {
        auto c = store_->Get(pvcs_, ns, claim);
        const Json* cj = std::get_if<Json>(&c);
        bound &= cj != nullptr && (*cj)["status"].value("phase", "") == "Bound";
      }
      if (!bound) {
        Json status = obj.value("status", Json::object());
        status["phase"] = "Pending";
        status["conditions"] = Json::array(
            {Condition("PodScheduled", false, "Unschedulable",
                       "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.")});
        if (status != obj["status"]) {
          obj["status"] = status;
          store_->Update(pods_, ns, obj, /*status_only=*/true);
        }
        continue;
      }
      obj["spec"]["nodeName"] = NodeFor(obj["metadata"]["name"]);
      auto updated = store_->Update(pods_, ns, obj, /*status_only=*/false);
      if (auto* u = std::get_if<Json>(&updated)) {
        obj = *u;
      } else {
        continue;
      }
      created_at_ms_[uid] = now_ms;
    }
    auto [it, inserted] = created_at_ms_.emplace(uid, now_ms);
    const bool node_ready = !not_ready_nodes.count(obj["spec"].value("nodeName", ""));
    const std::optional<Held> held = HoldStart(obj, now_ms, &it->second, lookup_in(ns));
    Json next = KubeletStatus(obj, it->second, now_ms, node_ready, held ? &*held : nullptr);
    if (next != (obj.contains("status") ? obj["status"] : kNoStatus)) {
      obj["status"] = next;
      store_->Update(pods_, ns, obj, /*status_only=*/true);
    }
  }
  return items;
}

void WorkloadController::SyncEndpoints(const std::vector<Json>& pods) {
  // Pods indexed by namespace and each "key=value" label, so a Service
  // looks only at the pods carrying its first selector label.
  std::map<std::pair<std::string, std::string>, std::vector<const Json*>> by_label;
  for (const Json& pod : pods) {
    if (!pod.is_object() || !pod["metadata"].contains("labels")) continue;
    const std::string ns = pod["metadata"].value("namespace", "");
    for (const auto& [k, v] : pod["metadata"]["labels"].items()) {
      if (v.is_string()) by_label[{ns, k + "=" + v.get<std::string>()}].push_back(&pod);
    }
  }
  static const std::vector<const Json*> kNone;
  for (const Json& svc : store_->List(services_, "", "", "", 0, "").items) {
    const Json spec = svc.value("spec", Json::object());
    if (!spec.contains("selector") || !spec["selector"].is_object() || spec["selector"].empty()) continue;
    const std::string ns = svc["metadata"].value("namespace", "");
    const bool not_ready_too = spec.value("publishNotReadyAddresses", false);
    Json ready = Json::array(), not_ready = Json::array();
    const auto first = spec["selector"].begin();
    auto candidates = by_label.find(
        {ns, first.key() + "=" + (first.value().is_string() ? first.value().get<std::string>() : "")});
    const std::string selector = Selector(spec["selector"]);
    for (const Json* candidate : candidates == by_label.end() ? kNone : candidates->second) {
      const Json& pod = *candidate;
      if (!MatchesLabels(pod, selector)) continue;
      if (!pod.contains("status") || !pod["status"].contains("podIP")) continue;
      Json addr = {{"ip", pod["status"]["podIP"]},
                   {"hostname", pod["metadata"]["name"]},
                   {"targetRef", {{"kind", "Pod"}, {"name", pod["metadata"]["name"]}, {"namespace", ns}}}};
      (PodReady(pod) || not_ready_too ? ready : not_ready).push_back(addr);
    }
    Json ports = Json::array();
    for (const Json& p : spec.value("ports", Json::array())) {
      Json port = {{"port", p.contains("targetPort") && p["targetPort"].is_number() ? p["targetPort"] : p["port"]},
                   {"protocol", p.value("protocol", "TCP")}};
      if (p.contains("name")) port["name"] = p["name"];
      ports.push_back(port);
    }
    Json subset = {{"ports", ports}};
    if (!ready.empty()) subset["addresses"] = ready;
    if (!not_ready.empty()) subset["notReadyAddresses"] = not_ready;
    Json subsets = ready.empty() && not_ready.empty() ? Json::array() : Json::array({subset});
    const std::string name = svc["metadata"]["name"];
    auto cur = store_->Get(endpoints_, ns, name);
    if (auto* obj = std::get_if<Json>(&cur)) {
      if ((*obj).value("subsets", Json::array()) == subsets) continue;
      Json next = *obj;
      next["subsets"] = subsets;
      store_->Update(endpoints_, ns, next, false);
    } else {
      store_->Create(endpoints_, ns, {{"metadata", {{"name", name}, {"labels", svc["metadata"].value("labels", Json::object())}}},
                                      {"subsets", subsets}});
    }
  }
}

}  // namespace doris_operator::kubesim
