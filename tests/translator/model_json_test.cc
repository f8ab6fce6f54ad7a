#include "translator/model_json.h"

#include "gtest/gtest.h"

namespace doris_operator::translator {
namespace {

using nlohmann::json;

json Cluster(json spec) {
  return {{"apiVersion", "doris.selectdb.com/v1"},
          {"kind", "DorisCluster"},
          {"metadata", {{"name", "c"}, {"namespace", "ns"}}},
          {"spec", spec}};
}

TEST(ModelFromJson, ReadsTheApiFieldNamesIncludingInlinedBaseSpec) {
  ModelFromJsonResult r = ModelFromJson(Cluster(
      {{"feSpec", {{"replicas", 3}, {"electionNumber", 3}, {"image", "fe:1"},
                   {"feAddress", {{"ServiceName", "x"}}},
                   {"limits", {{"cpu", 4}, {"memory", "8Gi"}}}}},
       {"beSpec", {{"image", "be:1"}, {"autoResolveLimitCPU", true}}},
       {"enableRestartWhenConfigChange", true},
       {"kerberosInfo", {{"krb5ConfigMap", "k"}}}}));
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  EXPECT_TRUE(r.warnings.empty());
  const auto& spec = r.cluster.spec();
  EXPECT_EQ(spec.fe_spec().base().replicas(), 3);
  EXPECT_TRUE(spec.fe_spec().has_election_number());
  EXPECT_EQ(spec.fe_spec().base().image(), "fe:1");
  EXPECT_EQ(spec.fe_spec().base().fe_address().service_name(), "x");
  EXPECT_EQ(spec.fe_spec().base().limits().json(), R"({"cpu":4,"memory":"8Gi"})");
  EXPECT_FALSE(spec.be_spec().base().has_replicas());
  EXPECT_TRUE(spec.be_spec().auto_resolve_limit_cpu());
  EXPECT_TRUE(spec.enable_restart_when_config_change());
  EXPECT_EQ(spec.kerberos_info().krb5_config_map(), "k");
  EXPECT_EQ(r.cluster.metadata().name(), "c");
}

TEST(ModelFromJson, WrongTypesAreErrorsWithPaths) {
  ModelFromJsonResult r = ModelFromJson(Cluster(
      {{"beSpec", {{"replicas", "three"}, {"image", 7},
                   {"persistentVolumes", {{{"name", "d"}, {"mountPath", true}}}},
                   {"nodeSelector", {{"disk", 1}}}}},
       {"feSpec", {{"replicas", 2.5}, {"annotations", "x"}}},
       {"enableRestartWhenConfigChange", "yes"}}));
  std::vector<std::string> got;
  for (const auto& e : r.errors) got.push_back(e.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "spec.beSpec.image: expected string, got 7",
                     "spec.beSpec.nodeSelector.disk: expected string, got 1",
                     "spec.beSpec.persistentVolumes[0].mountPath: expected string, got true",
                     "spec.beSpec.replicas: expected integer, got \"three\"",
                     "spec.enableRestartWhenConfigChange: expected boolean, got \"yes\"",
                     "spec.feSpec.annotations: expected object, got \"x\"",
                     "spec.feSpec.replicas: expected integer, got 2.5",
                 }));
}

TEST(ModelFromJson, UnknownFieldsAreWarningsAndIgnored) {
  ModelFromJsonResult r = ModelFromJson(Cluster(
      {{"feSpec", {{"image", "fe"}, {"replica", 3}}}, {"bogus", {{"a", 1}}}}));
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0].path, "spec.bogus");
  EXPECT_EQ(r.warnings[1].path, "spec.feSpec.replica");
  EXPECT_NE(r.warnings[1].message.find("prunes"), std::string::npos);
}

TEST(ModelFromJson, IdentityIsChecked) {
  json j = Cluster(json::object());
  j["apiVersion"] = "doris.apache.com/v1";
  j["kind"] = "Other";
  ModelFromJsonResult r = ModelFromJson(j);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].path, "apiVersion");
  EXPECT_EQ(r.errors[1].path, "kind");
  EXPECT_EQ(ModelFromJson(json::array()).errors.size(), 1u);
}

TEST(ModelFromJson, IntegralFloatsAndOutOfRange) {
  ModelFromJsonResult r = ModelFromJson(
      Cluster({{"feSpec", {{"image", "x"}, {"replicas", 3.0}, {"startTimeout", 99999999999}}}}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "spec.feSpec.startTimeout");
  EXPECT_EQ(r.cluster.spec().fe_spec().base().replicas(), 3);
}

TEST(ModelFromJson, NullIsAbsent) {
  ModelFromJsonResult r = ModelFromJson(Cluster({{"feSpec", {{"image", "x"}, {"replicas", nullptr}}},
                                                 {"beSpec", nullptr}}));
  ASSERT_TRUE(r.errors.empty());
  EXPECT_FALSE(r.cluster.spec().fe_spec().base().has_replicas());
  EXPECT_FALSE(r.cluster.spec().has_be_spec());
}

TEST(SpecToJson, RoundTripsAndNeverEchoesThePassword) {
  json spec = {{"feSpec", {{"image", "fe"}, {"replicas", 1}, {"electionNumber", 1},
                           {"tolerations", {{{"key", "k"}, {"operator", "Exists"}}}}}},
               {"adminUser", {{"name", "ops"}, {"password", "s3cret"}}}};
  ModelFromJsonResult r = ModelFromJson(Cluster(spec));
  ASSERT_TRUE(r.errors.empty());
  json back = SpecToJson(r.cluster.spec());
  EXPECT_EQ(back["feSpec"], spec["feSpec"]);
  EXPECT_EQ(back["adminUser"], json({{"name", "ops"}}));
  EXPECT_EQ(back.dump().find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace doris_operator::translator
