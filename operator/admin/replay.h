#ifndef DORIS_OPERATOR_OPERATOR_ADMIN_REPLAY_H_
#define DORIS_OPERATOR_OPERATOR_ADMIN_REPLAY_H_

// Replay: the folded state of one cluster at a point of its history, what the
// translator makes of it, and (what-if) how the current translator's output
// differs from what the reconcile at that point recorded. The same code runs
// in the operator (over the event log) and in dorisctl (over a bundle), so an
// offline replay is the replay the server would give.

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "proto/admin.pb.h"
#include "proto/log.pb.h"
#include "store/state.h"

namespace doris_operator::admin {

// Where a replay reads history from: the event log or a bundle.
class ReplaySource {
 public:
  virtual ~ReplaySource() = default;
  // The cluster's folded objects after record `seq`.
  virtual absl::StatusOr<store::ClusterObjects> ObjectsAt(uint64_t seq) const = 0;
  // The newest reconcile record of the cluster at or before `seq`.
  virtual absl::StatusOr<std::optional<log::v1::LogRecord>> ReconcileAtOrBefore(
      uint64_t seq) const = 0;
};

struct ReplayPoint {
  store::ClusterKey cluster;
  uint64_t seq = 0;
  google::protobuf::Timestamp observed_at;
};

absl::StatusOr<v1::ReplayResponse> ReplayAt(const ReplayPoint& point, const ReplaySource& source,
                                            const v1::ReplayRequest& request);

}  // namespace doris_operator::admin

#endif  // DORIS_OPERATOR_OPERATOR_ADMIN_REPLAY_H_
