#include "operator/reconcile/tablet_health.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace doris_operator::reconcile {

namespace {

// TabletHealthProcDir's columns for tablets short of a healthy replica
// (Tablet.TabletStatus: REPLICA_MISSING, VERSION_INCOMPLETE,
// REPLICA_RELOCATING, REPLICA_MISSING_IN_CLUSTER (1.2),
// REPLICA_MISSING_FOR_TAG, COLOCATE_MISMATCH, NEED_FURTHER_REPAIR,
// UNRECOVERABLE), in the proc's column order.
constexpr const char* kShort[] = {
    "ReplicaMissingNum",       "VersionIncompleteNum", "ReplicaRelocatingNum",
    "ReplicaMissingInClusterNum", "ReplicaMissingForTagNum", "ColocateMismatchNum",
    "NeedFurtherRepairNum",    "UnrecoverableNum",
};

}  // namespace

std::string TabletHealth::Describe() const {
  std::vector<std::string> parts;
  for (const auto& [name, n] : unhealthy) parts.push_back(absl::StrCat(n, " ", name));
  return absl::StrCat(parts.empty() ? "all healthy" : absl::StrJoin(parts, ", "), " of ", tablets, " tablets");
}

absl::StatusOr<TabletHealth> TabletHealthOf(const doris::StatementResult& result) {
  const doris::NodeRow* total = nullptr;
  for (const doris::NodeRow& row : result.rows) {
    const std::string* id = doris::CellOf(row, "DbId");
    if (id != nullptr && *id == "Total") total = &row;
  }
  if (!result.result_set || total == nullptr) {
    return absl::InvalidArgumentError("tablet health: no Total row in the FE's answer");
  }
  TabletHealth out;
  const std::string* tablets = doris::CellOf(*total, "TabletNum");
  if (tablets == nullptr || !absl::SimpleAtoi(*tablets, &out.tablets)) {
    return absl::InvalidArgumentError("tablet health: the Total row has no TabletNum");
  }
  for (const char* column : kShort) {
    const std::string* cell = doris::CellOf(*total, column);
    if (cell == nullptr) continue;  // a column this Doris version does not have
    int64_t n = 0;
    if (!absl::SimpleAtoi(*cell, &n)) {
      return absl::InvalidArgumentError(absl::StrCat("tablet health: ", column, " is not a number: ", *cell));
    }
    std::string name(column);
    name.resize(name.size() - 3);  // "Num"
    if (n > 0) out.unhealthy.emplace_back(name, n);
  }
  return out;
}

}  // namespace doris_operator::reconcile
