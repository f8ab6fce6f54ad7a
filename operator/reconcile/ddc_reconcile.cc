#include "operator/reconcile/ddc_reconcile.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/doris/node_list.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/apply.h"
#include "operator/reconcile/ddc_credentials.h"
#include "operator/reconcile/ddc_decide.h"
#include "operator/reconcile/ddc_ghosts.h"
#include "operator/reconcile/ddc_membership.h"
#include "operator/reconcile/ddc_rollout_step.h"
#include "operator/reconcile/ddc_observe_inputs.h"
#include "operator/reconcile/diff.h"
#include "operator/reconcile/fe_access.h"
#include "operator/reconcile/inputs.h"
#include "operator/reconcile/metrics_sample.h"
#include "operator/reconcile/observe.h"
#include "operator/reconcile/scale_in.h"
#include "operator/reconcile/write_status.h"
#include "translator/canonical_json.h"
#include "translator/doris_conf.h"
#include "translator/disaggregated/defaults.h"
#include "translator/disaggregated/model_json.h"
#include "translator/disaggregated/names.h"
#include "translator/disaggregated/translator.h"
#include "translator/disaggregated/validate.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;
using kube::FieldAt;
using kube::IntAt;
using kube::LabelOf;
using kube::StringAt;
namespace dv1 = model::disaggregated::v1;
namespace tdd = translator::disaggregated;

constexpr char kGroup[] = "disaggregated.cluster.doris.com";
constexpr char kResource[] = "dorisdisaggregatedclusters";
// The explicit opt-out of draining on scale-in (the value "drop"): leaving
// backends are dropped at once, as the reference does by default. Without
// it a scale-in always decommissions first, whatever enableDecommission says.
constexpr char kScaleInAnnotation[] = "disaggregated.cluster.doris.com/scale-in";

ComponentState& PartState(Run& run, ddc::Part p) { return run.ddc_parts[static_cast<size_t>(p)]; }

bool Deleting(const Json& object) { return !FieldAt(object, {"metadata", "deletionTimestamp"}).is_null(); }

// The live StatefulSets, Services and pods of the ddc, by part and group.
void ObserveDdcObjects(Run& run, const std::string& uid) {
  for (const auto& [id, obj] : run.objects) {
    if (id.kind != "StatefulSet" && id.kind != "Service" && id.kind != "Pod") continue;
    Json j = Json::parse(obj.object_json(), nullptr, false);
    const std::string* cluster = LabelOf(j, tdd::kClusterLabel);
    if (cluster == nullptr || *cluster != run.key.name) continue;
    const std::string* type = LabelOf(j, tdd::kTypeLabel);
    const std::string type_value = type != nullptr ? *type : "";
    ComponentState* state = nullptr;
    if (type_value == "ms") state = &PartState(run, ddc::Part::kMetaService);
    if (type_value == "fe") state = &PartState(run, ddc::Part::kFe);
    if (id.kind == "Pod") {
      const std::string* uid_label = LabelOf(j, tdd::kUniqueIdLabel);
      if (state == nullptr && uid_label != nullptr) {
        state = &run.ddc_groups[tdd::ComputeGroupStatefulSetName(run.key.name, *uid_label)];
      }
      if (state != nullptr) state->pods.push_back(std::move(j));
      continue;
    }
    if (id.kind == "StatefulSet") {
      // A group's StatefulSet has no type label (§4.2): its uniqueId label.
      if (state == nullptr && LabelOf(j, tdd::kUniqueIdLabel) != nullptr) state = &run.ddc_groups[id.name];
      if (state != nullptr) state->statefulset = j;
    }
    LiveObject l{obj.ref().api_version(), id.kind, id.name, std::move(j)};
    l.owned = Controlled(l.object, uid);
    run.live.push_back(std::move(l));
  }
}

ddc::WorkloadView WorkloadOf(const ComponentState& s, int32_t desired, int32_t followers = 0) {
  ddc::WorkloadView w;
  w.desired = desired;
  w.exists = s.statefulset.has_value();
  for (const Json& pod : s.pods) {
    if (!PodReady(pod) || Deleting(pod)) continue;
    ++w.ready;
    const int ordinal =
        s.statefulset ? OrdinalOf(StringAt(pod, {"metadata", "name"}), StringAt(*s.statefulset, {"metadata", "name"}))
                      : -1;
    if (ordinal >= 0 && ordinal < followers) w.follower_ready = true;
  }
  if (w.exists) {
    const Json& sts = *s.statefulset;
    const std::string current = StringAt(sts, {"status", "currentRevision"});
    const std::string update = StringAt(sts, {"status", "updateRevision"});
    w.updated = IntAt(sts, {"status", "observedGeneration"}, 0) >= IntAt(sts, {"metadata", "generation"}, 0) &&
                (update.empty() || update == current);
  }
  w.waiting = s.waiting_on;
  return w;
}

// The FE's backends placed on the ddc's pods: by the first label of an FQDN
// host (`<pod>.<headless service>...`, how the BEs register, §6.2), else by
// pod IP.
std::vector<ddc::BackendView> BackendViews(const Run& run, const std::vector<doris::NodeRow>& rows) {
  std::map<std::string, std::string> pod_by_ip;
  std::set<std::string> pods;
  for (const auto& [sts, state] : run.ddc_groups) {
    for (const Json& pod : state.pods) {
      const std::string name = StringAt(pod, {"metadata", "name"});
      pods.insert(name);
      if (const std::string ip = StringAt(pod, {"status", "podIP"}); !ip.empty()) pod_by_ip[ip] = name;
    }
  }
  std::vector<ddc::BackendView> out;
  for (const doris::NodeRow& row : rows) {
    const std::vector<std::string> hosts = doris::RowHosts(row);
    const std::string* port = doris::CellOf(row, "HeartbeatPort");
    if (hosts.empty() || port == nullptr) continue;
    ddc::BackendView b;
    b.host_port = absl::StrCat(hosts.front(), ":", *port);
    const std::string first_label = hosts.front().substr(0, hosts.front().find('.'));
    if (auto ip = pod_by_ip.find(hosts.front()); ip != pod_by_ip.end()) {
      b.pod = ip->second;
    } else if (hosts.front().find('.') != std::string::npos || pods.count(first_label)) {
      b.pod = first_label;  // also a pod that is gone: its name stays in the FQDN
    }
    if (const std::string* tag = doris::CellOf(row, "Tag")) {
      const Json t = Json::parse(*tag, nullptr, false);
      if (t.is_object()) b.group_id = t.value("compute_group_id", "");
    }
    b.decommissioned = doris::CellIsTrue(row, "SystemDecommissioned");
    b.alive = doris::CellIsTrue(row, "Alive");
    if (const std::string* n = doris::CellOf(row, "TabletNum")) (void)absl::SimpleAtoi(*n, &b.tablets);
    out.push_back(std::move(b));
  }
  return out;
}

log::v1::ObjectRef StsRef(const Run& run, const std::string& name) {
  return RefFor("apps/v1", "StatefulSet", run.key.ns, name);
}

// Carries out a scale-in plan's Doris calls; each is an action of the record.
// They go to the master FE, as a DorisCluster's (apply_membership.cc), not
// to the Service: a master that cannot be found fails the call unsent, and
// the plan (which keeps the StatefulSet's replicas until the backends have
// left) is decided again on the next look.
void ApplyScaleIn(Run& run, const std::string& sts, const ddc::ScaleInPlan& plan) {
  if (plan.decommission.empty() && plan.drop.empty()) return;
  const absl::StatusOr<doris::FeTarget> master = MasterTarget(run);
  auto call = [&](const char* verb, const std::vector<std::string>& host_ports, auto write) {
    if (host_ports.empty()) return;
    const absl::Status s = master.ok() ? write(*master, host_ports) : master.status();
    if (master.ok()) ++run.writes;
    run.Action(verb, StsRef(run, sts), absl::StrJoin(host_ports, ","), s);
    run.backends.reset();
  };
  call("doris:decommission_backends", plan.decommission, [&](const doris::FeTarget& t, const auto& hps) {
    return run.services.fe->DecommissionBackends(t, hps);
  });
  call("doris:drop_backends", plan.drop, [&](const doris::FeTarget& t, const auto& hps) {
    return run.services.fe->DropBackends(t, hps);
  });
}

// The part of the ddc a desired object belongs to: 0 MS, 1 FE, 2 a group
// (the admin-user Secret counts as the meta service's: always wanted).
int PartOfObject(const std::string& ddc, const translator::DesiredObject& o) {
  if (o.kind == "Secret" || o.name == tdd::MetaServiceName(ddc)) return 0;
  if (o.name == tdd::FeName(ddc) || o.name == tdd::FeInternalServiceName(ddc)) return 1;
  return 2;
}

// An integer of a component's config file (`file`: fe.conf, doris_cloud.conf)
// as the translator reads it: the first of its ConfigMaps holding the file.
int ConfInt(const tdd::TranslateInputs& inputs, const dv1::CommonSpec& base, const std::string& file,
            const std::string& key, int fallback) {
  for (const dv1::ConfigMap& cm : base.config_maps()) {
    auto data = inputs.config_maps.find(cm.name());
    if (data == inputs.config_maps.end() || !data->second.count(file)) continue;
    return static_cast<int>(translator::DorisConf::Parse(data->second.at(file), "/opt/apache-doris").Int(key, fallback));
  }
  return fallback;
}

// Every configMaps[].name of the meta service, FE and the groups.
std::set<std::string> ConfigMapsOf(const dv1::DorisDisaggregatedClusterSpec& spec) {
  std::set<std::string> out;
  auto add = [&](const dv1::CommonSpec& base) {
    for (const dv1::ConfigMap& cm : base.config_maps()) {
      if (!cm.name().empty()) out.insert(cm.name());
    }
  };
  add(spec.meta_service().base());
  add(spec.fe_spec().base());
  for (const dv1::ComputeGroup& g : spec.compute_groups()) add(g.base());
  return out;
}

}  // namespace

std::set<std::string> DisaggregatedConfigMaps(const store::ClusterKey& key, const store::ClusterObjects& objects) {
  auto it = objects.find(store::ObjectId{kGroup, tdd::kKind, key.ns, key.name});
  if (it == objects.end()) return {};
  tdd::ModelFromJsonResult parsed = tdd::ModelFromJson(Json::parse(it->second.object_json(), nullptr, false));
  if (!parsed.errors.empty()) return {};
  return ConfigMapsOf(parsed.ddc.spec());
}

bool HoldsDisaggregated(const store::ClusterKey& key, const store::ClusterObjects& objects) {
  return key.kind == tdd::kKind && objects.count(store::ObjectId{kGroup, tdd::kKind, key.ns, key.name}) > 0;
}

log::v1::ReconcileRecord::Outcome ReconcileDisaggregated(Run& run, ingest::ReferenceIndex* references,
                                                         absl::Duration* requeue_after) {
  using Outcome = log::v1::ReconcileRecord;
  run.owner_api_version = tdd::kApiVersion;
  run.owner_kind = tdd::kKind;
  run.owner_resource = kResource;
  const log::v1::StoredObject& stored =
      run.objects.at(store::ObjectId{kGroup, tdd::kKind, run.key.ns, run.key.name});
  run.cluster_json = Json::parse(stored.object_json(), nullptr, false);
  tdd::ModelFromJsonResult parsed = tdd::ModelFromJson(run.cluster_json);
  dv1::DorisDisaggregatedCluster ddc = std::move(parsed.ddc);
  *run.cluster.mutable_metadata() = ddc.metadata();
  if (Deleting(run.cluster_json)) return Outcome::NO_CHANGE;  // the collector removes what it owned
  auto sequences = run.services.log->SeqsForCluster(run.key, {.limit = 1, .newest_first = true});
  if (sequences.ok() && !sequences->empty()) run.caused_by = sequences->front();
  std::vector<std::string> problems;
  for (const auto& p : parsed.errors) problems.push_back(absl::StrCat(p.path, ": ", p.message));
  if (problems.empty()) {
    for (const auto& p : tdd::Validate(ddc)) problems.push_back(absl::StrCat(p.path, ": ", p.message));
  }
  if (!problems.empty()) {
    ReportInvalidSpec(run, absl::StrJoin(problems, "; "));
    return Outcome::INVALID_SPEC;
  }
  const dv1::DorisDisaggregatedClusterSpec& spec = ddc.spec();

  // Observe: the folded log; the FE's target and credentials.
  ObserveDdcObjects(run, ddc.metadata().uid());
  run.fe.ns = run.key.ns;
  run.fe.cluster = run.key.name;
  run.fe.service = tdd::FeName(run.key.name);
  run.node_map = DdcNodeMap(run, spec);
  ObserveDdcCredentials(run, ddc);  // as a DorisCluster's: authSecret, else adminUser, else root
  CheckDorisAccess(run);
  // The config files and the FDB cluster file: from the log, or fetched
  // and logged once (ddc_observe_inputs.h), so a replay reads them too.
  tdd::TranslateInputs inputs = ObserveDisaggregatedInputs(run, references).inputs;
  run.fe.http_port = ConfInt(inputs, spec.fe_spec().base(), "fe.conf", "http_port", run.fe.http_port);
  const ddc::WorkloadView ms_view =
      WorkloadOf(PartState(run, ddc::Part::kMetaService), tdd::MetaServiceReplicas(spec));
  const ddc::WorkloadView fe_view =
      WorkloadOf(PartState(run, ddc::Part::kFe), tdd::FeReplicas(spec), tdd::ElectionNumber(spec.fe_spec()));

  // Decide: the bring-up order.
  const ddc::BringUp bring_up = ddc::DecideBringUp(ms_view.ready > 0, fe_view.follower_ready);
  PartState(run, ddc::Part::kFe).waiting_on = bring_up.fe_waiting;

  // The FE's backends, once it serves: compute-group ids and scale-ins.
  std::optional<std::vector<ddc::BackendView>> backends;
  bool any_group_live = false;
  for (const auto& [sts, state] : run.ddc_groups) any_group_live |= state.statefulset.has_value();
  if (fe_view.follower_ready && any_group_live) {
    const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Backends(run);
    if (rows.ok()) backends = BackendViews(run, *rows);
  }

  // Decide and carry out: each group's scale-in (and a removed group's
  // drain), before the translator is told the replicas to keep.
  const bool drain = StringAt(run.cluster_json, {"metadata", "annotations", kScaleInAnnotation}) != "drop";
  dv1::DorisDisaggregatedCluster translated = ddc;
  // A node leaves only on a picture folded after every watch listed (see
  // ReconcilerOptions::sync): else it is held as if the FE could not be read.
  const std::optional<std::vector<ddc::BackendView>> removal_picture = run.fresh ? backends : std::nullopt;
  std::map<std::string, std::string> scale_phase;  // by StatefulSet
  // By StatefulSet, the first ordinal a scale-in under way removes: the
  // rollout never restarts those pods (rollout.h, leaving_from).
  std::map<std::string, int> leaving_from;
  bool under_way = false;
  std::set<std::string> spec_groups;
  for (dv1::ComputeGroup& g : *translated.mutable_spec()->mutable_compute_groups()) {
    const std::string sts = tdd::ComputeGroupStatefulSetName(run.key.name, g.unique_id());
    spec_groups.insert(sts);
    ComponentState& state = run.ddc_groups[sts];
    state.waiting_on = bring_up.groups_waiting;
    if (!state.statefulset) continue;
    ddc::GroupScaleIn in{sts, static_cast<int32_t>(IntAt(*state.statefulset, {"spec", "replicas"}, 1)),
                         tdd::GroupReplicas(g), !drain};
    const ddc::ScaleInPlan plan = ddc::DecideScaleIn(in, removal_picture);
    ApplyScaleIn(run, sts, plan);
    if (plan.replicas != in.desired_replicas) {
      g.mutable_base()->set_replicas(plan.replicas);
      auto* o = run.record.add_replica_overrides();
      o->set_component(tdd::ComputeGroupPart(g.unique_id()));
      o->set_replicas(plan.replicas);
    }
    if (plan.under_way) {
      under_way = true;
      state.waiting_on = plan.waiting;
    }
    // For the metrics: nodes leave before the StatefulSet shrinks.
    state.scaling_in = plan.under_way;
    state.scale_in_tablets = plan.tablets_remaining;
    if (in.desired_replicas < in.live_replicas) {
      scale_phase[sts] = plan.phase;
      leaving_from[sts] = in.desired_replicas;
    }
  }
  for (auto& [sts, state] : run.ddc_groups) {
    if (spec_groups.count(sts) || !state.statefulset) continue;
    // Taken out of the spec: its backends leave Doris before it goes.
    ddc::GroupScaleIn in{sts, static_cast<int32_t>(IntAt(*state.statefulset, {"spec", "replicas"}, 1)), 0, !drain};
    const ddc::ScaleInPlan plan = ddc::DecideScaleIn(in, removal_picture);
    ApplyScaleIn(run, sts, plan);
    if (plan.under_way) {
      run.retained[sts] = plan.replicas;
      run.removing = true;
      under_way = true;
    }
  }

  // FE observers leave the FE group before their pods go.
  const DdcFeScaleIn fe_scale = ScaleInDdcFe(run, ddc, &translated);
  under_way |= fe_scale.under_way;
  if (const ComponentState& fe = PartState(run, ddc::Part::kFe); fe.statefulset) {
    const int fe_replicas = tdd::FeReplicas(spec);
    if (fe_replicas < IntAt(*fe.statefulset, {"spec", "replicas"}, 0)) {
      leaving_from[tdd::FeName(run.key.name)] = fe_replicas;
    }
  }
  PartState(run, ddc::Part::kFe).scaling_in = fe_scale.under_way;
  // Nodes the FE lists that no pod backs, as the scale-ins left the lists.
  ReconcileDdcGhosts(run, ddc, translated, fe_view.follower_ready);

  absl::StatusOr<translator::DesiredSet> desired = tdd::Translate(translated, inputs);
  // Rolling changes (ddc_rollout_step.h): partitions, and templates held
  // until the parts before them in Doris's order have rolled.
  DdcRollout rollout;
  if (desired.ok()) {
    rollout = DecideDdcRollout(run, translated, *desired, leaving_from, &inputs);
    if (!inputs.partitions.empty()) desired = tdd::Translate(translated, inputs);
  }
  if (!desired.ok()) {
    run.failed = true;
    run.errors.push_back(std::string(desired.status().message()));
  } else {
    run.record.set_desired_set_hash(desired->hash);
    RecordDesiredObjects(*desired, &run.record);
    // The adminUser Secret leaves the desired objects (Secrets are not
    // logged, so the diff cannot compare them) and is synced live.
    SyncDdcAdminUserSecret(run, ddc, &desired->objects);
    // Withheld until Doris's order allows them (what exists stays).
    std::set<std::string> live_names;
    for (const LiveObject& l : run.live) live_names.insert(l.kind + "/" + l.name);
    std::vector<translator::DesiredObject> kept;
    for (translator::DesiredObject& o : desired->objects) {
      const int part = PartOfObject(run.key.name, o);
      const bool allowed = part == 0 || (part == 1 && bring_up.fe_allowed) || (part == 2 && bring_up.groups_allowed);
      if (allowed || live_names.count(o.kind + "/" + o.name)) kept.push_back(std::move(o));
    }
    desired->objects = std::move(kept);
    run.ddc_drift_fields = DriftFields(*desired, run.live);
    DiffResult diff = Diff(*desired, run.live);
    // A removed group's Services stay while its backends drain (they are
    // how the BEs are reached by name).
    std::vector<PlannedWrite> writes;
    for (PlannedWrite& w : diff.writes) {
      bool held = false;
      for (const auto& [sts, replicas] : run.retained) {
        held |= w.verb == Verb::kDelete && w.kind == "Service" && (w.name == sts || w.name == sts + "-external");
      }
      if (!held) writes.push_back(std::move(w));
    }
    diff.writes = std::move(writes);
    HoldTemplates(rollout, &diff);
    Apply(run, diff);
  }

  // Status from what was observed and decided.
  ddc::StatusInput in;
  in.ns = run.key.ns;
  in.name = run.key.name;
  in.generation = ddc.metadata().generation();
  in.ms_port = ConfInt(inputs, spec.meta_service().base(), "doris_cloud.conf", "brpc_listen_port", 5000);
  in.meta_service = ms_view;
  in.fe = fe_view;
  in.fe.waiting = PartState(run, ddc::Part::kFe).waiting_on;
  in.fe_answers = backends.has_value();
  in.failed_writes = run.failed_writes;
  in.not_applied = run.not_applied;
  in.ghosts = run.ghosts;
  in.previous = &ddc.status();
  in.meta_service_rollout = rollout.views["ms"];
  in.fe_rollout = rollout.views["fe"];
  in.now = run.Now();
  for (const dv1::ComputeGroup& g : spec.compute_groups()) {
    const std::string sts = tdd::ComputeGroupStatefulSetName(run.key.name, g.unique_id());
    ddc::GroupView v;
    v.unique_id = g.unique_id();
    v.workload = WorkloadOf(run.ddc_groups[sts], tdd::GroupReplicas(g));
    v.scale_phase = scale_phase.count(sts) ? scale_phase[sts] : "";
    v.rollout = rollout.views[sts];
    if (backends) {
      for (const ddc::BackendView& b : *backends) {
        if (!b.group_id.empty() && OrdinalOf(b.pod, sts) >= 0) {
          v.compute_group_id = b.group_id;
        }
      }
    }
    if (v.compute_group_id.empty()) {
      // Kept from before while the FE cannot say.
      for (const dv1::ComputeGroupStatus& p : ddc.status().compute_group_statuses()) {
        if (p.unique_id() == g.unique_id()) v.compute_group_id = p.compute_group_id();
      }
    }
    in.groups.push_back(std::move(v));
  }
  dv1::DorisDisaggregatedClusterStatus next = ddc::ComputeStatus(in);
  MarkFeScaling(fe_scale, &next);
  const Json next_json = tdd::StatusToJson(next);
  run.ddc_status = next_json;
  const Json& live_status = FieldAt(run.cluster_json, {"status"});
  if (translator::Canonical(next_json) != translator::Canonical(live_status)) {
    const absl::Status written = PatchClusterStatus(run, MergePatchBetween(live_status, next_json));
    run.Action("update_status", RefFor(tdd::kApiVersion, tdd::kKind, run.key.ns, run.key.name),
               next.cluster_health().health(), written);
  }
  for (const auto& [reason, message] : run.failure_events) run.Event("Warning", reason, message);

  const bool converged = ddc::Converged(next) && !under_way && !rollout.decision.under_way && run.retained.empty();
  if (!converged || run.failed) *requeue_after = run.services.options->progress_poll;
  if (run.ghost_recheck != absl::InfiniteDuration()) {
    // A ghost's grace period ends then: nothing else may wake this cluster.
    const absl::Duration at = std::max(run.ghost_recheck, run.services.options->progress_poll);
    *requeue_after = *requeue_after == absl::ZeroDuration() ? at : std::min(*requeue_after, at);
  }
  if (run.failed) return Outcome::FAILED;
  if (run.writes == 0) return converged ? Outcome::NO_CHANGE : Outcome::REQUEUED;
  return converged ? Outcome::APPLIED : Outcome::REQUEUED;
}

}  // namespace doris_operator::reconcile
