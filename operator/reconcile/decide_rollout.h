#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_ROLLOUT_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_ROLLOUT_H_

// Decide, rolling changes: compares the desired pod templates with the live
// StatefulSets, asks Doris whether restarted nodes serve again, and lets the
// pure rollout planner (rollout.h) choose each StatefulSet's partition: FE
// first, one pod at a time.

#include "operator/reconcile/run.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

// Sets the partitions (translator inputs and record) and the components'
// upgrading state. True when a partition was chosen: translate again.
bool DecideRollout(Run& run, const translator::DesiredSet& desired);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_ROLLOUT_H_
