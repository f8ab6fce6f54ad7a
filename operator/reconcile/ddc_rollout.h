#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_ROLLOUT_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_ROLLOUT_H_

// The rolling changes of a DorisDisaggregatedCluster (ddc), pure: the meta
// service first, then FE, then the compute groups (side by side, each on its
// own), every part one pod at a time through its StatefulSet's partition
// (rollout.h's StepComponent: the next pod once the previous one is Ready and
// alive in the FE's lists). A part's new pod template is not written at all
// until every part before it has finished rolling.

#include <string>
#include <vector>

#include "operator/reconcile/rollout.h"

namespace doris_operator::reconcile::ddc {

// One StatefulSet of the ddc as the rollout sees it.
struct RolloutPart {
  std::string component;    // "ms", "fe", "cg/<uniqueId>": records and status
  std::string statefulset;  // its name, which prefixes its pods in waits
  ComponentView view;       // rollout.h (`component` unused)
};

struct PartRollout {
  int partition = 0;  // the partition to write
  // Leave the live StatefulSet as it is: its new template waits for the
  // parts before it (`waiting_on` says which).
  bool hold_template = false;
  // Its change waits for the parts before it (template held, or its own
  // rollout stopped at its live partition).
  bool held = false;
  bool rolling = false;  // a rollout of this part is under way or waiting
  bool settled = true;   // nothing pending: every pod updated and serving
  std::string waiting_on;  // "" or what it waits for
  // Where a rolling part is, for status: the pod that restarts or is awaited
  // (-1 for none) and the reference's graceful phase name for that wait:
  // WaitPodReady (restarting, not Ready yet) or WaitBEAlive (Ready, not
  // alive in the FE's lists yet); "" while held or blocked.
  int current_ordinal = -1;
  std::string current_pod;
  std::string step;
};

struct RolloutDecision {
  PartRollout meta_service;
  PartRollout fe;
  std::vector<PartRollout> groups;  // in the input's order
  bool under_way = false;           // some part rolls or waits to roll
};

// Whether a change waits to roll through the part: a new template, pods not
// on the live StatefulSet's update revision, a partition holding pods, or a
// status that has not caught up with the spec (its revisions cannot be
// trusted yet). Missing pods alone (bring-up, scale-out) are no rollout: they
// start on the current template.
bool RolloutPending(const ComponentView& v);

RolloutDecision DecideRollout(const RolloutPart& meta_service, const RolloutPart& fe,
                              const std::vector<RolloutPart>& groups);

}  // namespace doris_operator::reconcile::ddc

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_ROLLOUT_H_
