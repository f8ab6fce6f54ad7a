#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_RECONCILE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_RECONCILE_H_

// One reconcile of a DorisDisaggregatedCluster (ddc), on the DorisCluster
// pipeline's run, log record, diff and apply: observe (the folded log, the
// FE's backends) -> decide (ddc_decide.h: bring-up order, draining scale-in)
// -> translate (translator/disaggregated) -> diff -> apply -> status.

#include <set>
#include <string>

#include "absl/time/time.h"
#include "operator/ingest/reference_index.h"
#include "operator/reconcile/run.h"
#include "proto/log.pb.h"
#include "store/state.h"

namespace doris_operator::reconcile {

// Whether the cluster's objects hold a ddc of the key's name.
bool HoldsDisaggregated(const store::ClusterKey& key, const store::ClusterObjects& objects);

// The ConfigMaps (in the ddc's namespace) its spec's configMaps name, empty
// when the objects hold no ddc or it does not parse: what the watchers must
// file under it (ingest::ReferenceIndex).
std::set<std::string> DisaggregatedConfigMaps(const store::ClusterKey& key, const store::ClusterObjects& objects);

// Runs the ddc pipeline over `run` (its key and objects set); the outcome
// for the record, and when to look again (0: on events only). The ConfigMaps
// it reads are set in `references`.
log::v1::ReconcileRecord::Outcome ReconcileDisaggregated(Run& run, ingest::ReferenceIndex* references,
                                                         absl::Duration* requeue_after);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_RECONCILE_H_
