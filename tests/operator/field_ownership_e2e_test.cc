// The operator writes every object with server-side apply under one field
// manager, creation included, so what it stops writing leaves the live
// object: a field removed from the DorisCluster spec disappears from the
// StatefulSet (on a real API server, fields a POST set belong to an Update
// entry and an apply never removes them).

#include <string>

#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

using Json = nlohmann::json;

std::string FeExtra(bool all) {
  std::string out = "    podLabels:\n      team: data\n";
  if (all) out += "      tier: gold\n";
  out += "    nodeSelector:\n      disk: ssd\n";
  if (all) out += "      zone: a\n";
  out += "    envVars:\n    - name: KEEP\n      value: \"1\"\n";
  if (all) out += "    - name: DROP\n      value: \"1\"\n";
  out += "    tolerations:\n    - key: keep\n      operator: Exists\n";
  if (all) out += "    - key: drop\n      operator: Exists\n";
  return out;
}

bool HasEnv(const Json& container, const std::string& name) {
  for (const Json& e : container.value("env", Json::array())) {
    if (e.value("name", "") == name) return true;
  }
  return false;
}

bool HasToleration(const Json& pod_spec, const std::string& key) {
  for (const Json& t : pod_spec.value("tolerations", Json::array())) {
    if (t.value("key", "") == key) return true;
  }
  return false;
}

TEST_F(OperatorE2eTest, FieldsRemovedFromTheSpecDisappearFromTheStatefulSet) {
  Apply(Cluster("own", 1, 1, {.fe_extra = FeExtra(true)}));
  ASSERT_TRUE(Eventually([&] { return Available("own"); }, 120)) << operator_->Output();
  const std::string path = kube::ObjectPath("apps/v1", "default", "statefulsets", "own-fe");
  Json sts = Get(path);
  const Json& pod = sts["spec"]["template"]["spec"];
  ASSERT_EQ(sts["spec"]["template"]["metadata"]["labels"].value("tier", ""), "gold") << sts.dump();
  ASSERT_EQ(pod["nodeSelector"].value("zone", ""), "a");
  ASSERT_TRUE(HasEnv(pod["containers"][0], "DROP"));
  ASSERT_TRUE(HasToleration(pod, "drop"));
  // Created by apply: the operator's only entry is an Apply entry, so it
  // owns (and can later drop) everything it wrote.
  for (const Json& e : sts["metadata"]["managedFields"]) {
    if (e.value("manager", "") == "doris-operator") {
      EXPECT_EQ(e.value("operation", ""), "Apply") << e.dump();
    }
  }

  Apply(Cluster("own", 1, 1, {.fe_extra = FeExtra(false)}));
  auto dropped = [&] {
    Json s = Get(path);
    if (!s.is_object()) return false;
    const Json& labels = s["spec"]["template"]["metadata"]["labels"];
    const Json& p = s["spec"]["template"]["spec"];
    return !labels.contains("tier") && !p["nodeSelector"].contains("zone") &&
           !HasEnv(p["containers"][0], "DROP") && !HasToleration(p, "drop");
  };
  ASSERT_TRUE(Eventually(dropped, 120)) << Get(path).dump() << operator_->Output();
  sts = Get(path);
  EXPECT_EQ(sts["spec"]["template"]["metadata"]["labels"].value("team", ""), "data");
  EXPECT_EQ(sts["spec"]["template"]["spec"]["nodeSelector"].value("disk", ""), "ssd");
  EXPECT_TRUE(HasEnv(sts["spec"]["template"]["spec"]["containers"][0], "KEEP"));
  EXPECT_TRUE(HasToleration(sts["spec"]["template"]["spec"], "keep"));
  ASSERT_TRUE(Eventually([&] { return Available("own"); }, 120)) << operator_->Output();
}

}  // namespace
}  // namespace doris_operator
