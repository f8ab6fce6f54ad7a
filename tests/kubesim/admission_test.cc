// What kubesim does to built-in objects between decoding and storage, as
// kube-apiserver does it: canonical quantities, Service allocations,
// StatefulSet update rules, CRD status, generation and Go's encoding.

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "tools/kubesim/api_server.h"

namespace doris_operator::kubesim {
namespace {

struct Result {
  int status;
  Json body;
};

class AdmissionTest : public ::testing::Test {
 protected:
  Result Call(const std::string& method, const std::string& path, const Json& body = Json(),
              const std::string& content_type = "application/json") {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.headers["content-type"] = content_type;
    if (!body.is_null()) req.body = body.dump();
    HttpResponse resp = api_.Handle(req);
    return {resp.status, resp.body.empty() ? Json() : Json::parse(resp.body)};
  }

  static Json Sts(const std::string& name, const Json& resources) {
    return {{"apiVersion", "apps/v1"},
            {"kind", "StatefulSet"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"replicas", 1},
              {"serviceName", name},
              {"selector", {{"matchLabels", {{"app", name}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", name}}}}},
                {"spec",
                 {{"initContainers", {{{"name", "init"}, {"image", "busybox"}, {"resources", resources}}}},
                  {"containers", {{{"name", "c"}, {"image", "nginx"}, {"resources", resources}}}},
                  {"volumes", {{{"name", "scratch"}, {"emptyDir", {{"sizeLimit", "1024Mi"}}}}}}}}}},
              {"volumeClaimTemplates",
               {{{"metadata", {{"name", "data"}}},
                 {"spec", {{"accessModes", {"ReadWriteOnce"}},
                           {"resources", {{"requests", {{"storage", "2048Mi"}}}}}}}}}}}}};
  }

  static Json Svc(const std::string& name, const std::string& type, const Json& ports) {
    return {{"apiVersion", "v1"},
            {"kind", "Service"},
            {"metadata", {{"name", name}}},
            {"spec", {{"type", type}, {"selector", {{"app", name}}}, {"ports", ports}}}};
  }

  ApiServer api_;
  const std::string sts_ = "/apis/apps/v1/namespaces/default/statefulsets";
  const std::string svcs_ = "/api/v1/namespaces/default/services";
  const std::string regex_ =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
};

TEST_F(AdmissionTest, QuantitiesOfPodTemplatesAndClaimsAreStoredCanonically) {
  Result r = Call("POST", sts_,
                  Sts("q", {{"requests", {{"cpu", 8}, {"memory", "1024Mi"}}},
                            {"limits", {{"cpu", 0.5}, {"memory", "2000m"}}}}));
  ASSERT_EQ(r.status, 201) << r.body.dump();
  const Json& pod = r.body["spec"]["template"]["spec"];
  for (const Json& c : {pod["containers"][0], pod["initContainers"][0]}) {
    EXPECT_EQ(c["resources"]["requests"]["cpu"], "8");
    EXPECT_EQ(c["resources"]["requests"]["memory"], "1Gi");
    EXPECT_EQ(c["resources"]["limits"]["cpu"], "500m");
    EXPECT_EQ(c["resources"]["limits"]["memory"], "2");
  }
  EXPECT_EQ(pod["volumes"][0]["emptyDir"]["sizeLimit"], "1Gi");
  EXPECT_EQ(r.body["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"], "2Gi");
  // What was stored is what a GET returns.
  EXPECT_EQ(Call("GET", sts_ + "/q").body["spec"], r.body["spec"]);

  Result pvc = Call("POST", "/api/v1/namespaces/default/persistentvolumeclaims",
                    {{"metadata", {{"name", "c"}}},
                     {"spec", {{"resources", {{"requests", {{"storage", "1000"}}}}}}}});
  ASSERT_EQ(pvc.status, 201);
  EXPECT_EQ(pvc.body["spec"]["resources"]["requests"]["storage"], "1k");
}

TEST_F(AdmissionTest, MalformedQuantitiesFailDecodingAsTheApiServerSays) {
  Result create = Call("POST", sts_, Sts("bad", {{"requests", {{"cpu", "eight"}}}}));
  EXPECT_EQ(create.status, 400);
  EXPECT_EQ(create.body["reason"], "BadRequest");
  EXPECT_EQ(create.body["message"],
            "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: " + regex_);
  EXPECT_EQ(Call("GET", sts_ + "/bad").status, 404);

  ASSERT_EQ(Call("POST", sts_, Sts("ok", {{"requests", {{"cpu", "1"}}}})).status, 201);
  Json patch = {{"spec", {{"template", {{"spec", {{"containers", {{{"name", "c"},
                                                                   {"resources", {{"requests", {{"cpu", "8X"}}}}}}}}}}}}}}};
  Result smp = Call("PATCH", sts_ + "/ok", patch, "application/strategic-merge-patch+json");
  EXPECT_EQ(smp.status, 422);
  EXPECT_EQ(smp.body["reason"], "Invalid");
  EXPECT_EQ(smp.body["details"]["causes"][0]["field"], "patch");
  EXPECT_EQ(smp.body["message"],
            " \"\" is invalid: patch: Invalid value: "
            "\"map[spec:map[template:map[spec:map[containers:[map[name:c resources:map[requests:map[cpu:8X]]]]]]]]\": " +
                regex_);
  Result merge = Call("PATCH", sts_ + "/ok",
                      {{"spec", {{"volumeClaimTemplates", {{{"metadata", {{"name", "d"}}},
                                                            {"spec", {{"resources", {{"requests", {{"storage", "1KK"}}}}}}}}}}}}},
                      "application/merge-patch+json");
  EXPECT_EQ(merge.status, 422);
  EXPECT_NE(merge.body["message"].get<std::string>().find("unable to parse quantity's suffix"), std::string::npos);
}

TEST_F(AdmissionTest, ServicesGetClusterIpsAndNodePortsThatUpdatesKeep) {
  Result a = Call("POST", svcs_, Svc("a", "ClusterIP", {{{"name", "http"}, {"port", 80}}}));
  ASSERT_EQ(a.status, 201) << a.body.dump();
  const std::string ip = a.body["spec"]["clusterIP"];
  EXPECT_EQ(ip, "10.96.1.1");  // the upper part of 10.96.0.0/12 first
  EXPECT_EQ(a.body["spec"]["clusterIPs"], Json::array({ip}));
  EXPECT_EQ(a.body["spec"]["ipFamilies"], Json::array({"IPv4"}));
  EXPECT_EQ(a.body["spec"]["ipFamilyPolicy"], "SingleStack");
  EXPECT_EQ(a.body["spec"]["internalTrafficPolicy"], "Cluster");
  EXPECT_EQ(a.body["status"], Json({{"loadBalancer", Json::object()}}));

  Result b = Call("POST", svcs_, Svc("b", "NodePort", {{{"name", "http"}, {"port", 80}}, {{"name", "q"}, {"port", 9030}}}));
  ASSERT_EQ(b.status, 201) << b.body.dump();
  EXPECT_NE(b.body["spec"]["clusterIP"], ip);
  EXPECT_EQ(b.body["spec"]["ports"][0]["nodePort"], 30086);
  EXPECT_EQ(b.body["spec"]["ports"][1]["nodePort"], 30087);
  EXPECT_EQ(b.body["spec"]["externalTrafficPolicy"], "Cluster");

  // A PUT that leaves the allocated values out keeps them (since 1.20).
  Json put = Svc("b", "NodePort", {{{"name", "http"}, {"port", 80}}, {{"name", "q"}, {"port", 9030}}});
  Result kept = Call("PUT", svcs_ + "/b", put);
  ASSERT_EQ(kept.status, 200) << kept.body.dump();
  EXPECT_EQ(kept.body["spec"]["clusterIP"], b.body["spec"]["clusterIP"]);
  EXPECT_EQ(kept.body["spec"]["ports"], b.body["spec"]["ports"]);
  EXPECT_EQ(kept.body["metadata"]["resourceVersion"], b.body["metadata"]["resourceVersion"]);  // no-op

  // Changing the clusterIP is refused.
  Json moved = kept.body;
  moved["spec"]["clusterIP"] = "10.96.9.9";
  Result refused = Call("PUT", svcs_ + "/b", moved);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.body["message"],
            "Service \"b\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.9.9\"}: may not change "
            "once set");

  // Another Service asking for a taken IP or node port.
  Json taken_ip = Svc("c", "ClusterIP", {{{"port", 80}}});
  taken_ip["spec"]["clusterIP"] = ip;
  Result dup_ip = Call("POST", svcs_, taken_ip);
  EXPECT_EQ(dup_ip.status, 422);
  EXPECT_EQ(dup_ip.body["message"],
            "Service \"c\" is invalid: spec.clusterIPs: Invalid value: []string{\"" + ip +
                "\"}: failed to allocate IP " + ip + ": provided IP is already allocated");
  Result dup_port = Call("POST", svcs_, Svc("d", "NodePort", {{{"port", 80}, {"nodePort", 30086}}}));
  EXPECT_EQ(dup_port.status, 422);
  EXPECT_EQ(dup_port.body["message"],
            "Service \"d\" is invalid: spec.ports[0].nodePort: Invalid value: 30086: provided port is already "
            "allocated");
  Result out_of_range = Call("POST", svcs_, Svc("e", "NodePort", {{{"port", 80}, {"nodePort", 8080}}}));
  EXPECT_EQ(out_of_range.status, 422);
  EXPECT_EQ(out_of_range.body["details"]["causes"][0]["message"],
            "Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767");

  // Back to ClusterIP: node ports released and dropped; the IP stays.
  Json back = kept.body;
  back["spec"]["type"] = "ClusterIP";
  Result cluster_ip = Call("PUT", svcs_ + "/b", back);
  ASSERT_EQ(cluster_ip.status, 200) << cluster_ip.body.dump();
  EXPECT_FALSE(cluster_ip.body["spec"]["ports"][0].contains("nodePort"));
  EXPECT_FALSE(cluster_ip.body["spec"].contains("externalTrafficPolicy"));
  EXPECT_EQ(cluster_ip.body["spec"]["clusterIP"], b.body["spec"]["clusterIP"]);
  EXPECT_EQ(Call("POST", svcs_, Svc("f", "NodePort", {{{"port", 80}, {"nodePort", 30086}}})).status, 201);
  // A nodePort on a ClusterIP Service is refused.
  Json with_port = cluster_ip.body;
  with_port["spec"]["ports"][0]["nodePort"] = 30500;
  Result forbidden = Call("PUT", svcs_ + "/b", with_port);
  EXPECT_EQ(forbidden.status, 422);
  EXPECT_EQ(forbidden.body["details"]["causes"][0]["message"],
            "Forbidden: may not be used when `type` is 'ClusterIP'");
}

TEST_F(AdmissionTest, HeadlessServicesKeepNone) {
  Json headless = Svc("h", "ClusterIP", {{{"port", 9030}}});
  headless["spec"]["clusterIP"] = "None";
  Result r = Call("POST", svcs_, headless);
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["spec"]["clusterIP"], "None");
  EXPECT_EQ(r.body["spec"]["clusterIPs"], Json::array({"None"}));
  EXPECT_EQ(r.body["spec"]["ipFamilyPolicy"], "SingleStack");
  EXPECT_EQ(r.body["spec"]["ipFamilies"], Json::array({"IPv4"}));
  headless["spec"].erase("selector");
  headless["metadata"]["name"] = "h2";
  Result selectorless = Call("POST", svcs_, headless);
  ASSERT_EQ(selectorless.status, 201);
  EXPECT_EQ(selectorless.body["spec"]["ipFamilyPolicy"], "RequireDualStack");
  EXPECT_EQ(selectorless.body["spec"]["ipFamilies"], Json::array({"IPv4", "IPv6"}));
}

TEST_F(AdmissionTest, StatefulSetUpdatesMayChangeOnlyTheAllowedFields) {
  Result created = Call("POST", sts_, Sts("s", {{"requests", {{"cpu", "1"}}}}));
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(created.body["status"]["replicas"], 0);
  EXPECT_EQ(created.body["status"]["availableReplicas"], 0);
  Json allowed = created.body;
  allowed["spec"]["replicas"] = 3;
  allowed["spec"]["minReadySeconds"] = 5;
  allowed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2";
  ASSERT_EQ(Call("PUT", sts_ + "/s", allowed).status, 200);
  for (const auto& [field, value] :
       std::map<std::string, Json>{{"serviceName", "other"},
                                   {"podManagementPolicy", "Parallel"},
                                   {"selector", {{"matchLabels", {{"app", "x"}}}}}}) {
    Json forbidden = Call("GET", sts_ + "/s").body;
    forbidden["spec"][field] = value;
    Result r = Call("PUT", sts_ + "/s", forbidden);
    EXPECT_EQ(r.status, 422) << field;
    EXPECT_EQ(r.body["message"],
              "StatefulSet.apps \"s\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than "
              "'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
              "'minReadySeconds' are forbidden")
        << field;
  }
  Result claim = Call("PATCH", sts_ + "/s",
                      {{"spec", {{"volumeClaimTemplates", {{{"metadata", {{"name", "data"}}},
                                                            {"spec", {{"resources", {{"requests", {{"storage", "9Gi"}}}}}}}}}}}}},
                      "application/merge-patch+json");
  EXPECT_EQ(claim.status, 422);
  // The same size written differently is no change.
  Result same = Call("PATCH", sts_ + "/s",
                     {{"spec", {{"volumeClaimTemplates", {{{"metadata", {{"name", "data"}}},
                                                           {"spec", {{"accessModes", {"ReadWriteOnce"}},
                                                                     {"resources", {{"requests", {{"storage", "2Gi"}}}}}}}}}}}}},
                     "application/merge-patch+json");
  EXPECT_EQ(same.status, 200) << same.body.dump();
}

TEST_F(AdmissionTest, GenerationOnlyWhereTheStrategyKeepsIt) {
  Result cm = Call("POST", "/api/v1/namespaces/default/configmaps",
                   {{"metadata", {{"name", "cm"}, {"generateName", ""}, {"labels", Json::object()}}},
                    {"data", {{"a", "1"}}}});
  ASSERT_EQ(cm.status, 201);
  EXPECT_FALSE(cm.body["metadata"].contains("generation"));
  EXPECT_FALSE(cm.body["metadata"].contains("generateName"));
  EXPECT_FALSE(cm.body["metadata"].contains("labels"));
  Result patched = Call("PATCH", "/api/v1/namespaces/default/configmaps/cm", {{"data", {{"a", "2"}}}},
                        "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200);
  EXPECT_FALSE(patched.body["metadata"].contains("generation"));

  Result sts = Call("POST", sts_, Sts("g", Json::object()));
  EXPECT_EQ(sts.body["metadata"]["generation"], 1);
  Result scaled = Call("PATCH", sts_ + "/g", {{"spec", {{"replicas", 2}}}}, "application/merge-patch+json");
  EXPECT_EQ(scaled.body["metadata"]["generation"], 2);
  Result labelled = Call("PATCH", sts_ + "/g", {{"metadata", {{"labels", {{"a", "b"}}}}}},
                         "application/merge-patch+json");
  EXPECT_EQ(labelled.body["metadata"]["generation"], 2);
}

TEST_F(AdmissionTest, CrdsAreEstablishedWithAcceptedNamesAndStoredVersions) {
  Json crd = {{"apiVersion", "apiextensions.k8s.io/v1"},
              {"kind", "CustomResourceDefinition"},
              {"metadata", {{"name", "widgets.example.com"}}},
              {"spec",
               {{"group", "example.com"},
                {"scope", "Namespaced"},
                {"names", {{"plural", "widgets"}, {"kind", "Widget"}}},
                {"versions", {{{"name", "v1"}, {"served", true}, {"storage", true},
                               {"schema", {{"openAPIV3Schema", {{"type", "object"}}}}}}}}}}};
  Result created = Call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["metadata"]["generation"], 1);
  Json got = Call("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").body;
  EXPECT_EQ(got["spec"]["names"]["singular"], "widget");
  EXPECT_EQ(got["spec"]["names"]["listKind"], "WidgetList");
  EXPECT_EQ(got["status"]["acceptedNames"], got["spec"]["names"]);
  EXPECT_EQ(got["status"]["storedVersions"], Json::array({"v1"}));
  ASSERT_EQ(got["status"]["conditions"].size(), 2u);
  EXPECT_EQ(got["status"]["conditions"][0]["type"], "NamesAccepted");
  EXPECT_EQ(got["status"]["conditions"][0]["reason"], "NoConflicts");
  EXPECT_EQ(got["status"]["conditions"][1]["type"], "Established");
  EXPECT_EQ(got["status"]["conditions"][1]["status"], "True");
  EXPECT_EQ(got["status"]["conditions"][1]["reason"], "InitialNamesAccepted");
}

}  // namespace
}  // namespace doris_operator::kubesim
