#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_CANCEL_DECOMMISSION_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_CANCEL_DECOMMISSION_H_

// Scaling back out during a scale-in: backends the user wants to keep again
// that are still decommissioning get their decommission cancelled
// (`CANCEL DECOMMISSION BACKEND "host:port", ...` through the FE's Statement
// Execution Action, which the node-management API lacks), so the capacity
// comes back without a manual step. Recorded as an action, with an Event.

#include <string>
#include <vector>

#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

// `host_ports` as the FE lists them; `component` ("be"/"cn") for messages.
// A refusal is retried by the next reconcile (the component stays `scaling`).
// Returns what the component waits for when the FE refused ("" when done).
std::string CancelDecommissions(Run& run, Component c, const std::vector<std::string>& host_ports);

// The statement, e.g. CANCEL DECOMMISSION BACKEND "a:9050", "b:9050".
std::string CancelDecommissionStatement(const std::vector<std::string>& host_ports);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_CANCEL_DECOMMISSION_H_
