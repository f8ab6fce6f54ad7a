#include "operator/reconcile/ddc_decide.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/reconcile/scale_in.h"
#include "translator/disaggregated/names.h"

namespace doris_operator::reconcile::ddc {

namespace dv1 = model::disaggregated::v1;

namespace {

// The phase of a workload as the reference computes it (§3): Ready when
// every wanted pod is Ready on the update revision.
std::string PhaseOf(const WorkloadView& w) {
  return w.exists && w.ready >= w.desired && w.updated ? "Ready" : "Reconciling";
}

model::v1::Condition Condition(const std::string& type, bool ok, const std::string& reason,
                               const std::string& message, const StatusInput& in) {
  model::v1::Condition c;
  c.set_type(type);
  c.set_status(ok ? "True" : "False");
  c.set_observed_generation(in.generation);
  c.set_reason(reason);
  c.set_message(message);
  c.set_last_transition_time(in.now);
  if (in.previous != nullptr) {
    for (const model::v1::Condition& p : in.previous->conditions()) {
      if (p.type() == type && p.status() == c.status()) c.set_last_transition_time(p.last_transition_time());
    }
  }
  return c;
}

}  // namespace

BringUp DecideBringUp(bool meta_service_available, bool fe_available) {
  BringUp b;
  b.fe_allowed = meta_service_available;
  b.groups_allowed = meta_service_available && fe_available;
  if (!meta_service_available) {
    b.fe_waiting = "waiting for the meta service to be available (FE starts against a serving meta service)";
    b.groups_waiting = "waiting for the meta service and then the FE to be available";
  } else if (!fe_available) {
    b.groups_waiting = "waiting for the FE to be available (backends register with a serving FE)";
  }
  return b;
}

ScaleInPlan DecideScaleIn(const GroupScaleIn& g, const std::optional<std::vector<BackendView>>& backends) {
  ScaleInPlan plan;
  plan.replicas = g.live_replicas;
  if (g.desired_replicas >= g.live_replicas) {
    plan.replicas = g.desired_replicas;
    return plan;
  }
  if (!backends.has_value()) {
    plan.under_way = true;
    plan.phase = "Scaling";
    plan.waiting = absl::StrCat("scale-in of ", g.statefulset, " to ", g.desired_replicas,
                                " waits for the FE's backend list (no pod leaves while its backend may serve)");
    return plan;
  }
  // Doris hands a decommissioned backend's tablets to the live backends of
  // its own group only (CloudTabletRebalancer): when the whole group leaves
  // none can take them, so a backend that no longer gets queries
  // (decommissioned) has drained all it can.
  const bool whole_group = g.desired_replicas == 0;
  std::vector<std::string> draining, drained;
  for (const BackendView& b : *backends) {
    const int ordinal = OrdinalOf(b.pod, g.statefulset);
    if (ordinal < g.desired_replicas) continue;  // staying, or not this group's
    plan.tablets_remaining += b.tablets;
    if (g.drop_without_drain || (b.decommissioned && (b.tablets == 0 || whole_group))) {
      plan.drop.push_back(b.host_port);
      drained.push_back(b.host_port);
    } else if (!b.decommissioned) {
      plan.decommission.push_back(b.host_port);
      draining.push_back(b.host_port);
    } else {
      draining.push_back(absl::StrCat(b.host_port, " (", b.tablets, " tablets)"));
    }
  }
  if (draining.empty() && drained.empty()) {
    // Every leaving backend has left Doris: now the pods may go.
    plan.replicas = g.desired_replicas;
    plan.phase = "Scaling";
    return plan;
  }
  plan.under_way = true;
  if (!draining.empty()) {
    plan.phase = "Decommissioning";
    plan.waiting = absl::StrCat("scale-in of ", g.statefulset, " to ", g.desired_replicas,
                                ": decommissioning ", absl::StrJoin(draining, ", "),
                                " before the StatefulSet shrinks");
  } else {
    plan.phase = "Scaling";
    plan.waiting = absl::StrCat("scale-in of ", g.statefulset, " to ", g.desired_replicas, ": dropping ",
                                absl::StrJoin(drained, ", "), " from Doris before the StatefulSet shrinks");
  }
  return plan;
}

dv1::DorisDisaggregatedClusterStatus ComputeStatus(const StatusInput& in) {
  namespace names = translator::disaggregated;
  dv1::DorisDisaggregatedClusterStatus s;
  s.set_observed_generation(in.generation);

  dv1::MetaServiceStatus* ms = s.mutable_meta_service_status();
  ms->set_phase(PhaseOf(in.meta_service));
  const bool ms_available = in.meta_service.ready > 0;
  ms->set_available_status(ms_available ? "Available" : "UnAvailable");
  ms->set_meta_service_endpoint(absl::StrCat(names::MetaServiceName(in.name), ".", in.ns, ":", in.ms_port));

  dv1::FeStatus* fe = s.mutable_fe_status();
  fe->set_phase(PhaseOf(in.fe));
  const bool fe_available = in.fe.follower_ready;
  fe->set_available_status(fe_available ? "Available" : "UnAvailable");
  fe->set_cluster_id(names::ClusterId(in.ns, in.name));

  int32_t available = 0, full = 0;
  std::vector<std::string> group_waits;
  for (const GroupView& g : in.groups) {
    dv1::ComputeGroupStatus* cg = s.add_compute_group_statuses();
    cg->set_unique_id(g.unique_id);
    cg->set_statefulset_name(names::ComputeGroupStatefulSetName(in.name, g.unique_id));
    cg->set_service_name(cg->statefulset_name());
    cg->set_compute_group_id(g.compute_group_id);
    cg->set_replicas(g.workload.desired);
    cg->set_available_replicas(g.workload.ready);
    cg->set_phase(!g.scale_phase.empty() ? g.scale_phase : PhaseOf(g.workload));
    if (g.rollout.rolling || g.rollout.held) {
      // The reference's graceful rolling update, which it declares but never
      // fills (§7.7): where the group's one-pod-at-a-time restart is.
      if (g.scale_phase.empty() && g.rollout.rolling && !g.rollout.held) cg->set_phase("GracefulRolling");
      dv1::GracefulAction* a = cg->mutable_graceful_action();
      a->set_type("RollingUpdate");
      a->set_phase(g.rollout.step);
      a->set_current_pod(g.rollout.current_pod);
      if (g.rollout.current_ordinal >= 0) a->set_current_ordinal(g.rollout.current_ordinal);
      a->set_target_revision(g.rollout.target_revision);
      a->set_last_message(g.rollout.waiting);
      a->set_started_at(in.now);
      if (in.previous != nullptr) {
        for (const dv1::ComputeGroupStatus& p : in.previous->compute_group_statuses()) {
          if (p.unique_id() == g.unique_id && p.graceful_action().type() == "RollingUpdate" &&
              !p.graceful_action().started_at().empty()) {
            a->set_started_at(p.graceful_action().started_at());
          }
        }
      }
    }
    const bool cg_available = g.workload.ready > 0;
    cg->set_available_status(cg_available ? "Available" : "UnAvailable");
    available += cg_available;
    full += cg->phase() == "Ready";
    if (!g.workload.waiting.empty()) group_waits.push_back(absl::StrCat(g.unique_id, ": ", g.workload.waiting));
  }

  dv1::ClusterHealth* h = s.mutable_cluster_health();
  const int32_t count = static_cast<int32_t>(in.groups.size());
  h->set_fe_available(fe_available);
  h->set_cg_count(count);
  h->set_cg_available_count(available);
  h->set_cg_full_available_count(full);
  // As the reference (§3): red when MS or FE is down or half the groups
  // are; yellow while anything is not Ready.
  if (!ms_available || !fe_available || available <= count / 2) {
    h->set_health("red");
  } else if (ms->phase() != "Ready" || fe->phase() != "Ready" || full < count) {
    h->set_health("yellow");
  } else {
    h->set_health("green");
  }

  // Our addition: what each part waits for, in words (conditions).
  auto said = [](const WorkloadView& w, bool ok, const std::string& what) {
    if (!w.waiting.empty()) return w.waiting;
    return ok ? absl::StrCat(what, " is available") : absl::StrCat(what, " has no Ready pod yet");
  };
  *s.add_conditions() = Condition("MetaServiceAvailable", ms_available,
                                  ms_available ? "Available" : "Starting",
                                  said(in.meta_service, ms_available, "the meta service"), in);
  *s.add_conditions() = Condition("FEAvailable", fe_available,
                                  fe_available          ? "Available"
                                  : !in.fe.waiting.empty() ? "WaitingForMetaService"
                                                        : "Starting",
                                  said(in.fe, fe_available, "the FE"), in);
  const bool all_groups = full == count;
  std::string groups_message = all_groups ? absl::StrCat(count, " compute group(s) Ready")
                                          : absl::StrCat(full, " of ", count, " compute group(s) Ready");
  if (!group_waits.empty()) groups_message = absl::StrJoin(group_waits, "; ");
  std::string groups_reason = all_groups ? "Ready" : "Progressing";
  for (const GroupView& g : in.groups) {
    if (g.workload.waiting.rfind("waiting for the", 0) == 0) groups_reason = "WaitingForFE";
    if (g.scale_phase == "Decommissioning") groups_reason = "Decommissioning";
  }
  *s.add_conditions() = Condition("ComputeGroupsReady", all_groups, groups_reason, groups_message, in);
  // Our addition: rolling changes, in Doris's order (ddc_rollout.h).
  std::vector<std::string> rolls;
  bool held = false;
  auto roll = [&](const std::string& what, const RolloutView& r) {
    if (!r.rolling && !r.held) return;
    held |= r.held;
    rolls.push_back(absl::StrCat(what, ": ", r.waiting.empty() ? "rolling" : r.waiting));
  };
  roll("meta service", in.meta_service_rollout);
  roll("fe", in.fe_rollout);
  for (const GroupView& g : in.groups) roll(g.unique_id, g.rollout);
  *s.add_conditions() = Condition("RolloutComplete", rolls.empty(),
                                  rolls.empty() ? "Complete" : held ? "RollingInOrder" : "Rolling",
                                  rolls.empty() ? "no rolling change under way" : absl::StrJoin(rolls, "; "), in);
  std::vector<std::string> unsynced = in.failed_writes;
  unsynced.insert(unsynced.end(), in.not_applied.begin(), in.not_applied.end());
  *s.add_conditions() = Condition(
      "Synced", unsynced.empty(),
      !in.failed_writes.empty() ? "WriteFailed" : unsynced.empty() ? "Applied" : "NotApplicable",
      unsynced.empty() ? "every desired object is applied" : absl::StrJoin(unsynced, "; "), in);
  for (const model::v1::GhostNode& g : in.ghosts) *s.add_ghost_nodes() = g;
  return s;
}

bool Converged(const dv1::DorisDisaggregatedClusterStatus& s) {
  if (s.cluster_health().health() != "green") return false;
  for (const dv1::ComputeGroupStatus& g : s.compute_group_statuses()) {
    if (g.phase() != "Ready") return false;
  }
  return true;
}

}  // namespace doris_operator::reconcile::ddc
