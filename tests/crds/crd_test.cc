#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "proto/doris_cluster.pb.h"
#include "proto/doris_disaggregated_cluster.pb.h"
#include "tools/crdgen/crd_schema.h"
#include "tools/dorisctl/yaml_json.h"

namespace doris_operator::crdgen {
namespace {

namespace pb = google::protobuf;
using Json = nlohmann::json;

Json ReadCrd(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto docs = dorisctl::ParseYamlDocuments(ss.str());
  EXPECT_TRUE(docs.ok()) << docs.status();
  return docs.ok() && docs->size() == 1 ? (*docs)[0] : Json();
}

constexpr char kDcrCrdPath[] = "crds/doris.selectdb.com_dorisclusters.yaml";
constexpr char kDcrReferencePath[] = "tests/crds/testdata/reference_doris.selectdb.com_dorisclusters.yaml";
constexpr char kDdcCrdPath[] = "crds/disaggregated.cluster.doris.com_dorisdisaggregatedclusters.yaml";
constexpr char kDdcReferencePath[] =
    "tests/crds/testdata/reference_disaggregated.cluster.doris.com_dorisdisaggregatedclusters.yaml";

const Json& Schema(const Json& crd) { return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]; }

// Every schema path: `.a.b` for properties, `[]` for list items, `{}` for
// map values.
void SchemaPaths(const Json& s, const std::string& path, std::set<std::string>* out) {
  out->insert(path);
  if (!s.is_object()) return;
  if (s.contains("properties")) {
    for (const auto& [k, v] : s["properties"].items()) SchemaPaths(v, path + "." + k, out);
  }
  if (s.contains("items")) SchemaPaths(s["items"], path + "[]", out);
  if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
    SchemaPaths(s["additionalProperties"], path + "{}", out);
  }
}

std::set<std::string> SchemaPaths(const Json& crd) {
  std::set<std::string> out;
  SchemaPaths(Schema(crd), "", &out);
  return out;
}

std::string ExpectedType(const pb::FieldDescriptor* f) {
  if (f->is_map() || f->is_repeated()) return f->is_map() ? "object" : "array";
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: return "";  // object or array (RawJson)
    case pb::FieldDescriptor::CPPTYPE_INT32:
    case pb::FieldDescriptor::CPPTYPE_INT64: return "integer";
    case pb::FieldDescriptor::CPPTYPE_BOOL: return "boolean";
    default: return "string";
  }
}

// Walks the proto message and the schema together: every field is a
// property of the right type, and every property is a field.
void Agree(const pb::Descriptor* d, const Json& schema, const std::string& path) {
  ASSERT_TRUE(schema.contains("properties")) << path;
  std::set<std::string> fields;
  std::function<void(const pb::Descriptor*)> collect = [&](const pb::Descriptor* m) {
    for (int i = 0; i < m->field_count(); ++i) {
      const pb::FieldDescriptor* f = m->field(i);
      if (f->name() == "base") {
        collect(f->message_type());
        continue;
      }
      fields.insert(f->json_name());
      const std::string p = path + "." + f->json_name();
      ASSERT_TRUE(schema["properties"].contains(f->json_name())) << p << " missing from the CRD";
      const Json& s = schema["properties"][f->json_name()];
      const std::string want = ExpectedType(f);
      if (!want.empty()) {
        EXPECT_EQ(s["type"], want) << p;
      }
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !f->is_map() &&
          f->message_type()->full_name() != "doris_operator.model.v1.RawJson") {
        Agree(f->message_type(), f->is_repeated() ? s["items"] : s, p);
      }
    }
  };
  collect(d);
  for (const auto& [name, _] : schema["properties"].items()) {
    EXPECT_TRUE(fields.count(name)) << path << "." << name << " is in the CRD but not the model";
  }
}

// --- Both CRDs (DorisCluster and DorisDisaggregatedCluster, ddc) ---------------

struct CrdCase {
  std::string name;  // the test's suffix
  Json (*generate)();
  std::string committed;  // crds/ file
  std::string reference;  // the Go operator's CRD (tests/crds/testdata/README.md says which)
  std::string crdgen_args;  // what `bazel run //tools/crdgen` is given for it
  const pb::Descriptor* spec;
  const pb::Descriptor* status;
};

class EachCrd : public ::testing::TestWithParam<CrdCase> {};

// Every field the reference describes, ours describes too, so what its API
// server refuses ours refuses and `kubectl explain` shows the same fields.
TEST_P(EachCrd, HasEverySchemaPathOfTheReference) {
  const Json reference = ReadCrd(GetParam().reference);
  ASSERT_TRUE(reference.is_object());
  const std::set<std::string> ours = SchemaPaths(GetParam().generate());
  const std::set<std::string> theirs = SchemaPaths(reference);
  ASSERT_GT(theirs.size(), 1000u);
  std::vector<std::string> missing;
  for (const std::string& p : theirs) {
    if (!ours.count(p)) missing.push_back(p);
  }
  std::string listed;
  for (const std::string& p : missing) listed += "\n  " + p;
  EXPECT_TRUE(missing.empty()) << missing.size() << " of the reference's " << theirs.size()
                               << " schema paths are missing:" << listed;
}

// No Kubernetes type the spec passes through is left unchecked.
TEST_P(EachCrd, NothingUnderSpecPreservesUnknownFields) {
  std::function<void(const Json&, const std::string&)> walk = [&](const Json& s,
                                                                 const std::string& path) {
    if (!s.is_object()) return;
    EXPECT_FALSE(s.contains("x-kubernetes-preserve-unknown-fields")) << path;
    if (s.contains("properties")) {
      for (const auto& [k, v] : s["properties"].items()) walk(v, path + "." + k);
    }
    if (s.contains("items")) walk(s["items"], path + "[]");
    if (s.contains("additionalProperties")) walk(s["additionalProperties"], path + "{}");
  };
  walk(Schema(GetParam().generate())["properties"]["spec"], ".spec");
}

TEST_P(EachCrd, CommittedFileIsTheGeneratedOne) {
  EXPECT_EQ(ReadCrd(GetParam().committed), GetParam().generate())
      << "crds/ is stale: bazel run //tools/crdgen" << GetParam().crdgen_args << " > "
      << GetParam().committed;
}

TEST_P(EachCrd, SchemaAndModelAgreeFieldByField) {
  const Json crd = GetParam().generate();
  Agree(GetParam().spec, Schema(crd)["properties"]["spec"], "spec");
  Agree(GetParam().status, Schema(crd)["properties"]["status"], "status");
}

INSTANTIATE_TEST_SUITE_P(
    Crds, EachCrd,
    ::testing::Values(
        CrdCase{"DorisCluster", &DorisClusterCrd, kDcrCrdPath, kDcrReferencePath, "",
                model::v1::DorisClusterSpec::descriptor(), model::v1::DorisClusterStatus::descriptor()},
        CrdCase{"DorisDisaggregatedCluster", &DorisDisaggregatedClusterCrd, kDdcCrdPath, kDdcReferencePath,
                " -- ddc", model::disaggregated::v1::DorisDisaggregatedClusterSpec::descriptor(),
                model::disaggregated::v1::DorisDisaggregatedClusterStatus::descriptor()}),
    [](const ::testing::TestParamInfo<CrdCase>& info) { return info.param.name; });

// --- DorisCluster --------------------------------------------------------------

// Quantities are checked where the reference checks them, with its pattern.
TEST(Crd, QuantitiesCarryTheReferencePattern) {
  const Json crd = DorisClusterCrd();
  const Json& fe = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
                      ["properties"]["feSpec"]["properties"];
  const Json reference = ReadCrd(kDcrReferencePath);
  const Json& ref_fe = reference["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
                                ["spec"]["properties"]["feSpec"]["properties"];
  for (const char* list : {"requests", "limits"}) {
    const Json& q = fe[list]["additionalProperties"];
    EXPECT_EQ(q["pattern"], ref_fe[list]["additionalProperties"]["pattern"]) << list;
    EXPECT_EQ(q["x-kubernetes-int-or-string"], true);
    EXPECT_EQ(q["anyOf"], Json::parse(R"([{"type":"integer"},{"type":"string"}])"));
  }
  const Json& storage = fe["persistentVolumes"]["items"]["properties"]["persistentVolumeClaimSpec"]
                          ["properties"]["resources"]["properties"]["requests"]
                          ["additionalProperties"];
  EXPECT_EQ(storage["pattern"], fe["limits"]["additionalProperties"]["pattern"]);
}

TEST(Crd, IdentityMatchesTheReference) {
  const Json crd = DorisClusterCrd();
  EXPECT_EQ(crd["metadata"]["name"], "dorisclusters.doris.selectdb.com");
  EXPECT_EQ(crd["spec"]["group"], "doris.selectdb.com");
  EXPECT_EQ(crd["spec"]["names"]["shortNames"], Json::array({"dcr"}));
  EXPECT_EQ(crd["spec"]["versions"][0]["subresources"], Json({{"status", Json::object()}}));
  const Json& props = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"];
  // Inlined BaseSpec fields and the few odd JSON names.
  EXPECT_TRUE(props["spec"]["properties"]["feSpec"]["properties"].contains("requests"));
  EXPECT_TRUE(props["spec"]["properties"]["feSpec"]["properties"]["feAddress"]["properties"]
                  .contains("ServiceName"));
  EXPECT_TRUE(props["spec"]["properties"]["beSpec"]["properties"].contains("autoResolveLimitCPU"));
  EXPECT_EQ(props["spec"]["properties"]["beSpec"]["required"], Json::array({"image"}));
}

// --- DorisDisaggregatedCluster (ddc) ------------------------------------------

// Where both describe a field, they give it the same type and format, so a
// value one API server stores the other stores too (our extra rules aside).
TEST(DdcCrd, TypesMatchTheReference) {
  std::function<void(const Json&, const Json&, const std::string&)> walk =
      [&](const Json& ours, const Json& theirs, const std::string& path) {
        if (!ours.is_object() || !theirs.is_object()) return;
        for (const char* key : {"type", "format", "x-kubernetes-int-or-string"}) {
          EXPECT_EQ(ours.value(key, Json()), theirs.value(key, Json())) << path << " " << key;
        }
        if (ours.contains("properties") && theirs.contains("properties")) {
          for (const auto& [k, v] : theirs["properties"].items()) {
            if (ours["properties"].contains(k)) walk(ours["properties"][k], v, path + "." + k);
          }
        }
        if (ours.contains("items") && theirs.contains("items")) {
          walk(ours["items"], theirs["items"], path + "[]");
        }
        if (ours.contains("additionalProperties") && theirs.contains("additionalProperties")) {
          walk(ours["additionalProperties"], theirs["additionalProperties"], path + "{}");
        }
      };
  walk(Schema(DorisDisaggregatedClusterCrd()), Schema(ReadCrd(kDdcReferencePath)), "");
}

TEST(DdcCrd, IdentityAndColumnsMatchTheReference) {
  const Json crd = DorisDisaggregatedClusterCrd();
  const Json reference = ReadCrd(kDdcReferencePath);
  EXPECT_EQ(crd["metadata"]["name"], reference["metadata"]["name"]);
  EXPECT_EQ(crd["spec"]["group"], reference["spec"]["group"]);
  EXPECT_EQ(crd["spec"]["names"], reference["spec"]["names"]);
  EXPECT_EQ(crd["spec"]["scope"], "Namespaced");
  EXPECT_EQ(crd["spec"]["names"]["shortNames"], Json::array({"ddc"}));
  const Json& version = crd["spec"]["versions"][0];
  EXPECT_EQ(version["name"], "v1");
  EXPECT_EQ(version["subresources"], Json({{"status", Json::object()}}));
  // The reference's printer columns, in its order, and then Age.
  Json want = reference["spec"]["versions"][0]["additionalPrinterColumns"];
  want.push_back({{"jsonPath", ".metadata.creationTimestamp"}, {"name", "Age"}, {"type", "date"}});
  EXPECT_EQ(version["additionalPrinterColumns"], want);
}

TEST(DdcCrd, OurStricterRules) {
  const Json crd = DorisDisaggregatedClusterCrd();
  const Json& spec = Schema(crd)["properties"]["spec"];
  EXPECT_EQ(spec["required"], Json::array({"feSpec", "metaService"}));
  EXPECT_EQ(spec["properties"]["metaService"]["required"], Json::array({"fdb", "image"}));
  EXPECT_EQ(spec["properties"]["feSpec"]["required"], Json::array({"image"}));
  const Json& groups = spec["properties"]["computeGroups"];
  EXPECT_EQ(groups["x-kubernetes-list-type"], "map");
  EXPECT_EQ(groups["x-kubernetes-list-map-keys"], Json::array({"uniqueId"}));
  EXPECT_EQ(groups["items"]["required"], Json::array({"image", "uniqueId"}));
  EXPECT_EQ(groups["items"]["properties"]["uniqueId"]["pattern"], "^[a-zA-Z][0-9a-zA-Z_-]*$");
  EXPECT_EQ(groups["items"]["properties"]["persistentVolumes"]["items"]["properties"]
                ["provisioner"]["enum"],
            Json::array({"", "operator"}));
  EXPECT_EQ(spec["properties"]["feSpec"]["x-kubernetes-validations"].size(), 2u);
  EXPECT_EQ(spec["properties"]["metaService"]["properties"]["fdb"]["x-kubernetes-validations"]
                .size(),
            1u);
  // The DorisCluster's rules did not leak into same-named ddc messages.
  EXPECT_FALSE(spec["properties"]["feSpec"]["properties"].contains("feAddress"));
  EXPECT_NE(spec["properties"]["feSpec"]["x-kubernetes-validations"],
            Schema(DorisClusterCrd())["properties"]["spec"]["properties"]["feSpec"]
                  ["x-kubernetes-validations"]);
}

}  // namespace
}  // namespace doris_operator::crdgen
