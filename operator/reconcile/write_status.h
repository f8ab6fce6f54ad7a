#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_WRITE_STATUS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_WRITE_STATUS_H_

// Status, the pipeline's last step: the DorisCluster's status computed (by
// status.h, purely) from the pods and what the run decided and did, written
// as a merge patch only when it changed; and whether the cluster converged.

#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

// Computes and writes the status (phases, conditions, Synced and
// observedGeneration); sets run.cluster's status to what was written.
void WriteStatus(Run& run);

// An invalid spec: Ready=False with reason InvalidSpec and a Warning Event,
// once per message and generation.
void ReportInvalidSpec(Run& run, const std::string& message);

// The JSON merge patch (RFC 7386) that turns `from` into `to`: removed keys
// become null, so a status field that went away goes away on the server too.
nlohmann::json MergePatchBetween(const nlohmann::json& from, const nlohmann::json& to);

// Writes `status` (a JSON merge patch of the status) to the reconciled
// resource's status subresource, counting the write.
absl::Status PatchClusterStatus(Run& run, const nlohmann::json& status);

// Every component available and nothing under way (a removal waiting on
// Doris): no need to look again without new events.
bool Converged(const Run& run);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_WRITE_STATUS_H_
