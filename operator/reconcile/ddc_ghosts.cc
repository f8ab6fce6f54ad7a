#include "operator/reconcile/ddc_ghosts.h"

#include <algorithm>
#include <string>

#include "operator/kube/object_fields.h"
#include "operator/reconcile/apply_membership.h"
#include "operator/reconcile/ddc_decide.h"
#include "operator/reconcile/ddc_membership.h"
#include "operator/reconcile/decide_ghosts.h"
#include "operator/reconcile/fe_access.h"
#include "operator/reconcile/observe_doris.h"
#include "translator/disaggregated/defaults.h"
#include "translator/disaggregated/names.h"

namespace doris_operator::reconcile {

namespace {

namespace dv1 = model::disaggregated::v1;
namespace tdd = translator::disaggregated;

// The live StatefulSet's replicas, or more when this reconcile applies more:
// a pod below them is coming back, not gone.
int ReplicasKept(const ComponentState& state, int32_t applied) {
  const int live =
      state.statefulset ? static_cast<int>(kube::IntAt(*state.statefulset, {"spec", "replicas"}, 0)) : 0;
  return std::max(live, static_cast<int>(applied));
}

}  // namespace

void ReconcileDdcGhosts(Run& run, const dv1::DorisDisaggregatedCluster& ddc,
                        const dv1::DorisDisaggregatedCluster& translated, bool fe_serving) {
  GhostInput in;
  in.cluster = run.key.name;
  in.owner_api_version = tdd::kApiVersion;
  in.owner_kind = tdd::kKind;
  in.now = run.services.options->now();
  in.previous.assign(ddc.status().ghost_nodes().begin(), ddc.status().ghost_nodes().end());
  run.ghosts = in.previous;
  in.grace = ObserveGhostGrace(run, ddc.metadata().annotations(), ddc.status().conditions());
  if (!fe_serving || !run.doris_refused.empty()) return;
  const absl::StatusOr<std::vector<doris::NodeRow>>& backends = Backends(run);
  if (!backends.ok()) return;
  const absl::StatusOr<std::vector<doris::NodeRow>>& frontends = Frontends(run);
  if (!frontends.ok()) return;
  in.frontends = &*frontends;
  in.backends = &*backends;
  in.node_map = &run.node_map;
  in.fresh = run.fresh;
  in.watching_since = run.watching_since;
  in.live_replicas["fe"] = ReplicasKept(run.ddc_parts[static_cast<size_t>(ddc::Part::kFe)],
                                        tdd::FeReplicas(translated.spec()));
  for (const dv1::ComputeGroup& g : translated.spec().compute_groups()) {
    const std::string component = tdd::ComputeGroupPart(g.unique_id());
    const auto state = run.ddc_groups.find(tdd::ComputeGroupStatefulSetName(run.key.name, g.unique_id()));
    in.live_replicas[component] =
        ReplicasKept(state == run.ddc_groups.end() ? ComponentState() : state->second, tdd::GroupReplicas(g));
    in.compute_groups[tdd::ComputeGroupName(g.unique_id())] = component;
  }
  ApplyGhosts(run, DecideGhosts(in));
}

}  // namespace doris_operator::reconcile
