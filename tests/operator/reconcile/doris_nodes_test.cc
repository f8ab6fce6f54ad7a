#include "operator/reconcile/doris_nodes.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

using doris::ParseNodeList;

constexpr char kBackends[] = R"({"msg":"success","code":0,"count":0,"data":{
  "column_names":["BackendId","Host","HeartbeatPort","Alive","SystemDecommissioned","TabletNum"],
  "rows":[["10001","c-be-0.c-be-internal.ns.svc.cluster.local","9050","true","false","120"],
          ["10002","c-be-1.c-be-internal.ns.svc.cluster.local","9050","false","true","0"],
          ["10003","10.2.3.4","9050","true","false","7"]]}})";

NodeMap Pods() {
  return NodeMap("c", {{"c-be-0", {"10.2.3.1"}}, {"c-be-1", {"10.2.3.2"}}, {"c-cn-0", {"10.2.3.9"}},
                       {"c-fe-0", {"10.2.3.5"}}, {"c-fe-1", {"10.2.3.6"}}});
}

TEST(DorisNodes, BackendsOfAComponentByFqdnOrPodIp) {
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
TEST(DorisNodes, Doris12Columns) {
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

TEST(DorisNodes, TabletCountMustBeANumber) {
  auto rows = ParseNodeList(
      R"({"code":0,"data":{"column_names":["Host","HeartbeatPort","TabletNum"],"rows":[["h","1","many"]]}})");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(BackendsOf(*rows, "be", NodeMap("c", {{"c-be-0", {"h"}}})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace doris_operator::reconcile
