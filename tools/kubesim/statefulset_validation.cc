#include "tools/kubesim/statefulset_validation.h"

#include "tools/kubesim/invalid_error.h"

namespace doris_operator::kubesim {

std::optional<ApiError> ValidateStatefulSetUpdate(const ResourceType& t, const Json& old, const Json& next) {
  auto rest = [](const Json& obj) {
    Json spec = obj.contains("spec") && obj["spec"].is_object() ? obj["spec"] : Json::object();
    for (const char* mutable_field : {"replicas", "ordinals", "template", "updateStrategy",
                                      "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
      spec.erase(mutable_field);
    }
    return spec;
  };
  if (rest(old) == rest(next)) return std::nullopt;
  const std::string name =
      next.contains("metadata") && next["metadata"].is_object() ? next["metadata"].value("name", "") : "";
  return InvalidError(t, name,
                      {{"FieldValueForbidden", "spec",
                        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                        "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                        "'minReadySeconds' are forbidden"}});
}

}  // namespace doris_operator::kubesim
