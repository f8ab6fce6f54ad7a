#include "operator/reconcile/hibernation.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/observe.h"

namespace doris_operator::reconcile {

namespace {

using kube::IntAt;
using kube::StringAt;
using translator::BaseOf;
using translator::ComponentName;
using translator::Replicas;

bool HoldForFrontends(Run& run);

int LiveReplicas(const ComponentState& state) {
  return state.statefulset ? static_cast<int>(IntAt(*state.statefulset, {"spec", "replicas"}, 0)) : 0;
}

// Sets a component's replicas for the translator (an autoscaler would
// start pods again: it goes while the component is held at zero).
void SetReplicas(Run& run, Component c, int replicas) {
  model::v1::DorisClusterSpec* spec = run.cluster.mutable_spec();
  if (c == Component::kCn && replicas == 0) spec->mutable_cn_spec()->clear_auto_scaling_policy();
  BaseOf(spec, c)->set_replicas(replicas);
  log::v1::ReconcileRecord::ReplicaOverride* o = run.record.add_replica_overrides();
  o->set_component(ComponentName(c));
  o->set_replicas(replicas);
}

bool Hibernate(Run& run) {
  if (const std::vector<std::string> bare = translator::ComponentsWithoutClaims(run.cluster.spec()); !bare.empty()) {
    run.Event("Warning", "HibernateRefused",
              absl::StrCat("not hibernating: ", absl::StrJoin(bare, ", "),
                           " has no persistentVolumes, so its data (FE metadata, BE tablets) lives in the pods "
                           "and would be lost when they stop"));
    return HoldForFrontends(run);
  }
  // BE, CN and brokers stop first; the FE once their pods are gone, so no
  // node loses its FE while it still runs.
  bool others_running = false;
  for (Component c : translator::kAllComponents) {
    if (c != Component::kFe && BaseOf(run.cluster.spec(), c) != nullptr) others_running |= !run.of(c).pods.empty();
  }
  for (Component c : translator::kAllComponents) {
    const model::v1::BaseSpec* base = BaseOf(run.cluster.spec(), c);
    if (base == nullptr) continue;
    ComponentState& state = run.of(c);
    const bool fe_waits = c == Component::kFe && others_running && state.statefulset;
    const int replicas = fe_waits ? LiveReplicas(state) : 0;
    if (state.statefulset && LiveReplicas(state) != replicas) {
      run.Event("Normal", "Hibernate",
                absl::StrCat(ComponentName(c), ": StatefulSet ", translator::StatefulSetName(run.key.name, c), " ",
                             LiveReplicas(state), " -> 0 replicas for hibernation; claims and Doris "
                             "registrations are kept (no decommission)"));
    }
    SetReplicas(run, c, replicas);
    state.hibernated = true;
    if (!state.pods.empty()) {
      state.scaling = true;
      state.waiting_on = fe_waits ? "hibernation: the FE stops after BE, CN and brokers"
                                  : absl::StrCat("hibernation: ", state.pods.size(), " pods to stop");
    }
  }
  return true;
}

// A component standing at zero starts once every FE pod is Ready: BE, CN
// and brokers register with the FE when they start.
bool HoldForFrontends(Run& run) {
  const model::v1::BaseSpec* fe = BaseOf(run.cluster.spec(), Component::kFe);
  if (fe == nullptr) return false;  // an FE outside this cluster
  int ready = 0;
  for (const nlohmann::json& pod : run.of(Component::kFe).pods) ready += PodReady(pod);
  if (ready >= Replicas(*fe)) return false;
  bool held = false;
  for (Component c : translator::kAllComponents) {
    if (c == Component::kFe) continue;
    const model::v1::BaseSpec* base = BaseOf(run.cluster.spec(), c);
    ComponentState& state = run.of(c);
    if (base == nullptr || !state.statefulset || LiveReplicas(state) != 0) continue;
    const bool autoscaled = c == Component::kCn && run.cluster.spec().cn_spec().has_auto_scaling_policy();
    if (!autoscaled && Replicas(*base) == 0) continue;
    SetReplicas(run, c, 0);
    state.scaling = true;
    state.waiting_on = absl::StrCat("every FE pod to be Ready before ", ComponentName(c), " starts (", ready, "/",
                                    Replicas(*fe), ")");
    held = true;
  }
  return held;
}

}  // namespace

bool DecideHibernation(Run& run) {
  if (StringAt(run.cluster_json, {"metadata", "annotations", kHibernateAnnotation}) == "true") return Hibernate(run);
  return HoldForFrontends(run);
}

}  // namespace doris_operator::reconcile
