#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_OBSERVE_DORIS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_OBSERVE_DORIS_H_

// Observe, the Doris side: what a component's membership plan is decided
// from — its spec, live StatefulSet and last status, and the FE node list
// the plan needs, read through the run's cache (so a component planned after
// another one's membership writes sees the list as those writes left it).

#include "operator/reconcile/decide_ghosts.h"
#include "operator/reconcile/decide_membership.h"
#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

// The input of DecideMembership for `c`; reads the FE node list it needs.
// The input points into the run's cached lists: decide before the next write.
MembershipInput ObserveMembership(Run& run, Component c);

// The input of DecideGhosts: both node lists (as membership left them),
// the grace period the annotation sets, status.ghostNodes as last written.
// Null lists when the FE cannot be asked (no FE pod serves, this access
// mode is refused, a list is unreadable): ghosts are then left as they were
// (run.ghosts keeps the last status), and nothing is said here — the
// membership step says it when a scale-in needs the FE.
GhostInput ObserveGhosts(Run& run);

// The grace period the cluster's annotations set; on a bad value the
// default, with the problem in run.not_applied (for the Synced condition)
// and one Warning Event (not again while `conditions`' Synced says it).
absl::Duration ObserveGhostGrace(Run& run, const google::protobuf::Map<std::string, std::string>& annotations,
                                 const google::protobuf::RepeatedPtrField<model::v1::Condition>& conditions);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_OBSERVE_DORIS_H_
