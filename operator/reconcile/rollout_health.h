#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_ROLLOUT_HEALTH_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_ROLLOUT_HEALTH_H_

// The tablet-health gate of a BE rollout: before the next BE pod restarts,
// Doris must report no tablet short of a healthy replica (SHOW PROC
// '/cluster_health/tablet_health' through the FE's Statement Execution
// Action), or the restart waits. The wait is said in status with the time it
// began ("since ..."), which the next reconcile reads back from the logged
// status; past ReconcilerOptions::tablet_health_deadline a Warning Event
// says so (the restart still waits: a restart would take a replica away).

#include <string>

#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

// "" when the next BE pod may restart; else what the restart waits for.
// Asks the FE (one statement) each call.
std::string BeRestartBlocker(Run& run);

// After the rollout was planned: Events when a wait on tablet health began
// or passed its deadline (once each, by the previous status).
void ReportHealthWait(Run& run, const std::string& waiting_on);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_ROLLOUT_HEALTH_H_
