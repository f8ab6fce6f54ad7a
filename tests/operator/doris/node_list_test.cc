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

TEST(NodeList, AMalformedWriteAnswerIsAnErrorNotAnException) {
  EXPECT_TRUE(ParseWriteAnswer(R"({"msg":"success","code":0,"data":null,"count":0})", "drop backends").ok());
  const absl::Status refused = ParseWriteAnswer(
      R"({"msg":"Error","code":1,"data":"errCode = 2, detailMessage = backend does not exists[h:9050]"})",
      "drop backends");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(), "drop backends: errCode = 2, detailMessage = backend does not exists[h:9050]");
  EXPECT_EQ(ParseWriteAnswer("<html>502</html>", "x").code(), absl::StatusCode::kInternal);
  // Shapes no Doris answers with, each of which made `json::value` throw
  // (type_error.302) before: a code or msg of another type.
  for (const char* body : {R"({"code":"0"})", R"({"code":null,"msg":"m"})", R"({"code":1,"msg":7})",
                           R"({"msg":["a"]})", R"({"code":0.0})"}) {
    absl::Status s;
    EXPECT_NO_THROW(s = ParseWriteAnswer(body, "decommission backends")) << body;
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << body;
    EXPECT_NE(s.message().find("decommission backends: "), std::string::npos) << s;
  }
  EXPECT_NE(ParseWriteAnswer(R"({"code":"0"})", "x").message().find("not a Doris API envelope (code \"0\")"),
            std::string::npos)
      << ParseWriteAnswer(R"({"code":"0"})", "x");
}

}  // namespace
}  // namespace doris_operator::doris
