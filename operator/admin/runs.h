#ifndef DORIS_OPERATOR_OPERATOR_ADMIN_RUNS_H_
#define DORIS_OPERATOR_OPERATOR_ADMIN_RUNS_H_

// Runs of repeated reconciles (ReconcileRecord.repeats) as the admin API
// presents them: a run sits in the log at its first time but lasts until its
// last, so a time range that starts inside it still shows it.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/admin.pb.h"
#include "proto/log.pb.h"
#include "store/event_log.h"

namespace doris_operator::admin {

// `lo`, or the seq of the cluster's newest record before `lo` when that is a
// run of repeats still going on at `from` (its last time is at or after it).
absl::StatusOr<uint64_t> WidenForRun(const store::EventLog& log, const store::ClusterKey& cluster,
                                     uint64_t lo, absl::Time from);

// The count and time range of a reconcile record, into its summary.
void SummarizeRun(const log::v1::LogRecord& record, v1::ReconcileSummary* summary);

}  // namespace doris_operator::admin

#endif  // DORIS_OPERATOR_OPERATOR_ADMIN_RUNS_H_
