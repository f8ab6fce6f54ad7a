#include "tools/kubesim/pod_references.h"

#include <map>

#include "gtest/gtest.h"

namespace doris_operator::kubesim {
namespace {

using Json = nlohmann::json;

class PodReferencesTest : public ::testing::Test {
 protected:
  PodObjectLookup Lookup() {
    return [this](const std::string& kind, const std::string& name) -> std::optional<Json> {
      ++lookups_;
      auto it = objects_.find(kind + "/" + name);
      if (it == objects_.end()) return std::nullopt;
      return it->second;
    };
  }
  std::map<std::string, Json> objects_;
  int lookups_ = 0;
};

TEST_F(PodReferencesTest, VolumeMessagesAreThePluginsAndOptionalMountsEmpty) {
  objects_["Secret/auth"] = {{"data", {{"user", "cm9vdA=="}}}};
  objects_["ConfigMap/conf"] = {{"binaryData", {{"fe.conf", "eA=="}}}};
  const Json spec = {
      {"volumes",
       Json::array({{{"name", "a"}, {"secret", {{"secretName", "auth"},
                                               {"items", Json::array({{{"key", "password"}, {"path", "p"}}})}}}},
                    {{"name", "b"}, {"configMap", {{"name", "conf"},
                                                   {"items", Json::array({{{"key", "fe.conf"}, {"path", "f"}}})}}}},
                    {{"name", "c"}, {"configMap", {{"name", "gone"}}}},
                    {{"name", "d"}, {"secret", {{"secretName", "gone"}, {"optional", true}}}},
                    {{"name", "e"}, {"emptyDir", Json::object()}}})}};
  const std::vector<UnmountableVolume> failing = UnmountableVolumes(spec, Lookup());
  ASSERT_EQ(failing.size(), 2u);
  EXPECT_EQ(failing[0].volume, "a");
  EXPECT_EQ(failing[0].error, "references non-existent secret key: password");
  // A ConfigMap volume's file may come from binaryData ("b" mounts).
  EXPECT_EQ(failing[1].volume, "c");
  EXPECT_EQ(failing[1].error, "configmap \"gone\" not found");
}

TEST_F(PodReferencesTest, TheFirstFailingReferenceOfAContainerIsItsError) {
  objects_["Secret/auth"] = {{"data", {{"user", "cm9vdA=="}}}};
  Json c = {{"name", "fe"},
            {"env", Json::array({{{"name", "USER"}, {"valueFrom", {{"secretKeyRef", {{"name", "auth"}, {"key", "user"}}}}}},
                                 {{"name", "PASSWD"},
                                  {"valueFrom", {{"secretKeyRef", {{"name", "auth"}, {"key", "password"}}}}}},
                                 {{"name", "X"}, {"valueFrom", {{"secretKeyRef", {{"name", "gone"}, {"key", "x"}}}}}}})}};
  EXPECT_EQ(ContainerConfigError(c, "prod", Lookup()), "couldn't find key password in Secret prod/auth");
  // One read per object and container, as the kubelet's per-call maps.
  EXPECT_EQ(lookups_, 1);
  c["env"][1]["valueFrom"]["secretKeyRef"]["optional"] = true;
  EXPECT_EQ(ContainerConfigError(c, "prod", Lookup()), "secret \"gone\" not found");
  c["env"][2]["valueFrom"]["secretKeyRef"]["optional"] = true;
  EXPECT_EQ(ContainerConfigError(c, "prod", Lookup()), "");
  // envFrom is made before env.
  c["envFrom"] = Json::array({{{"configMapRef", {{"name", "absent"}}}}});
  c["env"][2]["valueFrom"]["secretKeyRef"].erase("optional");
  EXPECT_EQ(ContainerConfigError(c, "prod", Lookup()), "configmap \"absent\" not found");
}

}  // namespace
}  // namespace doris_operator::kubesim
