#ifndef DORIS_OPERATOR_OPERATOR_ADMIN_KUBE_LIVE_H_
#define DORIS_OPERATOR_OPERATOR_ADMIN_KUBE_LIVE_H_

// Drift's live objects from the API server, through the operator's client.

#include "operator/admin/drift.h"
#include "operator/kube/client.h"

namespace doris_operator::admin {

class KubeLiveSource : public LiveObjectSource {
 public:
  explicit KubeLiveSource(kube::Client* client) : client_(client) {}
  absl::StatusOr<std::optional<nlohmann::json>> Get(const std::string& api_version,
                                                    const std::string& kind, const std::string& ns,
                                                    const std::string& name) override;

 private:
  kube::Client* const client_;
};

}  // namespace doris_operator::admin

#endif  // DORIS_OPERATOR_OPERATOR_ADMIN_KUBE_LIVE_H_
