#include "operator/reconcile/decide_restarts.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "operator/reconcile/config_restart.h"

namespace doris_operator::reconcile {

void DecideConfigRestarts(Run& run) {
  using Json = nlohmann::json;
  for (Component c : {Component::kFe, Component::kBe}) {
    const model::v1::BaseSpec* base = translator::BaseOf(run.cluster.spec(), c);
    if (base == nullptr) continue;
    const char* name = translator::ComponentName(c);
    ComponentState& state = run.of(c);
    std::string conf;
    auto cm = run.inputs.config_maps.find(translator::CoreConfigMapName(*base));
    if (cm != run.inputs.config_maps.end()) {
      auto file = cm->second.find(translator::ConfFileKey(c));
      if (file != cm->second.end()) conf = file->second;
    }
    const model::v1::ComponentStatus* prev = StatusOf(run.cluster.status(), c);
    ConfigRestartInput in;
    in.enabled = run.cluster.spec().enable_restart_when_config_change();
    in.stored_hash = prev != nullptr ? prev->core_config_map_hash_value() : "";
    in.current_hash = ConfigHash(conf, translator::DorisHome(c));
    in.phase = prev != nullptr ? prev->component_condition().phase() : "";
    in.now = run.Now();
    ConfigRestartDecision d = DecideConfigRestart(in);
    state.config_hash = in.current_hash;
    if (d.pending) {
      // Keep the old hash so the restart still happens once allowed.
      state.config_hash = in.stored_hash;
      state.waiting_on = d.reason;
      continue;
    }
    if (!d.restart) continue;
    // The stamp goes on the DorisCluster itself, where the translator reads
    // restart annotations: it survives this reconcile and operator restarts,
    // and users see why their pods rolled.
    const std::string key = absl::StrCat("apache.doris.", name, "/restartedAt");
    absl::StatusOr<Json> patched = run.services.kube->MergePatch(
        kube::ObjectPath("doris.selectdb.com/v1", run.key.ns, "dorisclusters", run.key.name),
        Json{{"metadata", {{"annotations", {{key, d.restarted_at}}}}}}.dump());
    ++run.writes;
    run.Action("restart", RefFor("doris.selectdb.com/v1", "DorisCluster", run.key.ns, run.key.name),
               absl::StrCat(name, ": ", d.reason), patched.status());
    if (!patched.ok()) {
      state.config_hash = in.stored_hash;  // try again next time
      continue;
    }
    (*run.cluster.mutable_metadata()->mutable_annotations())[key] = d.restarted_at;
    run.inputs.restarted_at[c] = d.restarted_at;
    run.Event("Normal", "ConfigChangeRestart",
              absl::StrCat(name, " config changed; rolling restart stamped ", d.restarted_at));
    log::v1::ReconcileRecord::RestartStamp* stamp = run.record.add_restart_stamps();
    stamp->set_component(name);
    stamp->set_restarted_at(d.restarted_at);
    state.restarting = true;
  }
}

}  // namespace doris_operator::reconcile
