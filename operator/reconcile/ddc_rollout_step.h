#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_ROLLOUT_STEP_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_ROLLOUT_STEP_H_

// The rollout step of a ddc reconcile (ddc_reconcile.cc): observes the meta
// service's, FE's and groups' StatefulSets and pods and, for FE and the
// groups, whether the FE lists each pod's node alive; lets ddc_rollout.h
// decide; records the partitions and held templates in the ReconcileRecord
// and hands the partitions to the translator.

#include <map>
#include <set>
#include <string>

#include "operator/reconcile/ddc_decide.h"
#include "operator/reconcile/ddc_rollout.h"
#include "operator/reconcile/diff.h"
#include "operator/reconcile/run.h"
#include "proto/doris_disaggregated_cluster.pb.h"
#include "translator/disaggregated/translator.h"

namespace doris_operator::reconcile {

struct DdcRollout {
  ddc::RolloutDecision decision;
  // StatefulSets whose write waits for the parts before them.
  std::set<std::string> held;
  // For status, by part: "ms", "fe" and each group's StatefulSet name.
  std::map<std::string, ddc::RolloutView> views;
};

// `ddc` is the ddc as translated (replica overrides applied) and `desired`
// its translation; `leaving_from` names, by StatefulSet, the first ordinal
// a scale-in under way removes (those pods are never restarted by a
// rollout). Sets inputs->partitions and the record's partitions and held
// templates. Translate again when a partition is not 0.
DdcRollout DecideDdcRollout(Run& run, const model::disaggregated::v1::DorisDisaggregatedCluster& ddc,
                            const translator::DesiredSet& desired, const std::map<std::string, int>& leaving_from,
                            translator::disaggregated::TranslateInputs* inputs);

// Leaves out the planned writes of held StatefulSets.
void HoldTemplates(const DdcRollout& rollout, DiffResult* diff);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_ROLLOUT_STEP_H_
