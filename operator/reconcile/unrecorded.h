#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_UNRECORDED_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_UNRECORDED_H_

// A reconcile whose ReconcileRecord could not be appended did not happen as
// far as the log knows: it counts as FAILED (retried with back-off) whatever
// it decided, with the log's error, rather than as a success nobody can
// explain later.

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "proto/log.pb.h"

namespace doris_operator::reconcile {

inline void MarkUnrecorded(const absl::Status& append_error, log::v1::ReconcileRecord* record) {
  record->set_outcome(log::v1::ReconcileRecord::FAILED);
  record->set_error(absl::StrCat(record->error(), record->error().empty() ? "" : "; ",
                                 "not recorded in the event log: ", append_error.message()));
}

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_UNRECORDED_H_
