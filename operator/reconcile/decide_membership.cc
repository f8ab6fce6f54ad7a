#include "operator/reconcile/decide_membership.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/reconcile/cancel_decommission.h"
#include "operator/reconcile/doris_failures.h"
#include "operator/reconcile/doris_nodes.h"
#include "operator/reconcile/frontends.h"
#include "operator/reconcile/scale_in.h"

namespace doris_operator::reconcile {

namespace {

using translator::Component;
using translator::ComponentName;
using Step = MembershipStep;

bool Removed(const MembershipInput& in) { return !in.in_spec; }

// The replicas a BE/CN scale plan aims at.
int BackendDesired(const MembershipInput& in) {
  if (Removed(in)) return 0;
  // Under an autoscaler the HPA decides how many CN pods run: that count
  // is the desired one (nothing it added is decommissioned, spec.replicas
  // is not written back), and the nodes whose pods it removed are taken
  // out of the FE through the same scale-in plan. CN nodes hold no
  // tablets, so nothing waits on data.
  return in.autoscaled ? in.live_replicas : in.spec_replicas;
}

Step EventStep(const std::string& type, const std::string& reason, const std::string& message) {
  Step s;
  s.type = type;
  s.reason = reason;
  s.message = message;
  return s;
}

// Holds a component whose FE rows match no pod: status and an Event say why.
void Unmapped(const MembershipInput& in, const std::vector<std::string>& hosts, MembershipPlan* plan) {
  const std::string why =
      absl::StrCat("the FE lists ", absl::StrJoin(hosts, ", "),
                   ", which match no pod of this cluster (by FQDN or pod IP): nothing shrinks until "
                   "they are gone or back");
  plan->waiting_on = why;
  // Once per distinct situation, not every poll.
  if (in.previous_message.find(why) == std::string::npos) {
    plan->steps.push_back(
        EventStep("Warning", "NodeNotMapped", absl::StrCat(ComponentName(in.component), ": ", why)));
  }
}

// Holds a component whose FE `list` cannot be read: status and an Event
// (once per situation) say why.
void Unreadable(const MembershipInput& in, const std::string& list, const absl::Status& s,
                MembershipPlan* plan) {
  const UnreadableList u = DescribeUnreadable(list, s);
  plan->waiting_on = u.why;
  if (!in.doris_refused.empty()) return;  // DorisAccessRefused says it already
  if (in.previous_message.find(u.stable) == std::string::npos) {
    plan->steps.push_back(
        EventStep("Warning", u.reason, absl::StrCat(ComponentName(in.component), ": ", u.why)));
  }
}

// FE: observers go from the FE group before their pods do.
void PlanFrontendMembership(const MembershipInput& in, MembershipPlan* plan) {
  const int live = in.live_replicas;
  plan->replicas = live;  // cannot check membership: hold
  plan->scaling = true;
  const absl::StatusOr<std::vector<doris::NodeRow>>& rows = *in.nodes;
  absl::StatusOr<FrontendList> fes =
      rows.ok() ? FrontendsOf(*rows, *in.node_map) : absl::StatusOr<FrontendList>(rows.status());
  if (!fes.ok()) return Unreadable(in, "FE node list", fes.status(), plan);
  if (!fes->unmapped.empty()) return Unmapped(in, fes->unmapped, plan);
  FrontendInput fin;
  fin.desired_replicas = in.spec_replicas;
  fin.live_replicas = live;
  fin.election_number = in.election_number;
  fin.frontends = fes->mine;
  const FrontendPlan fe_plan = PlanFrontends(fin);
  for (const FrontendChange& d : fe_plan.drop) {
    Step s;
    s.kind = Step::Kind::kDropFrontend;
    s.role = d.role;
    s.host_ports = {d.host_port};
    s.verb = "doris:drop_frontend";
    s.object_api_version = "v1";
    s.object_kind = "Pod";
    s.object_name = d.host_port;
    s.detail = absl::StrCat(d.role, " ", d.host_port);
    s.reason = "DropFrontend";
    s.message = absl::StrCat("dropped ", d.role, " ", d.host_port, " before its pod goes");
    s.failed_reason = "DropFrontendFailed";
    s.failed_prefix = absl::StrCat("could not drop ", d.role, " ", d.host_port, " (");
    s.failed_suffix = "); its pod stays until it is dropped";
    s.refused_what = absl::StrCat(d.role, " ", d.host_port, " to be dropped");
    // The FE still has it: its pod stays, and the drop is tried again.
    s.hold_on_failure = std::min(live, d.ordinal + 1);
    plan->steps.push_back(std::move(s));
  }
  if (!fe_plan.warning.empty()) {
    plan->steps.push_back(EventStep("Warning", "FollowerScaleDownFailed", fe_plan.warning));
  }
  plan->replicas = fe_plan.statefulset_replicas;
  plan->scaling = fe_plan.scaling;
}

// BE / CN: decommission, wait for zero tablets, drop, then shrink. A
// component taken out of the spec is scaled in to 0 the same way before
// its StatefulSet is deleted.
void PlanBackendMembership(const MembershipInput& in, MembershipPlan* plan) {
  const char* name = ComponentName(in.component);
  const bool removed = Removed(in);
  const int live = in.live_replicas;
  const int desired = BackendDesired(in);
  // Never shrink without knowing the data is safe.
  plan->replicas = std::max(live, desired);
  plan->scaling = desired < live;
  const absl::StatusOr<std::vector<doris::NodeRow>>& rows = *in.nodes;
  absl::StatusOr<BackendList> backends =
      rows.ok() ? BackendsOf(*rows, name, *in.node_map) : absl::StatusOr<BackendList>(rows.status());
  if (!backends.ok()) return Unreadable(in, "FE backend list", backends.status(), plan);
  if (!backends->unmapped.empty()) return Unmapped(in, backends->unmapped, plan);
  const ScalePlan scale = PlanScale(name, desired, live, backends->mine, in.starting);
  auto call = [&](Step::Kind kind, const std::vector<std::string>& hosts) {
    Step s;
    s.kind = kind;
    s.host_ports = hosts;
    s.object_api_version = "apps/v1";
    s.object_kind = "StatefulSet";
    s.object_name = plan->statefulset;
    s.detail = absl::StrJoin(hosts, ",");
    return s;
  };
  if (!scale.decommission.empty()) {
    Step s = call(Step::Kind::kDecommissionBackends, scale.decommission);
    s.verb = "doris:decommission_backend";
    s.reason = "DecommissionBackend";
    s.message = absl::StrCat(name, removed ? " removed from the spec" : " scale-in", ": decommissioning ",
                             absl::StrJoin(scale.decommission, ", "));
    s.failed_reason = "DecommissionFailed";
    s.failed_prefix = absl::StrCat(s.message, ": ");
    s.refused_waiting_on = scale.waiting_on;
    plan->steps.push_back(std::move(s));
  }
  if (!scale.drop.empty()) {
    Step s = call(Step::Kind::kDropBackends, scale.drop);
    s.verb = "doris:drop_backend";
    s.reason = "DropBackend";
    s.message = absl::StrCat("drained to 0 tablets, dropped from the FE: ", absl::StrJoin(scale.drop, ", "));
    s.failed_reason = "DropBackendFailed";
    s.failed_prefix = absl::StrCat(s.message, ": ");
    s.refused_what = absl::StrCat(absl::StrJoin(scale.drop, ", "), " to be dropped");
    plan->steps.push_back(std::move(s));
  }
  if (!scale.cancel_decommission.empty()) {
    // Scaled back out during a scale-in: the nodes kept get their
    // decommission cancelled (a statement; the node API has no cancel).
    const std::string hosts = absl::StrJoin(scale.cancel_decommission, ", ");
    Step s = call(Step::Kind::kCancelDecommission, scale.cancel_decommission);
    s.verb = "doris:cancel_decommission";
    s.reason = "DecommissionCancelled";
    s.message = absl::StrCat(name, " scaled back out during a scale-in: cancelled the decommission of ", hosts,
                             "; they keep their tablets and take queries and data again");
    s.statement = CancelDecommissionStatement(scale.cancel_decommission);
    s.failed_reason = "CancelDecommissionFailed";
    s.failed_prefix =
        absl::StrCat(name, " scaled back out during a scale-in: could not cancel the decommission of ", hosts, " (");
    s.failed_suffix = "); tried again on the next reconcile";
    s.refused_what = absl::StrCat(hosts, " to stop decommissioning");
    plan->steps.push_back(std::move(s));
  }
  plan->replicas = scale.statefulset_replicas;
  plan->scaling = scale.scaling;
  plan->tablets_remaining = scale.tablets_remaining;
  plan->waiting_on = scale.waiting_on;
  if (removed && scale.statefulset_replicas > 0) {
    plan->removing = true;
    if (!scale.decommission.empty()) {
      plan->steps.push_back(EventStep(
          "Normal", "ComponentRemoval",
          absl::StrCat(name, "Spec was removed: StatefulSet ", plan->statefulset,
                       " is deleted once its nodes are decommissioned and dropped")));
    }
  } else if (removed) {
    plan->release = true;  // every node is gone from the FE: delete it
  }
}

}  // namespace

NodeList NodeListNeeded(const MembershipInput& in) {
  if (!in.has_statefulset) return NodeList::kNone;
  if (in.component == Component::kFe) {
    return in.in_spec && in.spec_replicas < in.live_replicas ? NodeList::kFrontends : NodeList::kNone;
  }
  if (in.component != Component::kBe && in.component != Component::kCn) return NodeList::kNone;
  if (Removed(in) && !in.fe_in_spec) return NodeList::kNone;  // no FE left to ask: deleted with the rest
  const bool was_scaling = in.previous_phase == "scaling";
  if (!Removed(in) && BackendDesired(in) >= in.live_replicas && !was_scaling && !in.autoscaled) {
    return NodeList::kNone;
  }
  return NodeList::kBackends;
}

MembershipPlan DecideMembership(const MembershipInput& in) {
  MembershipPlan plan;
  plan.component = in.component;
  plan.removed = Removed(in);
  plan.statefulset = translator::StatefulSetName(in.cluster, in.component);
  const NodeList needed = NodeListNeeded(in);
  if (needed == NodeList::kNone) return plan;
  const int desired = in.component == Component::kFe ? in.spec_replicas : BackendDesired(in);
  if (desired < in.live_replicas) plan.leaving_from = desired;
  if (!in.fresh) {
    // Decided on a picture older than this process's first full list:
    // hold, remove nothing, look again once it is current.
    plan.acts = true;
    plan.replicas = std::max(in.live_replicas, Removed(in) ? 0 : BackendDesired(in));
    if (in.component == Component::kFe) plan.replicas = in.live_replicas;
    plan.scaling = true;
    plan.removing = Removed(in);
    plan.waiting_on =
        "the operator has not listed every watched resource since it started: nothing is removed "
        "until its picture of the cluster is current";
    return plan;
  }
  if (in.nodes == nullptr || in.node_map == nullptr) return plan;
  plan.acts = true;
  if (needed == NodeList::kFrontends) {
    PlanFrontendMembership(in, &plan);
  } else {
    PlanBackendMembership(in, &plan);
  }
  return plan;
}

}  // namespace doris_operator::reconcile
