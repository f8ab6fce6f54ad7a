#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_TABLET_HEALTH_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_TABLET_HEALTH_H_

// What Doris says about its tablets (SHOW PROC '/cluster_health/tablet_health',
// the Total row), reduced to the question a BE restart asks: would taking
// one more replica away leave some tablet short? Pure.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "operator/doris/statement.h"

namespace doris_operator::reconcile {

struct TabletHealth {
  int64_t tablets = 0;
  // Non-zero counts of the statuses that mean a tablet is short of a good
  // replica (ReplicaMissing, VersionIncomplete, ReplicaRelocating, ...),
  // by name without the "Num" suffix, in Doris' column order.
  std::vector<std::pair<std::string, int64_t>> unhealthy;

  bool healthy() const { return unhealthy.empty(); }
  // e.g. "7 ReplicaMissing, 3 VersionIncomplete of 300 tablets".
  std::string Describe() const;
};

// The Total row of the tablet health proc's result set. Redundant,
// ForceRedundant, ColocateRedundant (replicas to spare), Inconsistent,
// Oversize, ReplicaCompactionTooSlow and Cloning do not count: no replica
// is missing for them.
absl::StatusOr<TabletHealth> TabletHealthOf(const doris::StatementResult& result);

inline constexpr char kTabletHealthStatement[] = "SHOW PROC '/cluster_health/tablet_health'";

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_TABLET_HEALTH_H_
