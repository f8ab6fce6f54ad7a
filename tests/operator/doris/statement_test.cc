#include "operator/doris/statement.h"

#include "gtest/gtest.h"

namespace doris_operator::doris {
namespace {

// StatementSubmitter.generateResultSet / generateExecStatus inside
// ResponseEntityBuilder.ok; okWithCommonError and badRequest for failures.
TEST(StatementAnswer, ResultSetExecStatusAndErrors) {
  absl::StatusOr<StatementResult> rs = ParseStatementAnswer(
      R"({"msg":"success","code":0,"data":{"type":"result_set","meta":[{"name":"DbId","type":"VARCHAR"},)"
      R"({"name":"TabletNum","type":"VARCHAR"}],"data":[["10000","3"],["Total","3"]],"time":2},"count":0})",
      "show");
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_TRUE(rs->result_set);
  ASSERT_EQ(rs->rows.size(), 2u);
  EXPECT_EQ(rs->rows[1].at("DbId"), "Total");
  EXPECT_EQ(rs->rows[1].at("TabletNum"), "3");

  absl::StatusOr<StatementResult> exec = ParseStatementAnswer(
      R"({"msg":"success","code":0,"data":{"type":"exec_status","status":{},"time":1},"count":0})", "cancel");
  ASSERT_TRUE(exec.ok()) << exec.status();
  EXPECT_FALSE(exec->result_set);

  absl::StatusOr<StatementResult> refused = ParseStatementAnswer(
      R"({"msg":"Error","code":1,"data":"Failed to execute sql: java.sql.SQLException: errCode = 2, detailMessage = Backend does not exist[x:9050]","count":0})",
      "cancel");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("Backend does not exist[x:9050]"), std::string::npos);
  EXPECT_EQ(ParseStatementAnswer(R"({"msg":"Bad Request","code":403,"data":"Missing statement request body"})", "x")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  // Shapes that are not Doris' answers are errors, never exceptions.
  for (const char* bad : {"", "[]", R"({"code":0,"data":{}})", R"({"code":0,"data":{"type":"result_set"}})",
                          R"({"code":0,"data":{"type":"result_set","meta":[{"name":"a"}],"data":[["1","2"]]}})",
                          R"({"code":0,"data":{"type":"other"}})"}) {
    EXPECT_FALSE(ParseStatementAnswer(bad, "x").ok()) << bad;
  }
}

TEST(StatementAnswer, SqlStringsAreQuoted) {
  EXPECT_EQ(SqlString("be-0.x:9050"), "\"be-0.x:9050\"");
  EXPECT_EQ(SqlString("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

}  // namespace
}  // namespace doris_operator::doris
