#include "operator/reconcile/tablet_health.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

doris::StatementResult Proc(const std::vector<std::string>& columns,
                            const std::vector<std::vector<std::string>>& rows) {
  doris::StatementResult r;
  r.result_set = true;
  r.columns = columns;
  for (const auto& cells : rows) {
    doris::NodeRow row;
    for (size_t i = 0; i < columns.size(); ++i) row[columns[i]] = cells[i];
    r.rows.push_back(row);
  }
  return r;
}

const std::vector<std::string> kColumns = {
    "DbId", "DbName", "TabletNum", "HealthyNum", "ReplicaMissingNum", "VersionIncompleteNum",
    "ReplicaRelocatingNum", "RedundantNum", "ReplicaMissingForTagNum", "ForceRedundantNum",
    "ColocateMismatchNum", "ColocateRedundantNum", "NeedFurtherRepairNum", "UnrecoverableNum",
    "ReplicaCompactionTooSlowNum", "InconsistentNum", "OversizeNum", "CloningNum"};

TEST(TabletHealth, OnlyTheTotalRowAndOnlyStatusesShortOfAReplicaCount) {
  // Redundant, compaction and oversize tablets lack no replica.
  absl::StatusOr<TabletHealth> h = TabletHealthOf(Proc(
      kColumns, {{"10000", "db", "300", "7", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"},
                 {"Total", "1", "300", "293", "0", "0", "0", "5", "0", "2", "0", "0", "0", "0", "9", "0", "4", "1"}}));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_TRUE(h->healthy());
  EXPECT_EQ(h->tablets, 300);
  h = TabletHealthOf(Proc(
      kColumns, {{"Total", "1", "300", "290", "7", "3", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"}}));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_FALSE(h->healthy());
  EXPECT_EQ(h->Describe(), "7 ReplicaMissing, 3 VersionIncomplete of 300 tablets");
}

TEST(TabletHealth, AnswersWithoutATotalRowOrNumbersAreErrors) {
  EXPECT_FALSE(TabletHealthOf(Proc(kColumns, {})).ok());
  EXPECT_FALSE(TabletHealthOf(Proc({"DbId", "TabletNum", "ReplicaMissingNum"}, {{"Total", "3", "x"}})).ok());
  doris::StatementResult exec;  // an exec_status is no proc result
  EXPECT_FALSE(TabletHealthOf(exec).ok());
  // 1.2's extra column counts too.
  absl::StatusOr<TabletHealth> h =
      TabletHealthOf(Proc({"DbId", "TabletNum", "ReplicaMissingInClusterNum"}, {{"Total", "3", "2"}}));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->Describe(), "2 ReplicaMissingInCluster of 3 tablets");
}

}  // namespace
}  // namespace doris_operator::reconcile
