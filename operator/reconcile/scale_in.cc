#include "operator/reconcile/scale_in.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile {

int OrdinalOf(const std::string& host, const std::string& statefulset) {
  const std::string prefix = statefulset + "-";
  if (host.rfind(prefix, 0) != 0) return -1;
  const size_t end = host.find_first_of(".:", prefix.size());
  int ordinal = -1;
  if (!absl::SimpleAtoi(host.substr(prefix.size(), end - prefix.size()), &ordinal)) return -1;
  return ordinal;
}

ScalePlan PlanScale(const std::string& component, int desired_replicas, int live_replicas,
                    const std::vector<BackendView>& backends, const std::vector<int>& starting) {
  ScalePlan plan;
  desired_replicas = std::max(desired_replicas, 0);
  // The highest pod the FE still knows about: the StatefulSet may not shrink
  // past it, or that node's data would go with its pod.
  int keep = desired_replicas;
  for (const BackendView& b : backends) {
    if (b.ordinal < 0) continue;  // not one of this StatefulSet's pods
    if (b.ordinal < desired_replicas) {
      if (b.decommissioned) plan.cancel_decommission.push_back(b.host_port);
      continue;
    }
    plan.scaling = true;
    plan.tablets_remaining += b.tablets;
    keep = std::max(keep, b.ordinal + 1);
    const std::string pod = absl::StrCat(component, "-", b.ordinal);
    if (!b.decommissioned) {
      plan.decommission.push_back(b.host_port);
      if (plan.waiting_on.empty()) plan.waiting_on = absl::StrCat(pod, " to decommission");
    } else if (b.tablets > 0) {
      if (plan.waiting_on.empty()) {
        plan.waiting_on = absl::StrCat(pod, " holds ", b.tablets, " tablets");
      }
    } else {
      plan.drop.push_back(b.host_port);
    }
  }
  // A leaving pod the FE does not list yet but that is starting could
  // register between this look and the shrink, and go with its data.
  for (int ordinal : starting) {
    if (ordinal < desired_replicas) continue;
    bool listed = false;
    for (const BackendView& b : backends) listed |= b.ordinal == ordinal;
    if (listed) continue;
    plan.scaling = true;
    keep = std::max(keep, ordinal + 1);
    if (plan.waiting_on.empty()) {
      plan.waiting_on = absl::StrCat(component, "-", ordinal, " to finish starting (it may still register with the FE)");
    }
  }
  // Shrink only past nodes that are gone from the FE (dropped now counts as
  // gone next round, once the FE confirms it).
  plan.statefulset_replicas =
      desired_replicas >= live_replicas ? desired_replicas : std::min(live_replicas, keep);
  if (!plan.cancel_decommission.empty()) plan.scaling = true;
  return plan;
}

}  // namespace doris_operator::reconcile
