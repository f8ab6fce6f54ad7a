#include "operator/reconcile/frontends.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile {

FrontendPlan PlanFrontends(const FrontendInput& in) {
  FrontendPlan plan;
  const int election = std::max(in.election_number, 1);
  int desired = std::max(in.desired_replicas, 0);
  if (in.live_replicas > 0 && desired < in.live_replicas && desired < election) {
    // Removing a follower would shrink the quorum the FE group was formed
    // with; keep at least the followers (or what exists, if fewer).
    const int clamped = in.live_replicas >= election ? election : in.live_replicas;
    plan.warning = absl::StrCat("FollowerScaleDownFailed: FE replicas ", desired,
                                " is below electionNumber ", election, "; keeping ", clamped);
    desired = clamped;
  }
  plan.effective_replicas = desired;

  int keep = desired;
  for (const FrontendView& fe : in.frontends) {
    if (fe.ordinal < desired || fe.ordinal < 0) continue;
    if (fe.role == "OBSERVER") {
      plan.drop.push_back({fe.role, fe.host_port, fe.ordinal});
      plan.scaling = true;
    } else {
      // A follower beyond the desired size (electionNumber was lowered):
      // never dropped automatically; its pod stays.
      keep = std::max(keep, fe.ordinal + 1);
    }
  }
  // Dropped observers' pods may go now: the FE forgot them in the same round.
  plan.statefulset_replicas = desired;
  if (in.live_replicas > desired) plan.statefulset_replicas = std::max(desired, std::min(keep, in.live_replicas));

  if (in.live_replicas != 0 && in.live_replicas != plan.statefulset_replicas) plan.scaling = true;
  return plan;
}

}  // namespace doris_operator::reconcile
