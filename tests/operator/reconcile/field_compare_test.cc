#include "operator/reconcile/field_compare.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "tools/dorisctl/yaml_json.h"
#include "translator/model_json.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {
namespace {

using Json = nlohmann::json;

Json ReadSample(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto docs = dorisctl::ParseYamlDocuments(ss.str());
  EXPECT_TRUE(docs.ok() && !docs->empty()) << path;
  return docs.ok() && !docs->empty() ? (*docs)[0] : Json();
}

std::map<std::string, Json> Templates(const Json& cluster) {
  auto m = translator::ModelFromJson(cluster);
  EXPECT_TRUE(m.errors.empty());
  auto set = translator::Translate(m.cluster, {});
  EXPECT_TRUE(set.ok()) << set.status();
  std::map<std::string, Json> out;
  for (const auto& o : set->objects) {
    if (o.kind == "StatefulSet") out[o.name] = Json::parse(o.json)["spec"]["template"];
  }
  return out;
}

// What kube-apiserver returns for a pod template: the quantities in their
// stored form (written out here, not computed) and its defaults.
Json AsServerStoresIt(Json tmpl, const Json& resources) {
  Json& c = tmpl["spec"]["containers"][0];
  c["resources"] = resources;
  c["terminationMessagePath"] = "/dev/termination-log";
  c["terminationMessagePolicy"] = "File";
  tmpl["spec"]["dnsPolicy"] = "ClusterFirst";
  tmpl["spec"]["restartPolicy"] = "Always";
  tmpl["spec"]["schedulerName"] = "default-scheduler";
  tmpl["metadata"]["creationTimestamp"] = nullptr;
  return tmpl;
}

// The reference's own sample (cpu: 8, memory: 16Gi): a StatefulSet whose
// live template holds those quantities as the API server stores them is not
// a changed template, so the rollout check does not restart a rollout.
TEST(FieldCompare, ReferenceSampleTemplateAsStoredIsUnchanged) {
  const Json sample = ReadSample("deploy/samples/doriscluster-sample.yaml");
  ASSERT_EQ(sample["spec"]["beSpec"]["requests"]["cpu"], 8);  // written as a YAML integer
  const Json stored = {{"limits", {{"cpu", "8"}, {"memory", "16Gi"}}},
                       {"requests", {{"cpu", "8"}, {"memory", "16Gi"}}}};
  const auto templates = Templates(sample);
  ASSERT_EQ(templates.size(), 2u);
  for (const auto& [name, want] : templates) {
    EXPECT_TRUE(SameAsStored("/spec/template", want, AsServerStoresIt(want, stored))) << name;
  }
}

TEST(FieldCompare, QuantitiesCompareByValueAsTheServerRewritesThem) {
  Json cluster = ReadSample("deploy/samples/doriscluster-sample.yaml");
  cluster["spec"]["feSpec"]["requests"] = {{"cpu", "0.5"}, {"memory", "1024Mi"}};
  cluster["spec"]["feSpec"]["limits"] = {{"cpu", "2000m"}, {"memory", "2048Mi"}};
  const Json want = Templates(cluster).at("doriscluster-sample-fe");
  const Json stored = {{"limits", {{"cpu", "2"}, {"memory", "2Gi"}}},
                       {"requests", {{"cpu", "500m"}, {"memory", "1Gi"}}}};
  EXPECT_TRUE(SameAsStored("/spec/template", want, AsServerStoresIt(want, stored)));
  // A spelling the server would never return but of the same value still
  // is no change (an older operator wrote the spec's text verbatim).
  Json verbatim = want;
  verbatim["spec"]["containers"][0]["resources"]["requests"] = {{"cpu", 0.5},
                                                                {"memory", "1024Mi"}};
  EXPECT_TRUE(SameAsStored("/spec/template", verbatim, AsServerStoresIt(want, stored)));

  // A different value is a change.
  Json edited = stored;
  edited["limits"]["cpu"] = "3";
  const auto diffs = CompareFieldsAt("/spec/template", want, AsServerStoresIt(want, edited));
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].path, "/spec/template/spec/containers/0/resources/limits/cpu");
  EXPECT_FALSE(diffs[0].as_stored);
  EXPECT_FALSE(SameAsStored("/spec/template", want, AsServerStoresIt(want, edited)));
}

TEST(FieldCompare, OnlyQuantityFieldsCompareAsQuantities) {
  EXPECT_TRUE(IsQuantityPath("/spec/template/spec/containers/0/resources/limits/cpu"));
  EXPECT_TRUE(IsQuantityPath("/spec/volumeClaimTemplates/0/spec/resources/requests/storage"));
  EXPECT_TRUE(IsQuantityPath("/spec/template/spec/volumes/1/emptyDir/sizeLimit"));
  EXPECT_TRUE(IsQuantityPath("/spec/metrics/0/resource/target/averageValue"));
  EXPECT_FALSE(IsQuantityPath("/metadata/labels/size"));
  // A label that reads like a quantity changed by hand is a change.
  const Json want = {{"metadata", {{"labels", {{"size", "1Gi"}}}}}};
  const Json live = {{"metadata", {{"labels", {{"size", "1073741824"}}}}}};
  EXPECT_FALSE(SameAsStored("", want, live));
}

TEST(FieldCompare, EmptyValuesTheServerOmitsAreNoChange) {
  const Json want = {{"spec", {{"emptyDir", Json::object()}, {"args", Json::array()},
                               {"note", ""}, {"name", "x"}}}};
  const Json live = {{"spec", {{"name", "x"}}}};
  const auto diffs = CompareOwnedFields(want, live, {"spec"});
  ASSERT_EQ(diffs.size(), 3u);
  for (const auto& d : diffs) EXPECT_TRUE(d.as_stored) << d.path;
  EXPECT_TRUE(SameAsStored("", want, live));
  // Missing non-empty values are changes.
  EXPECT_FALSE(SameAsStored("", Json{{"spec", {{"name", "x"}}}}, Json{{"spec", Json::object()}}));
  EXPECT_FALSE(SameAsStored("", Json{{"a", Json::array({1})}}, Json{{"a", Json::array()}}));
}

}  // namespace
}  // namespace doris_operator::reconcile
