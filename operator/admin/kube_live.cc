#include "operator/admin/kube_live.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::admin {

absl::StatusOr<std::optional<nlohmann::json>> KubeLiveSource::Get(const std::string& api_version,
                                                                  const std::string& kind,
                                                                  const std::string& ns,
                                                                  const std::string& name) {
  const std::string resource = kube::ResourceFor(kind);
  if (resource.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("drift: no REST resource known for ", kind));
  }
  absl::StatusOr<nlohmann::json> got =
      client_->Get(kube::ObjectPath(api_version, ns, resource, name));
  if (absl::IsNotFound(got.status())) return std::optional<nlohmann::json>();
  if (!got.ok()) return got.status();
  // A Secret's data never reaches a drift report (desired Secrets have none).
  if (kind == "Secret" && got->is_object()) {
    got->erase("data");
    got->erase("stringData");
  }
  return std::optional<nlohmann::json>(*std::move(got));
}

}  // namespace doris_operator::admin
