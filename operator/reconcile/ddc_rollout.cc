#include "operator/reconcile/ddc_rollout.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile::ddc {

namespace {

// "" when every wanted pod serves, else the first that does not.
std::string FirstNotServing(const RolloutPart& part) {
  for (int i = 0; i < part.view.replicas; ++i) {
    if (!PodServing(FindPod(part.view, i))) return absl::StrCat(part.statefulset, "-", i, " to serve");
  }
  return "";
}

// The pod a rolling part is at, for status.
void Locate(const RolloutPart& part, PartRollout* r) {
  for (int i = std::max(r->partition, 0); i < part.view.replicas; ++i) {
    const PodView* p = FindPod(part.view, i);
    // With a new template not written yet every pod is outdated.
    if (PodServing(p) && !part.view.template_changed) continue;
    r->current_ordinal = i;
    r->current_pod = absl::StrCat(part.statefulset, "-", i);
    r->step = p != nullptr && p->updated && p->ready && !part.view.template_changed ? "WaitBEAlive" : "WaitPodReady";
    return;
  }
}

// A part whose turn it is: rollout.h's step when a change is pending, else
// settled once every wanted pod serves.
PartRollout Step(const RolloutPart& part) {
  PartRollout r;
  if (!RolloutPending(part.view)) {
    r.waiting_on = FirstNotServing(part);
    r.settled = r.waiting_on.empty();
    return r;
  }
  const ComponentStep step = StepComponent(part.view, part.statefulset);
  r.partition = step.partition;
  r.rolling = step.rolling;
  r.settled = step.settled;
  r.waiting_on = step.waiting_on;
  if (r.rolling) Locate(part, &r);
  return r;
}

// A part behind one that has not finished rolling: nothing of it restarts.
// A new template is not written; a rollout of its own under way stays at
// its live partition.
PartRollout Hold(const RolloutPart& part, const std::string& behind) {
  if (!RolloutPending(part.view)) return Step(part);
  PartRollout r;
  r.rolling = true;
  r.settled = false;
  r.held = true;
  r.hold_template = part.view.template_changed;
  r.partition = std::clamp(part.view.partition, 0, part.view.replicas);
  r.waiting_on = r.hold_template ? absl::StrCat("its new pod template waits for ", behind)
                                 : absl::StrCat("its rollout holds at partition ", r.partition, " until ", behind);
  return r;
}

std::string Behind(const std::string& what, const PartRollout& r) {
  return absl::StrCat(what, " to finish rolling (", r.waiting_on.empty() ? "under way" : r.waiting_on, ")");
}

}  // namespace

bool RolloutPending(const ComponentView& v) {
  if (!v.exists) return false;
  if (v.template_changed || v.partition > 0 || v.status_stale) return true;
  for (const PodView& p : v.pods) {
    if (p.ordinal < v.replicas && !p.updated) return true;
  }
  return false;
}

RolloutDecision DecideRollout(const RolloutPart& meta_service, const RolloutPart& fe,
                              const std::vector<RolloutPart>& groups) {
  RolloutDecision d;
  // Doris's order (contract §6.1): FE runs against the meta service, BEs
  // against FE; an upgrade goes the same way, each after the one before it
  // is done, so an old FE never talks to a meta service mid-way through, nor
  // a new BE to an old FE.
  d.meta_service = Step(meta_service);
  d.fe = d.meta_service.settled ? Step(fe) : Hold(fe, Behind("the meta service", d.meta_service));
  const bool fe_done = d.meta_service.settled && d.fe.settled;
  const std::string behind = !d.meta_service.settled ? Behind("the meta service", d.meta_service)
                                                     : Behind("the FE", d.fe);
  for (const RolloutPart& g : groups) d.groups.push_back(fe_done ? Step(g) : Hold(g, behind));
  d.under_way = d.meta_service.rolling || d.fe.rolling;
  for (const PartRollout& g : d.groups) d.under_way |= g.rolling;
  return d;
}

}  // namespace doris_operator::reconcile::ddc
