#include "operator/reconcile/decide_membership.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/cancel_decommission.h"
#include "operator/reconcile/doris_failures.h"
#include "operator/reconcile/doris_nodes.h"
#include "operator/reconcile/fe_access.h"
#include "operator/reconcile/frontends.h"
#include "operator/reconcile/scale_in.h"

namespace doris_operator::reconcile {

namespace {

using translator::BaseOf;
using translator::ComponentName;
using translator::Replicas;

int LiveReplicas(const ComponentState& state) {
  return static_cast<int>(kube::IntAt(*state.statefulset, {"spec", "replicas"}, 0));
}

// Holds a component whose FE rows match no pod: status and an Event say why.
void Unmapped(Run& run, Component c, const std::vector<std::string>& hosts) {
  const std::string why =
      absl::StrCat("the FE lists ", absl::StrJoin(hosts, ", "),
                   ", which match no pod of this cluster (by FQDN or pod IP): nothing shrinks until "
                   "they are gone or back");
  run.of(c).waiting_on = why;
  const model::v1::ComponentStatus* prev = StatusOf(run.cluster.status(), c);
  // Once per distinct situation, not every poll.
  if (prev == nullptr || prev->component_condition().message().find(why) == std::string::npos) {
    run.Event("Warning", "NodeNotMapped", absl::StrCat(ComponentName(c), ": ", why));
  }
}

// Holds a component whose FE `list` cannot be read: status and an Event
// (once per situation) say why.
void Unreadable(Run& run, Component c, const std::string& list, const absl::Status& s) {
  const UnreadableList u = DescribeUnreadable(list, s);
  run.of(c).waiting_on = u.why;
  if (!run.doris_refused.empty()) return;  // DorisAccessRefused says it already
  const model::v1::ComponentStatus* prev = StatusOf(run.cluster.status(), c);
  if (prev == nullptr || prev->component_condition().message().find(u.stable) == std::string::npos) {
    run.Event("Warning", u.reason, absl::StrCat(ComponentName(c), ": ", u.why));
  }
}

// FE: observers go from the FE group before their pods do.
void FrontendMembership(Run& run) {
  model::v1::DorisClusterSpec* spec = run.cluster.mutable_spec();
  model::v1::BaseSpec* fe = BaseOf(spec, Component::kFe);
  ComponentState& state = run.of(Component::kFe);
  if (fe == nullptr || !state.statefulset) return;
  const int live = LiveReplicas(state);
  const int desired = Replicas(*fe);
  if (desired >= live) return;
  const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Frontends(run);
  absl::StatusOr<FrontendList> fes =
      rows.ok() ? FrontendsOf(*rows, run.node_map) : absl::StatusOr<FrontendList>(rows.status());
  if (!fes.ok()) {
    fe->set_replicas(live);  // cannot check membership: hold
    state.scaling = true;
    Unreadable(run, Component::kFe, "FE node list", fes.status());
    return;
  }
  if (!fes->unmapped.empty()) {
    fe->set_replicas(live);
    state.scaling = true;
    Unmapped(run, Component::kFe, fes->unmapped);
    return;
  }
  FrontendInput in;
  in.desired_replicas = desired;
  in.live_replicas = live;
  in.election_number = spec->fe_spec().has_election_number() ? spec->fe_spec().election_number() : 3;
  in.frontends = fes->mine;
  FrontendPlan plan = PlanFrontends(in);
  int replicas = plan.statefulset_replicas;
  std::string refused;  // what a refused drop leaves the FE waiting for
  absl::StatusOr<doris::FeTarget> master =
      plan.drop.empty() ? absl::StatusOr<doris::FeTarget>(run.fe) : MasterTarget(run);
  for (const FrontendChange& d : plan.drop) {
    absl::Status s =
        master.ok() ? run.services.fe->DropFrontend(*master, d.role, d.host_port) : master.status();
    run.frontends.reset();
    if (master.ok()) ++run.writes;
    run.Action("doris:drop_frontend", RefFor("v1", "Pod", run.key.ns, d.host_port),
               absl::StrCat(d.role, " ", d.host_port), s);
    run.Event(s.ok() ? "Normal" : "Warning", s.ok() ? "DropFrontend" : "DropFrontendFailed",
              absl::StrCat(s.ok() ? "dropped " : "could not drop ", d.role, " ", d.host_port,
                           s.ok() ? " before its pod goes"
                                  : absl::StrCat(" (", s.message(),
                                                 "); its pod stays until it is dropped")));
    // The FE still has it: its pod stays, and the drop is tried again.
    if (!s.ok()) replicas = std::max(replicas, std::min(live, d.ordinal + 1));
    if (!s.ok()) refused = RefusedWait("", absl::StrCat(d.role, " ", d.host_port, " to be dropped"), s);
  }
  if (!plan.warning.empty()) run.Event("Warning", "FollowerScaleDownFailed", plan.warning);
  fe->set_replicas(replicas);
  state.scaling = plan.scaling;
  if (!refused.empty()) state.waiting_on = refused;
}

// BE / CN: decommission, wait for zero tablets, drop, then shrink. A
// component taken out of the spec is scaled in to 0 the same way before
// its StatefulSet is deleted.
void BackendMembership(Run& run, Component c) {
  model::v1::DorisClusterSpec* spec = run.cluster.mutable_spec();
  model::v1::BaseSpec* base = BaseOf(spec, c);
  ComponentState& state = run.of(c);
  if (!state.statefulset) return;
  const char* name = ComponentName(c);
  const bool removed = base == nullptr;
  const std::string sts = translator::StatefulSetName(run.key.name, c);
  if (removed && !spec->has_fe_spec()) return;  // no FE left to ask: deleted with the rest
  const int live = LiveReplicas(state);
  // Under an autoscaler the HPA decides how many CN pods run: that count
  // is the desired one (nothing it added is decommissioned, spec.replicas
  // is not written back), and the nodes whose pods it removed are taken
  // out of the FE through the same scale-in plan. CN nodes hold no
  // tablets, so nothing waits on data.
  const bool autoscaled = !removed && c == Component::kCn && spec->cn_spec().has_auto_scaling_policy();
  const int desired = removed ? 0 : autoscaled ? live : Replicas(*base);
  const model::v1::ComponentStatus* prev = StatusOf(run.cluster.status(), c);
  const bool was_scaling = prev != nullptr && prev->component_condition().phase() == "scaling";
  if (!removed && desired >= live && !was_scaling && !autoscaled) return;
  auto hold = [&](int replicas) {
    if (removed) {
      run.retained[sts] = replicas;
    } else {
      base->set_replicas(replicas);
    }
  };
  const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Backends(run);
  absl::StatusOr<BackendList> backends =
      rows.ok() ? BackendsOf(*rows, name, run.node_map) : absl::StatusOr<BackendList>(rows.status());
  if (!backends.ok()) {
    // Never shrink without knowing the data is safe.
    hold(std::max(live, desired));
    state.scaling = desired < live;
    Unreadable(run, c, "FE backend list", backends.status());
    return;
  }
  if (!backends->unmapped.empty()) {
    hold(std::max(live, desired));
    state.scaling = desired < live;
    Unmapped(run, c, backends->unmapped);
    return;
  }
  ScalePlan plan = PlanScale(name, desired, live, backends->mine);
  absl::StatusOr<doris::FeTarget> master = plan.decommission.empty() && plan.drop.empty()
                                               ? absl::StatusOr<doris::FeTarget>(run.fe)
                                               : MasterTarget(run);
  std::string refused;  // what a refused write leaves the component waiting for
  if (!plan.decommission.empty()) {
    absl::Status s = master.ok() ? run.services.fe->DecommissionBackends(*master, plan.decommission)
                                 : master.status();
    if (!s.ok()) refused = RefusedWait(plan.waiting_on, "", s);
    run.backends.reset();
    if (master.ok()) ++run.writes;
    run.Action("doris:decommission_backend", RefFor("apps/v1", "StatefulSet", run.key.ns, sts),
               absl::StrJoin(plan.decommission, ","), s);
    run.Event(s.ok() ? "Normal" : "Warning", s.ok() ? "DecommissionBackend" : "DecommissionFailed",
              absl::StrCat(name, removed ? " removed from the spec" : " scale-in", ": decommissioning ",
                           absl::StrJoin(plan.decommission, ", "),
                           s.ok() ? "" : absl::StrCat(": ", s.message())));
  }
  if (!plan.drop.empty()) {
    absl::Status s = master.ok() ? run.services.fe->DropBackends(*master, plan.drop) : master.status();
    if (!s.ok()) refused = RefusedWait("", absl::StrCat(absl::StrJoin(plan.drop, ", "), " to be dropped"), s);
    run.backends.reset();
    if (master.ok()) ++run.writes;
    run.Action("doris:drop_backend", RefFor("apps/v1", "StatefulSet", run.key.ns, sts),
               absl::StrJoin(plan.drop, ","), s);
    run.Event(s.ok() ? "Normal" : "Warning", s.ok() ? "DropBackend" : "DropBackendFailed",
              absl::StrCat("drained to 0 tablets, dropped from the FE: ", absl::StrJoin(plan.drop, ", "),
                           s.ok() ? "" : absl::StrCat(": ", s.message())));
  }
  if (std::string w = CancelDecommissions(run, c, plan.cancel_decommission); !w.empty()) refused = w;
  hold(plan.statefulset_replicas);
  state.scaling = plan.scaling;
  state.waiting_on = refused.empty() ? plan.waiting_on : refused;
  if (removed && plan.statefulset_replicas > 0) {
    run.removing = true;
    if (!plan.decommission.empty()) {
      run.Event("Normal", "ComponentRemoval",
                absl::StrCat(name, "Spec was removed: StatefulSet ", sts,
                             " is deleted once its nodes are decommissioned and dropped"));
    }
  } else if (removed) {
    run.retained.erase(sts);  // every node is gone from the FE: delete it
  }
}

}  // namespace

void DecideMembership(Run& run) {
  // Membership adjusts replicas from the FE's node list, which no watch
  // carries: record what it chose so a replay can give the translator the same.
  const model::v1::DorisClusterSpec spec_before = run.cluster.spec();
  FrontendMembership(run);
  BackendMembership(run, Component::kBe);
  BackendMembership(run, Component::kCn);
  for (Component c : translator::kAllComponents) {
    const model::v1::BaseSpec* was = BaseOf(spec_before, c);
    const model::v1::BaseSpec* now = BaseOf(run.cluster.spec(), c);
    if (was == nullptr || now == nullptr ||
        (was->has_replicas() == now->has_replicas() && was->replicas() == now->replicas())) {
      continue;
    }
    log::v1::ReconcileRecord::ReplicaOverride* o = run.record.add_replica_overrides();
    o->set_component(ComponentName(c));
    o->set_replicas(Replicas(*now));
  }
}

}  // namespace doris_operator::reconcile
