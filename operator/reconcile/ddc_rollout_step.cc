#include "operator/reconcile/ddc_rollout_step.h"

#include <optional>
#include <utility>
#include <vector>

#include "operator/doris/node_list.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/decide_rollout.h"
#include "operator/reconcile/fe_access.h"
#include "operator/reconcile/scale_in.h"
#include "translator/disaggregated/names.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;
using kube::FieldAt;
using kube::IntAt;
using kube::StringAt;
namespace dv1 = model::disaggregated::v1;
namespace tdd = translator::disaggregated;

const std::optional<Json>* DesiredStatefulSet(const translator::DesiredSet& desired, const std::string& name,
                                              std::map<std::string, std::optional<Json>>* parsed) {
  auto [it, fresh] = parsed->emplace(name, std::nullopt);
  if (fresh) {
    for (const translator::DesiredObject& o : desired.objects) {
      if (o.kind == "StatefulSet" && o.name == name) it->second = Json::parse(o.json, nullptr, false);
    }
  }
  return &it->second;
}

// Pod name -> whether the FE lists the node on it Alive: by the first label
// of an FQDN host (<pod>.<headless service>..., how the images register,
// contract §6.2), else by pod IP.
std::map<std::string, bool> AliveByPod(const std::vector<doris::NodeRow>& rows, const std::vector<Json>& pods) {
  std::map<std::string, std::string> by_ip;
  std::set<std::string> names;
  for (const Json& pod : pods) {
    const std::string name = StringAt(pod, {"metadata", "name"});
    names.insert(name);
    if (const std::string ip = StringAt(pod, {"status", "podIP"}); !ip.empty()) by_ip[ip] = name;
  }
  std::map<std::string, bool> alive;
  for (const doris::NodeRow& row : rows) {
    const std::vector<std::string> hosts = doris::RowHosts(row);
    if (hosts.empty()) continue;
    std::string pod;
    if (auto ip = by_ip.find(hosts.front()); ip != by_ip.end()) {
      pod = ip->second;
    } else if (const std::string label = hosts.front().substr(0, hosts.front().find('.')); names.count(label)) {
      pod = label;
    }
    if (!pod.empty()) alive[pod] = doris::CellIsTrue(row, "Alive");
  }
  return alive;
}

// "Serving again" is what Doris says, as for a DorisCluster: a restarted FE
// or BE must be listed Alive before the next pod goes. An unreadable list
// holds the rollout (no pod is taken for serving on readiness alone), unless
// this access mode may not ask the FE at all (fe_access.h): then readiness.
void DorisAlive(Run& run, const absl::StatusOr<std::vector<doris::NodeRow>>& rows, const ComponentState& state,
                const std::string& sts, ComponentView* view) {
  if (!run.doris_refused.empty()) return;
  std::map<int, bool> alive;  // by ordinal
  if (rows.ok()) {
    for (const auto& [pod, is_alive] : AliveByPod(*rows, state.pods)) alive[OrdinalOf(pod, sts)] = is_alive;
  }
  for (PodView& p : view->pods) {
    auto it = alive.find(p.ordinal);
    p.doris_alive = p.ready && it != alive.end() && it->second;
  }
}

ddc::RolloutView ViewFor(const ddc::PartRollout& r, const ComponentState& state) {
  ddc::RolloutView v;
  v.held = r.held;
  v.rolling = r.rolling && !r.held;
  v.step = r.step;
  v.current_pod = r.current_pod;
  v.current_ordinal = r.current_ordinal;
  if (state.statefulset) v.target_revision = StringAt(*state.statefulset, {"status", "updateRevision"});
  v.waiting = r.waiting_on;
  return v;
}

}  // namespace

DdcRollout DecideDdcRollout(Run& run, const dv1::DorisDisaggregatedCluster& ddc,
                            const translator::DesiredSet& desired, const std::map<std::string, int>& leaving_from,
                            tdd::TranslateInputs* inputs) {
  std::map<std::string, std::optional<Json>> parsed;
  struct Part {
    ddc::RolloutPart part;
    ComponentState* state;
  };
  auto observe = [&](const std::string& component, const std::string& sts, ComponentState& state) {
    const std::optional<Json>* want = DesiredStatefulSet(desired, sts, &parsed);
    int replicas = 0;
    if (want->has_value()) {
      replicas = static_cast<int>(IntAt(**want, {"spec", "replicas"}, 1));
    } else if (state.statefulset) {
      replicas = static_cast<int>(IntAt(*state.statefulset, {"spec", "replicas"}, 1));
    }
    Part p{{component, sts, ObserveRollout(state.statefulset, state.pods, want->has_value() ? &**want : nullptr, sts,
                                           replicas)},
           &state};
    if (auto it = leaving_from.find(sts); it != leaving_from.end() && it->second < replicas) {
      p.part.view.leaving_from = it->second;
    }
    return p;
  };
  const std::string& name = run.key.name;
  Part ms = observe(tdd::kMetaServicePart, tdd::PartStatefulSet(name, tdd::kMetaServicePart), run.ddc_parts[0]);
  Part fe = observe(tdd::kFePart, tdd::PartStatefulSet(name, tdd::kFePart), run.ddc_parts[1]);
  std::vector<Part> groups;
  for (const dv1::ComputeGroup& g : ddc.spec().compute_groups()) {
    const std::string part = tdd::ComputeGroupPart(g.unique_id());
    const std::string sts = tdd::PartStatefulSet(name, part);
    groups.push_back(observe(part, sts, run.ddc_groups[sts]));
  }

  // Doris is asked only while something rolls: then whether FE and BE pods
  // serve gates the next pod and the next part.
  bool pending = ddc::RolloutPending(ms.part.view) || ddc::RolloutPending(fe.part.view);
  for (const Part& g : groups) pending |= ddc::RolloutPending(g.part.view);
  if (pending) {
    if (fe.state->statefulset) DorisAlive(run, Frontends(run), *fe.state, fe.part.statefulset, &fe.part.view);
    for (Part& g : groups) {
      if (g.state->statefulset) DorisAlive(run, Backends(run), *g.state, g.part.statefulset, &g.part.view);
    }
  }

  std::vector<ddc::RolloutPart> group_parts;
  for (const Part& g : groups) group_parts.push_back(g.part);
  DdcRollout out;
  out.decision = ddc::DecideRollout(ms.part, fe.part, group_parts);

  auto record = [&](const Part& p, const ddc::PartRollout& r, const std::string& key) {
    if (r.partition != 0) {
      inputs->partitions[p.part.statefulset] = r.partition;
      log::v1::ReconcileRecord::PartitionChoice* choice = run.record.add_partitions();
      choice->set_component(p.part.component);
      choice->set_partition(r.partition);
    }
    if (r.hold_template) {
      out.held.insert(p.part.statefulset);
      log::v1::ReconcileRecord::HeldTemplate* h = run.record.add_held_templates();
      h->set_component(p.part.component);
      h->set_statefulset(p.part.statefulset);
      h->set_waits_for(r.waiting_on);
    }
    out.views[key] = ViewFor(r, *p.state);
  };
  record(ms, out.decision.meta_service, tdd::kMetaServicePart);
  record(fe, out.decision.fe, tdd::kFePart);
  for (size_t i = 0; i < groups.size(); ++i) {
    record(groups[i], out.decision.groups[i], groups[i].part.statefulset);
  }
  return out;
}

void HoldTemplates(const DdcRollout& rollout, DiffResult* diff) {
  std::vector<PlannedWrite> kept;
  for (PlannedWrite& w : diff->writes) {
    if (w.kind == "StatefulSet" && w.verb == Verb::kApply && rollout.held.count(w.name)) continue;
    kept.push_back(std::move(w));
  }
  diff->writes = std::move(kept);
}

}  // namespace doris_operator::reconcile
