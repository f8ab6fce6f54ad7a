#include "operator/reconcile/apply_membership.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "operator/reconcile/doris_failures.h"
#include "operator/reconcile/fe_access.h"

namespace doris_operator::reconcile {

namespace {

using Step = MembershipStep;

absl::Status Call(Run& run, const doris::FeTarget& master, const Step& step) {
  switch (step.kind) {
    case Step::Kind::kDropFrontend:
      return run.services.fe->DropFrontend(master, step.role, step.host_ports.front());
    case Step::Kind::kDecommissionBackends:
      return run.services.fe->DecommissionBackends(master, step.host_ports);
    case Step::Kind::kDropBackends:
      return run.services.fe->DropBackends(master, step.host_ports);
    case Step::Kind::kCancelDecommission:
    case Step::Kind::kEvent:
      break;
  }
  return absl::OkStatus();
}

struct StepsOutcome {
  int replicas = 0;     // raised by a refused call's hold_on_failure
  std::string refused;  // what a refused write leaves the component waiting for
  std::vector<absl::Status> calls;  // each call's outcome, in order
};

StepsOutcome CarryOut(Run& run, const std::vector<Step>& steps, int replicas) {
  StepsOutcome out;
  out.replicas = replicas;
  // The master, looked up once, before the first call.
  std::optional<absl::StatusOr<doris::FeTarget>> master;
  for (const Step& step : steps) {
    if (step.kind == Step::Kind::kEvent) {
      run.Event(step.type, step.reason, step.message);
      continue;
    }
    absl::Status s;
    bool sent = false;
    if (step.kind == Step::Kind::kCancelDecommission) {
      sent = run.doris_refused.empty();
      s = sent ? run.services.fe->ExecuteStatement(run.fe, step.statement, /*read_only=*/false).status()
               : absl::FailedPreconditionError(run.doris_refused);
    } else {
      if (!master) master = MasterTarget(run);
      sent = master->ok();
      s = sent ? Call(run, **master, step) : master->status();
    }
    // What the FE lists changed (or may have): read it again when next needed.
    if (step.kind == Step::Kind::kDropFrontend) {
      run.frontends.reset();
    } else {
      run.backends.reset();
    }
    if (sent) ++run.writes;
    run.Action(step.verb, RefFor(step.object_api_version, step.object_kind, run.key.ns, step.object_name),
               step.detail, s);
    run.Event(s.ok() ? step.type : "Warning", s.ok() ? step.reason : step.failed_reason,
              s.ok() ? step.message : absl::StrCat(step.failed_prefix, s.message(), step.failed_suffix));
    if (!s.ok()) {
      if (step.hold_on_failure >= 0) out.replicas = std::max(out.replicas, step.hold_on_failure);
      out.refused = RefusedWait(step.refused_waiting_on, step.refused_what, s);
    }
    out.calls.push_back(s);
  }
  return out;
}

}  // namespace

void ApplyMembership(Run& run, const MembershipPlan& plan) {
  if (!plan.acts) return;
  const StepsOutcome done = CarryOut(run, plan.steps, plan.replicas);
  const int replicas = done.replicas;
  const std::string& refused = done.refused;
  if (plan.removed) {
    run.retained[plan.statefulset] = replicas;
  } else if (model::v1::BaseSpec* base = translator::BaseOf(run.cluster.mutable_spec(), plan.component)) {
    base->set_replicas(replicas);
  }
  ComponentState& state = run.of(plan.component);
  state.scaling = plan.scaling;
  state.scaling_in = plan.scaling;
  state.scale_in_tablets = plan.tablets_remaining;
  state.leaving_from = plan.leaving_from;
  state.waiting_on = refused.empty() ? plan.waiting_on : refused;
  if (plan.removing) run.removing = true;
  if (plan.release) run.retained.erase(plan.statefulset);
}

void ApplyGhosts(Run& run, const GhostPlan& plan) {
  const StepsOutcome done = CarryOut(run, plan.steps, 0);
  // The calls are the plan's drops, in the order of its Dropping ghosts.
  size_t call = 0;
  run.ghosts.clear();
  run.ghost_recheck = plan.recheck_after;
  for (const model::v1::GhostNode& g : plan.ghosts) {
    if (g.state() == "Dropping" && call < done.calls.size()) {
      const absl::Status& s = done.calls[call++];
      if (s.ok()) continue;  // gone from the FE
      model::v1::GhostNode failed = g;
      failed.set_message(absl::StrCat("the FE refused the drop (", s.message(), "); tried again on the next reconcile"));
      run.ghosts.push_back(std::move(failed));
      continue;
    }
    run.ghosts.push_back(g);
  }
}

void RecordReplicaOverrides(Run& run, const model::v1::DorisClusterSpec& before) {
  // Membership adjusts replicas from the FE's node list, which no watch
  // carries: record what it chose so a replay can give the translator the same.
  for (Component c : translator::kAllComponents) {
    const model::v1::BaseSpec* was = translator::BaseOf(before, c);
    const model::v1::BaseSpec* now = translator::BaseOf(run.cluster.spec(), c);
    if (was == nullptr || now == nullptr ||
        (was->has_replicas() == now->has_replicas() && was->replicas() == now->replicas())) {
      continue;
    }
    log::v1::ReconcileRecord::ReplicaOverride* o = run.record.add_replica_overrides();
    o->set_component(translator::ComponentName(c));
    o->set_replicas(translator::Replicas(*now));
  }
}

}  // namespace doris_operator::reconcile
