#ifndef DORIS_OPERATOR_TESTS_OPERATOR_DDC_FIXTURE_H_
#define DORIS_OPERATOR_TESTS_OPERATOR_DDC_FIXTURE_H_

// The operator binary against kubesim with the DorisDisaggregatedCluster
// (ddc) CRD served before it starts, in direct Doris access, and helpers to
// read a ddc and its fake decoupled-mode FE (/api/_sim/*).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {

inline constexpr char kDdcApi[] = "disaggregated.cluster.doris.com/v1";
inline constexpr char kDdcKind[] = "DorisDisaggregatedCluster";

class DdcE2eFixture : public OperatorE2eTest {
 public:
  // Direct access, as deployed: the samples' FE may need a password.
  bool DirectDoris() const override { return true; }
  // The admin API's queries name the ddc's kind: its history is its own (a
  // DorisCluster of the same name has another).
  std::string DefaultClusterKind() const override { return kDdcKind; }

 protected:
  // The ddc CRD is served before the operator starts: it asks discovery once.
  void SetUp() override {
    dir_ = testing::TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    StartSimulatorWithCrd(dir_, &sim_, &client_, {"--cluster-network-port", "0"});
    if (HasFatalFailure()) return;
    auto crd = Kubectl(
        {"apply", "-f", testing::Runfile("crds/disaggregated.cluster.doris.com_dorisdisaggregatedclusters.yaml")});
    ASSERT_EQ(crd.exit_code, 0) << crd.output;
    ASSERT_TRUE(Eventually([&] {
      const Json list = Get("/apis/disaggregated.cluster.doris.com/v1");
      return list.is_object() && list["resources"].is_array() && !list["resources"].empty();
    }));
    StartOperator();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(operator_->WaitForOutput("DorisDisaggregatedCluster is served", 10000)) << operator_->Output();
  }

  void ApplySample(const std::string& file) {
    auto r = Kubectl({"apply", "-f", testing::Runfile("deploy/samples/disaggregated/" + file)});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  // deploy/samples/disaggregated/ddc-sample.yaml (two groups of three, FE 3
  // with one follower) and the fdb-kubernetes-operator ConfigMap it reads.
  void ApplyDdcSample() {
    Apply(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: fdb-cluster-config
  namespace: default
data:
  cluster-file: "doris_fdb:Kq0vV2bX@10.0.0.11:4500"
)");
    ApplySample("ddc-sample.yaml");
  }

  Json Ddc(const std::string& name) { return Get(kube::ObjectPath(kDdcApi, "default", "dorisdisaggregatedclusters", name)); }

  bool Green(const std::string& name) { return At(Ddc(name), "/status/clusterHealth/health") == "green"; }

  // A request to the ddc's fake FE (`<ddc>-fe`) through the service proxy
  // as `user` ("name:password"); the envelope's data, null when unread.
  Json DdcFe(const std::string& ddc, const std::string& method, const std::string& path,
             const std::string& body = "", const std::string& user = "root:") {
    kube::Request r;
    r.method = method;
    r.path = absl::StrCat("/api/v1/namespaces/default/services/", ddc, "-fe:8030/proxy", path);
    r.headers.push_back(absl::StrCat("Authorization: Basic ", absl::Base64Escape(user)));
    r.body = body;
    Json data;
    testing::Eventually(
        [&] {
          auto resp = client_->Do(r);
          if (!resp.ok() || resp->code != 200) return false;
          Json envelope = Json::parse(resp->body, nullptr, false);
          if (!envelope.is_object() || envelope.value("code", -1) != 0) return false;
          data = envelope["data"];
          return true;
        },
        absl::Seconds(5), absl::Milliseconds(200));
    return data;
  }

  // The fake FE's backends: host:port -> node ({pod, computeGroup, tablets, status, alive}).
  Json Nodes(const std::string& ddc, const std::string& user = "root:") {
    return DdcFe(ddc, "GET", "/api/_sim/nodes", "", user);
  }

  // The membership writes the operator made, oldest first, as "OP host:port".
  std::vector<std::string> OperatorMembership(const std::string& ddc) {
    std::vector<std::string> out;
    const Json data = DdcFe(ddc, "GET", "/api/_sim/membership-log");
    for (const Json& e : data.value("entries", Json::array())) {
      if (e.value("by", "").rfind("doris-operator", 0) != 0) continue;
      for (const Json& hp : e.value("hostPorts", Json::array())) {
        out.push_back(absl::StrCat(e.value("op", ""), " ", hp.get<std::string>()));
      }
    }
    return out;
  }

  // The sequence number of the first watch record of `kind` `name` the
  // operator logged under `cluster` that `match` accepts; 0 when none.
  uint64_t FirstLogged(const std::string& cluster, const std::string& kind, const std::string& name,
                       const std::function<bool(const Json&)>& match) {
    for (const log::v1::LogRecord& r : WatchRecords(cluster, kind)) {
      if (r.watch().object().name() != name) continue;
      const Json o = Json::parse(r.watch().object_json(), nullptr, false);
      if (o.is_object() && match(o)) return r.seq();
    }
    return 0;
  }

  static bool PodReadyIn(const Json& pod) {
    for (const Json& c : At(pod, "/status/conditions").is_array() ? pod["status"]["conditions"] : Json::array()) {
      if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
    }
    return false;
  }

  static Json Condition(const Json& ddc, const std::string& type) {
    for (const Json& c : At(ddc, "/status/conditions").is_array() ? ddc["status"]["conditions"] : Json::array()) {
      if (c.value("type", "") == type) return c;
    }
    return Json();
  }
};

}  // namespace doris_operator

#endif  // DORIS_OPERATOR_TESTS_OPERATOR_DDC_FIXTURE_H_
