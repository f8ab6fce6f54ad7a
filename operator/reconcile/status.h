#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_STATUS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_STATUS_H_

// Computes the DorisCluster status from what the pods and the operator's own
// plans say: the reference's per-component phases and member lists, plus
// standard conditions (Ready, Progressing, Degraded, Synced) with
// observedGeneration. Pure: the time is an input.

#include <string>
#include <vector>

#include "proto/doris_cluster.pb.h"

namespace doris_operator::reconcile {

struct PodStatusView {
  std::string name;
  std::string phase;            // Pending, Running, Succeeded, Failed, Unknown
  bool has_container_statuses = false;
  bool all_containers_ready = false;
  std::string reason;           // from the pod's status or a waiting container
  std::string message;
};

struct ComponentStatusInput {
  std::string cluster;
  std::string component;  // "fe", "be", "cn", "broker"
  int desired_replicas = 0;
  std::vector<PodStatusView> pods;
  bool scaling = false;     // a scale-in/out plan is in progress
  bool upgrading = false;   // a rollout is stepping through pods
  bool restarting = false;  // a restart (annotation or config change) is rolling
  bool hibernated = false;  // the cluster hibernates: no pods wanted
  std::string waiting_on;   // from the plans, for the condition message
  std::string core_config_hash;
  const model::v1::ComponentStatus* previous = nullptr;
  std::string now;  // RFC 3339
};

model::v1::ComponentStatus ComputeComponentStatus(const ComponentStatusInput& in);

// Ready / Progressing / Degraded over the components present, keeping each
// condition's lastTransitionTime while its status is unchanged.
std::vector<model::v1::Condition> ComputeConditions(
    const std::vector<const model::v1::ComponentStatus*>& components, int64_t generation,
    const std::vector<model::v1::Condition>& previous, const std::string& now);

// Whether the spec of `generation` is in effect: every write this reconcile
// made succeeded (`failed_writes`: "what: the API server's or FE's message")
// and nothing in the spec had to be left out (`not_applied`, e.g. storage
// that an existing StatefulSet cannot change).
struct SyncInput {
  int64_t generation = 0;
  std::vector<std::string> failed_writes;
  std::vector<std::string> not_applied;
  // The FE was needed but this access mode cannot reach it with the
  // cluster's credentials: what waits on Doris is not applied.
  std::string doris_refused;
};

// The Synced condition: True (Applied) when the spec of this generation was
// applied, else False with WriteFailed, DorisAccessRefused or NotApplicable
// and the messages.
model::v1::Condition ComputeSyncedCondition(const SyncInput& in,
                                            const std::vector<model::v1::Condition>& previous,
                                            const std::string& now);

// status.observedGeneration: the generation when it was applied, else the
// one observed before (a failed write never advances it).
int64_t ObservedGeneration(const SyncInput& in, int64_t previous_observed);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_STATUS_H_
