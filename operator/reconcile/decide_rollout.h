#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_ROLLOUT_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_ROLLOUT_H_

// Decide, rolling changes: compares the desired pod templates with the live
// StatefulSets, asks Doris whether restarted nodes serve again, and lets the
// pure rollout planner (rollout.h) choose each StatefulSet's partition: FE
// first, one pod at a time.

#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "operator/reconcile/rollout.h"
#include "operator/reconcile/run.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

// Sets the partitions (translator inputs and record) and the components'
// upgrading state. True when a partition was chosen: translate again.
bool DecideRollout(Run& run, const translator::DesiredSet& desired);

// The rollout view of one StatefulSet: `live` (nullopt: not created yet) and
// its pods against `desired_sts` (null: not desired), with `replicas` wanted
// pods. Pods are Doris-alive when Ready until the caller asks Doris. Shared
// by the DorisCluster and ddc rollouts.
ComponentView ObserveRollout(const std::optional<nlohmann::json>& live, const std::vector<nlohmann::json>& pods,
                             const nlohmann::json* desired_sts, const std::string& sts_name, int replicas);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_ROLLOUT_H_
