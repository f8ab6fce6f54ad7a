// Built-in kinds against Kubernetes' OpenAPI schemas and validation rules:
// unknown fields under each fieldValidation directive, decoder type errors,
// required fields, enums, names and ports, the OpenAPI documents kubectl
// explain reads, and the table columns kubectl get prints.

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/kubesim/api_call.h"
#include "tools/kubesim/api_server.h"

namespace doris_operator::kubesim {
namespace {

using Result = ApiResult;

class BuiltinValidationTest : public ::testing::Test {
 protected:
  Result Call(const std::string& method, const std::string& path, const std::string& query = "",
              const Json& body = Json(), const std::string& accept = "") {
    return CallApi(api_, method, query.empty() ? path : path + "?" + query, body, {.accept = accept});
  }

  static Json Sts(const std::string& name, Json container) {
    return {{"apiVersion", "apps/v1"},
            {"kind", "StatefulSet"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"selector", {{"matchLabels", {{"app", "x"}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", "x"}}}}},
                {"spec", {{"containers", Json::array({container})}}}}}}}};
  }

  ApiServer api_;
  const std::string sts_ = "/apis/apps/v1/namespaces/default/statefulsets";
};

TEST_F(BuiltinValidationTest, UnknownFieldIsRefusedStrictlyWarnedByDefaultIgnoredOnRequest) {
  const Json bad =
      Sts("a", {{"name", "c"}, {"image", "i"}, {"readinesProbe", {{"tcpSocket", {{"port", 80}}}}}});
  Result strict = Call("POST", sts_, "fieldValidation=Strict", bad);
  EXPECT_EQ(strict.status, 400);
  EXPECT_EQ(strict.body["reason"], "BadRequest");
  EXPECT_EQ(strict.body["message"],
            "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: strict decoding error: "
            "unknown field \"spec.template.spec.containers[0].readinesProbe\"");
  Result warn = Call("POST", sts_, "", bad);
  ASSERT_EQ(warn.status, 201);
  EXPECT_EQ(warn.headers["Warning"],
            "299 - \"unknown field \\\"spec.template.spec.containers[0].readinesProbe\\\"\"");
  EXPECT_FALSE(warn.body["spec"]["template"]["spec"]["containers"][0].contains("readinesProbe"));
  Json other = bad;
  other["metadata"]["name"] = "b";
  Result ignore = Call("POST", sts_, "fieldValidation=Ignore", other);
  EXPECT_EQ(ignore.status, 201);
  EXPECT_EQ(ignore.headers.count("Warning"), 0u);
  // metadata is decoded strictly too.
  Json meta = Sts("c", {{"name", "c"}, {"image", "i"}});
  meta["metadata"]["lables"] = {{"a", "b"}};
  EXPECT_EQ(Call("POST", sts_, "fieldValidation=Strict", meta).body["message"],
            "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: strict decoding error: "
            "unknown field \"metadata.lables\"");
}

TEST_F(BuiltinValidationTest, WrongTypeIsTheDecodersError) {
  Json bad = Sts("a", {{"name", "c"}, {"image", "i"}});
  bad["spec"]["replicas"] = "three";
  Result r = Call("POST", sts_, "", bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["message"],
            "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: json: cannot unmarshal string "
            "into Go struct field StatefulSetSpec.spec.replicas of type int32");
  Json big = Sts("b", {{"name", "c"}, {"image", "i"}});
  big["spec"]["replicas"] = 3000000000LL;
  EXPECT_EQ(Call("POST", sts_, "", big).body["message"],
            "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: json: cannot unmarshal number "
            "3000000000 into Go struct field StatefulSetSpec.spec.replicas of type int32");
  Json probe = Sts("c", {{"name", "c"}, {"image", "i"}, {"readinessProbe", "yes"}});
  EXPECT_EQ(Call("POST", sts_, "", probe).body["message"],
            "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: json: cannot unmarshal string "
            "into Go struct field Container.spec.template.spec.containers.readinessProbe of type v1.Probe");
  // int-or-string and quantities take both.
  Json both = Sts("d", {{"name", "c"},
                        {"image", "i"},
                        {"readinessProbe", {{"httpGet", {{"port", "http"}}}}},
                        {"ports", Json::array({{{"name", "http"}, {"containerPort", 8030}}})},
                        {"resources", {{"requests", {{"cpu", 2}, {"memory", "4Gi"}}}}}});
  EXPECT_EQ(Call("POST", sts_, "", both).status, 201);
}

TEST_F(BuiltinValidationTest, RequiredEnumNamesAndPortsAreInvalid) {
  Json bad =
      Sts("Bad_Name",
          {{"image", "i"},
           {"imagePullPolicy", "Sometimes"},
           {"ports", Json::array({{{"containerPort", 0}}, {{"containerPort", 70000}, {"name", "HTTP"}}})},
           {"livenessProbe", {{"tcpSocket", {{"port", 0}}}}}});
  Result r = Call("POST", sts_, "", bad);
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.body["reason"], "Invalid");
  EXPECT_EQ(r.body["details"]["kind"], "StatefulSet");
  EXPECT_EQ(r.body["details"]["group"], "apps");
  std::vector<std::string> causes;
  for (const Json& c : r.body["details"]["causes"]) {
    causes.push_back(c["field"].get<std::string>() + ": " + c["message"].get<std::string>());
  }
  const std::string c0 = "spec.template.spec.containers[0]";
  EXPECT_EQ(
      causes,
      (std::vector<std::string>{
          "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower "
          "case "
          "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
          "'example.com', regex used for validation is "
          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
          c0 + ".livenessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive",
          c0 + ".ports[0].containerPort: Required value",
          c0 + ".ports[1].name: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, "
               "0-9), and hyphens (-)",
          c0 + ".ports[1].name: Invalid value: \"HTTP\": must contain at least one letter (a-z)",
          c0 + ".ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
          c0 + ".imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
               "\"IfNotPresent\", \"Never\"",
          c0 + ".name: Required value"}));
  EXPECT_EQ(r.body["message"].get<std::string>().rfind(
                "StatefulSet.apps \"Bad_Name\" is invalid: [metadata.name: ", 0),
            0u);
  // Container names are DNS-1123 labels; Service names DNS-1035 labels.
  Result upper = Call("POST", sts_, "", Sts("ok", {{"name", "Fe"}, {"image", "i"}}));
  EXPECT_EQ(
      upper.body["details"]["causes"][0]["message"],
      "Invalid value: \"Fe\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
      "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
      "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  Result svc = Call("POST", "/api/v1/namespaces/default/services", "",
                    {{"metadata", {{"name", "1fe"}}}, {"spec", {{"ports", Json::array({{{"port", 80}}})}}}});
  EXPECT_EQ(svc.status, 422);
  EXPECT_EQ(svc.body["details"]["causes"][0]["field"], "metadata.name");
  EXPECT_NE(svc.body["details"]["causes"][0]["message"].get<std::string>().find("a DNS-1035 label"),
            std::string::npos);
}

TEST_F(BuiltinValidationTest, OpenApiDocumentsCarryKubernetesSchemas) {
  Result doc = Call("GET", "/openapi/v3/apis/apps/v1");
  ASSERT_EQ(doc.status, 200);
  const Json& schemas = doc.body["components"]["schemas"];
  ASSERT_TRUE(schemas.contains("io.k8s.api.apps.v1.StatefulSet"));
  EXPECT_EQ(schemas["io.k8s.api.apps.v1.StatefulSet"]["x-kubernetes-group-version-kind"][0]["kind"],
            "StatefulSet");
  ASSERT_TRUE(schemas.contains("io.k8s.api.core.v1.Probe"));
  EXPECT_EQ(
      schemas["io.k8s.api.core.v1.Probe"]["description"],
      "Probe describes a health check to be performed against a container to determine whether it is alive "
      "or ready to receive traffic.");
  EXPECT_TRUE(schemas.contains("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
  EXPECT_FALSE(schemas.contains("io.k8s.api.rbac.v1.Role"));  // only what apps/v1 refers to
}

TEST_F(BuiltinValidationTest, TablesHaveTheApiServersColumns) {
  auto columns = [&](const std::string& path) {
    Result r = Call("GET", path, "", Json(), "application/json;as=Table;v=v1;g=meta.k8s.io");
    std::vector<std::string> out;
    for (const Json& c : r.body["columnDefinitions"]) {
      out.push_back(c["name"].get<std::string>() + (c["priority"] == 0 ? "" : "*"));
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(columns("/api/v1/namespaces/default/pods"),
            (V{"Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*", "Nominated Node*",
               "Readiness Gates*"}));
  EXPECT_EQ(columns("/api/v1/namespaces/default/services"),
            (V{"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*"}));
  EXPECT_EQ(columns(sts_), (V{"Name", "Ready", "Age", "Containers*", "Images*"}));
  EXPECT_EQ(columns("/api/v1/namespaces/default/configmaps"), (V{"Name", "Data", "Age"}));
  EXPECT_EQ(columns("/api/v1/namespaces/default/secrets"), (V{"Name", "Type", "Data", "Age"}));
  EXPECT_EQ(columns("/api/v1/namespaces/default/persistentvolumeclaims"),
            (V{"Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
               "VolumeAttributesClass", "Age", "VolumeMode*"}));
  EXPECT_EQ(columns("/api/v1/namespaces/default/events"),
            (V{"Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*", "Message", "First Seen*",
               "Count*", "Name*"}));
  EXPECT_EQ(columns("/apis/policy/v1/namespaces/default/poddisruptionbudgets"),
            (V{"Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"}));
  EXPECT_EQ(columns("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles"),
            (V{"Name", "Created At"}));
  EXPECT_EQ(columns("/apis/apiextensions.k8s.io/v1/customresourcedefinitions"), (V{"Name", "Created At"}));

  ASSERT_EQ(Call("POST", "/api/v1/namespaces/default/services", "",
                 {{"metadata", {{"name", "fe"}}},
                  {"spec",
                   {{"type", "NodePort"},
                    {"selector", {{"app", "fe"}, {"tier", "a"}}},
                    {"ports", Json::array({{{"name", "http"}, {"port", 8030}, {"nodePort", 30080}},
                                           {{"name", "query"}, {"port", 9030}}})}}}})
                .status,
            201);
  Result t = Call("GET", "/api/v1/namespaces/default/services/fe", "", Json(),
                  "application/json;as=Table;v=v1;g=meta.k8s.io");
  const Json& cells = t.body["rows"][0]["cells"];
  EXPECT_EQ(cells[1], "NodePort");
  EXPECT_EQ(cells[3], "<none>");
  // Every port of a NodePort Service gets a node port (30000-32767).
  EXPECT_TRUE(absl::StartsWith(cells[4].get<std::string>(), "8030:30080/TCP,9030:3")) << cells[4];
  EXPECT_TRUE(absl::EndsWith(cells[4].get<std::string>(), "/TCP")) << cells[4];
  EXPECT_EQ(cells[6], "app=fe,tier=a");
}

// A merge or strategic merge patch whose body is not a JSON object, as
// apiserver handlers/patch.go answers it under each fieldValidation
// directive; the object is never changed.
TEST_F(BuiltinValidationTest, APatchThatIsNotAnObjectIsRefusedAsTheApiServerDoes) {
  ASSERT_EQ(Call("POST", sts_, "", Sts("p", {{"name", "c"}, {"image", "i"}})).status, 201);
  const std::string sts = sts_ + "/p";
  auto patch = [&](const std::string& type, const std::string& query, const Json& body) {
    return CallApi(api_, "PATCH", query.empty() ? sts : sts + "?" + query, body,
                   {.content_type = "application/" + type + "+json"});
  };
  const std::string to_map = "json: cannot unmarshal array into Go value of type map[string]interface {}";
  // The default (Warn) and Strict decode the body strictly into a map first.
  for (const std::string query : {"", "fieldValidation=Strict"}) {
    Result merge = patch("merge-patch", query, Json::array({1}));
    EXPECT_EQ(merge.status, 400) << query;
    EXPECT_EQ(merge.body["reason"], "BadRequest");
    EXPECT_EQ(merge.body["message"], "error decoding patch: " + to_map);
  }
  Result number = patch("merge-patch", "", 7);
  EXPECT_EQ(number.body["message"],
            "error decoding patch: json: cannot unmarshal number into Go value of type map[string]interface {}");
  // Strategic merge decodes into a map under every directive, without the prefix.
  Result strategic = patch("strategic-merge-patch", "fieldValidation=Ignore", Json::array({1}));
  EXPECT_EQ(strategic.status, 400);
  EXPECT_EQ(strategic.body["message"], to_map);
  // Under Ignore a merge-patch array becomes the document, which does not
  // decode into a StatefulSet; a scalar is json-patch's ErrBadJSONPatch.
  Result array = patch("merge-patch", "fieldValidation=Ignore", Json::array({1, 2}));
  EXPECT_EQ(array.status, 422);
  EXPECT_EQ(array.body["reason"], "Invalid");
  EXPECT_TRUE(absl::StartsWith(array.body["message"].get<std::string>(),
                               " \"\" is invalid: patch: Invalid value: \"[1,2]\": couldn't get version/kind; "
                               "json parse error: json: cannot unmarshal array into Go value of type struct {"))
      << array.body.dump();
  EXPECT_EQ(array.body["details"]["causes"][0]["field"], "patch");
  Result scalar = patch("merge-patch", "fieldValidation=Ignore", "x");
  EXPECT_EQ(scalar.status, 400);
  EXPECT_EQ(scalar.body["message"], "Invalid JSON Patch");
  // A JSON patch that replaces the root with a non-object: the same 422.
  Result root = patch("json-patch", "", Json::array({{{"op", "replace"}, {"path", ""}, {"value", 3}}}));
  EXPECT_EQ(root.status, 422) << root.body.dump();
  EXPECT_NE(root.body["message"].get<std::string>().find("cannot unmarshal number into Go value of type struct"),
            std::string::npos)
      << root.body.dump();
  EXPECT_EQ(Call("GET", sts).body["spec"]["template"]["spec"]["containers"][0]["image"], "i");
}

}  // namespace
}  // namespace doris_operator::kubesim
