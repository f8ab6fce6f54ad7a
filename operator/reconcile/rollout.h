#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_ROLLOUT_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_ROLLOUT_H_

// Plans rolling changes the way an SRE would do them by hand: FE first, then
// BE, CN, broker; within a component one pod at a time through the
// StatefulSet's RollingUpdate partition, the next pod only once the previous
// one is Ready and Doris reports it alive again (and, where a component
// says so, once nothing else blocks a restart). Pure: observed facts in,
// partitions out.

#include <string>
#include <vector>

#include "translator/component.h"

namespace doris_operator::reconcile {

struct PodView {
  int ordinal = 0;
  bool updated = false;      // runs the StatefulSet's update revision
  bool ready = false;        // Kubernetes readiness
  bool doris_alive = false;  // the FE reports the node Alive
};

struct ComponentView {
  translator::Component component = translator::Component::kFe;  // in rollout order
  bool exists = true;     // the StatefulSet is live
  // The desired pod template differs from the live one: applying it starts
  // a rollout, so every pod counts as outdated.
  bool template_changed = false;
  int replicas = 0;
  std::vector<PodView> pods;
  int partition = 0;  // the live StatefulSet's partition
  // The StatefulSet controller has not yet observed the live spec
  // (status.observedGeneration < metadata.generation): its revisions and
  // counts describe an older spec, so no decision can be based on them.
  bool status_stale = false;
  // Non-empty: no further pod of this component may restart now, and this
  // says what it waits for (e.g. Doris reporting every tablet healthy).
  std::string restart_blocked;
  // A scale-in is under way: pods at ordinals >= this leave once their
  // nodes have left Doris (-1: none leave). A leaving pod still on the old
  // template is never released: restarting it would only take it down
  // twice, and a restarted node could serve again just before it goes.
  int leaving_from = -1;
};

struct RolloutPlan {
  // The partition to write for each component: replicas = hold every pod,
  // 0 = no restriction (also for a component not planned).
  translator::PerComponent<int> partitions;
  // The component and pod the rollout is waiting for, for status and Events
  // ("" when nothing is rolling).
  std::string waiting_on;
  bool rolling = false;
};

RolloutPlan PlanRollout(const std::vector<ComponentView>& components);

// One component's step, when every component before it in rollout order has
// settled (PlanRollout holds the others); `name` prefixes its pods in
// waits ("be-2 to serve again"). Shared with the ddc rollout (ddc_rollout.h).
struct ComponentStep {
  int partition = 0;
  bool rolling = false;  // a rollout of this component is under way
  bool settled = true;   // every pod updated and serving: the next may go
  std::string waiting_on;
};
ComponentStep StepComponent(const ComponentView& c, const std::string& name);

// The pod of `ordinal`, null when it has none; whether a pod serves on the
// update revision (Ready and alive in Doris).
const PodView* FindPod(const ComponentView& c, int ordinal);
bool PodServing(const PodView* p);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_ROLLOUT_H_
