#include "tools/crdgen/crd_schema.h"

#include <set>
#include <string>

#include "google/protobuf/descriptor.h"
#include "proto/doris_cluster.pb.h"

namespace doris_operator::crdgen {

namespace {

namespace pb = google::protobuf;
using Json = nlohmann::json;

// Kubernetes types kept as RawJson that are lists; the rest are objects.
const std::set<std::string>& RawArrays() {
  static const auto* const kArrays = new std::set<std::string>{
      "envVars", "tolerations", "hostAliases", "imagePullSecrets", "claims", "metrics"};
  return *kArrays;
}

Json RawSchema(const std::string& json_name) {
  if (RawArrays().count(json_name)) {
    return {{"type", "array"},
            {"items", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}};
  }
  if (json_name == "requests" || json_name == "limits") {
    // corev1.ResourceList: quantities, integers or strings.
    return {{"type", "object"},
            {"additionalProperties",
             {{"anyOf", Json::array({{{"type", "integer"}}, {{"type", "string"}}})},
              {"x-kubernetes-int-or-string", true}}}};
  }
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
                         "initializing", "upgrading", "scaling", "restarting"});
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
