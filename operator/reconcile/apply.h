#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_APPLY_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_APPLY_H_

// Apply: carries out the diff's planned writes through the API server
// (server-side apply for creates and updates, deletes of owned objects; a
// removed component's StatefulSet is scaled in instead while Doris still has
// its nodes), recording the plan and each write's outcome in the run.

#include "operator/reconcile/diff.h"
#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

void Apply(Run& run, const DiffResult& diff);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_APPLY_H_
