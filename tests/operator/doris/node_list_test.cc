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

reconcile::NodeMap Pods() {
  return reconcile::NodeMap("c", {{"c-be-0", {"10.2.3.1"}}, {"c-be-1", {"10.2.3.2"}}, {"c-cn-0", {"10.2.3.9"}},
                                  {"c-fe-0", {"10.2.3.5"}}, {"c-fe-1", {"10.2.3.6"}}});
}

TEST(NodeList, BackendsOfAComponentByFqdnOrPodIp) {
  auto rows = ParseNodeList(kBackends);
  auto backends = BackendsOf(*rows, "be", Pods());
  ASSERT_TRUE(backends.ok()) << backends.status();
  ASSERT_EQ(backends->mine.size(), 2u);
  EXPECT_EQ(backends->mine[0].host_port, "c-be-0.c-be-internal.ns.svc.cluster.local:9050");
  EXPECT_EQ(backends->mine[0].ordinal, 0);
  EXPECT_TRUE(backends->mine[0].alive);
  EXPECT_EQ(backends->mine[0].tablets, 120);
  EXPECT_TRUE(backends->mine[1].decommissioned);
  // 10.2.3.4 is no pod's IP: it cannot be placed, and is reported.
  EXPECT_EQ(backends->unmapped, std::vector<std::string>{"10.2.3.4:9050"});

  // IP mode: Host is the pod IP.
  auto by_ip = ParseNodeList(R"({"code":0,"data":{
    "column_names":["BackendId","Host","HeartbeatPort","Alive","SystemDecommissioned","TabletNum"],
    "rows":[["1","10.2.3.2","9050","true","false","5"],["2","10.2.3.9","9050","true","false","0"]]}})");
  auto be = BackendsOf(*by_ip, "be", Pods());
  ASSERT_TRUE(be.ok());
  ASSERT_EQ(be->mine.size(), 1u);
  EXPECT_EQ(be->mine[0].ordinal, 1);
  EXPECT_EQ(be->mine[0].host_port, "10.2.3.2:9050");
  EXPECT_TRUE(be->unmapped.empty());
  auto cn = BackendsOf(*by_ip, "cn", Pods());
  ASSERT_EQ(cn->mine.size(), 1u);
  EXPECT_EQ(cn->mine[0].ordinal, 0);
}

// Doris 1.2 lists IP and HostName instead of Host.
TEST(NodeList, Doris12Columns) {
  auto rows = ParseNodeList(R"({"code":0,"data":{
    "column_names":["BackendId","Cluster","IP","HostName","HeartbeatPort","Alive","SystemDecommissioned","TabletNum"],
    "rows":[["1","default_cluster","10.2.3.1","c-be-0.c-be-internal.ns.svc.cluster.local","9050","true","false","3"],
            ["2","default_cluster","10.9.9.9","c-be-7.c-be-internal.ns.svc.cluster.local","9050","false","true","0"]]}})");
  auto be = BackendsOf(*rows, "be", Pods());
  ASSERT_TRUE(be.ok()) << be.status();
  ASSERT_EQ(be->mine.size(), 2u);
  EXPECT_EQ(be->mine[0].host_port, "10.2.3.1:9050");
  EXPECT_EQ(be->mine[0].ordinal, 0);
  EXPECT_EQ(be->mine[1].ordinal, 7);  // its pod is gone; its FQDN still names it
  auto fes = FrontendsOf(*ParseNodeList(R"({"code":0,"data":{
    "column_names":["Name","IP","HostName","EditLogPort","HttpPort","Role","IsMaster","Alive"],
    "rows":[["n0","10.2.3.5","x","9010","8030","FOLLOWER","false","true"],
            ["n1","10.2.3.6","y","9010","8031","FOLLOWER","true","true"]]}})"), Pods());
  ASSERT_TRUE(fes.ok()) << fes.status();
  EXPECT_EQ(fes->master_pod, "c-fe-1");
  EXPECT_EQ(fes->master_host, "10.2.3.6");
  EXPECT_EQ(fes->master_http_port, 8031);
  EXPECT_EQ(fes->mine[1].ordinal, 1);
  EXPECT_TRUE(fes->mine[1].is_master);
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
  EXPECT_EQ(BackendsOf(*rows, "be", reconcile::NodeMap("c", {{"c-be-0", {"h"}}})).status().code(),
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
