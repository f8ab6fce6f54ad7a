#ifndef DORIS_OPERATOR_STORE_COALESCE_H_
#define DORIS_OPERATOR_STORE_COALESCE_H_

// Coalescing repeated reconciles. A reconcile that saw the same input as the
// record before it and decided the same tells nothing new except that it ran
// again, so EventLog::AppendReconcile counts it on that record
// (ReconcileRecord.repeats: count, last time, last trigger) instead of
// appending it: a cluster stuck waiting costs one record, not one per poll.

#include "proto/log.pb.h"

namespace doris_operator::store {

// Whether `next` repeats the decision of `previous` (a record of the same
// cluster that nothing of the cluster was logged after): both NO_CHANGE or
// both REQUEUED, and equal but for when they ran and for how long (trigger
// range, duration, repeats, actions' caused_by_seq) — the same input state,
// desired set, diff, actions and their results, error and decisions. Pure.
bool RepeatsDecision(const log::v1::ReconcileRecord& previous,
                     const log::v1::ReconcileRecord& next);

// `run` (a reconcile record) after counting `next`, a repeat of it (stamped
// with observed_at), on it: count + 1, the later time and trigger, the
// longer duration. Never lowers anything `run` held.
void CountRepeat(const log::v1::LogRecord& next, log::v1::LogRecord* run);

// Reconciles a record stands for: repeats.count, or 1.
uint64_t ReconcileCount(const log::v1::ReconcileRecord& record);

}  // namespace doris_operator::store

#endif  // DORIS_OPERATOR_STORE_COALESCE_H_
