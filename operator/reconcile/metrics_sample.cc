#include "operator/reconcile/metrics_sample.h"

#include <map>
#include <string>
#include <tuple>

#include "operator/kube/object_fields.h"
#include "operator/reconcile/field_compare.h"

namespace doris_operator::reconcile {

metrics::ClusterSample SampleOf(const Run& run, const model::v1::DorisClusterSpec& spec,
                                int64_t drift_fields) {
  metrics::ClusterSample out;
  out.drift_fields = drift_fields;
  out.available = true;
  for (Component c : translator::kAllComponents) {
    const model::v1::BaseSpec* base = translator::BaseOf(spec, c);
    if (base == nullptr) continue;
    const ComponentState& state = run.of(c);
    metrics::ComponentSample s;
    s.component = translator::ComponentName(c);
    const model::v1::ComponentStatus* status = StatusOf(run.cluster.status(), c);
    s.phase = status != nullptr ? status->component_condition().phase() : "";
    if (s.phase.empty()) s.phase = "unknown";
    s.desired_replicas = translator::Replicas(*base);
    if (state.statefulset) {
      s.ready_replicas = kube::IntAt(*state.statefulset, {"status", "readyReplicas"}, 0);
      s.updated_replicas = kube::IntAt(*state.statefulset, {"status", "updatedReplicas"}, 0);
    }
    s.rollout_partition = run.inputs.partitions[c];
    s.rollout_in_progress = state.upgrading || state.restarting;
    s.scale_in_in_progress = state.scaling_in;
    s.scale_in_tablets_remaining = state.scale_in_tablets;
    out.available &= s.phase == "available";
    out.components.push_back(std::move(s));
  }
  out.available &= !out.components.empty();
  for (const model::v1::GhostNode& g : run.ghosts) out.ghosts.push_back({g.component(), g.state()});
  return out;
}

int64_t DriftFields(const translator::DesiredSet& desired, const std::vector<LiveObject>& live) {
  std::map<std::tuple<std::string, std::string, std::string>, const LiveObject*> by_key;
  for (const LiveObject& l : live) by_key[{l.api_version, l.kind, l.name}] = &l;
  int64_t fields = 0;
  for (const translator::DesiredObject& d : desired.objects) {
    auto it = by_key.find({d.api_version, d.kind, d.name});
    if (it == by_key.end()) continue;
    const nlohmann::json want = nlohmann::json::parse(d.json, nullptr, false);
    if (want.is_discarded()) continue;
    for (const FieldDifference& f : CompareOwnedFields(want, it->second->object, {"metadata", "spec", "data"})) {
      if (!f.as_stored) ++fields;
    }
  }
  return fields;
}

}  // namespace doris_operator::reconcile
