#include "tools/kubesim/pod_references.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace doris_operator::kubesim {

namespace {

using Json = nlohmann::json;

// The kubelet's Secret and ConfigMap managers answer a missing object with
// apierrors.NewNotFound of their group resource, corev1.Resource("secret")
// or corev1.Resource("configmap") (pkg/kubelet/secret/secret_manager.go,
// pkg/kubelet/configmap/configmap_manager.go).
std::string NotFound(const std::string& kind, const std::string& name) {
  return absl::StrCat(kind == "Secret" ? "secret" : "configmap", " \"", name, "\" not found");
}

bool Optional(const Json& ref) { return ref.is_object() && ref.value("optional", false); }

// Whether `object` (a Secret or a ConfigMap) holds `key` in `field`.
// stringData is merged into a Secret's data on write.
bool HasKey(const Json& object, const char* field, const std::string& key) {
  return object.contains(field) && object[field].is_object() && object[field].contains(key);
}

// One object per name for a whole container, as makeEnvironmentVariables
// keeps its configMaps/secrets maps.
class Objects {
 public:
  explicit Objects(const PodObjectLookup& lookup) : lookup_(lookup) {}
  const std::optional<Json>& Get(const std::string& kind, const std::string& name) {
    auto [it, inserted] = cache_.try_emplace(absl::StrCat(kind, "/", name));
    if (inserted) it->second = lookup_(kind, name);
    return it->second;
  }

 private:
  const PodObjectLookup& lookup_;
  std::map<std::string, std::optional<Json>> cache_;
};

}  // namespace

std::vector<UnmountableVolume> UnmountableVolumes(const Json& pod_spec, const PodObjectLookup& lookup) {
  std::vector<UnmountableVolume> out;
  if (!pod_spec.is_object() || !pod_spec.contains("volumes") || !pod_spec["volumes"].is_array()) return out;
  for (const Json& v : pod_spec["volumes"]) {
    if (!v.is_object()) continue;
    const bool secret = v.contains("secret");
    if (!secret && !v.contains("configMap")) continue;
    const Json& source = v[secret ? "secret" : "configMap"];
    if (!source.is_object()) continue;
    const std::string kind = secret ? "Secret" : "ConfigMap";
    const std::string name = source.value(secret ? "secretName" : "name", "");
    const bool optional = Optional(source);
    const std::optional<Json> object = lookup(kind, name);
    // SetUpAt: a missing object fails the mount unless optional (then the
    // volume is empty).
    if (!object && !optional) {
      out.push_back({v.value("name", ""), NotFound(kind, name)});
      continue;
    }
    // MakePayload: each key `items` names must exist unless optional.
    const Json items = source.value("items", Json::array());
    for (const Json& item : items.is_array() ? items : Json::array()) {
      if (!item.is_object()) continue;
      const std::string key = item.value("key", "");
      // A ConfigMap's file may come from data or binaryData.
      if (optional || (object && (HasKey(*object, "data", key) || (!secret && HasKey(*object, "binaryData", key))))) {
        continue;
      }
      out.push_back({v.value("name", ""), secret ? absl::StrCat("references non-existent secret key: ", key)
                                                 : absl::StrCat("configmap references non-existent config key: ", key)});
      break;
    }
  }
  return out;
}

std::string ContainerConfigError(const Json& container, const std::string& ns, const PodObjectLookup& lookup) {
  if (!container.is_object()) return "";
  Objects objects(lookup);
  const Json env_from = container.value("envFrom", Json::array());
  for (const Json& from : env_from.is_array() ? env_from : Json::array()) {
    if (!from.is_object()) continue;
    for (const auto& [field, kind] : {std::pair{"configMapRef", "ConfigMap"}, std::pair{"secretRef", "Secret"}}) {
      if (!from.contains(field) || !from[field].is_object()) continue;
      const std::string name = from[field].value("name", "");
      if (!objects.Get(kind, name) && !Optional(from[field])) return NotFound(kind, name);
    }
  }
  const Json envs = container.value("env", Json::array());
  for (const Json& env : envs.is_array() ? envs : Json::array()) {
    // A literal value wins over valueFrom, which is then not resolved.
    if (!env.is_object() || !env.contains("valueFrom") ||
        (env.contains("value") && env["value"].is_string() && !env["value"].get<std::string>().empty())) {
      continue;
    }
    for (const auto& [field, kind] :
         {std::pair{"configMapKeyRef", "ConfigMap"}, std::pair{"secretKeyRef", "Secret"}}) {
      if (!env["valueFrom"].is_object() || !env["valueFrom"].contains(field) ||
          !env["valueFrom"][field].is_object()) {
        continue;
      }
      const Json& ref = env["valueFrom"][field];
      const std::string name = ref.value("name", "");
      const std::string key = ref.value("key", "");
      const std::optional<Json>& object = objects.Get(kind, name);
      if (Optional(ref)) continue;
      if (!object) return NotFound(kind, name);
      // Only data: makeEnvironmentVariables reads configMap.Data[key], never binaryData.
      if (!HasKey(*object, "data", key)) return absl::StrCat("couldn't find key ", key, " in ", kind, " ", ns, "/", name);
    }
  }
  return "";
}

}  // namespace doris_operator::kubesim
