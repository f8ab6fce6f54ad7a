#include "tools/kubesim/field_shapes.h"

#include <algorithm>
#include <set>

namespace doris_operator::kubesim {

namespace {

// Built-in kinds, from the OpenAPI extensions of k8s.io/api (the API server
// builds its structured-merge-diff schema from them): maps whose keys are
// data, LabelSelectors and Service selectors that are atomic
// (x-kubernetes-map-type: atomic), and lists that merge by keys.
const std::set<std::string>& GranularMaps() {
  static const auto* m = new std::set<std::string>{
      "labels",   "annotations", "data",      "binaryData", "stringData", "nodeSelector",
      "limits",   "requests",    "capacity",  "allocatable", "hard",      "used",
      "overhead", "parameters",  "matchLabels"};
  return *m;
}

const std::set<std::string>& AtomicObjects() {
  static const auto* s = new std::set<std::string>{"selector", "labelSelector", "namespaceSelector"};
  return *s;
}

bool InContainer(const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (n == "containers" || n == "initContainers" || n == "ephemeralContainers") return true;
  }
  return false;
}

std::vector<std::string> BuiltInListKeys(const std::string& kind, const std::vector<std::string>& names) {
  if (names.empty()) return {};
  const std::string& n = names.back();
  if (n == "containers" || n == "initContainers" || n == "ephemeralContainers" || n == "env" ||
      n == "volumes" || n == "imagePullSecrets" || n == "resourceClaims") {
    return {"name"};
  }
  if (n == "ports") {
    if (InContainer(names)) return {"containerPort", "protocol"};
    if (kind == "Service" && names.size() == 2 && names[0] == "spec") return {"port", "protocol"};
    return {};
  }
  if (n == "volumeMounts") return {"mountPath"};
  if (n == "volumeDevices") return {"devicePath"};
  if (n == "hostAliases") return {"ip"};
  if (n == "ownerReferences") return {"uid"};
  if (n == "topologySpreadConstraints") return {"topologyKey", "whenUnsatisfiable"};
  if (n == "conditions") return {"type"};
  return {};
}

const Json* Child(const Json* schema, const char* key) {
  if (schema == nullptr || !schema->is_object() || !schema->contains(key)) return nullptr;
  return &(*schema)[key];
}

}  // namespace

FieldType FieldType::Root(const ResourceType& t) {
  FieldType r;
  r.kind_ = t.kind;
  r.schema_ = t.schema.get();
  r.custom_ = t.schema != nullptr;
  return r;
}

FieldType FieldType::Field(const std::string& name) const {
  FieldType c = *this;
  c.names_.push_back(name);
  if (!custom_) return c;
  if (names_.empty() && name == "metadata") {
    // ObjectMeta is the same for every kind.
    c.custom_ = false;
    c.schema_ = nullptr;
    return c;
  }
  const Json* props = Child(schema_, "properties");
  if (props != nullptr && props->is_object() && props->contains(name)) {
    c.schema_ = &(*props)[name];
  } else if (const Json* ap = Child(schema_, "additionalProperties"); ap != nullptr && ap->is_object()) {
    c.schema_ = ap;
  } else {
    c.schema_ = nullptr;  // unknown or preserved: typed by its value
  }
  return c;
}

FieldType FieldType::Item() const {
  FieldType c = *this;
  if (custom_) c.schema_ = Child(schema_, "items");
  return c;
}

ObjectShape FieldType::object_shape() const {
  if (!custom_) {
    if (names_.empty()) return ObjectShape::kStruct;
    if (GranularMaps().count(names_.back())) return ObjectShape::kMap;
    if (AtomicObjects().count(names_.back())) return ObjectShape::kAtomic;
    return ObjectShape::kStruct;
  }
  if (names_.empty()) return ObjectShape::kStruct;
  if (schema_ == nullptr) return ObjectShape::kMap;  // deduced: every key is data
  if (schema_->value("x-kubernetes-map-type", "") == "atomic") return ObjectShape::kAtomic;
  if (schema_->contains("properties") || schema_->value("x-kubernetes-embedded-resource", false)) {
    return ObjectShape::kStruct;
  }
  if (schema_->contains("additionalProperties") || schema_->value("x-kubernetes-preserve-unknown-fields", false)) {
    return ObjectShape::kMap;
  }
  return ObjectShape::kStruct;
}

ListShape FieldType::list_shape() const {
  if (!custom_) {
    if (!names_.empty() && names_.back() == "finalizers") return ListShape::kSet;
    return list_keys().empty() ? ListShape::kAtomic : ListShape::kAssociative;
  }
  if (schema_ == nullptr) return ListShape::kAtomic;
  const std::string type = schema_->value("x-kubernetes-list-type", "atomic");
  if (type == "set") return ListShape::kSet;
  if (type == "map" && !list_keys().empty()) return ListShape::kAssociative;
  return ListShape::kAtomic;
}

std::vector<std::string> FieldType::list_keys() const {
  if (!custom_) return BuiltInListKeys(kind_, names_);
  std::vector<std::string> keys;
  if (const Json* k = Child(schema_, "x-kubernetes-list-map-keys"); k != nullptr && k->is_array()) {
    for (const Json& key : *k) {
      if (key.is_string()) keys.push_back(key.get<std::string>());
    }
  }
  return keys;
}

std::string FieldType::patch_merge_key() const {
  if (custom_) return "";  // strategic merge patch is not served for custom resources
  const std::vector<std::string> keys = BuiltInListKeys(kind_, names_);
  return keys.empty() ? "" : keys.front();
}

Json FieldType::key_default(const std::string& key) const {
  if (!custom_) return key == "protocol" ? Json("TCP") : Json();
  const Json* props = Child(Child(schema_, "items"), "properties");
  const Json* prop = props != nullptr && props->contains(key) ? &(*props)[key] : nullptr;
  return prop != nullptr && prop->contains("default") ? (*prop)["default"] : Json();
}

}  // namespace doris_operator::kubesim
