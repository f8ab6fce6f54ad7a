#ifndef DORIS_OPERATOR_OPERATOR_ADMIN_DRIFT_H_
#define DORIS_OPERATOR_OPERATOR_ADMIN_DRIFT_H_

// Drift: live objects against what the translator produces now, per object
// and field, each difference classified. Live objects come through an
// interface so the comparison is testable without an API server.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "proto/admin.pb.h"
#include "translator/translator.h"

namespace doris_operator::admin {

class LiveObjectSource {
 public:
  virtual ~LiveObjectSource() = default;
  // The live object; nullopt when it does not exist.
  virtual absl::StatusOr<std::optional<nlohmann::json>> Get(const std::string& api_version,
                                                            const std::string& kind,
                                                            const std::string& ns,
                                                            const std::string& name) = 0;
};

struct DriftCandidate {
  std::string api_version;
  std::string kind;
  std::string name;
};

// Compares `desired` with the live objects; `known` are objects the log files
// under the cluster (of kinds the translator makes) that, when live but not
// desired, are reported EXTRA.
absl::StatusOr<std::vector<v1::FieldDrift>> ComputeDrift(
    const std::string& ns, const translator::DesiredSet& desired,
    const std::vector<DriftCandidate>& known, LiveObjectSource& live);

}  // namespace doris_operator::admin

#endif  // DORIS_OPERATOR_OPERATOR_ADMIN_DRIFT_H_
