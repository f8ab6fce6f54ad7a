#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_DECIDE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_DECIDE_H_

// The decisions of a DorisDisaggregatedCluster (ddc) reconcile, pure: facts
// in, a plan out (docs/disaggregated-contract.md §6). Bring-up order (meta
// service, then FE, then compute groups), a compute group's scale-in or
// removal (drain through Doris before the StatefulSet shrinks) and the status
// the observed facts amount to.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/doris_cluster.pb.h"
#include "proto/doris_disaggregated_cluster.pb.h"

namespace doris_operator::reconcile::ddc {

// The parts of a ddc that are not compute groups; indexes Run's ddc_parts.
enum class Part { kMetaService = 0, kFe = 1 };
inline constexpr Part kAllParts[] = {Part::kMetaService, Part::kFe};

// --- Bring-up ----------------------------------------------------------------

// Doris's order (§6.1): FE starts against a serving meta service, BEs
// register with a serving FE. Objects already created are never withheld.
struct BringUp {
  bool fe_allowed = false;
  bool groups_allowed = false;
  std::string fe_waiting;      // "" or what FE waits for, for status
  std::string groups_waiting;  // the same for the compute groups
};
BringUp DecideBringUp(bool meta_service_available, bool fe_available);

// --- Compute-group scale-in and removal ---------------------------------------

// A backend as the FE lists it, placed on a pod of the ddc.
struct BackendView {
  std::string host_port;  // host:heartbeat_port, what membership calls take
  std::string pod;        // the pod it runs in ("" when none is known)
  std::string group_id;   // Tag.compute_group_id
  bool decommissioned = false;  // SystemDecommissioned
  int64_t tablets = 0;
  bool alive = false;
};

struct GroupScaleIn {
  std::string statefulset;  // "<ddc>-<uniqueId>"
  int32_t live_replicas = 0;     // the live StatefulSet's spec.replicas
  int32_t desired_replicas = 0;  // 0 for a group taken out of the spec
  // Drop leaving backends at once instead of draining them: only when the
  // user opted out explicitly (annotation, see the .cc), never by default.
  bool drop_without_drain = false;
};

struct ScaleInPlan {
  std::vector<std::string> decommission;  // host:ports to decommission now
  std::vector<std::string> drop;          // host:ports to drop now
  int32_t replicas = 0;  // what the StatefulSet keeps for now
  bool under_way = false;  // not done yet: look again soon
  std::string phase;       // Decommissioning | Scaling | "" (done)
  std::string waiting;     // for status, when under way
  int64_t tablets_remaining = 0;  // on the leaving backends, as the FE listed them
};

// `backends` is the FE's list, nullopt when it could not be read (then
// nothing leaves: a pod is never removed while its backend may still hold
// data or serve). Leaving pods are ordinals >= desired.
ScaleInPlan DecideScaleIn(const GroupScaleIn& group, const std::optional<std::vector<BackendView>>& backends);

// --- Status -------------------------------------------------------------------

// A StatefulSet and its pods as observed.
struct WorkloadView {
  bool exists = false;
  int32_t desired = 0;  // replicas the spec asks for
  int32_t ready = 0;    // Ready pods (not being deleted)
  bool updated = true;  // status: every replica on the update revision
  bool follower_ready = false;  // FE: a pod with ordinal < electionNumber is Ready
  std::string waiting;  // what it waits for ("" for nothing)
};

// A part's rolling change (ddc_rollout.h), for status.
struct RolloutView {
  bool rolling = false;  // its pods restart one at a time
  bool held = false;     // its change waits for the parts before it
  std::string step;      // WaitPodReady | WaitBEAlive | "" (the reference's names)
  std::string current_pod;
  int current_ordinal = -1;
  std::string target_revision;  // the StatefulSet's updateRevision
  std::string waiting;          // what it waits for
};

struct GroupView {
  std::string unique_id;
  WorkloadView workload;
  std::string compute_group_id;  // from the FE's backends ("" when unknown)
  std::string scale_phase;       // from ScaleInPlan
  RolloutView rollout;
};

struct StatusInput {
  std::string ns;
  std::string name;
  int64_t generation = 0;
  int ms_port = 5000;
  WorkloadView meta_service;
  WorkloadView fe;
  std::vector<GroupView> groups;  // spec order
  // The FE's node lists could be read (and the master answered).
  bool fe_answers = false;
  std::vector<std::string> failed_writes;
  // Parts of the spec that could not be applied (e.g. a bad annotation).
  std::vector<std::string> not_applied;
  // status.ghostNodes (ddc_ghosts.h).
  std::vector<model::v1::GhostNode> ghosts;
  // The meta service's and FE's rolling changes (the groups' are theirs).
  RolloutView meta_service_rollout;
  RolloutView fe_rollout;
  const model::disaggregated::v1::DorisDisaggregatedClusterStatus* previous = nullptr;
  std::string now;  // RFC 3339
};

model::disaggregated::v1::DorisDisaggregatedClusterStatus ComputeStatus(const StatusInput& in);

// Green health and nothing under way: no need to look again without events.
bool Converged(const model::disaggregated::v1::DorisDisaggregatedClusterStatus& status);

}  // namespace doris_operator::reconcile::ddc

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_DECIDE_H_
