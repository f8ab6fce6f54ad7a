#include "operator/reconcile/observe_doris.h"

#include <algorithm>

#include "operator/kube/object_fields.h"
#include "operator/reconcile/fe_access.h"
#include "operator/reconcile/observe.h"

namespace doris_operator::reconcile {

MembershipInput ObserveMembership(Run& run, Component c) {
  const model::v1::DorisClusterSpec& spec = run.cluster.spec();
  const ComponentState& state = run.of(c);
  MembershipInput in;
  in.component = c;
  in.cluster = run.key.name;
  const model::v1::BaseSpec* base = translator::BaseOf(spec, c);
  in.in_spec = base != nullptr;
  in.fe_in_spec = spec.has_fe_spec();
  in.has_statefulset = state.statefulset.has_value();
  if (state.statefulset) {
    in.live_replicas = static_cast<int>(kube::IntAt(*state.statefulset, {"spec", "replicas"}, 0));
  }
  if (base != nullptr) in.spec_replicas = translator::Replicas(*base);
  in.autoscaled = c == Component::kCn && spec.has_cn_spec() && spec.cn_spec().has_auto_scaling_policy();
  in.election_number = spec.fe_spec().has_election_number() ? spec.fe_spec().election_number() : 3;
  if (const model::v1::ComponentStatus* prev = StatusOf(run.cluster.status(), c)) {
    in.previous_phase = prev->component_condition().phase();
    in.previous_message = prev->component_condition().message();
  }
  in.node_map = &run.node_map;
  if (c == Component::kBe || c == Component::kCn) in.starting = StartingOrdinals(state, run.services.options->now());
  in.fresh = run.fresh;
  if (!in.fresh) return in;  // nothing will be removed: no list to read
  switch (NodeListNeeded(in)) {
    case NodeList::kNone: break;
    case NodeList::kFrontends: in.nodes = &Frontends(run); break;
    case NodeList::kBackends: in.nodes = &Backends(run); break;
  }
  // After the read: reading is what says DorisAccessRefused.
  in.doris_refused = run.doris_refused;
  return in;
}

absl::Duration ObserveGhostGrace(Run& run, const google::protobuf::Map<std::string, std::string>& annotations,
                                 const google::protobuf::RepeatedPtrField<model::v1::Condition>& conditions) {
  absl::StatusOr<absl::Duration> grace = GhostGracePeriod(annotations);
  if (grace.ok()) return *grace;
  // A bad knob does not stop the cluster: the default applies, and the
  // Synced condition (and one Event) says what to fix.
  const std::string message(grace.status().message());
  run.not_applied.push_back(message);
  bool said = false;
  for (const model::v1::Condition& c : conditions) {
    said |= c.type() == "Synced" && c.message().find(message) != std::string::npos;
  }
  if (!said) run.Event("Warning", "InvalidAnnotation", message);
  return kDefaultGhostGrace;
}

GhostInput ObserveGhosts(Run& run) {
  GhostInput in;
  in.cluster = run.key.name;
  in.now = run.services.options->now();
  const model::v1::DorisClusterStatus& status = run.cluster.status();
  in.previous.assign(status.ghost_nodes().begin(), status.ghost_nodes().end());
  run.ghosts = in.previous;
  in.grace = ObserveGhostGrace(run, run.cluster.metadata().annotations(), status.conditions());
  bool fe_serving = false;
  for (const nlohmann::json& pod : run.of(Component::kFe).pods) fe_serving |= PodReady(pod);
  if (!fe_serving || !run.doris_refused.empty()) return in;
  // Backends first: a scale-in has usually read them (or failed to) already.
  const absl::StatusOr<std::vector<doris::NodeRow>>& backends = Backends(run);
  if (!backends.ok()) return in;
  const absl::StatusOr<std::vector<doris::NodeRow>>& frontends = Frontends(run);
  if (!frontends.ok()) return in;
  in.frontends = &*frontends;
  in.backends = &*backends;
  in.node_map = &run.node_map;
  in.fresh = run.fresh;
  in.watching_since = run.watching_since;
  const model::v1::DorisClusterSpec& spec = run.cluster.spec();
  for (Component c : translator::kAllComponents) {
    const ComponentState& state = run.of(c);
    int replicas = 0;
    if (state.statefulset) {
      replicas = static_cast<int>(kube::IntAt(*state.statefulset, {"spec", "replicas"}, 0));
    }
    // The replicas this reconcile applies (the spec's, as membership left
    // them): a pod below them comes back when a StatefulSet shrunk by hand
    // is restored, so its node is no ghost. Under an autoscaler the HPA's
    // count is the live one.
    const model::v1::BaseSpec* base = translator::BaseOf(spec, c);
    const bool autoscaled = c == Component::kCn && spec.has_cn_spec() && spec.cn_spec().has_auto_scaling_policy();
    if (base != nullptr && !autoscaled) replicas = std::max(replicas, translator::Replicas(*base));
    in.live_replicas[translator::ComponentName(c)] = replicas;
  }
  return in;
}

}  // namespace doris_operator::reconcile
