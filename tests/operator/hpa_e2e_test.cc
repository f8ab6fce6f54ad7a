// CN autoscaling end to end: kubesim's HPA controller scales the CN
// StatefulSet up and down on a metric the test sets, and the operator
// neither writes CN replicas nor decommissions what the HPA added, and
// takes the nodes of the pods the HPA removed out of the FE.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

class HpaE2eTest : public OperatorE2eTest {
 public:
  // A sync every second instead of 15, so the test takes seconds.
  std::vector<std::string> ExtraKubesimArgs() const override { return {"--hpa-sync-period-ms", "1000"}; }

 protected:
  // cnSpec.replicas is 2 on purpose: with an autoscaler it must not count.
  static std::string AutoscaledCluster() {
    ClusterOptions o;
    o.spec_extra = absl::StrCat(R"(  cnSpec:
    replicas: 2
    image: apache/doris:be-2.1.8
    requests:
      cpu: "1"
)", CnAutoscaler(2, 4, "        behavior:\n          scaleDown:\n            stabilizationWindowSeconds: 0\n"));
    return Cluster("demo", 1, 1, o);
  }

  void SetCpu(double utilization) {
    kube::Request r;
    r.method = "POST";
    r.path = "/kubesim/hpa-metric";
    r.body = Json{{"namespace", "default"}, {"name", "demo-cn-autoscaler"}, {"value", utilization}}.dump();
    auto resp = client_->Do(r);
    ASSERT_TRUE(resp.ok()) << resp.status();
    ASSERT_EQ(resp->code, 200) << resp->body;
  }

  struct CnNode {
    int ordinal = -1;
    bool decommissioned = false;
    bool alive = false;
  };
  // The CN nodes the fake FE lists, by host:port.
  std::map<std::string, CnNode> CnNodes() {
    std::map<std::string, CnNode> out;
    const Json nodes = FeGet("demo", "/api/_sim/nodes");
    if (!nodes.is_object()) return out;
    for (const auto& [hp, n] : nodes.items()) {
      if (hp.rfind("demo-cn-", 0) != 0) continue;
      CnNode c;
      absl::SimpleAtoi(hp.substr(8, hp.find('.') - 8), &c.ordinal);
      c.decommissioned = n.value("decommissioned", false);
      c.alive = n.value("alive", false);
      out[hp] = c;
    }
    return out;
  }

  // What the checks look at, for a failure message.
  std::string Describe() {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo"));
    Json hpa = Get(kube::ObjectPath("autoscaling/v2", "default", "horizontalpodautoscalers", "demo-cn-autoscaler"));
    return absl::StrCat("\nCN StatefulSet replicas: ", StsReplicas("demo-cn"), ", pods: ", Pods("demo", "cn").size(),
                        "\nFE nodes: ", FeGet("demo", "/api/_sim/nodes").dump(),
                        "\ncnStatus: ", dcr["status"]["cnStatus"].dump(), "\nHPA status: ", hpa["status"].dump());
  }

  // CN serves `n` pods: the StatefulSet, the FE (alive, none
  // decommissioned) and the operator's status all say so.
  bool CnAt(int n) {
    if (StsReplicas("demo-cn") != n || Pods("demo", "cn").size() != static_cast<size_t>(n)) return false;
    const auto nodes = CnNodes();
    if (nodes.size() != static_cast<size_t>(n)) return false;
    for (const auto& [hp, c] : nodes) {
      if (!c.alive || c.decommissioned || c.ordinal >= n) return false;
    }
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo"));
    const Json& cn = dcr["status"]["cnStatus"];
    return Phase("demo", "cn") == "available" && cn["runningInstances"].is_array() &&
           cn["runningInstances"].size() == static_cast<size_t>(n);
  }
};

TEST_F(HpaE2eTest, TheHpaOwnsCnReplicasAndRemovedNodesLeaveTheFe) {
  Apply(AutoscaledCluster());
  ASSERT_TRUE(Eventually([&] {
    return Available("demo") &&
           Get(kube::ObjectPath("autoscaling/v2", "default", "horizontalpodautoscalers", "demo-cn-autoscaler"))
               .is_object();
  }, 120)) << operator_->Output();
  SetCpu(50);  // on target: the HPA only brings CN to minReplicas
  ASSERT_TRUE(Eventually([&] { return CnAt(2); }, 120)) << operator_->Output() << Describe();

  // Twice the target: ceil(2 * 100/50) = 4, which is also maxReplicas, so
  // the count holds however long the metric stays. At every moment, no
  // node of a pod the StatefulSet keeps is decommissioned.
  SetCpu(100);
  ASSERT_TRUE(Eventually([&] {
    const int replicas = StsReplicas("demo-cn");
    for (const auto& [hp, c] : CnNodes()) {
      EXPECT_FALSE(c.decommissioned && c.ordinal < replicas)
          << hp << " was decommissioned while the HPA keeps its pod (" << replicas << " replicas)";
    }
    return CnAt(4);
  }, 120)) << operator_->Output() << Describe();
  // The HPA says why it stopped at 4: its status is written at its next
  // sync after the rescale, so it is waited for, not read once.
  Json hpa;
  EXPECT_TRUE(Eventually([&] {
    hpa = Get(kube::ObjectPath("autoscaling/v2", "default", "horizontalpodautoscalers", "demo-cn-autoscaler"));
    const Json conditions = At(hpa, "/status/conditions");
    std::string limited;
    for (const Json& c : conditions.is_array() ? conditions : Json::array()) {
      if (c.value("type", "") == "ScalingLimited" && c.value("status", "") == "True") limited = c.value("reason", "");
    }
    return At(hpa, "/status/desiredReplicas") == 4 && limited == "TooManyReplicas";
  }, 60)) << hpa.dump();

  // A quarter of the target: ceil(4 * 25/50) = 2, at once (no scale-down
  // window), and minReplicas holds it there. The FE ends with exactly the
  // nodes of the pods that remain.
  SetCpu(25);
  ASSERT_TRUE(Eventually([&] { return CnAt(2); }, 120))
      << operator_->Output() << Describe();

  // The operator never owned CN replicas: it applies the StatefulSet
  // without them, so the HPA's value is the only one written.
  Json sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "demo-cn"));
  bool found = false;
  for (const Json& entry : sts["metadata"].value("managedFields", Json::array())) {
    if (entry.value("manager", "") != "doris-operator") continue;
    found = true;
    EXPECT_FALSE(entry["fieldsV1"]["f:spec"].contains("f:replicas")) << entry.dump();
  }
  EXPECT_TRUE(found) << sts["metadata"].dump();
}

}  // namespace
}  // namespace doris_operator
