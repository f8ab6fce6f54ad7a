#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_APPLY_RESTARTS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_APPLY_RESTARTS_H_

// Observe and apply around decide_restarts.h: what the config-change restart
// decision reads from a run (spec, ConfigMaps, status), and the writing of
// its stamps on the DorisCluster, where the translator reads restart
// annotations (they survive this reconcile and operator restarts, and users
// see why their pods rolled).

#include "operator/reconcile/decide_restarts.h"
#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

RestartsInput ObserveRestarts(const Run& run);

// Writes each stamp (a merge patch of the DorisCluster's annotations),
// records it, and gives it to the translator; a refused stamp keeps the
// old hash in status so the restart is tried again.
void ApplyRestarts(Run& run, const std::vector<ComponentRestart>& plan);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_APPLY_RESTARTS_H_
