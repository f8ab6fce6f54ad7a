#ifndef DORIS_OPERATOR_OPERATOR_ADMIN_BUNDLE_H_
#define DORIS_OPERATOR_OPERATOR_ADMIN_BUNDLE_H_

// Bundles (admin.v1.Bundle) read back offline: checks that a bundle is whole
// and replays it with the same code the operator's Replay runs, so
// `dorisctl replay --bundle` needs no cluster and gives the server's answer.

#include <string>

#include "absl/status/statusor.h"
#include "proto/admin.pb.h"

namespace doris_operator::admin {

// Parses a bundle file (the Export pieces concatenated) and checks it: format
// version, one cluster, records in order within [from_seq, to_seq].
absl::StatusOr<v1::Bundle> ParseBundle(const std::string& bytes);

// Replay over a bundle. at_seq/at_time must fall in the bundle's range
// (OUT_OF_RANGE otherwise); neither: its last record.
absl::StatusOr<v1::ReplayResponse> ReplayBundle(const v1::Bundle& bundle,
                                                const v1::ReplayRequest& request);

}  // namespace doris_operator::admin

#endif  // DORIS_OPERATOR_OPERATOR_ADMIN_BUNDLE_H_
