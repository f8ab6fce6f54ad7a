#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_METRICS_SAMPLE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_METRICS_SAMPLE_H_

// What one reconcile tells /metrics about its cluster: the status it wrote,
// the rollout and scale-in it decided, the drift it saw and its ghost nodes
// (metrics::ClusterSample). Pure: read from the run, nothing fetched.

#include <cstdint>
#include <vector>

#include "operator/metrics/cluster_metrics.h"
#include "operator/reconcile/diff.h"
#include "operator/reconcile/run.h"
#include "proto/doris_cluster.pb.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

// `spec` is the spec as the user wrote it (membership may hold replicas
// in the run's copy): desired replicas are the user's.
metrics::ClusterSample SampleOf(const Run& run, const model::v1::DorisClusterSpec& spec,
                                int64_t drift_fields);

// Fields of the live objects that differ from the desired ones, compared as
// the diff and the drift report do (a value in the API server's stored
// form is no difference). Objects not there yet are not counted.
int64_t DriftFields(const translator::DesiredSet& desired, const std::vector<LiveObject>& live);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_METRICS_SAMPLE_H_
