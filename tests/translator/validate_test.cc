// A corpus of invalid DorisClusters, each with the exact problems expected.

#include "translator/validate.h"

#include "gtest/gtest.h"
#include "translator/model_json.h"

namespace doris_operator::translator {
namespace {

using nlohmann::json;

std::vector<std::string> Problems(json spec, std::string name = "c") {
  json j = {{"apiVersion", "doris.selectdb.com/v1"},
            {"kind", "DorisCluster"},
            {"metadata", {{"name", name}}},
            {"spec", spec}};
  ModelFromJsonResult r = ModelFromJson(j);
  EXPECT_TRUE(r.errors.empty());
  std::vector<std::string> out;
  for (const auto& p : Validate(r.cluster)) out.push_back(p.ToString());
  return out;
}

const json kFe = {{"image", "fe"}, {"replicas", 3}};

TEST(Validate, ValidSpecHasNoProblems) {
  EXPECT_TRUE(Problems({{"feSpec", kFe}, {"beSpec", {{"image", "be"}}}}).empty());
  // A user's YAML with 1 FE and no electionNumber stays valid (default 3
  // applies only to the entrypoint, as in the reference).
  EXPECT_TRUE(Problems({{"feSpec", {{"image", "fe"}, {"replicas", 1}}}}).empty());
}

struct Case {
  const char* what;
  json spec;
  std::vector<std::string> want;
  std::string name = "c";
};

TEST(Validate, Corpus) {
  const std::vector<Case> cases = {
      {"no components", json::object(),
       {"spec: at least one of feSpec, beSpec, cnSpec, brokerSpec is required"}},
      {"missing image and negative replicas", {{"beSpec", {{"replicas", -1}}}},
       {"spec.beSpec.image: required", "spec.beSpec.replicas: must be >= 0, got -1"}},
      {"even election number", {{"feSpec", {{"image", "fe"}, {"replicas", 4}, {"electionNumber", 2}}}},
       {"spec.feSpec.electionNumber: must be a positive odd number (a quorum needs a majority), got 2"}},
      {"election number above replicas",
       {{"feSpec", {{"image", "fe"}, {"replicas", 1}, {"electionNumber", 3}}}},
       {"spec.feSpec.electionNumber: must not exceed spec.feSpec.replicas (1), got 3"}},
      {"relative and duplicate mount paths",
       {{"feSpec",
         {{"image", "fe"},
          {"persistentVolumes",
           {{{"name", "meta"}, {"mountPath", "/data/"}, {"persistentVolumeClaimSpec", json::object()}},
            {{"name", "log"}, {"mountPath", "/data"}, {"persistentVolumeClaimSpec", json::object()}},
            {{"name", "rel"}, {"mountPath", "data"}, {"persistentVolumeClaimSpec", json::object()}}}},
          {"secrets", {{{"secretName", "s"}, {"mountPath", "/etc/podinfo"}}}}}}},
       {"spec.feSpec.persistentVolumes[1].mountPath: mount path \"/data\" is already used by "
        "spec.feSpec.persistentVolumes[0].mountPath",
        "spec.feSpec.persistentVolumes[2].mountPath: \"data\" must be an absolute path",
        "spec.feSpec.secrets[0].mountPath: mount path \"/etc/podinfo\" is already used by the "
        "operator's downward-API volume"}},
      {"bad volume names",
       {{"beSpec",
         {{"image", "be"},
          {"persistentVolumes",
           {{{"name", "Data_1"}, {"mountPath", "/a"}, {"persistentVolumeClaimSpec", json::object()}},
            {{"name", "x"}, {"mountPath", "/b"}},
            {{"name", "x"}, {"mountPath", "/c"}, {"persistentVolumeClaimSpec", json::object()},
             {"provisioner", "Magic"}}}}}}},
       {"spec.beSpec.persistentVolumes[0].name: \"Data_1\" must be a DNS-1123 label (lower-case "
        "letters, digits, '-', at most 63)",
        "spec.beSpec.persistentVolumes[1].persistentVolumeClaimSpec: required",
        "spec.beSpec.persistentVolumes[2].name: volume name \"x\" is used twice",
        "spec.beSpec.persistentVolumes[2].provisioner: \"Magic\" is not one of StatefulSet, Operator"}},
      {"bad service",
       {{"feSpec",
         {{"image", "fe"},
          {"service", {{"type", "Public"}, {"servicePorts", {{{"nodePort", 70000}, {"targetPort", 0}}}}}}}}},
       {"spec.feSpec.service.type: \"Public\" is not one of ClusterIP, NodePort, LoadBalancer, "
        "ExternalName",
        "spec.feSpec.service.servicePorts[0].targetPort: must be a port (1-65535), got 0",
        "spec.feSpec.service.servicePorts[0].nodePort: must be a port (1-65535), got 70000"}},
      {"autoscaler bounds",
       {{"cnSpec",
         {{"image", "be"},
          {"autoScalingPolicy", {{"version", "v3"}, {"minReplicas", 5}, {"maxReplicas", 2}}}}}},
       {"spec.cnSpec.autoScalingPolicy.version: must be v1 or v2, got \"v3\"",
        "spec.cnSpec.autoScalingPolicy.maxReplicas: must be at least minReplicas (5)"}},
      {"reserved admin and bad auth secret",
       {{"feSpec", kFe}, {"adminUser", {{"name", "Admin"}}}, {"authSecret", "Bad_Name"}},
       {"spec.authSecret: must be a valid Secret name (DNS-1123 subdomain)",
        "spec.adminUser.name: \"admin\" is reserved by Doris; use another user name"}},
      {"shared claims",
       {{"feSpec", kFe},
        {"sharedPersistentVolumeClaims",
         {{{"mountPath", "rel"}, {"supportComponents", {"fe", "db"}}}}}},
       {"spec.sharedPersistentVolumeClaims[0].persistentVolumeClaimName: required",
        "spec.sharedPersistentVolumeClaims[0].mountPath: must be an absolute path (or start with "
        "$DORIS_HOME)",
        "spec.sharedPersistentVolumeClaims[0].supportComponents[1]: \"db\" is not one of fe, be, cn, "
        "broker"}},
      {"kerberos incomplete", {{"feSpec", kFe}, {"kerberosInfo", {{"keytabPath", "/k"}}}},
       {"spec.kerberosInfo.krb5ConfigMap: required when kerberosInfo is set",
        "spec.kerberosInfo.keytabSecretName: required when kerberosInfo is set"}},
      {"init without command",
       {{"beSpec", {{"image", "be"}, {"systemInitialization", {{"initImage", "alpine"}}}}}},
       {"spec.beSpec.systemInitialization.command: required (what should the init container run?)"}},
      {"quantities that are not, or are negative",
       {{"feSpec",
         {{"image", "fe"},
          {"limits", {{"cpu", "eight"}, {"memory", "16Gi"}}},
          {"requests", {{"cpu", -1}, {"memory", "1.5 Gi"}, {"ephemeral-storage", 0.5}}}}},
        {"beSpec",
         {{"image", "be"},
          {"systemInitialization",
           {{"command", {"true"}}, {"limits", {{"memory", "1GB"}}}, {"requests", "1Gi"}}},
          {"persistentVolumes",
           {{{"name", "data"},
             {"mountPath", "/data"},
             {"persistentVolumeClaimSpec",
              {{"resources", {{"requests", {{"storage", "100 Gi"}}}}}}}}}}}},
        {"cnSpec",
         {{"image", "be"},
          {"autoScalingPolicy",
           {{"maxReplicas", 2},
            {"hpaPolicy",
             {{"metrics",
               {{{"type", "Pods"},
                 {"pods", {{"target", {{"type", "AverageValue"}, {"averageValue", "lots"}}}}}}}}}}}}}}},
       {"spec.feSpec.requests.cpu: -1 must be greater than or equal to 0",
        "spec.feSpec.requests.ephemeral-storage: 0.5 is not an integer: write the quantity as a "
        "string (\"500m\")",
        "spec.feSpec.requests.memory: \"1.5 Gi\" is not a quantity",
        "spec.feSpec.limits.cpu: \"eight\" is not a quantity",
        "spec.beSpec.systemInitialization.requests: must be a map of resource names to quantities",
        "spec.beSpec.systemInitialization.limits.memory: \"1GB\" is not a quantity",
        "spec.beSpec.persistentVolumes[0].persistentVolumeClaimSpec.resources.requests.storage: "
        "\"100 Gi\" is not a quantity",
        "spec.cnSpec.autoScalingPolicy.hpaPolicy.metrics[0].pods.target.averageValue: \"lots\" is "
        "not a quantity"}},
      {"bad cluster name", {{"feSpec", kFe}},
       {"metadata.name: \"9lives\" must start with a letter and contain only lower-case letters, "
        "digits and '-' (it names Services)"},
       "9lives"},
      {"long cluster name", {{"feSpec", kFe}},
       {"metadata.name: must be at most 47 characters so that \"<name>-broker-internal\" fits in 63"},
       std::string(48, 'a')},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Problems(c.spec, c.name), c.want) << c.what;
  }
}

}  // namespace
}  // namespace doris_operator::translator
