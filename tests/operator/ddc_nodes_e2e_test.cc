// A DorisDisaggregatedCluster's (ddc) Doris nodes end to end, the operator
// binary against kubesim with fake Doris in decoupled mode: compute-group
// membership is written at the master FE even when the FE Service lands on
// another FE, and backends of its compute groups that no pod backs (ghosts)
// are watched for the grace period, reported in status and /metrics, then
// dropped when that loses nothing.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/operator/ddc_fixture.h"

namespace doris_operator {
namespace {

class DdcNodesE2eTest : public DdcE2eFixture {
 protected:
  // The pod of the FE the FE lists as master ("" when unread).
  std::string MasterFePod(const std::string& ddc, const std::string& user = "root:") {
    const Json data = DdcFe(ddc, "GET", "/rest/v2/manager/node/frontends", "", user);
    const Json& cols = At(data, "/column_names");
    const Json& rows = At(data, "/rows");
    if (!cols.is_array() || !rows.is_array()) return "";
    for (const Json& row : rows) {
      std::string host, is_master;
      for (size_t i = 0; i < cols.size() && i < row.size(); ++i) {
        if (cols[i] == "Host") host = row[i].get<std::string>();
        if (cols[i] == "IsMaster") is_master = row[i].get<std::string>();
      }
      if (is_master == "true") return host.substr(0, host.find('.'));
    }
    return "";
  }

  // A membership write as a user would make it (ALTER SYSTEM through the
  // node-management API); the envelope's code, -1 when not answered.
  int FeWrite(const std::string& ddc, const std::string& op, const Json& body, const std::string& user) {
    kube::Request r;
    r.method = "POST";
    r.path = absl::StrCat("/api/v1/namespaces/default/services/", ddc, "-fe:8030/proxy/rest/v2/manager/node/", op);
    r.headers.push_back(absl::StrCat("Authorization: Basic ", absl::Base64Escape(user)));
    r.headers.push_back("Content-Type: application/json");
    r.body = body.dump();
    auto resp = client_->Do(r);
    if (!resp.ok()) return -1;
    const Json envelope = Json::parse(resp->body, nullptr, false);
    return envelope.is_object() ? envelope.value("code", -1) : -1;
  }

  // status.ghostNodes: hostPort -> state.
  std::map<std::string, std::string> Ghosts(const std::string& ddc) {
    std::map<std::string, std::string> out;
    const Json& list = At(Ddc(ddc), "/status/ghostNodes");
    for (const Json& g : list.is_array() ? list : Json::array()) out[g.value("hostPort", "")] = g.value("state", "");
    return out;
  }
};

// Compute-group membership is the master FE's: with every request through
// the FE Service landing on a non-master FE (which would forward the write,
// NodeAction.checkForwardToMaster), a scale-in of cg1 and the removal of cg2
// decommission and drop their backends at the master itself, as a
// DorisCluster's membership does.
TEST_F(DdcNodesE2eTest, ComputeGroupMembershipIsWrittenAtTheMasterFe) {
  const std::string ddc = "ddc-sample";
  ApplyDdcSample();
  ASSERT_TRUE(Eventually([&] { return Green(ddc); }, 300)) << Ddc(ddc).dump() << operator_->Output();
  const std::string master = MasterFePod(ddc);
  ASSERT_FALSE(master.empty());
  ASSERT_FALSE(DdcFe(ddc, "POST", "/api/_sim/config", R"({"serviceLandsOn":"non-master"})").is_null());
  std::set<std::string> leaving;
  const Json before = Nodes(ddc);
  ASSERT_TRUE(before.is_object()) << before.dump();
  for (const auto& [hp, n] : before.items()) {
    const std::string pod = At(n, "/pod").is_string() ? n["pod"].get<std::string>() : "";
    if (pod == ddc + "-cg1-2" || pod.rfind(ddc + "-cg2-", 0) == 0) leaving.insert(hp);
  }
  ASSERT_EQ(leaving.size(), 4u) << Nodes(ddc).dump();

  auto r = Kubectl({"patch", "ddc", ddc, "--type=json", "-p",
                    R"([{"op":"replace","path":"/spec/computeGroups/0/replicas","value":2},)"
                    R"({"op":"remove","path":"/spec/computeGroups/1"}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas(ddc + "-cg1") == 2 &&
           !Get(kube::ObjectPath("apps/v1", "default", "statefulsets", ddc + "-cg2")).is_object() && Green(ddc);
  }, 180)) << Ddc(ddc).dump() << operator_->Output();

  // Each leaving backend: decommissioned, then dropped, both at the master.
  const Json log = DdcFe(ddc, "GET", "/api/_sim/membership-log");
  ASSERT_TRUE(log.is_object()) << "the membership log could not be read";
  std::map<std::string, std::vector<std::string>> writes;
  for (const Json& e : log.value("entries", Json::array())) {
    if (e.value("by", "").rfind("doris-operator", 0) != 0) continue;
    for (const Json& hp : e.value("hostPorts", Json::array())) {
      writes[hp.get<std::string>()].push_back(
          absl::StrCat(e.value("op", ""), " at ", e.value("fe", "?"), e.value("forwarded", true) ? " (forwarded)" : ""));
    }
  }
  for (const std::string& hp : leaving) {
    EXPECT_EQ(writes[hp], (std::vector<std::string>{"DECOMMISSION/be at " + master, "DROP/be at " + master}))
        << hp << "\n" << log.dump();
  }
  EXPECT_EQ(writes.size(), leaving.size()) << log.dump();
  EXPECT_FALSE(Nodes(ddc).contains(*leaving.begin()));
}

// Backends of the ddc's compute group that no pod backs: one named like a
// pod above the StatefulSet's replicas, one by an IP no pod has. They are
// watched for the grace period (status and metric InGracePeriod), then,
// dead and holding no tablets, dropped at the master; a backend of a group
// the ddc does not have is none of its business.
TEST_F(DdcNodesE2eTest, GhostBackendsOfAComputeGroupAreReportedThenDropped) {
  const std::string ddc = "ddc-sample-fdb-address";
  const std::string user = "root:change-me";
  ApplySample("ddc-sample-fdb-address.yaml");
  ASSERT_TRUE(Eventually([&] { return Green(ddc); }, 300)) << Ddc(ddc).dump() << operator_->Output();
  const std::string by_name = ddc + "-etl-group-5." + ddc + "-etl-group.default.svc.cluster.local:9050";
  const std::string by_ip = "10.99.0.7:9050";
  const std::string foreign = "10.99.0.8:9050";
  for (const auto& [hp, group] : std::vector<std::pair<std::string, std::string>>{
           {by_name, "etl_group"}, {by_ip, "etl_group"}, {foreign, "adhoc"}}) {
    ASSERT_EQ(FeWrite(ddc, "ADD/be", {{"hostPorts", {hp}}, {"properties", {{"tag.compute_group_name", group}}}}, user),
              0)
        << hp;
  }
  // Nothing in Kubernetes changed: the annotation is what makes the
  // operator look (else its resync would, minutes later).
  auto a = Kubectl({"annotate", "ddc", ddc, "doris-operator.io/ghost-node-grace-period=1h"});
  ASSERT_EQ(a.exit_code, 0) << a.output;
  auto describe = [&] {
    return absl::StrCat("\nstatus: ", At(Ddc(ddc), "/status").dump(), "\nnodes: ", Nodes(ddc, user).dump(), "\n",
                        operator_->Output());
  };
  ASSERT_TRUE(Eventually([&] {
    const auto g = Ghosts(ddc);
    return g.size() == 2 && g.count(by_name) && g.at(by_name) == "InGracePeriod" && g.count(by_ip) &&
           g.at(by_ip) == "InGracePeriod";
  })) << describe();
  EXPECT_TRUE(Eventually([&] {
    return MetricWith("doris_operator_ghost_nodes", "component=\"cg/etl_group\"") == 2 &&
           MetricWith("doris_operator_ghost_nodes", "state=\"InGracePeriod\"") == 2;
  })) << describe();
  const Json ghost = At(Ddc(ddc), "/status/ghostNodes/0");
  EXPECT_EQ(ghost.value("component", ""), "cg/etl_group") << ghost.dump();

  // The grace period over: both dropped (by the operator, at the master),
  // the foreign one left alone, and the series gone.
  a = Kubectl({"annotate", "--overwrite", "ddc", ddc, "doris-operator.io/ghost-node-grace-period=0s"});
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_TRUE(Eventually([&] {
    const Json nodes = Nodes(ddc, user);
    return nodes.is_object() && !nodes.contains(by_name) && !nodes.contains(by_ip) && Ghosts(ddc).empty();
  })) << describe();
  EXPECT_TRUE(Nodes(ddc, user).contains(foreign));
  const std::string master = MasterFePod(ddc, user);
  const Json log = DdcFe(ddc, "GET", "/api/_sim/membership-log", "", user);
  ASSERT_TRUE(log.is_object()) << "the membership log could not be read";
  std::vector<std::string> drops;
  for (const Json& e : log.value("entries", Json::array())) {
    if (e.value("by", "").rfind("doris-operator", 0) != 0) continue;
    EXPECT_EQ(e.value("fe", ""), master) << e.dump();
    for (const Json& hp : e.value("hostPorts", Json::array())) drops.push_back(e.value("op", "") + " " + hp.get<std::string>());
  }
  std::sort(drops.begin(), drops.end());
  EXPECT_EQ(drops, (std::vector<std::string>{"DROP/be " + by_ip, "DROP/be " + by_name})) << log.dump();
  EXPECT_TRUE(Eventually([&] { return MetricWith("doris_operator_ghost_nodes", "kind=\"DorisDisaggregatedCluster\"") == 0; }))
      << describe();
  EXPECT_TRUE(Eventually([&] { return Green(ddc); })) << describe();
}

}  // namespace
}  // namespace doris_operator
