#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_INPUTS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_INPUTS_H_

// What the translator is given for one DorisDisaggregatedCluster (ddc),
// derived purely from its folded objects: the reconciler and the admin API's
// Replay and Drift all use this, so a replay cannot disagree with what a
// reconcile computed (inputs.h is the DorisCluster's counterpart).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "proto/doris_disaggregated_cluster.pb.h"
#include "proto/log.pb.h"
#include "store/state.h"
#include "translator/disaggregated/translator.h"

namespace doris_operator::reconcile {

inline constexpr char kDisaggregatedKind[] = "DorisDisaggregatedCluster";

struct DisaggregatedInputs {
  // False when the ddc object is not among the objects (deleted or not seen
  // yet); nothing else is set then.
  bool present = false;
  nlohmann::json cluster_json;
  model::disaggregated::v1::DorisDisaggregatedCluster ddc;
  // Parse and validation problems ("path: message"); non-empty = invalid.
  std::vector<std::string> problems;
  std::set<std::string> config_maps;          // the spec's configMaps (its namespace)
  std::set<std::string> missing_config_maps;  // named, not among the objects
  // metaService.fdb.configMapNamespaceName when no fdb.address wins: the
  // ConfigMap whose `cluster-file` the translator reads (any namespace).
  std::optional<store::ObjectId> fdb_config_map;
  bool fdb_config_map_missing = false;  // named, not among the objects
  translator::disaggregated::TranslateInputs inputs;
};

DisaggregatedInputs DisaggregatedInputsFromObjects(const store::ClusterKey& cluster,
                                                   const store::ClusterObjects& objects);

// Adds what a ConfigMap read later (fetched and logged by the reconcile, or
// found after its trigger range by a replay) holds: a named ConfigMap's data
// or the FDB cluster file. `id` is the ConfigMap's identity.
void AddDisaggregatedConfigMap(const store::ObjectId& id, const nlohmann::json& config_map,
                               DisaggregatedInputs* in);

// What the reconcile decided besides the folded objects, as recorded: the
// replicas a compute group keeps while its backends drain (component
// "cg/<uniqueId>") and rollout partitions (component: a StatefulSet name).
void ApplyRecordedDisaggregatedDecisions(const log::v1::ReconcileRecord& record,
                                         DisaggregatedInputs* in);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_INPUTS_H_
