#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_INPUTS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_INPUTS_H_

// What the translator is given for one DorisCluster, derived purely from the
// cluster's folded objects. The reconciler and the admin API's Replay both use
// this, so a replay cannot disagree with what a reconcile computed.

#include <set>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "proto/doris_cluster.pb.h"
#include "proto/log.pb.h"
#include "store/state.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

struct ClusterInputs {
  // False when the DorisCluster object is not among the objects (deleted or
  // not seen yet); nothing else is set then.
  bool present = false;
  nlohmann::json cluster_json;
  model::v1::DorisCluster cluster;
  // Parse and validation problems ("path: message"); non-empty = invalid spec.
  std::vector<std::string> problems;
  std::set<std::string> config_maps;          // referenced by the spec
  std::set<std::string> missing_config_maps;  // referenced, not among the objects
  translator::TranslateInputs inputs;
};

// sha256 hex over the objects' identities and bytes, as ReconcileRecord's
// input_state_hash.
std::string InputStateHash(const store::ClusterObjects& objects);

ClusterInputs InputsFromObjects(const store::ClusterKey& cluster,
                                const store::ClusterObjects& objects);

// Adds a ConfigMap's `data` (string values) under `name`.
void AddConfigMapData(const std::string& name, const nlohmann::json& data,
                      translator::TranslateInputs* inputs);

// What the reconcile decided besides the folded objects, as recorded: the
// replicas the membership step chose instead of the spec's, the rollout's
// partitions and config-change restart stamps.
void ApplyRecordedDecisions(const log::v1::ReconcileRecord& record,
                            model::v1::DorisCluster* cluster,
                            translator::TranslateInputs* inputs);

// Per-object hashes of a translator output, for ReconcileRecord.
void RecordDesiredObjects(const translator::DesiredSet& desired,
                          log::v1::ReconcileRecord* record);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_INPUTS_H_
