#include "operator/reconcile/rollout.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile {

const PodView* FindPod(const ComponentView& c, int ordinal) {
  for (const PodView& p : c.pods) {
    if (p.ordinal == ordinal) return &p;
  }
  return nullptr;
}

bool PodServing(const PodView* p) { return p != nullptr && p->updated && p->ready && p->doris_alive; }


ComponentStep StepComponent(const ComponentView& c, const std::string& name) {
  ComponentStep step;
  if (!c.exists) {
    // Created fresh: every pod starts on the new template, in parallel.
    return step;
  }
  if (c.status_stale && !c.template_changed) {
    // Hold where we are until Kubernetes catches up; a stale update
    // revision would make every old pod look updated.
    step.partition = std::clamp(c.partition, 0, c.replicas);
    step.rolling = true;
    step.settled = false;
    // A restart held for tablet health stays held for it: that, not the
    // controller's catching up, is what the rollout waits for.
    step.waiting_on = c.partition > 0 && !c.restart_blocked.empty()
                          ? c.restart_blocked
                          : absl::StrCat("the ", name, " StatefulSet status to catch up");
    return step;
  }
  bool all_updated = !c.template_changed;
  for (int i = 0; i < c.replicas && all_updated; ++i) {
    const PodView* p = FindPod(c, i);
    if (p == nullptr || !p->updated) all_updated = false;
  }
  if (all_updated) {
    for (int i = 0; i < c.replicas; ++i) {
      if (!PodServing(FindPod(c, i))) {
        step.settled = false;
        step.waiting_on = absl::StrCat(name, "-", i, " to serve again");
        break;
      }
    }
    return step;
  }
  // Rolling this component. Kubernetes updates pods with ordinal >=
  // partition, highest first; move the partition down one pod at a time.
  step.rolling = true;
  step.settled = false;
  int partition = std::clamp(c.partition, 0, c.replicas);
  // A new template starts from the top: every pod held, then released one
  // by one. A live partition of 0 with pods still outdated is the last
  // step in progress: raising it again would recreate the pods below it
  // at the old revision and start the rollout over.
  // Several outdated pods under partition 0 mean Kubernetes began the
  // rollout without us: hold every outdated pod and go on one at a time.
  if (c.template_changed) {
    partition = c.replicas;
  } else if (partition == 0) {
    int outdated = 0;
    int highest = -1;
    for (int i = 0; i < c.replicas; ++i) {
      const PodView* p = FindPod(c, i);
      if (p == nullptr || !p->updated) {
        ++outdated;
        highest = i;
      }
    }
    if (outdated > 1) partition = highest + 1;
  }
  bool above_serving = true;
  for (int i = partition; i < c.replicas; ++i) {
    if (!PodServing(FindPod(c, i))) {
      above_serving = false;
      step.waiting_on = absl::StrCat(name, "-", i, " to serve again");
      break;
    }
  }
  // The partition never goes below a leaving pod on the old template: the
  // rollout of the pods that stay goes on once the scale-in removed it
  // (pods the rollout restarted before the scale-in began do not hold it).
  int leaving_outdated = -1;
  if (c.leaving_from >= 0) {
    for (int i = std::max(c.leaving_from, 0); i < c.replicas; ++i) {
      const PodView* p = FindPod(c, i);
      if (c.template_changed || (p != nullptr && !p->updated)) leaving_outdated = i;
    }
  }
  if (above_serving && partition > 0 && partition <= leaving_outdated + 1) {
    step.waiting_on = absl::StrCat("the scale-in to remove ", name, "-", leaving_outdated,
                                   " (a leaving pod is not restarted)");
  } else if (above_serving && partition > 0 && !c.restart_blocked.empty()) {
    step.waiting_on = c.restart_blocked;
  } else if (above_serving && partition > 0) {
    --partition;
    step.waiting_on = absl::StrCat(name, "-", partition, " to restart");
  }
  step.partition = partition;
  return step;
}

RolloutPlan PlanRollout(const std::vector<ComponentView>& components) {
  RolloutPlan plan;
  bool earlier_settled = true;  // every earlier component fully rolled and serving
  for (const ComponentView& c : components) {
    if (!earlier_settled && c.exists && !(c.status_stale && !c.template_changed)) {
      // Hold: the template may change, but no pod of this component restarts
      // until the ones before it are done.
      plan.partitions[c.component] = c.replicas;
      continue;
    }
    const ComponentStep step = StepComponent(c, translator::ComponentName(c.component));
    plan.partitions[c.component] = step.partition;
    plan.rolling |= step.rolling;
    earlier_settled &= step.settled;
    if (plan.waiting_on.empty()) plan.waiting_on = step.waiting_on;
  }
  return plan;
}

}  // namespace doris_operator::reconcile
