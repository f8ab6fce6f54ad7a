#include "operator/ingest/normalize.h"

#include "gtest/gtest.h"
#include "store/record_validation.h"

namespace doris_operator::ingest {
namespace {

using Json = nlohmann::json;

TEST(Sanitize, SecretsKeepOnlyMetadataAndType) {
  Json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"type", "kubernetes.io/basic-auth"},
                 {"metadata",
                  {{"name", "auth"},
                   {"annotations",
                    {{"kubectl.kubernetes.io/last-applied-configuration",
                      R"({"data":{"password":"c2VjcmV0"}})"}}},
                   {"managedFields", Json::array({{{"manager", "kubectl"}}})}}},
                 {"data", {{"password", "c2VjcmV0"}}},
                 {"stringData", {{"username", "root"}}}};
  const Json clean = Sanitize(secret);
  const std::string text = clean.dump();
  EXPECT_EQ(text.find("c2VjcmV0"), std::string::npos) << text;
  EXPECT_EQ(text.find("root"), std::string::npos) << text;
  EXPECT_EQ(clean["type"], "kubernetes.io/basic-auth");
  EXPECT_FALSE(clean["metadata"].contains("managedFields"));
  EXPECT_FALSE(clean["metadata"].contains("annotations"));
}

TEST(Sanitize, OtherKindsKeepTheirDataButLoseManagedFields) {
  Json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "fe"}, {"managedFields", Json::array()}}},
             {"data", {{"fe.conf", "http_port=8030"}}}};
  const Json clean = Sanitize(cm);
  EXPECT_EQ(clean["data"]["fe.conf"], "http_port=8030");
  EXPECT_FALSE(clean["metadata"].contains("managedFields"));
}

TEST(Sanitize, DorisClusterLosesTheAdminPasswordAndItsLastAppliedCopy) {
  Json dcr = {{"apiVersion", "doris.selectdb.com/v1"},
              {"kind", "DorisCluster"},
              {"metadata",
               {{"name", "c1"},
                {"annotations",
                 {{"kubectl.kubernetes.io/last-applied-configuration",
                   R"({"spec":{"adminUser":{"name":"ops","password":"hunter2"}}})"}}}}},
              {"spec", {{"adminUser", {{"name", "ops"}, {"password", "hunter2"}}}}}};
  const Json clean = Sanitize(dcr);
  EXPECT_EQ(clean.dump().find("hunter2"), std::string::npos) << clean.dump();
  EXPECT_EQ(clean["spec"]["adminUser"]["name"], "ops");
  // Without a password the spec is kept whole.
  Json plain = dcr;
  plain["spec"]["adminUser"].erase("password");
  plain["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = "{}";
  EXPECT_EQ(Sanitize(plain), plain);
}

TEST(OwningCluster, ResolutionOrder) {
  Json dcr = {{"apiVersion", "doris.selectdb.com/v1"}, {"kind", "DorisCluster"},
              {"metadata", {{"name", "c1"}, {"namespace", "ns"}}}};
  EXPECT_EQ(OwningCluster(dcr)->name(), "c1");
  Json sts = {{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"},
              {"metadata", {{"name", "c1-fe"}, {"namespace", "ns"},
                            {"labels", {{"app.doris.cluster", "wrong"}}},
                            {"ownerReferences", Json::array({{{"apiVersion", "doris.selectdb.com/v1"},
                                                              {"kind", "DorisCluster"},
                                                              {"name", "c2"}}})}}}};
  EXPECT_EQ(OwningCluster(sts)->name(), "c2");
  EXPECT_EQ(OwningCluster(sts)->namespace_(), "ns");
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"},
              {"metadata", {{"name", "c3-be-0"}, {"namespace", "ns"},
                            {"labels", {{"app.doris.cluster", "c3"}}}}}};
  EXPECT_EQ(OwningCluster(pod)->name(), "c3");
  Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "fe-conf"}}}};
  EXPECT_FALSE(OwningCluster(cm).has_value());
  auto resolver = [](const log::v1::ObjectRef& ref) -> std::optional<log::v1::ClusterRef> {
    if (ref.name() != "fe-conf") return std::nullopt;
    log::v1::ClusterRef c;
    c.set_name("c4");
    return c;
  };
  EXPECT_EQ(OwningCluster(cm, resolver)->name(), "c4");
}

TEST(RecordForObject, BuildsAValidCanonicalRecord) {
  Json secret = {{"kind", "Secret"}, {"apiVersion", "v1"},
                 {"metadata", {{"uid", "u"}, {"resourceVersion", "42"}, {"namespace", "ns"},
                               {"name", "auth"}, {"labels", {{"app.doris.cluster", "c"}}}}},
                 {"data", {{"password", "c2VjcmV0"}}}};
  absl::StatusOr<log::v1::LogRecord> r =
      RecordForObject(secret, {.type = log::v1::ADDED, .stream = "v1/secrets"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(store::ValidateRecord(*r).ok()) << store::ValidateRecord(*r);
  EXPECT_EQ(r->cluster().name(), "c");
  EXPECT_EQ(r->watch().resource_version(), "42");
  EXPECT_EQ(r->watch().object().uid(), "u");
  EXPECT_EQ(r->watch().stream(), "v1/secrets");
  EXPECT_EQ(r->watch().object_json(),
            R"({"apiVersion":"v1","kind":"Secret","metadata":{"labels":{"app.doris.cluster":"c"},)"
            R"("name":"auth","namespace":"ns","resourceVersion":"42","uid":"u"}})");
}

TEST(RecordForObject, RejectsObjectsWithoutIdentity) {
  EXPECT_EQ(RecordForObject(Json{{"kind", "Pod"}}, {.stream = "v1/pods"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RecordForObject(Json::array(), {}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Sanitize, DisaggregatedClusterLosesTheAdminPasswordToo) {
  Json ddc = {{"apiVersion", "disaggregated.cluster.doris.com/v1"},
              {"kind", "DorisDisaggregatedCluster"},
              {"metadata", {{"name", "d"}}},
              {"spec", {{"adminUser", {{"name", "ops"}, {"password", "hunter2"}}}}}};
  const Json clean = Sanitize(ddc);
  EXPECT_EQ(clean.dump().find("hunter2"), std::string::npos) << clean.dump();
}

TEST(OwningCluster, DisaggregatedClustersAndWhatTheyOwn) {
  const Json ddc = {{"apiVersion", "disaggregated.cluster.doris.com/v1"},
                    {"kind", "DorisDisaggregatedCluster"},
                    {"metadata", {{"name", "d"}, {"namespace", "ns"}}}};
  ASSERT_TRUE(OwningCluster(ddc).has_value());
  EXPECT_EQ(OwningCluster(ddc)->name(), "d");
  // Filed under the ddc's kind: a DorisCluster named d has another history.
  EXPECT_EQ(OwningCluster(ddc)->kind(), "DorisDisaggregatedCluster");
  const Json owned = {{"apiVersion", "apps/v1"},
                      {"kind", "StatefulSet"},
                      {"metadata",
                       {{"name", "d-cg1"},
                        {"namespace", "ns"},
                        {"ownerReferences",
                         Json::array({{{"apiVersion", "disaggregated.cluster.doris.com/v1"},
                                       {"kind", "DorisDisaggregatedCluster"},
                                       {"name", "d"}}})}}}};
  ASSERT_TRUE(OwningCluster(owned).has_value());
  EXPECT_EQ(OwningCluster(owned)->name(), "d");
  EXPECT_EQ(OwningCluster(owned)->kind(), "DorisDisaggregatedCluster");
  const Json pod = {{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata",
                     {{"name", "d-cg1-0"}, {"namespace", "ns"}, {"labels", {{"app.doris.disaggregated.cluster", "d"}}}}}};
  ASSERT_TRUE(OwningCluster(pod).has_value());
  EXPECT_EQ(OwningCluster(pod)->name(), "d");
  EXPECT_EQ(OwningCluster(pod)->kind(), "DorisDisaggregatedCluster");
  // A DorisCluster's refs name no kind, as in logs written before kinds.
  Json dc_pod = pod;
  dc_pod["metadata"]["labels"] = {{"app.doris.cluster", "d"}};
  ASSERT_TRUE(OwningCluster(dc_pod).has_value());
  EXPECT_EQ(OwningCluster(dc_pod)->kind(), "");
  // Another group's kind of the same name is not an owner.
  Json other = owned;
  other["metadata"]["ownerReferences"][0]["apiVersion"] = "example.com/v1";
  EXPECT_FALSE(OwningCluster(other).has_value());
}

}  // namespace
}  // namespace doris_operator::ingest
