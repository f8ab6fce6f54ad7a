#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_RECONCILE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_RECONCILE_H_

// One reconcile of a DorisDisaggregatedCluster (ddc), on the DorisCluster
// pipeline's run, log record, diff and apply: observe (the folded log, the
// FE's backends) -> decide (ddc_decide.h: bring-up order, draining scale-in)
// -> translate (translator/disaggregated) -> diff -> apply -> status.

#include "absl/time/time.h"
#include "operator/reconcile/run.h"
#include "proto/log.pb.h"
#include "store/state.h"

namespace doris_operator::reconcile {

// Whether the cluster's objects hold a ddc of the key's name.
bool HoldsDisaggregated(const store::ClusterKey& key, const store::ClusterObjects& objects);

// Runs the ddc pipeline over `run` (its key and objects set); the outcome
// for the record, and when to look again (0: on events only).
log::v1::ReconcileRecord::Outcome ReconcileDisaggregated(Run& run, absl::Duration* requeue_after);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_RECONCILE_H_
