#include "operator/reconcile/rollout.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile {

namespace {

const PodView* Find(const ComponentView& c, int ordinal) {
  for (const PodView& p : c.pods) {
    if (p.ordinal == ordinal) return &p;
  }
  return nullptr;
}

bool Serving(const PodView* p) { return p != nullptr && p->updated && p->ready && p->doris_alive; }

}  // namespace

RolloutPlan PlanRollout(const std::vector<ComponentView>& components) {
  RolloutPlan plan;
  bool earlier_settled = true;  // every earlier component fully rolled and serving
  for (const ComponentView& c : components) {
    const char* name = translator::ComponentName(c.component);
    if (!c.exists) {
      // Created fresh: every pod starts on the new template, in parallel.
      plan.partitions[c.component] = 0;
      continue;
    }
    if (c.status_stale && !c.template_changed) {
      // Hold where we are until Kubernetes catches up; a stale update
      // revision would make every old pod look updated.
      plan.partitions[c.component] = std::clamp(c.partition, 0, c.replicas);
      plan.rolling = true;
      earlier_settled = false;
      if (plan.waiting_on.empty()) {
        // A restart held for tablet health stays held for it: that, not the
        // controller's catching up, is what the rollout waits for.
        plan.waiting_on = c.partition > 0 && !c.restart_blocked.empty()
                              ? c.restart_blocked
                              : absl::StrCat("the ", name, " StatefulSet status to catch up");
      }
      continue;
    }
    bool all_updated = !c.template_changed;
    for (int i = 0; i < c.replicas && all_updated; ++i) {
      const PodView* p = Find(c, i);
      if (p == nullptr || !p->updated) all_updated = false;
    }
    if (!earlier_settled) {
      // Hold: the template may change, but no pod of this component restarts
      // until the ones before it are done.
      plan.partitions[c.component] = c.replicas;
      continue;
    }
    if (all_updated) {
      plan.partitions[c.component] = 0;
      for (int i = 0; i < c.replicas; ++i) {
        if (!Serving(Find(c, i))) {
          earlier_settled = false;
          if (plan.waiting_on.empty()) {
            plan.waiting_on = absl::StrCat(name, "-", i, " to serve again");
          }
          break;
        }
      }
      continue;
    }
    // Rolling this component. Kubernetes updates pods with ordinal >=
    // partition, highest first; move the partition down one pod at a time.
    plan.rolling = true;
    earlier_settled = false;
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
        const PodView* p = Find(c, i);
        if (p == nullptr || !p->updated) {
          ++outdated;
          highest = i;
        }
      }
      if (outdated > 1) partition = highest + 1;
    }
    bool above_serving = true;
    for (int i = partition; i < c.replicas; ++i) {
      if (!Serving(Find(c, i))) {
        above_serving = false;
        if (plan.waiting_on.empty()) {
          plan.waiting_on = absl::StrCat(name, "-", i, " to serve again");
        }
        break;
      }
    }
    if (above_serving && partition > 0 && !c.restart_blocked.empty()) {
      plan.waiting_on = c.restart_blocked;
    } else if (above_serving && partition > 0) {
      --partition;
      plan.waiting_on = absl::StrCat(name, "-", partition, " to restart");
    }
    plan.partitions[c.component] = partition;
  }
  return plan;
}

}  // namespace doris_operator::reconcile
