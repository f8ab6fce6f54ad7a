#include "tools/kubesim/workloads.h"

#include <algorithm>
#include <variant>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::kubesim {

namespace {

constexpr char kRevisionLabel[] = "controller-revision-hash";
constexpr char kPodNameLabel[] = "statefulset.kubernetes.io/pod-name";

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

std::string ImageOf(const Json& pod) {
  if (!pod.contains("spec") || !pod["spec"].contains("containers") ||
      pod["spec"]["containers"].empty()) {
    return "";
  }
  return pod["spec"]["containers"][0].value("image", "");
}

ResourceType Must(const ObjectStore& store, const char* group, const char* version,
                  const char* resource) {
  return *store.Find(group, version, resource);
}

}  // namespace

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
      endpoints_(Must(*store, "", "v1", "endpoints")) {}

void WorkloadController::Tick(int64_t now_ms) {
  // One pass over the pods, grouped by namespace and owning StatefulSet,
  // instead of one selector scan of every pod per StatefulSet.
  std::map<std::pair<std::string, std::string>, std::vector<Json>> by_owner;
  for (Json& pod : store_->List(pods_, "", "", "", 0, "").items) {
    const Json refs = pod["metadata"].value("ownerReferences", Json::array());
    for (const Json& r : refs) {
      if (r.value("kind", "") != "StatefulSet") continue;
      by_owner[{pod["metadata"].value("namespace", ""), r.value("name", "")}].push_back(std::move(pod));
      break;
    }
  }
  static const std::vector<Json> kNone;
  for (const Json& sts : store_->List(sts_, "", "", "", 0, "").items) {
    auto it = by_owner.find({sts["metadata"].value("namespace", ""), sts["metadata"].value("name", "")});
    SyncStatefulSet(sts, it == by_owner.end() ? kNone : it->second, now_ms);
  }
  SyncPods(now_ms);
  SyncEndpoints();
}

Json WorkloadController::NewPod(const Json& sts, int ordinal, const std::string& revision,
                                int64_t now_ms) const {
  const std::string name = absl::StrCat(sts["metadata"]["name"].get<std::string>(), "-", ordinal);
  const Json& tmpl = sts["spec"]["template"];
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod["metadata"] = tmpl.value("metadata", Json::object());
  pod["metadata"]["name"] = name;
  pod["metadata"]["labels"][kRevisionLabel] = revision;
  pod["metadata"]["labels"][kPodNameLabel] = name;
  pod["metadata"]["ownerReferences"] =
      Json::array({{{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"},
                    {"name", sts["metadata"]["name"]}, {"uid", sts["metadata"]["uid"]},
                    {"controller", true}, {"blockOwnerDeletion", true}}});
  pod["spec"] = tmpl.value("spec", Json::object());
  pod["spec"]["hostname"] = name;
  if (sts["spec"].contains("serviceName")) pod["spec"]["subdomain"] = sts["spec"]["serviceName"];
  pod["status"] = {{"phase", "Pending"}};
  (void)now_ms;
  return pod;
}

void WorkloadController::SyncStatefulSet(const Json& sts, const std::vector<Json>& owned_pods,
                                         int64_t now_ms) {
  const std::string name = sts["metadata"]["name"];
  const std::string ns = sts["metadata"].value("namespace", "");
  const Json& spec = sts["spec"];
  const int replicas = spec.value("replicas", 1);
  const bool parallel = spec.value("podManagementPolicy", "OrderedReady") == "Parallel";
  const Json strategy = spec.value("updateStrategy", Json::object());
  const bool on_delete = strategy.value("type", "RollingUpdate") == "OnDelete";
  const int partition =
      strategy.contains("rollingUpdate") ? strategy["rollingUpdate"].value("partition", 0) : 0;
  const std::string update_rev = TemplateRevision(name, spec.value("template", Json::object()));
  const Json status = sts.value("status", Json::object());
  const std::string current_rev = status.value("currentRevision", update_rev);

  std::map<int, Json> pods;
  const std::string selector = Selector(spec.value("selector", Json::object()).value("matchLabels", Json()));
  for (const Json& pod : owned_pods) {
    if (!MatchesLabels(pod, selector)) continue;
    const int ordinal = OrdinalOf(pod["metadata"]["name"], name);
    if (ordinal >= 0) pods[ordinal] = pod;
  }

  // Claims first: a pod's volumes must exist before it starts.
  for (int i = 0; i < replicas; ++i) {
    for (const Json& vct : spec.value("volumeClaimTemplates", Json::array())) {
      const std::string claim = absl::StrCat(vct["metadata"].value("name", ""), "-", name, "-", i);
      if (std::holds_alternative<Json>(store_->Get(pvcs_, ns, claim))) continue;
      Json pvc = {{"metadata", vct.value("metadata", Json::object())},
                  {"spec", vct.value("spec", Json::object())}};
      pvc["metadata"]["name"] = claim;
      pvc["metadata"]["labels"] = spec.value("selector", Json::object()).value("matchLabels", Json::object());
      auto created = store_->Create(pvcs_, ns, pvc);
      if (auto* obj = std::get_if<Json>(&created)) {
        (*obj)["status"] = {{"phase", "Bound"}};
        store_->Update(pvcs_, ns, *obj, /*status_only=*/true);
      }
    }
  }

  // Create missing pods.
  for (int i = 0; i < replicas; ++i) {
    if (pods.count(i)) continue;
    if (!parallel) {
      bool previous_ready = true;
      for (int j = 0; j < i; ++j) previous_ready &= pods.count(j) && PodReady(pods[j]);
      if (!previous_ready) break;
    }
    const std::string rev = (!on_delete && i < partition) ? current_rev : update_rev;
    auto created = store_->Create(pods_, ns, NewPod(sts, i, rev, now_ms));
    if (auto* obj = std::get_if<Json>(&created)) {
      created_at_ms_[(*obj)["metadata"]["uid"]] = now_ms;
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
    store_->Delete(pods_, ns, pods[ordinal]["metadata"]["name"]);
    pods.erase(ordinal);
  }

  // Rolling update: one pod at a time, highest ordinal first, only while
  // every pod is ready (maxUnavailable 1), never below the partition.
  if (!on_delete) {
    bool all_ready = static_cast<int>(pods.size()) == replicas;
    for (const auto& [i, pod] : pods) all_ready &= PodReady(pod);
    if (all_ready) {
      int outdated = -1;
      for (auto it = pods.rbegin(); it != pods.rend() && it->first >= partition; ++it) {
        if (it->second["metadata"]["labels"].value(kRevisionLabel, "") != update_rev) {
          outdated = it->first;
          break;
        }
      }
      if (outdated >= 0) {
        store_->Delete(pods_, ns, pods[outdated]["metadata"]["name"]);
        pods.erase(outdated);
      }
    }
  }

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

void WorkloadController::SyncPods(int64_t now_ms) {
  for (const Json& pod : store_->List(pods_, "", "", "", 0, "").items) {
    if (pod["metadata"].contains("deletionTimestamp")) {
      // Terminating: preStop and the grace period run on the simulated
      // clock, capped so tests stay fast.
      const std::string uid = pod["metadata"].value("uid", "");
      auto [it, inserted] = terminating_since_ms_.emplace(uid, now_ms);
      const int64_t grace_ms =
          std::min<int64_t>(pod["metadata"].value("deletionGracePeriodSeconds", 0) * 1000,
                            options_.termination_ms);
      if (now_ms - it->second >= grace_ms) {
        store_->Erase(pods_, pod["metadata"].value("namespace", ""), pod["metadata"]["name"]);
        terminating_since_ms_.erase(it);
      }
      continue;
    }
    const std::string uid = pod["metadata"]["uid"];
    auto [it, inserted] = created_at_ms_.emplace(uid, now_ms);
    const int64_t age = now_ms - it->second;
    const std::string image = ImageOf(pod);
    const int64_t start = options_.start_ms * (image.find("slow-start") != std::string::npos ? 10 : 1);
    const std::string name = pod["metadata"]["name"];
    const uint32_t h = Fnv1a(name);
    Json status = pod.value("status", Json::object());
    Json next = status;
    const std::string container = pod["spec"].contains("containers") && !pod["spec"]["containers"].empty()
                                      ? pod["spec"]["containers"][0].value("name", "main")
                                      : "main";
    if (image.find("crashloop") != std::string::npos) {
      if (age >= start) {
        next["phase"] = "Running";
        next["containerStatuses"] = Json::array(
            {{{"name", container}, {"ready", false}, {"restartCount", static_cast<int>(age / 1000)},
              {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}}});
        next["conditions"] = Json::array({{{"type", "Ready"}, {"status", "False"}}});
      }
    } else if (age >= start) {
      const bool ready = age >= start + options_.ready_ms && image.find("never-ready") == std::string::npos;
      next["phase"] = "Running";
      next["podIP"] = absl::StrCat("10.244.", (h >> 8) & 255, ".", h & 255);
      next["containerStatuses"] = Json::array(
          {{{"name", container}, {"ready", ready}, {"restartCount", 0}, {"started", true},
            {"state", {{"running", Json::object()}}}}});
      next["conditions"] = Json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}});
    }
    if (next != status) {
      Json obj = pod;
      obj["status"] = next;
      store_->Update(pods_, pod["metadata"].value("namespace", ""), obj, /*status_only=*/true);
    }
  }
}

void WorkloadController::SyncEndpoints() {
  // Pods indexed by namespace and each "key=value" label, so a Service
  // looks only at the pods carrying its first selector label.
  const std::vector<Json> pods = store_->List(pods_, "", "", "", 0, "").items;
  std::map<std::pair<std::string, std::string>, std::vector<const Json*>> by_label;
  for (const Json& pod : pods) {
    const std::string ns = pod["metadata"].value("namespace", "");
    const Json labels = pod["metadata"].value("labels", Json::object());
    for (const auto& [k, v] : labels.items()) {
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
