#ifndef DORIS_OPERATOR_STORE_RECORD_VALIDATION_H_
#define DORIS_OPERATOR_STORE_RECORD_VALIDATION_H_

// The last line of defence before a record becomes permanent: rejects records
// that are malformed or would put Secret data into the log.

#include "absl/status/status.h"
#include "proto/log.pb.h"

namespace doris_operator::store {

// InvalidArgument naming the problem, or OK. Does not look at `seq`, which
// the log assigns.
absl::Status ValidateRecord(const log::v1::LogRecord& record);

}  // namespace doris_operator::store

#endif  // DORIS_OPERATOR_STORE_RECORD_VALIDATION_H_
