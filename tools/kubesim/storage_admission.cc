#include "tools/kubesim/storage_admission.h"

#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/kubesim/invalid_error.h"
#include "tools/kubesim/quantity.h"

namespace doris_operator::kubesim {

namespace {

constexpr char kDefaultClass[] = "storageclass.kubernetes.io/is-default-class";
constexpr char kBetaDefaultClass[] = "storageclass.beta.kubernetes.io/is-default-class";
constexpr char kBetaClassAnnotation[] = "volume.beta.kubernetes.io/storage-class";

const Json& At(const Json& obj, std::initializer_list<const char*> path) {
  static const Json kNull;
  const Json* cur = &obj;
  for (const char* k : path) {
    if (!cur->is_object() || !cur->contains(k)) return kNull;
    cur = &(*cur)[k];
  }
  return *cur;
}

std::string StringAt(const Json& obj, std::initializer_list<const char*> path) {
  const Json& v = At(obj, path);
  return v.is_string() ? v.get<std::string>() : "";
}

// storage/util.GetDefaultClass: the classes marked default (GA or beta
// annotation); of several, the newest, then the first by name.
std::optional<std::string> DefaultClass(const ObjectStore& store) {
  std::optional<ResourceType> t = store.Find("storage.k8s.io", "v1", "storageclasses");
  if (!t) return std::nullopt;
  std::optional<std::pair<std::string, std::string>> best;  // creationTimestamp, name
  for (const Json& sc : store.List(*t, "", "", "", 0, "").items) {
    if (StringAt(sc, {"metadata", "annotations", kDefaultClass}) != "true" &&
        StringAt(sc, {"metadata", "annotations", kBetaDefaultClass}) != "true") {
      continue;
    }
    const std::pair<std::string, std::string> key = {StringAt(sc, {"metadata", "creationTimestamp"}),
                                                     StringAt(sc, {"metadata", "name"})};
    if (!best || key.first > best->first || (key.first == best->first && key.second < best->second)) {
      best = key;
    }
  }
  if (!best) return std::nullopt;
  return best->second;
}

std::optional<ApiError> StorageClassUpdate(const ResourceType& t, const Json& old, const Json& obj) {
  std::vector<FieldError> errors;
  if (At(old, {"parameters"}) != At(obj, {"parameters"})) {
    errors.push_back({"FieldValueForbidden", "parameters", "Forbidden: updates to parameters are forbidden."});
  }
  if (At(old, {"provisioner"}) != At(obj, {"provisioner"})) {
    errors.push_back({"FieldValueForbidden", "provisioner", "Forbidden: updates to provisioner are forbidden."});
  }
  if (At(old, {"reclaimPolicy"}) != At(obj, {"reclaimPolicy"})) {
    errors.push_back(
        {"FieldValueForbidden", "reclaimPolicy", "Forbidden: updates to reclaimPolicy are forbidden."});
  }
  if (At(old, {"volumeBindingMode"}) != At(obj, {"volumeBindingMode"})) {
    errors.push_back({"FieldValueInvalid", "volumeBindingMode",
                      absl::StrCat("Invalid value: ", At(obj, {"volumeBindingMode"}).dump(),
                                   ": field is immutable")});
  }
  if (errors.empty()) return std::nullopt;
  return InvalidError(t, obj, errors);
}

ApiError Forbidden(const ResourceType& t, const Json& obj, const std::string& why) {
  const std::string name = StringAt(obj, {"metadata", "name"});
  ApiError err{403, "Forbidden", absl::StrCat(t.resource, " \"", name, "\" is forbidden: ", why)};
  err.details = {{"name", name}, {"kind", t.resource}};
  return err;
}

// ValidatePersistentVolumeClaimUpdate (spec part), then the
// PersistentVolumeClaimResize admission plugin, which runs after validation.
std::optional<ApiError> ClaimUpdate(const ObjectStore& store, const ResourceType& t, const Json& old,
                                    const Json& obj) {
  std::vector<FieldError> errors;
  Json old_spec = At(old, {"spec"}).is_object() ? At(old, {"spec"}) : Json::object();
  Json new_spec = At(obj, {"spec"}).is_object() ? At(obj, {"spec"}) : Json::object();
  // volumeName may be set once (the binder does it).
  if (StringAt(old_spec, {"volumeName"}).empty()) {
    if (new_spec.contains("volumeName")) {
      old_spec["volumeName"] = new_spec["volumeName"];
    } else {
      old_spec.erase("volumeName");
    }
  }
  // storageClassName may go from unset to a value (validateStorageClassUpgradeFromNil).
  const std::string beta = StringAt(old, {"metadata", "annotations", kBetaClassAnnotation});
  if (!old_spec.contains("storageClassName") && new_spec.contains("storageClassName") &&
      new_spec["storageClassName"].is_string() &&
      (beta.empty() || beta == new_spec["storageClassName"].get<std::string>())) {
    old_spec["storageClassName"] = new_spec["storageClassName"];
  }
  // The stored status counts (a main-resource write cannot change it): a
  // bound claim may change its storage request.
  const bool bound = StringAt(old, {"status", "phase"}) == "Bound";
  const Json old_size = At(old_spec, {"resources", "requests", "storage"});
  const Json new_size = At(new_spec, {"resources", "requests", "storage"});
  Json compared = new_spec;
  if (bound && compared.contains("resources") && compared["resources"].is_object() &&
      compared["resources"].contains("requests") && compared["resources"]["requests"].is_object()) {
    if (old_size.is_null()) {
      compared["resources"]["requests"].erase("storage");
    } else {
      compared["resources"]["requests"]["storage"] = old_size;
    }
  }
  compared.erase("volumeAttributesClassName");
  old_spec.erase("volumeAttributesClassName");
  if (compared != old_spec) {
    errors.push_back({"FieldValueForbidden", "spec",
                      "Forbidden: spec is immutable after creation except resources.requests and "
                      "volumeAttributesClassName for bound claims"});
  }
  absl::StatusOr<int> grow = CompareQuantities(new_size, old_size);
  if (grow.ok() && *grow < 0) {
    // RecoverVolumeExpansionFailure (beta, on by default since 1.32): a
    // request may go back down, but never to the capacity already there.
    absl::StatusOr<int> vs_capacity = CompareQuantities(new_size, At(old, {"status", "capacity", "storage"}));
    if (vs_capacity.ok() && *vs_capacity <= 0) {
      errors.push_back({"FieldValueForbidden", "spec.resources.requests.storage",
                        "Forbidden: field can not be less than status.capacity"});
    }
  }
  if (!errors.empty()) return InvalidError(t, obj, errors);
  if (!grow.ok() || *grow <= 0) return std::nullopt;
  if (!bound) return Forbidden(t, obj, "Only bound persistent volume claims can be expanded");
  const std::string cls = StringAt(obj, {"spec", "storageClassName"});
  bool allowed = !cls.empty() && cls == StringAt(old, {"spec", "storageClassName"});
  if (allowed) {
    std::optional<ResourceType> sc_type = store.Find("storage.k8s.io", "v1", "storageclasses");
    auto sc = sc_type ? store.Get(*sc_type, "", cls) : std::variant<Json, ApiError>(ApiError{404, "NotFound", ""});
    const Json* class_obj = std::get_if<Json>(&sc);
    allowed = class_obj != nullptr && At(*class_obj, {"allowVolumeExpansion"}) == Json(true);
  }
  if (!allowed) {
    return Forbidden(t, obj,
                     "only dynamically provisioned pvc can be resized and the storageclass that provisions "
                     "the pvc must support resize");
  }
  return std::nullopt;
}

}  // namespace

void StorageClassDefaults(Json& obj) {
  if (!obj.is_object()) return;
  if (!obj.contains("reclaimPolicy") || obj["reclaimPolicy"].is_null()) obj["reclaimPolicy"] = "Delete";
  if (!obj.contains("volumeBindingMode") || obj["volumeBindingMode"].is_null()) {
    obj["volumeBindingMode"] = "Immediate";
  }
}

std::optional<ApiError> AdmitStorage(const ObjectStore& store, const ResourceType& t, const Json* old, Json& obj) {
  if (t.group == "storage.k8s.io" && t.resource == "storageclasses") {
    return old == nullptr ? std::nullopt : StorageClassUpdate(t, *old, obj);
  }
  if (!t.group.empty() || t.resource != "persistentvolumeclaims") return std::nullopt;
  if (old != nullptr) return ClaimUpdate(store, t, *old, obj);
  // DefaultStorageClass: only a claim that names no class (not even "")
  // and has no beta class annotation.
  if (!obj.contains("spec") || !obj["spec"].is_object()) return std::nullopt;
  if (obj["spec"].contains("storageClassName") && !obj["spec"]["storageClassName"].is_null()) return std::nullopt;
  if (!StringAt(obj, {"metadata", "annotations", kBetaClassAnnotation}).empty()) return std::nullopt;
  if (std::optional<std::string> cls = DefaultClass(store)) obj["spec"]["storageClassName"] = *cls;
  return std::nullopt;
}

}  // namespace doris_operator::kubesim
