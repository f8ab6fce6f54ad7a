#include "operator/reconcile/write_status.h"

#include <utility>
#include <vector>

#include "operator/kube/object_fields.h"
#include "operator/reconcile/status.h"
#include "translator/canonical_json.h"
#include "translator/model_json.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;
using kube::BoolAt;
using kube::FieldAt;
using kube::IntAt;
using kube::StringAt;

}  // namespace

Json MergePatchBetween(const Json& from, const Json& to) {
  if (!from.is_object() || !to.is_object()) return to;
  Json patch = Json::object();
  for (const auto& [k, v] : from.items()) {
    if (!to.contains(k)) patch[k] = nullptr;
  }
  for (const auto& [k, v] : to.items()) {
    auto it = from.find(k);
    if (it == from.end()) {
      patch[k] = v;
    } else if (*it != v) {
      patch[k] = MergePatchBetween(*it, v);
    }
  }
  return patch;
}

namespace {

PodStatusView PodStatusOf(const Json& pod) {
  PodStatusView v;
  v.name = StringAt(pod, {"metadata", "name"});
  v.phase = StringAt(pod, {"status", "phase"});
  v.reason = StringAt(pod, {"status", "reason"});
  v.message = StringAt(pod, {"status", "message"});
  const Json& containers = FieldAt(pod, {"status", "containerStatuses"});
  if (containers.is_array() && !containers.empty()) {
    v.has_container_statuses = true;
    v.all_containers_ready = true;
    for (const Json& cs : containers) {
      if (!BoolAt(cs, {"ready"})) v.all_containers_ready = false;
    }
  }
  return v;
}

model::v1::ComponentStatus* MutableStatusOf(model::v1::DorisClusterStatus* s, Component c) {
  switch (c) {
    case Component::kFe: return s->mutable_fe_status();
    case Component::kBe: return s->mutable_be_status();
    case Component::kCn: return s->mutable_cn_status()->mutable_base();
    case Component::kBroker: return s->mutable_broker_status();
  }
  return nullptr;
}

log::v1::ObjectRef ClusterRef(const Run& run) {
  return RefFor(run.owner_api_version, run.owner_kind, run.key.ns, run.key.name);
}

}  // namespace

absl::Status PatchClusterStatus(Run& run, const Json& status) {
  ++run.writes;
  return run.services.kube
      ->MergePatch(kube::ObjectPath(run.owner_api_version, run.key.ns, run.owner_resource,
                                    run.key.name) +
                       "/status",
                   Json{{"status", status}}.dump())
      .status();
}

void WriteStatus(Run& run) {
  const model::v1::DorisClusterStatus& previous = run.cluster.status();
  model::v1::DorisClusterStatus next;
  const std::string now = run.Now();
  for (Component c : translator::kAllComponents) {
    const model::v1::BaseSpec* base = translator::BaseOf(run.cluster.spec(), c);
    if (base == nullptr) continue;
    const ComponentState& state = run.of(c);
    ComponentStatusInput in;
    in.cluster = run.key.name;
    in.component = translator::ComponentName(c);
    in.desired_replicas = translator::Replicas(*base);
    in.scaling = state.scaling;
    in.upgrading = state.upgrading;
    in.restarting = state.restarting;
    in.hibernated = state.hibernated;
    in.core_config_hash = state.config_hash;
    in.waiting_on = state.waiting_on;
    in.previous = StatusOf(previous, c);
    in.now = now;
    for (const Json& pod : state.pods) in.pods.push_back(PodStatusOf(pod));
    *MutableStatusOf(&next, c) = ComputeComponentStatus(in);
  }
  std::vector<const model::v1::ComponentStatus*> present;
  for (Component c : translator::kAllComponents) {
    if (const model::v1::ComponentStatus* s = StatusOf(next, c)) present.push_back(s);
  }
  std::vector<model::v1::Condition> prev_conditions(previous.conditions().begin(),
                                                    previous.conditions().end());
  for (auto& cond :
       ComputeConditions(present, run.cluster.metadata().generation(), prev_conditions, now)) {
    *next.add_conditions() = std::move(cond);
  }
  SyncInput sync;
  sync.generation = run.cluster.metadata().generation();
  sync.failed_writes = run.failed_writes;
  sync.not_applied = run.not_applied;
  if (run.doris_refusal_said) sync.doris_refused = run.doris_refused;
  *next.add_conditions() = ComputeSyncedCondition(sync, prev_conditions, now);
  next.set_observed_generation(ObservedGeneration(sync, previous.observed_generation()));
  for (const model::v1::GhostNode& g : run.ghosts) *next.add_ghost_nodes() = g;
  const Json next_json = translator::StatusToJson(next);
  const Json& live_status = FieldAt(run.cluster_json, {"status"});
  if (translator::Canonical(next_json) == translator::Canonical(live_status)) return;
  const absl::Status written = PatchClusterStatus(run, MergePatchBetween(live_status, next_json));
  run.Action("update_status", ClusterRef(run), "", written);
  *run.cluster.mutable_status() = next;
}

void ReportInvalidSpec(Run& run, const std::string& message) {
  run.errors.push_back(message);
  const int64_t generation = run.cluster.metadata().generation();
  const Json& conditions = FieldAt(run.cluster_json, {"status", "conditions"});
  if (conditions.is_array()) {
    for (const Json& c : conditions) {
      if (StringAt(c, {"reason"}) == "InvalidSpec" && StringAt(c, {"message"}) == message &&
          IntAt(c, {"observedGeneration"}, 0) == generation) {
        return;  // said already
      }
    }
  }
  const Json cond = {{"type", "Ready"},
                     {"status", "False"},
                     {"reason", "InvalidSpec"},
                     {"message", message},
                     {"observedGeneration", generation},
                     {"lastTransitionTime", run.Now()}};
  const absl::Status written = PatchClusterStatus(run, Json{{"conditions", Json::array({cond})}});
  run.Action("update_status", ClusterRef(run), "InvalidSpec", written);
  run.Event("Warning", "InvalidSpec", message);
}

bool Converged(const Run& run) {
  if (run.removing) return false;
  for (Component c : translator::kAllComponents) {
    const model::v1::ComponentStatus* s = StatusOf(run.cluster.status(), c);
    // Hibernated is a state of rest too: nothing to poll for.
    if (s != nullptr && s->component_condition().phase() != "available" &&
        s->component_condition().phase() != "hibernated") {
      return false;
    }
  }
  return true;
}

}  // namespace doris_operator::reconcile
