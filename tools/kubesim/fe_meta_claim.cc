#include "tools/kubesim/fe_meta_claim.h"

#include <optional>
#include <variant>

#include "absl/strings/str_replace.h"

namespace doris_operator::kubesim {

std::string FeMetaDir(const std::map<std::string, std::string>& fe_conf) {
  auto it = fe_conf.find("meta_dir");
  if (it == fe_conf.end() || it->second.empty()) return kDefaultFeMetaDir;
  std::string dir = absl::StrReplaceAll(it->second, {{"${DORIS_HOME}", "/opt/apache-doris/fe"},
                                                     {"$DORIS_HOME", "/opt/apache-doris/fe"}});
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

std::string FeMetaClaimUid(const ObjectStore& store, const Json& pod, const std::string& meta_dir) {
  const Json spec = pod.value("spec", Json::object());
  if (!spec.contains("containers") || spec["containers"].empty()) return "";
  std::string volume;
  for (const Json& m : spec["containers"][0].value("volumeMounts", Json::array())) {
    std::string path = m.value("mountPath", "");
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path == meta_dir) volume = m.value("name", "");
  }
  if (volume.empty()) return "";
  std::string claim;
  for (const Json& v : spec.value("volumes", Json::array())) {
    if (v.value("name", "") == volume && v.contains("persistentVolumeClaim")) {
      claim = v["persistentVolumeClaim"].value("claimName", "");
    }
  }
  const std::optional<ResourceType> pvc_type = store.Find("", "v1", "persistentvolumeclaims");
  if (claim.empty() || !pvc_type) return "";
  auto got = store.Get(*pvc_type, pod["metadata"].value("namespace", ""), claim);
  const Json* pvc = std::get_if<Json>(&got);
  return pvc == nullptr ? "" : (*pvc)["metadata"].value("uid", "");
}

}  // namespace doris_operator::kubesim
