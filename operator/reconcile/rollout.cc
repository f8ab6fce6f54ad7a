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
    if (!c.exists) {
      // Created fresh: every pod starts on the new template, in parallel.
      plan.partitions[c.component] = 0;
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
            plan.waiting_on = absl::StrCat(c.component, "-", i, " to serve again");
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
    // A new template (or one Kubernetes started rolling with no partition)
    // starts from the top: every pod held, then released one by one.
    if (c.template_changed || partition == 0) partition = c.replicas;
    bool above_serving = true;
    for (int i = partition; i < c.replicas; ++i) {
      if (!Serving(Find(c, i))) {
        above_serving = false;
        if (plan.waiting_on.empty()) {
          plan.waiting_on = absl::StrCat(c.component, "-", i, " to serve again");
        }
        break;
      }
    }
    if (above_serving && partition > 0) {
      --partition;
      plan.waiting_on = absl::StrCat(c.component, "-", partition, " to restart");
    }
    plan.partitions[c.component] = partition;
  }
  return plan;
}

}  // namespace doris_operator::reconcile
