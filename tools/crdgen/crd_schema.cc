#include "tools/crdgen/crd_schema.h"

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "proto/doris_cluster.pb.h"
#include "proto/doris_disaggregated_cluster.pb.h"

namespace doris_operator::crdgen {

// tools/crdgen/k8s_definitions.json, compiled in (k8s_definitions.cc).
extern const char kK8sDefinitions[];

namespace {

namespace pb = google::protobuf;
using Json = nlohmann::json;

// Package prefixes of the two models: a few messages share a name
// (FeSpec, PersistentVolume, ExportService) but not their rules.
constexpr char kDcr[] = "doris_operator.model.v1.";
constexpr char kDdc[] = "doris_operator.model.disaggregated.v1.";

bool Is(const pb::Descriptor* d, const char* package, const char* name) {
  return d->full_name() == std::string(package) + name;
}

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
  const pb::Descriptor* owner = f->containing_type();
  if (name == "lastTransitionTime" ||
      (Is(owner, kDdc, "GracefulAction") && (name == "startedAt" || name == "deadlineAt"))) {
    item["format"] = "date-time";
  }
  if (owner->name() == "ExportService" && name == "type") {
    item["enum"] = Enum({"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"});
  }
  if (Is(owner, kDcr, "PersistentVolume") && name == "provisioner") {
    item["enum"] = Enum({"", "StatefulSet", "Operator"});
  }
  if (Is(owner, kDdc, "PersistentVolume") && name == "provisioner") {
    item["enum"] = Enum({"", "operator"});
  }
  if (Is(owner, kDcr, "AutoScalingPolicy") && name == "version") {
    item["enum"] = Enum({"v1", "v2"});
    item["default"] = "v2";
  }
  if (Is(owner, kDcr, "ComponentCondition") && name == "phase") {
    item["enum"] = Enum({"reconciling", "waitScheduling", "haveMemberFailed", "available",
                         "initializing", "upgrading", "scaling", "restarting", "hibernated"});
  }
  if (Is(owner, kDdc, "ComputeGroup") && name == "uniqueId") {
    // The reference's intended rule (computegroups/util.go), anchored, plus
    // "-", which it accepts and turns into "_" for the Doris name.
    item["pattern"] = "^[a-zA-Z][0-9a-zA-Z_-]*$";
  }
  if (Is(owner, kDdc, "FeSpec") && name == "electionNumber") item["minimum"] = 1;
  if (!f->is_repeated()) return item;
  Json list = {{"type", "array"}, {"items", item}};
  if (Is(owner, kDdc, "DorisDisaggregatedClusterSpec") && name == "computeGroups") {
    // A group is its uniqueId: the API server refuses two with the same one,
    // and server-side apply merges groups by it.
    list["x-kubernetes-list-type"] = "map";
    list["x-kubernetes-list-map-keys"] = Json::array({"uniqueId"});
  }
  return list;
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

// A CEL rule (x-kubernetes-validations entry).
Json Rule(const char* rule, const char* message) {
  return {{"rule", rule}, {"message", message}};
}

Json MessageSchema(const pb::Descriptor* d) {
  Json props = Json::object();
  AddProperties(d, &props);
  Json schema = {{"type", "object"}, {"properties", props}};
  if (Is(d, kDcr, "FeSpec") || Is(d, kDcr, "BeSpec") || Is(d, kDcr, "CnSpec") ||
      Is(d, kDcr, "BrokerSpec") || Is(d, kDdc, "FeSpec")) {
    schema["required"] = Json::array({"image"});
  }
  if (Is(d, kDdc, "ComputeGroup")) schema["required"] = Json::array({"image", "uniqueId"});
  if (Is(d, kDdc, "MetaService")) schema["required"] = Json::array({"fdb", "image"});
  if (Is(d, kDdc, "DorisDisaggregatedClusterSpec")) {
    schema["required"] = Json::array({"feSpec", "metaService"});
  }
  if (Is(d, kDcr, "ComponentStatus")) schema["required"] = Json::array({"componentCondition"});
  if (Is(d, kDcr, "ComponentCondition")) {
    schema["required"] = Json::array({"lastTransitionTime", "message", "phase", "reason"});
  }
  if (Is(d, kDcr, "FeSpec")) {
    schema["x-kubernetes-validations"] = Json::array(
        {Rule("!has(self.electionNumber) || self.electionNumber % 2 == 1",
              "electionNumber must be odd (a quorum needs a majority)"),
         Rule("!has(self.electionNumber) || self.electionNumber <= (has(self.replicas) ? "
              "self.replicas : 1)",
              "electionNumber must not exceed replicas")});
  }
  if (Is(d, kDdc, "FeSpec")) {  // replicas default to 2 here, electionNumber to 1
    schema["x-kubernetes-validations"] = Json::array(
        {Rule("!has(self.electionNumber) || self.electionNumber % 2 == 1",
              "electionNumber must be odd (a quorum needs a majority)"),
         Rule("(has(self.electionNumber) ? self.electionNumber : 1) <= "
              "(has(self.replicas) ? self.replicas : 2)",
              "electionNumber must not exceed replicas")});
  }
  if (Is(d, kDdc, "Fdb")) {
    schema["x-kubernetes-validations"] = Json::array({Rule(
        "(has(self.address) && self.address != '') || (has(self.configMapNamespaceName) && "
        "has(self.configMapNamespaceName.name) && self.configMapNamespaceName.name != '' && "
        "has(self.configMapNamespaceName.namespace) && "
        "self.configMapNamespaceName.namespace != '')",
        "the meta service needs FoundationDB: set address, or configMapNamespaceName with both "
        "name and namespace")});
  }
  if (Is(d, kDcr, "AutoScalingPolicy")) {
    schema["x-kubernetes-validations"] =
        Json::array({Rule("!has(self.minReplicas) || self.maxReplicas >= self.minReplicas",
                          "maxReplicas must be at least minReplicas")});
  }
  if (Is(d, kDcr, "AdminUser")) {
    schema["x-kubernetes-validations"] =
        Json::array({Rule("!has(self.name) || self.name.lowerAscii() != 'admin'",
                          "\"admin\" is reserved by Doris; use another user name")});
  }
  return schema;
}

// A printer column: `kubectl get` shows the value at `path` under `name`.
struct Column {
  const char* name;
  const char* path;
  const char* type = "string";
};

// What distinguishes one of our CRDs from the other.
struct CrdOptions {
  const pb::Descriptor* root;  // the resource message: metadata, spec, status
  std::string description;
  struct {
    std::string group, kind, plural, short_name;
  } names;
  std::vector<Column> columns;  // the reference's, in its order; Age follows
};

Json Crd(const CrdOptions& o) {
  Json schema = {{"type", "object"},
                 {"description", o.description},
                 {"properties",
                  {{"apiVersion", {{"type", "string"}}},
                   {"kind", {{"type", "string"}}},
                   {"metadata", {{"type", "object"}}},
                   {"spec", MessageSchema(o.root->FindFieldByName("spec")->message_type())},
                   {"status", MessageSchema(o.root->FindFieldByName("status")->message_type())}}}};
  Json columns = Json::array();
  for (const Column& c : o.columns) columns.push_back({{"name", c.name}, {"type", c.type}, {"jsonPath", c.path}});
  columns.push_back({{"name", "Age"}, {"type", "date"}, {"jsonPath", ".metadata.creationTimestamp"}});
  const auto& n = o.names;
  std::string singular = n.kind;
  for (char& c : singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return {
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", {{"name", n.plural + "." + n.group}}},
      {"spec",
       {{"group", n.group},
        {"scope", "Namespaced"},
        {"names",
         {{"kind", n.kind},
          {"listKind", n.kind + "List"},
          {"plural", n.plural},
          {"singular", singular},
          {"shortNames", Json::array({n.short_name})}}},
        {"versions",
         Json::array({{{"name", "v1"},
                       {"served", true},
                       {"storage", true},
                       {"subresources", {{"status", Json::object()}}},
                       {"additionalPrinterColumns", columns},
                       {"schema", {{"openAPIV3Schema", schema}}}}})}}}};
}

}  // namespace

Json DorisClusterCrd() {
  return Crd({.root = model::v1::DorisCluster::descriptor(),
              .description = "DorisCluster describes an Apache Doris cluster run by the doris-operator.",
              .names = {"doris.selectdb.com", "DorisCluster", "dorisclusters", "dcr"},
              .columns = {{"FeStatus", ".status.feStatus.componentCondition.phase"},
                          {"BeStatus", ".status.beStatus.componentCondition.phase"},
                          {"CnStatus", ".status.cnStatus.componentCondition.phase"},
                          {"BrokerStatus", ".status.brokerStatus.componentCondition.phase"}}});
}

Json DorisDisaggregatedClusterCrd() {
  return Crd({.root = model::disaggregated::v1::DorisDisaggregatedCluster::descriptor(),
              .description = "DorisDisaggregatedCluster describes an Apache Doris cluster in compute-storage "
                             "decoupled mode (meta service, FE, compute groups) run by the doris-operator.",
              .names = {"disaggregated.cluster.doris.com", "DorisDisaggregatedCluster",
                        "dorisdisaggregatedclusters", "ddc"},
              .columns = {{"ClusterHealth", ".status.clusterHealth.health"},
                          {"MSPhase", ".status.metaServiceStatus.phase"},
                          {"FEPhase", ".status.feStatus.phase"},
                          {"CGCount", ".status.clusterHealth.cgCount", "integer"},
                          {"CGAvailableCount", ".status.clusterHealth.cgAvailableCount", "integer"},
                          {"CGFullAvailableCount", ".status.clusterHealth.cgFullAvailableCount", "integer"}}});
}

}  // namespace doris_operator::crdgen
