#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_METRICS_SAMPLE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_METRICS_SAMPLE_H_

// What one ddc reconcile tells /metrics (metrics::ClusterSample, the
// DorisCluster's series): components ms, fe and cg/<uniqueId>, from the
// status it computed and the StatefulSets it observed. Pure: read from the
// run, nothing fetched. Null when the reconcile computed no status.

#include <optional>

#include "operator/metrics/cluster_metrics.h"
#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

std::optional<metrics::ClusterSample> DisaggregatedSampleOf(const Run& run);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_METRICS_SAMPLE_H_
