#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_RESTARTS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_RESTARTS_H_

// Decide, config-change restarts: when an FE or BE core config file changed
// and restarts are enabled (config_restart.h decides, purely), the restart is
// stamped on the DorisCluster and given to the translator, which rolls the pods.

#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

void DecideConfigRestarts(Run& run);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_RESTARTS_H_
