#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_MEMBERSHIP_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_MEMBERSHIP_H_

// Decide, Doris membership, for one component: FE observers leave the FE
// group before their pods go, BE/CN nodes are decommissioned, drained and
// dropped before the StatefulSet shrinks (also for a component taken out of
// the spec). Pure: what was observed in, a plan out (the Doris calls and
// Events in order, the replicas to hold); apply_membership.h carries it out.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "operator/doris/node_list.h"
#include "operator/reconcile/node_map.h"
#include "translator/component.h"

namespace doris_operator::reconcile {

// What one component's membership plan is decided from.
struct MembershipInput {
  translator::Component component = translator::Component::kFe;
  std::string cluster;          // the DorisCluster's name
  bool in_spec = false;         // the component's spec is present
  bool fe_in_spec = false;      // an FE is left to ask
  bool has_statefulset = false;
  int live_replicas = 0;        // the live StatefulSet's spec.replicas
  int spec_replicas = 0;        // the spec's (1 when unset), when in_spec
  bool autoscaled = false;      // CN under autoScalingPolicy: the HPA owns replicas
  int election_number = 3;      // FE
  // The component's status as last written: its phase, and its condition
  // message (a situation already said there is not said again by Event).
  std::string previous_phase;
  std::string previous_message;
  // Set when this access mode cannot reach the FE (DorisAccessRefused says it).
  std::string doris_refused;
  // The FE's node list that NodeListNeeded names, as read (null: none needed).
  const absl::StatusOr<std::vector<doris::NodeRow>>* nodes = nullptr;
  const NodeMap* node_map = nullptr;
  // BE/CN: ordinals of pods still starting (StartingOrdinals, observe.h).
  std::vector<int> starting;
  // The picture holds every watch's first list of this process. When not,
  // nothing is removed: the StatefulSet is held at its live size (a new
  // spec beside a StatefulSet not listed yet looks like a scale-in).
  bool fresh = true;
};

enum class NodeList { kNone, kFrontends, kBackends };

// The FE node list the plan of `in` needs read first (none when nothing scales).
NodeList NodeListNeeded(const MembershipInput& in);

// One step of a plan: an Event, or a Doris membership call with the Event
// that reports its outcome.
struct MembershipStep {
  enum class Kind { kEvent, kDropFrontend, kDecommissionBackends, kDropBackends, kCancelDecommission };
  Kind kind = Kind::kEvent;
  // kEvent: the Event. A call: the Event on success (type Normal).
  std::string type = "Normal";
  std::string reason;
  std::string message;
  // A call: what it acts on ...
  std::string role;                     // kDropFrontend: FOLLOWER | OBSERVER
  std::vector<std::string> host_ports;  // as the FE lists them
  // ... how the record names it ...
  std::string verb;  // doris:drop_frontend, doris:decommission_backend, doris:drop_backend, ...
  // kCancelDecommission: the SQL statement, run on any FE (not the master:
  // the FE forwards a DDL to the master itself).
  std::string statement;
  std::string object_api_version, object_kind, object_name;
  std::string detail;
  // ... and what a refusal means: a Warning `failed_reason` Event with
  // failed_prefix + Doris' message + failed_suffix, the component waiting
  // for RefusedWait(refused_waiting_on, refused_what), and the StatefulSet
  // held at least at `hold_on_failure` replicas (-1: no change).
  std::string failed_reason;
  std::string failed_prefix;
  std::string failed_suffix;
  std::string refused_waiting_on;
  std::string refused_what;
  int hold_on_failure = -1;
};

struct MembershipPlan {
  translator::Component component = translator::Component::kFe;
  bool acts = false;  // false: membership leaves the component alone
  // Hold the StatefulSet at this many replicas (the spec's replicas, or for
  // a component taken out of the spec its retained StatefulSet's).
  int replicas = 0;
  bool removed = false;
  std::string statefulset;
  bool scaling = false;
  // A scale-in: pods at ordinals >= this leave (-1: none), so a rollout
  // must not restart them (rollout.h, ComponentView::leaving_from).
  int leaving_from = -1;
  int64_t tablets_remaining = 0;  // BE/CN: on the nodes being drained
  std::string waiting_on;
  std::vector<MembershipStep> steps;  // in order
  bool removing = false;  // a removal is under way: look again soon
  bool release = false;   // a removed component's nodes are all gone: delete its StatefulSet
};

MembershipPlan DecideMembership(const MembershipInput& in);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_MEMBERSHIP_H_
