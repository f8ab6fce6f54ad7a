#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_CANCEL_DECOMMISSION_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_CANCEL_DECOMMISSION_H_

// Scaling back out during a scale-in: backends the user wants to keep again
// that are still decommissioning get their decommission cancelled by this
// statement, run through the FE's Statement Execution Action (the
// node-management API has no cancel). decide_membership plans it.

#include <string>
#include <vector>

namespace doris_operator::reconcile {

// The statement, e.g. CANCEL DECOMMISSION BACKEND "a:9050", "b:9050".
std::string CancelDecommissionStatement(const std::vector<std::string>& host_ports);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_CANCEL_DECOMMISSION_H_
