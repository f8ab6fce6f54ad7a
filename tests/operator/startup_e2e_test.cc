// What a restarted operator knows before its first reconcile: changes made
// while no operator ran are seen, not dropped.

#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

const std::string kFeConf = FeConfigMap("fe-conf", {"sys_log_level = INFO"});

std::string ConfigHash(const Json& dcr) {
  return dcr["status"]["feStatus"].value("coreConfigMapHashValue", "");
}

TEST_F(OperatorE2eTest, AConfigMapChangedWhileTheOperatorWasDownRestartsItsComponent) {
  Apply(kFeConf);
  ClusterOptions o;
  o.spec_extra = "  enableRestartWhenConfigChange: true\n";
  o.fe_extra = ConfigMapInfo("fe-conf");
  Apply(Cluster("demo", 1, 1, o));
  const std::string path = kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo");
  ASSERT_TRUE(Eventually([&] { return Available("demo") && !ConfigHash(Get(path)).empty(); }))
      << operator_->Output();
  const std::string hash_before = ConfigHash(Get(path));
  const auto fe_before = Pods("demo", "fe");
  ASSERT_EQ(fe_before.size(), 1u);

  operator_.reset();  // SIGTERM, waited for
  std::string changed = kFeConf;
  changed.replace(changed.find("INFO"), 4, "WARN");
  Apply(changed);
  StartOperator();

  // The ConfigMap's change reaches the log although no reconcile of this
  // process had named it yet, so the FE restarts with the new content.
  ASSERT_TRUE(Eventually([&] {
    const Json dcr = Get(path);
    const auto fe = Pods("demo", "fe");
    return ConfigHash(dcr) != hash_before && fe.size() == 1 &&
           fe.begin()->second.uid != fe_before.begin()->second.uid && Available("demo");
  })) << operator_->Output();
  EXPECT_TRUE(Get(path)["metadata"]["annotations"].contains("apache.doris.fe/restartedAt"));
}

}  // namespace
}  // namespace doris_operator
