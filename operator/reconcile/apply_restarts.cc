#include "operator/reconcile/apply_restarts.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile {

RestartsInput ObserveRestarts(const Run& run) {
  RestartsInput in;
  in.enabled = run.cluster.spec().enable_restart_when_config_change();
  in.now = run.Now();
  for (Component c : {Component::kFe, Component::kBe}) {
    const model::v1::BaseSpec* base = translator::BaseOf(run.cluster.spec(), c);
    if (base == nullptr) continue;
    RestartsInput::Part part;
    part.component = c;
    auto cm = run.inputs.config_maps.find(translator::CoreConfigMapName(*base));
    if (cm != run.inputs.config_maps.end()) {
      auto file = cm->second.find(translator::ConfFileKey(c));
      if (file != cm->second.end()) part.conf = file->second;
    }
    if (const model::v1::ComponentStatus* prev = StatusOf(run.cluster.status(), c)) {
      part.stored_hash = prev->core_config_map_hash_value();
      part.phase = prev->component_condition().phase();
    }
    in.components.push_back(std::move(part));
  }
  return in;
}

void ApplyRestarts(Run& run, const std::vector<ComponentRestart>& plan) {
  using Json = nlohmann::json;
  for (const ComponentRestart& r : plan) {
    ComponentState& state = run.of(r.component);
    state.config_hash = r.config_hash;
    if (!r.waiting_on.empty()) state.waiting_on = r.waiting_on;
    if (!r.stamp) continue;
    const char* name = translator::ComponentName(r.component);
    absl::StatusOr<Json> patched = run.services.kube->MergePatch(
        kube::ObjectPath("doris.selectdb.com/v1", run.key.ns, "dorisclusters", run.key.name),
        Json{{"metadata", {{"annotations", {{r.annotation, r.restarted_at}}}}}}.dump());
    ++run.writes;
    run.Action("restart", RefFor("doris.selectdb.com/v1", "DorisCluster", run.key.ns, run.key.name),
               absl::StrCat(name, ": ", r.reason), patched.status());
    if (!patched.ok()) {
      state.config_hash = r.hash_if_refused;  // try again next time
      continue;
    }
    (*run.cluster.mutable_metadata()->mutable_annotations())[r.annotation] = r.restarted_at;
    run.inputs.restarted_at[r.component] = r.restarted_at;
    run.Event("Normal", "ConfigChangeRestart",
              absl::StrCat(name, " config changed; rolling restart stamped ", r.restarted_at));
    log::v1::ReconcileRecord::RestartStamp* stamp = run.record.add_restart_stamps();
    stamp->set_component(name);
    stamp->set_restarted_at(r.restarted_at);
    state.restarting = true;
  }
}

}  // namespace doris_operator::reconcile
