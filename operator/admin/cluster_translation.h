#ifndef DORIS_OPERATOR_OPERATOR_ADMIN_CLUSTER_TRANSLATION_H_
#define DORIS_OPERATOR_OPERATOR_ADMIN_CLUSTER_TRANSLATION_H_

// What the translator makes of one cluster's folded objects, for Replay and
// Drift, whatever the cluster's kind: a DorisCluster through
// reconcile/inputs.h, a DorisDisaggregatedCluster through
// reconcile/ddc_inputs.h, the same code the reconcilers give the translator.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/log.pb.h"
#include "store/state.h"
#include "translator/translator.h"

namespace doris_operator::admin {

struct ClusterTranslation {
  // False when the cluster object is not among the objects.
  bool present = false;
  // Parse and validation problems; non-empty: nothing was translated.
  std::vector<std::string> problems;
  // ConfigMaps the spec names that the objects do not hold (defaults used).
  std::vector<std::string> missing_config_maps;
  // Set when present and without problems.
  absl::StatusOr<translator::DesiredSet> desired = absl::FailedPreconditionError("not translated");
};

struct TranslationOptions {
  // The reconcile whose decisions (replicas held, partitions, restart
  // stamps) the translator is given; null: the spec's alone.
  const log::v1::ReconcileRecord* recorded = nullptr;
  // The cluster's objects just before that reconcile's record: where the
  // ConfigMaps it fetched and logged (none of its watches had them yet) are.
  // Called only when the objects lack a ConfigMap the spec names.
  std::function<absl::StatusOr<store::ClusterObjects>()> fetched_by_reconcile;
};

ClusterTranslation TranslateCluster(const store::ClusterKey& key, const store::ClusterObjects& objects,
                                    const TranslationOptions& options = {});

}  // namespace doris_operator::admin

#endif  // DORIS_OPERATOR_OPERATOR_ADMIN_CLUSTER_TRANSLATION_H_
