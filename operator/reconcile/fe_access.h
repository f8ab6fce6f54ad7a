#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_FE_ACCESS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_FE_ACCESS_H_

// The FE as one reconcile reaches it: its node lists, read once and again
// after a membership change of ours; the master FE as the target of writes;
// and the refusal of an access mode that cannot carry the cluster's credentials.

#include <vector>

#include "absl/status/statusor.h"
#include "operator/doris/fe_client.h"
#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

// Refuses FE calls that this access mode cannot authenticate (status,
// Event, once the FE is needed), so that nothing is sent that could not work.
// Call once run.fe carries the credentials.
void CheckDorisAccess(Run& run);

// The FE's frontends / backends lists (cached in the run; reset the cache
// after a membership write).
const absl::StatusOr<std::vector<doris::NodeRow>>& Frontends(Run& run);
const absl::StatusOr<std::vector<doris::NodeRow>>& Backends(Run& run);

// The master FE, found in the frontends list, as the target of membership writes.
absl::StatusOr<doris::FeTarget> MasterTarget(Run& run);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_FE_ACCESS_H_
