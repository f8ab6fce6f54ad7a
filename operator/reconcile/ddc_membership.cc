#include "operator/reconcile/ddc_membership.h"

#include <utility>
#include <vector>

#include "operator/kube/object_fields.h"
#include "operator/reconcile/apply_membership.h"
#include "operator/reconcile/ddc_decide.h"
#include "operator/reconcile/decide_membership.h"
#include "operator/reconcile/fe_access.h"
#include "operator/reconcile/observe.h"
#include "translator/disaggregated/defaults.h"
#include "translator/disaggregated/names.h"

namespace doris_operator::reconcile {

namespace dv1 = model::disaggregated::v1;
namespace tdd = translator::disaggregated;

NodeMap DdcNodeMap(const Run& run, const dv1::DorisDisaggregatedClusterSpec& spec) {
  std::vector<PodAddress> addresses;
  auto add = [&](const ComponentState& s) {
    for (const nlohmann::json& pod : s.pods) addresses.push_back(AddressOf(pod));
  };
  for (const ComponentState& s : run.ddc_parts) add(s);
  for (const auto& [sts, s] : run.ddc_groups) add(s);
  // A group taken out of the spec is none of these: its pods and backends
  // are the removal's (ddc_reconcile.cc), not the nodes ghosts are told from.
  std::vector<NodeWorkload> workloads = {{"fe", tdd::FeName(run.key.name)}};
  for (const dv1::ComputeGroup& g : spec.compute_groups()) {
    workloads.push_back({tdd::ComputeGroupPart(g.unique_id()),
                         tdd::ComputeGroupStatefulSetName(run.key.name, g.unique_id())});
  }
  return NodeMap(std::move(workloads), std::move(addresses));
}

DdcFeScaleIn ScaleInDdcFe(Run& run, const dv1::DorisDisaggregatedCluster& ddc,
                          dv1::DorisDisaggregatedCluster* translated) {
  DdcFeScaleIn out;
  out.replicas = tdd::FeReplicas(ddc.spec());
  const ComponentState& fe = run.ddc_parts[static_cast<size_t>(ddc::Part::kFe)];
  MembershipInput in;
  in.component = Component::kFe;
  in.cluster = run.key.name;
  in.in_spec = true;  // feSpec is required (validation)
  in.fe_in_spec = true;
  in.has_statefulset = fe.statefulset.has_value();
  if (fe.statefulset) in.live_replicas = static_cast<int>(kube::IntAt(*fe.statefulset, {"spec", "replicas"}, 0));
  in.spec_replicas = out.replicas;
  in.election_number = tdd::ElectionNumber(ddc.spec().fe_spec());
  in.previous_phase = ddc.status().fe_status().phase();
  for (const model::v1::Condition& c : ddc.status().conditions()) {
    if (c.type() == "FEAvailable") in.previous_message = c.message();
  }
  in.node_map = &run.node_map;
  in.fresh = run.fresh;
  if (in.fresh && NodeListNeeded(in) == NodeList::kFrontends) in.nodes = &Frontends(run);
  in.doris_refused = run.doris_refused;
  const MembershipPlan plan = DecideMembership(in);
  if (!plan.acts) return out;

  // The DorisCluster path's apply holds the replicas in the run's
  // DorisCluster spec and says what it waits for in its FE state: lend it
  // both, then take the outcome over to the ddc.
  model::v1::DorisClusterSpec* lent = run.cluster.mutable_spec();
  lent->mutable_fe_spec()->mutable_base()->set_replicas(out.replicas);
  ApplyMembership(run, plan);
  out.replicas = lent->fe_spec().base().replicas();
  lent->clear_fe_spec();
  ComponentState& state = run.of(Component::kFe);
  out.under_way = state.scaling;
  out.waiting = state.waiting_on;
  state = ComponentState();

  if (out.replicas != tdd::FeReplicas(ddc.spec())) {
    translated->mutable_spec()->mutable_fe_spec()->mutable_base()->set_replicas(out.replicas);
    log::v1::ReconcileRecord::ReplicaOverride* o = run.record.add_replica_overrides();
    o->set_component("fe");
    o->set_replicas(out.replicas);
  }
  return out;
}

void MarkFeScaling(const DdcFeScaleIn& fe, dv1::DorisDisaggregatedClusterStatus* status) {
  if (!fe.under_way) return;
  status->mutable_fe_status()->set_phase("Scaling");
  if (status->cluster_health().health() == "green") status->mutable_cluster_health()->set_health("yellow");
  for (model::v1::Condition& c : *status->mutable_conditions()) {
    if (c.type() == "FEAvailable" && c.status() == "True" && !fe.waiting.empty()) c.set_message(fe.waiting);
  }
}

}  // namespace doris_operator::reconcile
