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

TEST(NodeList, BackendsOfAStatefulSet) {
  auto rows = ParseNodeList(kBackends);
  auto backends = BackendsOf(*rows, "c-be");
  ASSERT_TRUE(backends.ok()) << backends.status();
  ASSERT_EQ(backends->size(), 3u);
  EXPECT_EQ((*backends)[0].host_port, "c-be-0.c-be-internal.ns.svc.cluster.local:9050");
  EXPECT_EQ((*backends)[0].ordinal, 0);
  EXPECT_TRUE((*backends)[0].alive);
  EXPECT_EQ((*backends)[0].tablets, 120);
  EXPECT_TRUE((*backends)[1].decommissioned);
  EXPECT_EQ((*backends)[2].ordinal, -1);  // not one of our pods
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
  auto rows = ParseNodeList(
      R"({"code":0,"data":{"column_names":["Host","HeartbeatPort","TabletNum"],"rows":[["h","1","many"]]}})");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(BackendsOf(*rows, "c-be").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace doris_operator::doris
