#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_MEMBERSHIP_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_MEMBERSHIP_H_

// Decide, Doris membership: FE observers leave the FE group before their pods
// go, BE/CN nodes are decommissioned, drained and dropped before the
// StatefulSet shrinks (also for a component taken out of the spec). The
// plans come from the pure planners (frontends.h, scale_in.h); their Doris
// calls go to the master FE, and the replicas held meanwhile are written
// into the run's spec (and the record, so a replay translates the same).

#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

void DecideMembership(Run& run);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_MEMBERSHIP_H_
