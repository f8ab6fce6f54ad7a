#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_APPLY_MEMBERSHIP_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_APPLY_MEMBERSHIP_H_

// Apply, the Doris side: carries out a membership plan's steps in order
// against the master FE (each call recorded as an action with its Event;
// the run's node lists are read again after a write), then holds the
// StatefulSet at the replicas the plan and the calls' outcomes allow. The
// replicas held instead of the spec's go into the record, so that a replay
// translates the same.

#include "operator/reconcile/decide_ghosts.h"
#include "operator/reconcile/decide_membership.h"
#include "operator/reconcile/run.h"
#include "proto/doris_cluster.pb.h"

namespace doris_operator::reconcile {

void ApplyMembership(Run& run, const MembershipPlan& plan);

// The ghost plan's Events and drops; the ghosts left (dropped ones are
// gone) become run.ghosts, for status and the metric.
void ApplyGhosts(Run& run, const GhostPlan& plan);

// Records, as replica overrides, every component whose replicas in the
// run's spec differ from `before`'s.
void RecordReplicaOverrides(Run& run, const model::v1::DorisClusterSpec& before);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_APPLY_MEMBERSHIP_H_
