#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_OBSERVE_INPUTS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_OBSERVE_INPUTS_H_

// Observe step of a ddc reconcile: the translator's inputs from the folded
// log (ddc_inputs.h), and the ConfigMaps it names that the log does not hold
// yet (its configMaps, the FDB ConfigMap of metaService.fdb, in any
// namespace) fetched once and logged under the ddc, so that a replay reads
// what the reconcile read. The watchers file them from then on.

#include "operator/ingest/reference_index.h"
#include "operator/reconcile/ddc_inputs.h"
#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

DisaggregatedInputs ObserveDisaggregatedInputs(Run& run, ingest::ReferenceIndex* references);

// The ConfigMaps a ddc's objects name, for the reference index (what the
// ConfigMap watchers file under it); nothing when the objects hold no ddc.
void IndexDisaggregatedReferences(const store::ClusterKey& key, const store::ClusterObjects& objects,
                                  ingest::ReferenceIndex* references);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_OBSERVE_INPUTS_H_
