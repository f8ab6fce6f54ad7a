#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_PAUSE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_PAUSE_H_

// Pausing a DorisCluster's reconciliation: while the DorisCluster carries
// the annotation kPausedAnnotation = "true", its reconciles record what
// they see (the watch records and a reconcile record) and write nothing to
// the cluster's objects or to Doris. The one write is the status condition
// Paused=True, made once when the pause is first seen (plus a Normal Event);
// removing the annotation resumes, and that reconcile applies what
// accumulated (its status no longer has the condition).

#include <string>

#include "nlohmann/json.hpp"
#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

// Under this project's own annotation domain (docs/features.md).
inline constexpr char kPausedAnnotation[] = "doris-operator.io/paused";

// The DorisCluster (as logged) asks for its reconciliation to pause.
bool PauseRequested(const nlohmann::json& cluster);

// A paused reconcile: says Paused in status once (and an Event), records a
// "paused" action; no other write.
void ReconcilePaused(Run& run);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_PAUSE_H_
