#include "operator/doris/node_list.h"

#include "gtest/gtest.h"

namespace doris_operator::doris {
namespace {

constexpr char kBackends[] = R"({"msg":"success","code":0,"count":0,"data":{
  "column_names":["BackendId","Host","HeartbeatPort","Alive","SystemDecommissioned","TabletNum"],
  "rows":[["10001","c-be-0.c-be-internal.ns.svc.cluster.local","9050","true","false","120"],
          ["10002","c-be-1.c-be-internal.ns.svc.cluster.local","9050","false","true","0"],
          ["10003","10.2.3.4","9050","true","false","7"]]}})";

TEST(NodeList, ParsesRowsByColumnName) {
  auto rows = ParseNodeList(kBackends);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].at("BackendId"), "10001");
  EXPECT_EQ((*rows)[1].at("Alive"), "false");
}

TEST(NodeList, CellsByColumn) {
  const NodeRow row = {{"Alive", "TRUE"}, {"IsMaster", "false"}, {"Host", ""}};
  ASSERT_NE(CellOf(row, "Alive"), nullptr);
  EXPECT_EQ(*CellOf(row, "Alive"), "TRUE");
  EXPECT_EQ(CellOf(row, "HeartbeatPort"), nullptr);
  EXPECT_TRUE(CellIsTrue(row, "Alive"));
  EXPECT_FALSE(CellIsTrue(row, "IsMaster"));
  EXPECT_FALSE(CellIsTrue(row, "Decommissioned"));
  EXPECT_TRUE(RowHosts(row).empty());
}

TEST(NodeList, ErrorsAreClear) {
  auto err = ParseNodeList(
      R"({"msg":"Error","code":1,"data":"errCode = 2, detailMessage = Access denied"})");
  EXPECT_EQ(err.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(err.status().message().find("Access denied"), std::string::npos);
  EXPECT_EQ(ParseNodeList("<html>502</html>").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNodeList(R"({"code":0,"data":{"rows":[]}})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNodeList(R"({"code":0,"data":{"column_names":["a","b"],"rows":[["1"]]}})")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace doris_operator::doris
