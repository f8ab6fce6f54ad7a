#include "operator/reconcile/decide_rollout.h"

#include <map>
#include <string>
#include <vector>

#include "operator/kube/object_fields.h"
#include "operator/reconcile/doris_nodes.h"
#include "operator/reconcile/fe_access.h"
#include "operator/reconcile/field_compare.h"
#include "operator/reconcile/observe.h"
#include "operator/reconcile/rollout.h"
#include "operator/reconcile/rollout_health.h"
#include "operator/reconcile/scale_in.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;
using kube::FieldAt;
using kube::IntAt;
using kube::StringAt;

// "Serving again" is what Doris says, not only Kubernetes readiness: a
// restarted node must be back in the FE's list and alive before the next
// pod goes. Brokers, or an FE that cannot be asked, fall back to readiness.
void DorisAlive(Run& run, Component c, std::vector<PodView>* pods) {
  std::map<int, bool> alive;
  if (c == Component::kFe) {
    const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Frontends(run);
    if (!rows.ok()) return;
    absl::StatusOr<FrontendList> fes = FrontendsOf(*rows, run.node_map);
    if (!fes.ok()) return;
    for (const FrontendView& v : fes->mine) alive[v.ordinal] = v.alive;
  } else if (c == Component::kBe || c == Component::kCn) {
    const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Backends(run);
    if (!rows.ok()) return;
    absl::StatusOr<BackendList> backends =
        BackendsOf(*rows, translator::ComponentName(c), run.node_map);
    if (!backends.ok()) return;
    for (const BackendView& b : backends->mine) alive[b.ordinal] = b.alive;
  } else {
    return;
  }
  for (PodView& p : *pods) {
    auto it = alive.find(p.ordinal);
    p.doris_alive = p.ready && it != alive.end() && it->second;
  }
}

}  // namespace

ComponentView ObserveRollout(const std::optional<Json>& live, const std::vector<Json>& pods,
                             const Json* desired_sts, const std::string& sts_name, int replicas) {
  ComponentView v;
  v.exists = live.has_value();
  v.replicas = replicas;
  if (!v.exists) return v;
  const Json& sts = *live;
  if (desired_sts != nullptr) {
    // The same comparator as the diff and drift: the live template holds
    // quantities as the API server stores them ("1Gi" for "1024Mi").
    v.template_changed = !SameAsStored("/spec/template", FieldAt(*desired_sts, {"spec", "template"}),
                                       FieldAt(sts, {"spec", "template"}));
  }
  v.partition = IntAt(sts, {"spec", "updateStrategy", "rollingUpdate", "partition"}, 0);
  v.status_stale =
      IntAt(sts, {"status", "observedGeneration"}, 0) < IntAt(sts, {"metadata", "generation"}, 0);
  const std::string update_rev = StringAt(sts, {"status", "updateRevision"});
  for (const Json& pod : pods) {
    PodView p;
    p.ordinal = OrdinalOf(StringAt(pod, {"metadata", "name"}), sts_name);
    if (p.ordinal < 0) continue;
    const std::string* rev = kube::LabelOf(pod, "controller-revision-hash");
    p.updated = rev != nullptr && *rev == update_rev && !update_rev.empty();
    p.ready = PodReady(pod) && FieldAt(pod, {"metadata", "deletionTimestamp"}).is_null();
    p.doris_alive = p.ready;
    v.pods.push_back(p);
  }
  return v;
}

namespace {

// What the rollout planner needs to know about one component.
ComponentView ViewOf(Run& run, Component c, const model::v1::BaseSpec& base,
                     const translator::DesiredSet& desired) {
  const ComponentState& state = run.of(c);
  const std::string sts_name = translator::StatefulSetName(run.key.name, c);
  std::optional<Json> want;
  for (const auto& o : desired.objects) {
    if (o.kind == "StatefulSet" && o.name == sts_name) want = Json::parse(o.json, nullptr, false);
  }
  ComponentView v = ObserveRollout(state.statefulset, state.pods, want ? &*want : nullptr, sts_name,
                                   translator::Replicas(base));
  v.component = c;
  if (!v.exists) return v;
  // Pods a scale-in under way removes are not restarted (rollout.h).
  if (state.leaving_from >= 0 && state.leaving_from < v.replicas) v.leaving_from = state.leaving_from;
  bool rolling = v.template_changed || v.partition > 0;
  for (const PodView& p : v.pods) rolling |= !p.updated;
  if (rolling && !v.status_stale) DorisAlive(run, c, &v.pods);
  // A BE restart takes a replica of every tablet it holds away: only when
  // Doris reports none short of a healthy replica already.
  // Tablet health does not depend on the StatefulSet's status: asked even
  // while the controller catches up with a write of ours, so the wait is
  // still said then (else the status flips to "available" for a reconcile).
  if (rolling && c == Component::kBe) v.restart_blocked = BeRestartBlocker(run);
  return v;
}

}  // namespace

bool DecideRollout(Run& run, const translator::DesiredSet& desired) {
  // Rolling changes: FE first, one pod at a time, through the partition.
  std::vector<ComponentView> views;
  for (Component c : translator::kAllComponents) {
    const model::v1::BaseSpec* base = translator::BaseOf(run.cluster.spec(), c);
    if (base == nullptr) continue;
    views.push_back(ViewOf(run, c, *base, desired));
  }
  RolloutPlan rollout = PlanRollout(views);
  ReportHealthWait(run, rollout.waiting_on);
  bool chosen = false;
  for (Component c : translator::kAllComponents) {
    const int partition = rollout.partitions[c];
    if (partition == 0) continue;
    chosen = true;
    run.inputs.partitions[c] = partition;
    log::v1::ReconcileRecord::PartitionChoice* choice = run.record.add_partitions();
    choice->set_component(translator::ComponentName(c));
    choice->set_partition(partition);
  }
  if (rollout.rolling) {
    for (const ComponentView& v : views) {
      const int p = rollout.partitions[v.component];
      // A StatefulSet the controller has not caught up with yet (new, or
      // just written) is not a rollout of its own, unless it holds pods back
      // behind a partition: that is one of ours in progress.
      bool pending = v.template_changed || (v.exists && p > 0);
      if (!v.status_stale) {
        for (const PodView& pod : v.pods) pending |= !pod.updated;
      }
      if (pending && v.exists && (!v.status_stale || p > 0)) {
        ComponentState& state = run.of(v.component);
        state.upgrading = true;
        if (state.waiting_on.empty()) state.waiting_on = rollout.waiting_on;
      }
    }
  }
  return chosen;
}

}  // namespace doris_operator::reconcile
