#include "tools/crdgen/crd_schema.h"

#include <set>
#include <string>

#include "google/protobuf/descriptor.h"
#include "proto/doris_cluster.pb.h"

namespace doris_operator::crdgen {

// tools/crdgen/k8s_definitions.json, compiled in (k8s_definitions.cc).
extern const char kK8sDefinitions[];

namespace {

namespace pb = google::protobuf;
using Json = nlohmann::json;

// The quantity pattern of the Kubernetes OpenAPI (and of the reference CRD):
// what resource.ParseQuantity accepts, so `kubectl apply` refuses "eight".
constexpr char kQuantityPattern[] =
    R"(^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$)";

Json QuantitySchema() {
  return {{"anyOf", Json::array({{{"type", "integer"}}, {{"type", "string"}}})},
          {"pattern", kQuantityPattern},
          {"x-kubernetes-int-or-string", true}};
}

// The Kubernetes OpenAPI definitions (tools/crdgen/k8s_definitions.json).
const Json& K8sDefinitions() {
  static const Json* const kDefinitions =
      new Json(Json::parse(kK8sDefinitions)["definitions"]);
  return *kDefinitions;
}

constexpr char kDefinitionPrefix[] = "#/definitions/";

// One OpenAPI v2 schema as a CRD structural schema: references inlined
// (the field's own description wins, as controller-gen does), quantities
// and int-or-strings as Kubernetes writes them in CRDs, and only the
// keywords a CRD schema accepts.
Json Structural(const Json& s) {
  if (s.contains("$ref")) {
    const std::string ref = s["$ref"].get<std::string>();
    const std::string name = ref.substr(sizeof(kDefinitionPrefix) - 1);
    Json out;
    if (name == "io.k8s.apimachinery.pkg.api.resource.Quantity") {
      out = QuantitySchema();
    } else if (name == "io.k8s.apimachinery.pkg.util.intstr.IntOrString") {
      out = {{"anyOf", Json::array({{{"type", "integer"}}, {{"type", "string"}}})},
             {"x-kubernetes-int-or-string", true}};
    } else {
      out = Structural(K8sDefinitions().at(name));
    }
    if (s.contains("description")) out["description"] = s["description"];
    return out;
  }
  Json out = Json::object();
  for (const char* key : {"description", "type", "format", "required", "enum",
                          "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
                          "x-kubernetes-map-type"}) {
    if (s.contains(key)) out[key] = s[key];
  }
  if (s.contains("properties")) {
    Json props = Json::object();
    for (const auto& [k, v] : s["properties"].items()) props[k] = Structural(v);
    out["properties"] = props;
  }
  if (s.contains("items")) out["items"] = Structural(s["items"]);
  if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
    out["additionalProperties"] = Structural(s["additionalProperties"]);
  }
  return out;
}

Json K8sType(const std::string& definition) {
  return Structural({{"$ref", std::string(kDefinitionPrefix) + definition}});
}

Json ListOf(const std::string& definition) {
  return {{"type", "array"}, {"items", K8sType(definition)}};
}

// The Kubernetes type each RawJson field of the model holds, by JSON name.
Json RawSchema(const std::string& json_name) {
  if (json_name == "requests" || json_name == "limits") {
    // corev1.ResourceList.
    return {{"type", "object"}, {"additionalProperties", QuantitySchema()}};
  }
  if (json_name == "persistentVolumeClaimSpec") {
    return K8sType("io.k8s.api.core.v1.PersistentVolumeClaimSpec");
  }
  if (json_name == "affinity") return K8sType("io.k8s.api.core.v1.Affinity");
  if (json_name == "securityContext") return K8sType("io.k8s.api.core.v1.PodSecurityContext");
  if (json_name == "containerSecurityContext") {
    return K8sType("io.k8s.api.core.v1.SecurityContext");
  }
  if (json_name == "behavior") {
    return K8sType("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior");
  }
  if (json_name == "envVars") return ListOf("io.k8s.api.core.v1.EnvVar");
  if (json_name == "tolerations") return ListOf("io.k8s.api.core.v1.Toleration");
  if (json_name == "hostAliases") return ListOf("io.k8s.api.core.v1.HostAlias");
  if (json_name == "imagePullSecrets") return ListOf("io.k8s.api.core.v1.LocalObjectReference");
  if (json_name == "metrics") return ListOf("io.k8s.api.autoscaling.v2.MetricSpec");
  if (json_name == "claims") {
    Json list = ListOf("io.k8s.api.core.v1.ResourceClaim");
    list["x-kubernetes-list-map-keys"] = Json::array({"name"});
    list["x-kubernetes-list-type"] = "map";
    return list;
  }
  // A RawJson field without a known type: kept as given.
  return {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
}

Json Enum(std::initializer_list<const char*> values) {
  Json out = Json::array();
  for (const char* v : values) out.push_back(v);
  return out;
}

Json MessageSchema(const pb::Descriptor* d);

Json FieldSchema(const pb::FieldDescriptor* f) {
  const std::string name = f->json_name();
  if (f->is_map()) {
    return {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
  }
  Json item;
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      item = f->message_type()->full_name() == "doris_operator.model.v1.RawJson"
                 ? RawSchema(name)
                 : MessageSchema(f->message_type());
      break;
    case pb::FieldDescriptor::CPPTYPE_INT32:
      item = {{"type", "integer"}, {"format", "int32"}};
      break;
    case pb::FieldDescriptor::CPPTYPE_INT64:
      item = {{"type", "integer"}, {"format", "int64"}};
      break;
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      item = {{"type", "boolean"}};
      break;
    default:
      item = {{"type", "string"}};
      break;
  }
  if (name == "replicas" || name == "minReplicas" || name == "maxReplicas" ||
      name == "startTimeout" || name == "liveTimeout") {
    item["minimum"] = 0;
  }
  if (name == "lastTransitionTime") item["format"] = "date-time";
  if (f->containing_type()->name() == "ExportService" && name == "type") {
    item["enum"] = Enum({"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"});
  }
  if (f->containing_type()->name() == "PersistentVolume" && name == "provisioner") {
    item["enum"] = Enum({"", "StatefulSet", "Operator"});
  }
  if (f->containing_type()->name() == "AutoScalingPolicy" && name == "version") {
    item["enum"] = Enum({"v1", "v2"});
    item["default"] = "v2";
  }
  if (f->containing_type()->name() == "ComponentCondition" && name == "phase") {
    item["enum"] = Enum({"reconciling", "waitScheduling", "haveMemberFailed", "available",
                         "initializing", "upgrading", "scaling", "restarting", "hibernated"});
  }
  if (f->is_repeated()) return {{"type", "array"}, {"items", item}};
  return item;
}

void AddProperties(const pb::Descriptor* d, Json* props) {
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->name() == "base") {  // inlined, like Go's BaseSpec
      AddProperties(f->message_type(), props);
      continue;
    }
    (*props)[f->json_name()] = FieldSchema(f);
  }
}

Json MessageSchema(const pb::Descriptor* d) {
  Json props = Json::object();
  AddProperties(d, &props);
  Json schema = {{"type", "object"}, {"properties", props}};
  const std::string n = d->name();
  if (n == "FeSpec" || n == "BeSpec" || n == "CnSpec" || n == "BrokerSpec") {
    schema["required"] = Json::array({"image"});
  }
  if (n == "ComponentStatus") schema["required"] = Json::array({"componentCondition"});
  if (n == "ComponentCondition") {
    schema["required"] = Json::array({"lastTransitionTime", "message", "phase", "reason"});
  }
  if (n == "FeSpec") {
    schema["x-kubernetes-validations"] = Json::array(
        {{{"rule", "!has(self.electionNumber) || self.electionNumber % 2 == 1"},
          {"message", "electionNumber must be odd (a quorum needs a majority)"}},
         {{"rule",
           "!has(self.electionNumber) || self.electionNumber <= (has(self.replicas) ? "
           "self.replicas : 1)"},
          {"message", "electionNumber must not exceed replicas"}}});
  }
  if (n == "AutoScalingPolicy") {
    schema["x-kubernetes-validations"] =
        Json::array({{{"rule", "!has(self.minReplicas) || self.maxReplicas >= self.minReplicas"},
                      {"message", "maxReplicas must be at least minReplicas"}}});
  }
  if (n == "AdminUser") {
    schema["x-kubernetes-validations"] =
        Json::array({{{"rule", "!has(self.name) || self.name.lowerAscii() != 'admin'"},
                      {"message", "\"admin\" is reserved by Doris; use another user name"}}});
  }
  return schema;
}

Json Column(const char* name, const char* path) {
  return {{"name", name}, {"type", "string"}, {"jsonPath", path}};
}

}  // namespace

Json DorisClusterCrd() {
  const pb::Descriptor* cluster = model::v1::DorisCluster::descriptor();
  Json schema = {
      {"type", "object"},
      {"description", "DorisCluster describes an Apache Doris cluster run by the doris-operator."},
      {"properties",
       {{"apiVersion", {{"type", "string"}}},
        {"kind", {{"type", "string"}}},
        {"metadata", {{"type", "object"}}},
        {"spec", MessageSchema(cluster->FindFieldByName("spec")->message_type())},
        {"status", MessageSchema(cluster->FindFieldByName("status")->message_type())}}}};
  Json columns = Json::array({Column("FeStatus", ".status.feStatus.componentCondition.phase"),
                              Column("BeStatus", ".status.beStatus.componentCondition.phase"),
                              Column("CnStatus", ".status.cnStatus.componentCondition.phase"),
                              Column("BrokerStatus",
                                     ".status.brokerStatus.componentCondition.phase"),
                              {{"name", "Age"},
                               {"type", "date"},
                               {"jsonPath", ".metadata.creationTimestamp"}}});
  return {
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", {{"name", "dorisclusters.doris.selectdb.com"}}},
      {"spec",
       {{"group", "doris.selectdb.com"},
        {"scope", "Namespaced"},
        {"names",
         {{"kind", "DorisCluster"},
          {"listKind", "DorisClusterList"},
          {"plural", "dorisclusters"},
          {"singular", "doriscluster"},
          {"shortNames", Json::array({"dcr"})}}},
        {"versions",
         Json::array({{{"name", "v1"},
                       {"served", true},
                       {"storage", true},
                       {"subresources", {{"status", Json::object()}}},
                       {"additionalPrinterColumns", columns},
                       {"schema", {{"openAPIV3Schema", schema}}}}})}}}};
}

}  // namespace doris_operator::crdgen
