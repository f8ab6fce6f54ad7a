#include "operator/reconcile/reconciler.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/reconcile/config_restart.h"
#include "operator/reconcile/diff.h"
#include "operator/reconcile/field_compare.h"
#include "operator/reconcile/frontends.h"
#include "operator/reconcile/rollout.h"
#include "operator/reconcile/inputs.h"
#include "operator/reconcile/node_map.h"
#include "operator/reconcile/scale_in.h"
#include "operator/reconcile/status.h"
#include "operator/reconcile/unrecorded.h"
#include "translator/canonical_json.h"
#include "translator/component.h"
#include "translator/doris_conf.h"
#include "translator/hash.h"
#include "translator/model_json.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;
const char* const kComponents[] = {"fe", "be", "cn", "broker"};

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

// Safe reads of API objects: a missing or mistyped field is null / the
// default, never an assertion or exception (objects come from outside).
const Json& At(const Json& j, std::initializer_list<const char*> path) {
  static const Json kNull;
  const Json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(k);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

int64_t IntAt(const Json& j, std::initializer_list<const char*> path, int64_t fallback) {
  const Json& v = At(j, path);
  return v.is_number_integer() ? v.get<int64_t>() : fallback;
}

std::string StrAt(const Json& j, std::initializer_list<const char*> path) {
  const Json& v = At(j, path);
  return v.is_string() ? v.get<std::string>() : "";
}

const std::string* Label(const Json& obj, const std::string& key) {
  const Json& labels = At(obj, {"metadata", "labels"});
  if (!labels.is_object()) return nullptr;
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

model::v1::BaseSpec* BaseOf(model::v1::DorisClusterSpec* spec, const std::string& c) {
  if (c == "fe") return spec->has_fe_spec() ? spec->mutable_fe_spec()->mutable_base() : nullptr;
  if (c == "be") return spec->has_be_spec() ? spec->mutable_be_spec()->mutable_base() : nullptr;
  if (c == "cn") return spec->has_cn_spec() ? spec->mutable_cn_spec()->mutable_base() : nullptr;
  return spec->has_broker_spec() ? spec->mutable_broker_spec()->mutable_base() : nullptr;
}

int32_t Replicas(const model::v1::BaseSpec& b) { return b.has_replicas() ? b.replicas() : 1; }

const model::v1::ComponentStatus* PreviousStatus(const model::v1::DorisClusterStatus& s,
                                                 const std::string& c) {
  if (c == "fe") return s.has_fe_status() ? &s.fe_status() : nullptr;
  if (c == "be") return s.has_be_status() ? &s.be_status() : nullptr;
  if (c == "cn") return s.has_cn_status() ? &s.cn_status().base() : nullptr;
  return s.has_broker_status() ? &s.broker_status() : nullptr;
}

log::v1::ObjectRef RefFor(const std::string& api_version, const std::string& kind,
                          const std::string& ns, const std::string& name) {
  log::v1::ObjectRef ref;
  ref.set_api_version(api_version);
  ref.set_kind(kind);
  ref.set_namespace_(ns);
  ref.set_name(name);
  return ref;
}

// The JSON merge patch (RFC 7386) that turns `from` into `to`: removed keys
// become null, so a status field that went away goes away on the server too.
Json MergePatchBetween(const Json& from, const Json& to) {
  if (!from.is_object() || !to.is_object()) return to;
  Json patch = Json::object();
  for (const auto& [k, v] : from.items()) {
    if (!to.contains(k)) patch[k] = nullptr;
  }
  for (const auto& [k, v] : to.items()) {
    auto it = from.find(k);
    if (it == from.end()) {
      patch[k] = v;
    } else if (*it != v) {
      patch[k] = MergePatchBetween(*it, v);
    }
  }
  return patch;
}

bool PodReady(const Json& pod) {
  const Json& conditions = At(pod, {"status", "conditions"});
  if (!conditions.is_array()) return false;
  for (const Json& cond : conditions) {
    if (StrAt(cond, {"type"}) == "Ready") return StrAt(cond, {"status"}) == "True";
  }
  return false;
}

translator::Component ComponentOf(const std::string& c) {
  if (c == "fe") return translator::Component::kFe;
  if (c == "be") return translator::Component::kBe;
  if (c == "cn") return translator::Component::kCn;
  return translator::Component::kBroker;
}

}  // namespace

struct Reconciler::Run {
  store::ClusterKey key;
  store::ClusterObjects objects;
  Json cluster_json;
  model::v1::DorisCluster cluster;
  translator::TranslateInputs inputs;
  log::v1::ReconcileRecord record;
  std::vector<LiveObject> live;
  std::map<std::string, Json> statefulsets;            // by component
  std::map<std::string, std::vector<Json>> pods;       // by component
  std::map<std::string, bool> scaling;                 // by component
  std::map<std::string, bool> upgrading;               // by component
  std::map<std::string, bool> restarting;              // by component
  std::map<std::string, std::string> config_hash;      // by component
  std::map<std::string, std::string> waiting_on;       // by component
  doris::FeTarget fe;
  // The FE's node lists, read once per reconcile (and again after a
  // membership change of ours).
  std::optional<absl::StatusOr<std::vector<doris::NodeRow>>> frontends;
  std::optional<absl::StatusOr<std::vector<doris::NodeRow>>> backends;
  // Doris nodes to pods, through the pods' names and IPs in the log.
  NodeMap node_map;
  // StatefulSets of components taken out of the spec that stay, at this
  // many replicas, until their nodes have left Doris.
  std::map<std::string, int> retained;
  bool removing = false;  // such a removal is under way: look again soon
  int writes = 0;
  bool failed = false;
  std::vector<std::string> errors;
  // Writes the API server or the FE refused ("verb Kind name: message"),
  // and parts of the spec that could not be applied: both keep
  // observedGeneration where it was and say why in the Synced condition.
  std::vector<std::string> failed_writes;
  std::vector<std::string> not_applied;
  // Failed API writes, each to become a Warning Event (Doris calls have
  // Events of their own).
  std::vector<std::pair<std::string, std::string>> failure_events;  // reason, message
  // Set when the FE must not be called in this access mode (see DorisAccess);
  // said (status, Event) once the reconcile needs the FE.
  std::string doris_refused;
  bool doris_refusal_said = false;
  uint64_t caused_by = 0;  // newest record of the cluster that this run saw

  // `critical`: a failure fails the reconcile (an Event that could not be
  // recorded does not).
  void Action(const std::string& verb, const log::v1::ObjectRef& object, const std::string& detail,
              const absl::Status& s, bool critical = true) {
    log::v1::ReconcileRecord::Action* a = record.add_actions();
    a->set_verb(verb);
    *a->mutable_object() = object;
    a->set_detail(detail);
    a->set_ok(s.ok());
    if (!s.ok()) {
      a->set_error(std::string(s.message()));
      if (critical) {
        failed = true;
        errors.push_back(std::string(s.message()));
        failed_writes.push_back(
            absl::StrCat(verb, " ", object.kind(), " ", object.name(), ": ", s.message()));
        if (verb.rfind("doris:", 0) != 0) {
          std::string reason = verb == "update_status" ? "UpdateStatus" : verb;
          reason[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(reason[0])));
          failure_events.emplace_back(absl::StrCat("Failed", reason),
                                      absl::StrCat(verb, " ", object.kind(), " ", object.name(),
                                                   " refused: ", s.message()));
        }
      }
    }
    a->set_caused_by_seq(caused_by);
  }
};

Reconciler::Reconciler(kube::Client* kube, store::EventLog* log, doris::FeClient* fe,
                       ingest::ReferenceIndex* references, ReconcilerOptions options)
    : kube_(kube),
      log_(log),
      fe_(fe),
      references_(references),
      options_(std::move(options)),
      events_(kube) {}

void Reconciler::Event(Run& run, const std::string& type, const std::string& reason,
                       const std::string& message) {
  EventSpec e;
  e.ns = run.key.ns;
  e.api_version = "doris.selectdb.com/v1";
  e.kind = "DorisCluster";
  e.name = run.key.name;
  e.uid = run.cluster.metadata().uid();
  e.type = type;
  e.reason = reason;
  e.message = message;
  // A repeat patches the count of the Event already written (or is skipped
  // by the rate limit), as client-go's recorder does.
  const absl::StatusOr<bool> written = events_.Record(e, options_.now());
  if (!written.ok() || *written) ++run.writes;
  run.Action("event", RefFor("v1", "Event", e.ns, reason),
             written.ok() && !*written ? absl::StrCat("(rate-limited) ", message) : message,
             written.status(), /*critical=*/false);
}

void Reconciler::DorisAccess(Run& run) {
  if (fe_->access() != doris::Access::kApiServerProxy || run.fe.password.empty()) return;
  // kube-apiserver authenticates the request by its Authorization header and
  // removes it before proxying, so Basic credentials never reach the FE;
  // sending a Doris password to the API server is not done either.
  run.doris_refused = absl::StrCat(
      "--doris-access=apiserver-proxy cannot carry Doris credentials (the API server consumes the "
      "Authorization header); the FE of ", run.key.name,
      " needs a password (authSecret or adminUser): run the operator with --doris-access=direct");
}

void Reconciler::DorisRefused(Run& run) {
  if (run.doris_refused.empty() || run.doris_refusal_said) return;
  run.doris_refusal_said = true;
  Event(run, "Warning", "DorisAccessRefused", run.doris_refused);
}

const absl::StatusOr<std::vector<doris::NodeRow>>& Reconciler::Frontends(Run& run) {
  DorisRefused(run);
  if (!run.frontends) {
    run.frontends = run.doris_refused.empty()
                        ? fe_->Frontends(run.fe)
                        : absl::StatusOr<std::vector<doris::NodeRow>>(
                              absl::FailedPreconditionError(run.doris_refused));
  }
  return *run.frontends;
}

const absl::StatusOr<std::vector<doris::NodeRow>>& Reconciler::Backends(Run& run) {
  DorisRefused(run);
  if (!run.backends) {
    run.backends = run.doris_refused.empty()
                       ? fe_->Backends(run.fe)
                       : absl::StatusOr<std::vector<doris::NodeRow>>(
                             absl::FailedPreconditionError(run.doris_refused));
  }
  return *run.backends;
}

absl::StatusOr<doris::FeTarget> Reconciler::MasterTarget(Run& run) {
  const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Frontends(run);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<doris::FrontendList> fes = doris::FrontendsOf(*rows, run.node_map);
  if (!fes.ok()) return fes.status();
  if (fes->master_host.empty()) return absl::UnavailableError("the FE lists no master");
  if (fes->master_pod.empty()) {
    return absl::UnavailableError(
        absl::StrCat("the master FE ", fes->master_host, " is none of this cluster's running pods"));
  }
  // Writes reaching another FE are redirected (Doris 2.x) or forwarded;
  // address the master itself.
  doris::FeTarget t = run.fe;
  t.pod = fes->master_pod;
  t.host = fes->master_host;
  if (fes->master_http_port > 0) t.http_port = fes->master_http_port;
  return t;
}

void Reconciler::Unmapped(Run& run, const std::string& component, const std::vector<std::string>& hosts) {
  const std::string why =
      absl::StrCat("the FE lists ", absl::StrJoin(hosts, ", "),
                   ", which match no pod of this cluster (by FQDN or pod IP): nothing shrinks until "
                   "they are gone or back");
  run.waiting_on[component] = why;
  const model::v1::ComponentStatus* prev = PreviousStatus(run.cluster.status(), component);
  // Once per distinct situation, not every poll.
  if (prev == nullptr || prev->component_condition().message().find(why) == std::string::npos) {
    Event(run, "Warning", "NodeNotMapped", absl::StrCat(component, ": ", why));
  }
}

void Reconciler::Membership(Run& run) {
  model::v1::DorisClusterSpec* spec = run.cluster.mutable_spec();
  // FE: observers go from the FE group before their pods do.
  if (model::v1::BaseSpec* fe = BaseOf(spec, "fe"); fe != nullptr && run.statefulsets.count("fe")) {
    const int live = IntAt(run.statefulsets["fe"], {"spec", "replicas"}, 0);
    const int desired = Replicas(*fe);
    if (desired < live) {
      const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Frontends(run);
      absl::StatusOr<doris::FrontendList> fes =
          rows.ok() ? doris::FrontendsOf(*rows, run.node_map)
                    : absl::StatusOr<doris::FrontendList>(rows.status());
      if (!fes.ok()) {
        fe->set_replicas(live);  // cannot check membership: hold
        run.scaling["fe"] = true;
        run.waiting_on["fe"] = absl::StrCat("the FE node list (", fes.status().message(), ")");
      } else if (!fes->unmapped.empty()) {
        fe->set_replicas(live);
        run.scaling["fe"] = true;
        Unmapped(run, "fe", fes->unmapped);
      } else {
        FrontendInput in;
        in.desired_replicas = desired;
        in.live_replicas = live;
        in.election_number =
            spec->fe_spec().has_election_number() ? spec->fe_spec().election_number() : 3;
        in.frontends = fes->mine;
        FrontendPlan plan = PlanFrontends(in);
        int replicas = plan.statefulset_replicas;
        absl::StatusOr<doris::FeTarget> master =
            plan.drop.empty() ? absl::StatusOr<doris::FeTarget>(run.fe) : MasterTarget(run);
        for (const FrontendChange& d : plan.drop) {
          absl::Status s = master.ok() ? fe_->DropFrontend(*master, d.role, d.host_port) : master.status();
          run.frontends.reset();
          if (master.ok()) ++run.writes;
          run.Action("doris:drop_frontend", RefFor("v1", "Pod", run.key.ns, d.host_port),
                     absl::StrCat(d.role, " ", d.host_port), s);
          Event(run, s.ok() ? "Normal" : "Warning", s.ok() ? "DropFrontend" : "DropFrontendFailed",
                absl::StrCat(s.ok() ? "dropped " : "could not drop ", d.role, " ", d.host_port,
                             s.ok() ? " before its pod goes"
                                    : absl::StrCat(" (", s.message(), "); its pod stays until it is dropped")));
          // The FE still has it: its pod stays, and the drop is tried again.
          if (!s.ok()) replicas = std::max(replicas, std::min(live, d.ordinal + 1));
        }
        if (!plan.warning.empty()) Event(run, "Warning", "FollowerScaleDownFailed", plan.warning);
        fe->set_replicas(replicas);
        run.scaling["fe"] = plan.scaling;
      }
    }
  }
  // BE / CN: decommission, wait for zero tablets, drop, then shrink. A
  // component taken out of the spec is scaled in to 0 the same way before
  // its StatefulSet is deleted.
  for (const char* c : {"be", "cn"}) {
    model::v1::BaseSpec* base = BaseOf(spec, c);
    if (!run.statefulsets.count(c)) continue;
    const bool removed = base == nullptr;
    const std::string sts = absl::StrCat(run.key.name, "-", c);
    if (removed && !spec->has_fe_spec()) continue;  // no FE left to ask: deleted with the rest
    const int live = IntAt(run.statefulsets[c], {"spec", "replicas"}, 0);
    // Under an autoscaler the HPA decides how many CN pods run: that count
    // is the desired one (nothing it added is decommissioned, spec.replicas
    // is not written back), and the nodes whose pods it removed are taken
    // out of the FE through the same scale-in plan. CN nodes hold no
    // tablets, so nothing waits on data.
    const bool autoscaled = !removed && std::string(c) == "cn" && spec->cn_spec().has_auto_scaling_policy();
    const int desired = removed ? 0 : autoscaled ? live : Replicas(*base);
    const model::v1::ComponentStatus* prev = PreviousStatus(run.cluster.status(), c);
    const bool was_scaling = prev != nullptr && prev->component_condition().phase() == "scaling";
    if (!removed && desired >= live && !was_scaling && !autoscaled) continue;
    auto hold = [&](int replicas) {
      if (removed) {
        run.retained[sts] = replicas;
      } else {
        base->set_replicas(replicas);
      }
    };
    const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Backends(run);
    absl::StatusOr<doris::BackendList> backends =
        rows.ok() ? doris::BackendsOf(*rows, c, run.node_map)
                  : absl::StatusOr<doris::BackendList>(rows.status());
    if (!backends.ok()) {
      // Never shrink without knowing the data is safe.
      hold(std::max(live, desired));
      run.scaling[c] = desired < live;
      run.waiting_on[c] = absl::StrCat("the FE backend list (", backends.status().message(), ")");
      continue;
    }
    if (!backends->unmapped.empty()) {
      hold(std::max(live, desired));
      run.scaling[c] = desired < live;
      Unmapped(run, c, backends->unmapped);
      continue;
    }
    ScalePlan plan = PlanScale(c, desired, live, backends->mine);
    absl::StatusOr<doris::FeTarget> master = plan.decommission.empty() && plan.drop.empty()
                                                 ? absl::StatusOr<doris::FeTarget>(run.fe)
                                                 : MasterTarget(run);
    if (!plan.decommission.empty()) {
      absl::Status s = master.ok() ? fe_->DecommissionBackends(*master, plan.decommission) : master.status();
      run.backends.reset();
      if (master.ok()) ++run.writes;
      run.Action("doris:decommission_backend", RefFor("apps/v1", "StatefulSet", run.key.ns, sts),
                 absl::StrJoin(plan.decommission, ","), s);
      Event(run, s.ok() ? "Normal" : "Warning", s.ok() ? "DecommissionBackend" : "DecommissionFailed",
            absl::StrCat(c, removed ? " removed from the spec" : " scale-in", ": decommissioning ",
                         absl::StrJoin(plan.decommission, ", "),
                         s.ok() ? "" : absl::StrCat(": ", s.message())));
    }
    if (!plan.drop.empty()) {
      absl::Status s = master.ok() ? fe_->DropBackends(*master, plan.drop) : master.status();
      run.backends.reset();
      if (master.ok()) ++run.writes;
      run.Action("doris:drop_backend", RefFor("apps/v1", "StatefulSet", run.key.ns, sts),
                 absl::StrJoin(plan.drop, ","), s);
      Event(run, s.ok() ? "Normal" : "Warning", s.ok() ? "DropBackend" : "DropBackendFailed",
            absl::StrCat("drained to 0 tablets, dropped from the FE: ", absl::StrJoin(plan.drop, ", "),
                         s.ok() ? "" : absl::StrCat(": ", s.message())));
    }
    if (!plan.cancel_decommission.empty()) {
      // The FE HTTP API cannot cancel a decommission; say so where people look.
      Event(run, "Warning", "DecommissionNotCancelled",
            absl::StrCat(c, " scaled back out during a scale-in: ",
                         absl::StrJoin(plan.cancel_decommission, ", "),
                         " stay decommissioned; run ALTER SYSTEM CANCEL DECOMMISSION BACKEND to "
                         "use them again"));
    }
    hold(plan.statefulset_replicas);
    run.scaling[c] = plan.scaling;
    run.waiting_on[c] = plan.waiting_on;
    if (removed && plan.statefulset_replicas > 0) {
      run.removing = true;
      if (!plan.decommission.empty()) {
        Event(run, "Normal", "ComponentRemoval",
              absl::StrCat(c, "Spec was removed: StatefulSet ", sts,
                           " is deleted once its nodes are decommissioned and dropped"));
      }
    } else if (removed) {
      run.retained.erase(sts);  // every node is gone from the FE: delete it
    }
  }
}

void Reconciler::ConfigRestarts(Run& run) {
  for (const char* c : {"fe", "be"}) {
    const model::v1::BaseSpec* base = BaseOf(run.cluster.mutable_spec(), c);
    if (base == nullptr) continue;
    const translator::Component comp = ComponentOf(c);
    std::string conf;
    auto cm = run.inputs.config_maps.find(translator::CoreConfigMapName(*base));
    if (cm != run.inputs.config_maps.end()) {
      auto file = cm->second.find(translator::ConfFileKey(comp));
      if (file != cm->second.end()) conf = file->second;
    }
    const model::v1::ComponentStatus* prev = PreviousStatus(run.cluster.status(), c);
    ConfigRestartInput in;
    in.enabled = run.cluster.spec().enable_restart_when_config_change();
    in.stored_hash = prev != nullptr ? prev->core_config_map_hash_value() : "";
    in.current_hash = ConfigHash(conf, translator::DorisHome(comp));
    in.phase = prev != nullptr ? prev->component_condition().phase() : "";
    in.now = Rfc3339(options_.now());
    ConfigRestartDecision d = DecideConfigRestart(in);
    run.config_hash[c] = in.current_hash;
    if (d.pending) {
      // Keep the old hash so the restart still happens once allowed.
      run.config_hash[c] = in.stored_hash;
      run.waiting_on[c] = d.reason;
      continue;
    }
    if (!d.restart) continue;
    // The stamp goes on the DorisCluster itself, where the translator reads
    // restart annotations: it survives this reconcile and operator restarts,
    // and users see why their pods rolled.
    const std::string key = absl::StrCat("apache.doris.", c, "/restartedAt");
    absl::StatusOr<Json> patched = kube_->MergePatch(
        kube::ObjectPath("doris.selectdb.com/v1", run.key.ns, "dorisclusters", run.key.name),
        Json{{"metadata", {{"annotations", {{key, d.restarted_at}}}}}}.dump());
    ++run.writes;
    run.Action("restart", RefFor("doris.selectdb.com/v1", "DorisCluster", run.key.ns, run.key.name),
               absl::StrCat(c, ": ", d.reason), patched.status());
    if (!patched.ok()) {
      run.config_hash[c] = in.stored_hash;  // try again next time
      continue;
    }
    (*run.cluster.mutable_metadata()->mutable_annotations())[key] = d.restarted_at;
    run.inputs.restarted_at[c] = d.restarted_at;
    Event(run, "Normal", "ConfigChangeRestart",
          absl::StrCat(c, " config changed; rolling restart stamped ", d.restarted_at));
    log::v1::ReconcileRecord::RestartStamp* stamp = run.record.add_restart_stamps();
    stamp->set_component(c);
    stamp->set_restarted_at(d.restarted_at);
    run.restarting[c] = true;
  }
}

void Reconciler::DorisAlive(Run& run, const std::string& component, std::vector<PodView>* pods) {
  // "Serving again" is what Doris says, not only Kubernetes readiness: a
  // restarted node must be back in the FE's list and alive before the next
  // pod goes. Brokers, or an FE that cannot be asked, fall back to readiness.
  std::map<int, bool> alive;
  if (component == "fe") {
    const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Frontends(run);
    if (!rows.ok()) return;
    absl::StatusOr<doris::FrontendList> fes = doris::FrontendsOf(*rows, run.node_map);
    if (!fes.ok()) return;
    for (const FrontendView& v : fes->mine) alive[v.ordinal] = v.alive;
  } else if (component == "be" || component == "cn") {
    const absl::StatusOr<std::vector<doris::NodeRow>>& rows = Backends(run);
    if (!rows.ok()) return;
    absl::StatusOr<doris::BackendList> backends = doris::BackendsOf(*rows, component, run.node_map);
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

void Reconciler::ApplyDesired(Run& run) {
  absl::StatusOr<translator::DesiredSet> desired = translator::Translate(run.cluster, run.inputs);
  if (!desired.ok()) {
    run.failed = true;
    run.errors.push_back(std::string(desired.status().message()));
    return;
  }
  // Rolling changes: FE first, one pod at a time, through the partition.
  std::vector<ComponentView> views;
  for (const char* c : kComponents) {
    const model::v1::BaseSpec* base = BaseOf(run.cluster.mutable_spec(), c);
    if (base == nullptr) continue;
    ComponentView v;
    v.component = c;
    auto live = run.statefulsets.find(c);
    v.exists = live != run.statefulsets.end();
    v.replicas = Replicas(*base);
    if (v.exists) {
      const Json& sts = live->second;
      const std::string sts_name = absl::StrCat(run.key.name, "-", c);
      for (const auto& o : desired->objects) {
        if (o.kind != "StatefulSet" || o.name != sts_name) continue;
        Json want = Json::parse(o.json, nullptr, false);
        // The same comparator as the diff and drift: the live template holds
        // quantities as the API server stores them ("1Gi" for "1024Mi").
        v.template_changed = !SameAsStored("/spec/template", At(want, {"spec", "template"}),
                                           At(sts, {"spec", "template"}));
      }
      v.partition = IntAt(sts, {"spec", "updateStrategy", "rollingUpdate", "partition"}, 0);
      v.status_stale = IntAt(sts, {"status", "observedGeneration"}, 0) <
                       IntAt(sts, {"metadata", "generation"}, 0);
      const std::string update_rev = StrAt(sts, {"status", "updateRevision"});
      for (const Json& pod : run.pods[c]) {
        PodView p;
        p.ordinal = OrdinalOf(StrAt(pod, {"metadata", "name"}), sts_name);
        if (p.ordinal < 0) continue;
        const std::string* rev = Label(pod, "controller-revision-hash");
        p.updated = rev != nullptr && *rev == update_rev && !update_rev.empty();
        p.ready = PodReady(pod) && At(pod, {"metadata", "deletionTimestamp"}).is_null();
        p.doris_alive = p.ready;
        v.pods.push_back(p);
      }
      bool rolling = v.template_changed || v.partition > 0;
      for (const PodView& p : v.pods) rolling |= !p.updated;
      if (rolling && !v.status_stale) DorisAlive(run, c, &v.pods);
    }
    views.push_back(std::move(v));
  }
  RolloutPlan rollout = PlanRollout(views);
  for (const auto& [c, partition] : rollout.partitions) {
    if (partition == 0) continue;
    run.inputs.partitions[c] = partition;
    log::v1::ReconcileRecord::PartitionChoice* choice = run.record.add_partitions();
    choice->set_component(c);
    choice->set_partition(partition);
  }
  if (rollout.rolling) {
    for (const ComponentView& v : views) {
      const int p = rollout.partitions[v.component];
      // A StatefulSet the controller has not caught up with yet (new, or
      // just written) is not a rollout of its own.
      bool pending = v.template_changed || (v.exists && p > 0);
      if (!v.status_stale) {
        for (const PodView& pod : v.pods) pending |= !pod.updated;
      }
      if (pending && v.exists && !v.status_stale) {
        run.upgrading[v.component] = true;
        if (run.waiting_on[v.component].empty()) run.waiting_on[v.component] = rollout.waiting_on;
      }
    }
  }
  if (!run.inputs.partitions.empty()) {
    desired = translator::Translate(run.cluster, run.inputs);
    if (!desired.ok()) {
      run.failed = true;
      run.errors.push_back(std::string(desired.status().message()));
      return;
    }
  }
  run.record.set_desired_set_hash(desired->hash);
  RecordDesiredObjects(*desired, &run.record);
  // BE, CN and brokers start once the FE serves: they register with it.
  bool fe_serving = false;
  for (const Json& pod : run.pods["fe"]) fe_serving |= PodReady(pod);
  std::set<std::string> live_names;
  for (const LiveObject& l : run.live) live_names.insert(l.kind + "/" + l.name);
  if (!fe_serving) {
    const std::string fe_prefix = absl::StrCat(run.key.name, "-fe");
    std::vector<translator::DesiredObject> kept;
    for (auto& o : desired->objects) {
      if (o.name.rfind(fe_prefix, 0) == 0 || live_names.count(o.kind + "/" + o.name)) {
        kept.push_back(std::move(o));
      }
    }
    if (kept.size() != desired->objects.size()) run.waiting_on["be"] = "the FE to serve";
    desired->objects = std::move(kept);
  }
  DiffResult diff = Diff(*desired, run.live);
  for (const std::string& note : diff.notes) {
    run.not_applied.push_back(note);
    Event(run, "Warning", "NotApplicable", note);
  }
  Json diff_json = Json::array();
  for (const PlannedWrite& w : diff.writes) {
    diff_json.push_back({{"verb", w.verb == Verb::kCreate  ? "create"
                                  : w.verb == Verb::kApply ? "apply"
                                                           : "delete"},
                         {"kind", w.kind},
                         {"name", w.name},
                         {"reason", w.reason}});
  }
  run.record.set_diff_json(translator::Canonical(diff_json));
  for (const PlannedWrite& w : diff.writes) {
    const std::string resource = kube::ResourceFor(w.kind);
    const log::v1::ObjectRef ref = RefFor(w.api_version, w.kind, run.key.ns, w.name);
    if (resource.empty()) {
      run.Action("skip", ref, absl::StrCat("no REST resource known for kind ", w.kind),
                 absl::OkStatus());
      continue;
    }
    absl::Status s;
    std::string verb;
    switch (w.verb) {
      case Verb::kCreate:
        // Created by server-side apply too, never by POST: a POST's fields
        // belong to an Update entry of managedFields, which a later apply
        // does not prune, so fields we stop writing would stay forever.
        // Apply creates the object when it is absent (and is right if our
        // log has not seen it yet).
        verb = "create";
        s = kube_->Apply(kube::ObjectPath(w.api_version, run.key.ns, resource, w.name), w.body,
                         options_.field_manager)
                .status();
        break;
      case Verb::kApply:
        verb = "apply";
        s = kube_->Apply(kube::ObjectPath(w.api_version, run.key.ns, resource, w.name), w.body,
                         options_.field_manager)
                .status();
        break;
      case Verb::kDelete:
        if (run.retained.count(w.name) && w.kind == "StatefulSet") {
          // A removed component still has nodes in Doris: scale it in
          // instead, through the FE, and delete it once they are gone.
          verb = "scale";
          const int replicas = run.retained[w.name];
          auto live = std::find_if(run.live.begin(), run.live.end(),
                                   [&](const LiveObject& l) { return l.kind == w.kind && l.name == w.name; });
          if (live == run.live.end() || IntAt(live->object, {"spec", "replicas"}, 0) == replicas) continue;
          s = kube_->MergePatch(kube::ObjectPath(w.api_version, run.key.ns, resource, w.name),
                                Json{{"spec", {{"replicas", replicas}}}}.dump())
                  .status();
          break;
        }
        verb = "delete";
        s = kube_->Delete(kube::ObjectPath(w.api_version, run.key.ns, resource, w.name));
        if (s.code() == absl::StatusCode::kNotFound) s = absl::OkStatus();
        break;
    }
    ++run.writes;
    run.Action(verb, ref, w.reason, s);
  }
}

void Reconciler::WriteStatus(Run& run) {
  const model::v1::DorisClusterStatus& previous = run.cluster.status();
  model::v1::DorisClusterStatus next;
  const std::string now = Rfc3339(options_.now());
  std::vector<const model::v1::ComponentStatus*> present;
  for (const char* c : kComponents) {
    model::v1::BaseSpec* base = BaseOf(run.cluster.mutable_spec(), c);
    if (base == nullptr) continue;
    ComponentStatusInput in;
    in.cluster = run.key.name;
    in.component = c;
    in.desired_replicas = Replicas(*base);
    in.scaling = run.scaling[c];
    in.upgrading = run.upgrading[c];
    in.restarting = run.restarting[c];
    in.core_config_hash = run.config_hash[c];
    in.waiting_on = run.waiting_on[c];
    in.previous = PreviousStatus(previous, c);
    in.now = now;
    for (const Json& pod : run.pods[c]) {
      PodStatusView v;
      v.name = StrAt(pod, {"metadata", "name"});
      v.phase = StrAt(pod, {"status", "phase"});
      v.reason = StrAt(pod, {"status", "reason"});
      v.message = StrAt(pod, {"status", "message"});
      const Json& containers = At(pod, {"status", "containerStatuses"});
      if (containers.is_array() && !containers.empty()) {
        v.has_container_statuses = true;
        v.all_containers_ready = true;
        for (const Json& cs : containers) {
          if (!At(cs, {"ready"}).is_boolean() || !At(cs, {"ready"}).get<bool>()) {
            v.all_containers_ready = false;
          }
        }
      }
      in.pods.push_back(std::move(v));
    }
    model::v1::ComponentStatus s = ComputeComponentStatus(in);
    if (std::string(c) == "fe") *next.mutable_fe_status() = s;
    if (std::string(c) == "be") *next.mutable_be_status() = s;
    if (std::string(c) == "cn") *next.mutable_cn_status()->mutable_base() = s;
    if (std::string(c) == "broker") *next.mutable_broker_status() = s;
  }
  if (next.has_fe_status()) present.push_back(&next.fe_status());
  if (next.has_be_status()) present.push_back(&next.be_status());
  if (next.has_cn_status()) present.push_back(&next.cn_status().base());
  if (next.has_broker_status()) present.push_back(&next.broker_status());
  std::vector<model::v1::Condition> prev_conditions(previous.conditions().begin(),
                                                    previous.conditions().end());
  for (auto& cond :
       ComputeConditions(present, run.cluster.metadata().generation(), prev_conditions, now)) {
    *next.add_conditions() = std::move(cond);
  }
  SyncInput sync;
  sync.generation = run.cluster.metadata().generation();
  sync.failed_writes = run.failed_writes;
  sync.not_applied = run.not_applied;
  if (run.doris_refusal_said) sync.doris_refused = run.doris_refused;
  *next.add_conditions() = ComputeSyncedCondition(sync, prev_conditions, now);
  next.set_observed_generation(ObservedGeneration(sync, previous.observed_generation()));
  const Json next_json = translator::StatusToJson(next);
  const Json& live_status = At(run.cluster_json, {"status"});
  if (translator::Canonical(next_json) == translator::Canonical(live_status)) return;
  absl::StatusOr<Json> written = kube_->MergePatch(
      kube::ObjectPath("doris.selectdb.com/v1", run.key.ns, "dorisclusters", run.key.name) +
          "/status",
      Json{{"status", MergePatchBetween(live_status, next_json)}}.dump());
  ++run.writes;
  run.Action("update_status", RefFor("doris.selectdb.com/v1", "DorisCluster", run.key.ns, run.key.name),
             "", written.status());
  *run.cluster.mutable_status() = next;
}

ReconcileOutcome Reconciler::Reconcile(const store::ClusterKey& key, uint64_t trigger_from) {
  const absl::Time start = absl::Now();
  Run run;
  run.key = key;
  run.record.set_trigger_seq_begin(trigger_from);
  run.record.set_trigger_seq_end(log_->last_seq());
  run.record.set_translator_version(options_.operator_version);
  run.objects = log_->CurrentObjectsOf(key);
  ReconcileOutcome out;

  auto finish = [&](log::v1::ReconcileRecord::Outcome outcome) {
    run.record.set_outcome(outcome);
    run.record.set_error(absl::StrJoin(run.errors, "; "));
    run.record.set_duration_micros(absl::ToInt64Microseconds(absl::Now() - start));
    log::v1::LogRecord r;
    *r.mutable_cluster() = key.ToRef();
    *r.mutable_reconcile() = run.record;
    absl::StatusOr<store::AppendResult> appended = log_->Append({r});
    if (!appended.ok()) MarkUnrecorded(appended.status(), &run.record);
    out.record = run.record;
    out.record_seq = appended.ok() ? appended->last_seq : 0;
    out.writes = run.writes;
    return out;
  };

  run.record.set_input_state_hash(InputStateHash(run.objects));
  ClusterInputs in = InputsFromObjects(key, run.objects);
  if (!in.present) {
    // Deleted: the API server's garbage collector removes what it owned.
    references_->Remove(key);
    return finish(log::v1::ReconcileRecord::NO_CHANGE);
  }
  run.cluster_json = std::move(in.cluster_json);
  run.cluster = std::move(in.cluster);
  auto sequences = log_->SeqsForCluster(key, {.limit = 1, .newest_first = true});
  if (sequences.ok() && !sequences->empty()) run.caused_by = sequences->front();
  if (!in.problems.empty()) {
    const std::string message = absl::StrJoin(in.problems, "; ");
    run.errors.push_back(message);
    bool already = false;
    const Json& conditions = At(run.cluster_json, {"status", "conditions"});
    if (conditions.is_array()) {
      for (const Json& c : conditions) {
        if (StrAt(c, {"reason"}) == "InvalidSpec" && StrAt(c, {"message"}) == message &&
            IntAt(c, {"observedGeneration"}, 0) == run.cluster.metadata().generation()) {
          already = true;
        }
      }
    }
    if (!already) {
      Json cond = {{"type", "Ready"},
                   {"status", "False"},
                   {"reason", "InvalidSpec"},
                   {"message", message},
                   {"observedGeneration", run.cluster.metadata().generation()},
                   {"lastTransitionTime", Rfc3339(options_.now())}};
      absl::StatusOr<Json> written = kube_->MergePatch(
          kube::ObjectPath("doris.selectdb.com/v1", key.ns, "dorisclusters", key.name) + "/status",
          Json{{"status", {{"conditions", Json::array({cond})}}}}.dump());
      ++run.writes;
      run.Action("update_status", RefFor("doris.selectdb.com/v1", "DorisCluster", key.ns, key.name),
                 "InvalidSpec", written.status());
      Event(run, "Warning", "InvalidSpec", message);
    }
    return finish(log::v1::ReconcileRecord::INVALID_SPEC);
  }

  // ConfigMaps the spec reads: from the log, or fetched (and logged) once.
  references_->Set(key, in.config_maps);
  run.inputs = std::move(in.inputs);
  for (const std::string& cm : in.missing_config_maps) {
    absl::StatusOr<Json> got = kube_->Get(kube::ObjectPath("v1", key.ns, "configmaps", cm));
    if (!got.ok()) continue;  // missing: defaults, as the reference operator does
    log::v1::LogRecord r;
    *r.mutable_cluster() = key.ToRef();
    r.mutable_watch()->set_type(log::v1::ADDED);
    *r.mutable_watch()->mutable_object() = RefFor("v1", "ConfigMap", key.ns, cm);
    r.mutable_watch()->set_resource_version(StrAt(*got, {"metadata", "resourceVersion"}));
    r.mutable_watch()->set_object_json(translator::Canonical(*got));
    (void)log_->Append({r});
    AddConfigMapData(cm, At(*got, {"data"}), &run.inputs);
  }

  for (const auto& [id, obj] : run.objects) {
    if (id.kind == "StatefulSet" || id.kind == "Service" || id.kind == "HorizontalPodAutoscaler") {
      Json j = Json::parse(obj.object_json(), nullptr, false);
      if (id.kind == "StatefulSet") {
        const std::string* comp = Label(j, "app.kubernetes.io/component");
        if (comp != nullptr) run.statefulsets[*comp] = j;
      }
      run.live.push_back({obj.ref().api_version(), id.kind, id.name, std::move(j)});
    } else if (id.kind == "Pod") {
      Json j = Json::parse(obj.object_json(), nullptr, false);
      const std::string* comp = Label(j, "app.kubernetes.io/component");
      if (comp != nullptr) run.pods[*comp].push_back(std::move(j));
    }
  }
  // Only what this DorisCluster controls may be deleted: a controller owner
  // reference with its UID, not labels anybody can copy.
  for (LiveObject& l : run.live) {
    l.owned = false;
    const Json& refs = At(l.object, {"metadata", "ownerReferences"});
    if (!refs.is_array()) continue;
    for (const Json& ref : refs) {
      l.owned |= At(ref, {"controller"}).is_boolean() && At(ref, {"controller"}).get<bool>() &&
                 !run.cluster.metadata().uid().empty() &&
                 StrAt(ref, {"uid"}) == run.cluster.metadata().uid();
    }
  }
  {
    std::vector<PodAddress> addresses;
    for (const auto& [component, pods] : run.pods) {
      for (const Json& pod : pods) {
        PodAddress a;
        a.name = StrAt(pod, {"metadata", "name"});
        if (const std::string ip = StrAt(pod, {"status", "podIP"}); !ip.empty()) a.ips.push_back(ip);
        const Json& ips = At(pod, {"status", "podIPs"});
        if (ips.is_array()) {
          for (const Json& ip : ips) {
            if (!StrAt(ip, {"ip"}).empty()) a.ips.push_back(StrAt(ip, {"ip"}));
          }
        }
        addresses.push_back(std::move(a));
      }
    }
    run.node_map = NodeMap(key.name, std::move(addresses));
  }

  // Credentials for the FE: the auth Secret, else adminUser, else root.
  run.fe.ns = key.ns;
  run.fe.cluster = key.name;
  // The FE's HTTP port: fe.conf's http_port when the spec sets one.
  if (const model::v1::BaseSpec* fe = BaseOf(run.cluster.mutable_spec(), "fe"); fe != nullptr) {
    auto cm = run.inputs.config_maps.find(translator::CoreConfigMapName(*fe));
    if (cm != run.inputs.config_maps.end()) {
      auto conf = cm->second.find(translator::ConfFileKey(translator::Component::kFe));
      if (conf != cm->second.end()) {
        run.fe.http_port = static_cast<int>(
            translator::DorisConf::Parse(conf->second, translator::DorisHome(translator::Component::kFe))
                .Int("http_port", run.fe.http_port));
      }
    }
  }
  if (!run.cluster.spec().auth_secret().empty()) {
    absl::StatusOr<Json> secret =
        kube_->Get(kube::ObjectPath("v1", key.ns, "secrets", run.cluster.spec().auth_secret()));
    if (secret.ok()) {
      std::string user, password;
      absl::Base64Unescape(StrAt(*secret, {"data", "username"}), &user);
      absl::Base64Unescape(StrAt(*secret, {"data", "password"}), &password);
      if (!user.empty()) run.fe.user = user;
      run.fe.password = password;
    }
  } else if (!run.cluster.spec().admin_user().name().empty()) {
    run.fe.user = run.cluster.spec().admin_user().name();
    absl::StatusOr<Json> live = kube_->Get(
        kube::ObjectPath("doris.selectdb.com/v1", key.ns, "dorisclusters", key.name));
    if (live.ok()) {
      run.fe.password = StrAt(*live, {"spec", "adminUser", "password"});
    }
  }

  DorisAccess(run);
  // Membership adjusts replicas from the FE's node list, which no watch
  // carries: record what it chose so a replay can give the translator the same.
  model::v1::DorisClusterSpec spec_before = run.cluster.spec();
  Membership(run);
  for (const char* c : kComponents) {
    const model::v1::BaseSpec* was = BaseOf(&spec_before, c);
    const model::v1::BaseSpec* now = BaseOf(run.cluster.mutable_spec(), c);
    if (was == nullptr || now == nullptr ||
        (was->has_replicas() == now->has_replicas() && was->replicas() == now->replicas())) {
      continue;
    }
    log::v1::ReconcileRecord::ReplicaOverride* o = run.record.add_replica_overrides();
    o->set_component(c);
    o->set_replicas(Replicas(*now));
  }
  ConfigRestarts(run);
  ApplyDesired(run);
  WriteStatus(run);
  // After the status, so that what people look at first is already true.
  for (const auto& [reason, message] : run.failure_events) Event(run, "Warning", reason, message);

  bool converged = true;
  for (const model::v1::ComponentStatus* s :
       {run.cluster.status().has_fe_status() ? &run.cluster.status().fe_status() : nullptr,
        run.cluster.status().has_be_status() ? &run.cluster.status().be_status() : nullptr,
        run.cluster.status().has_cn_status() ? &run.cluster.status().cn_status().base() : nullptr,
        run.cluster.status().has_broker_status() ? &run.cluster.status().broker_status() : nullptr}) {
    if (s != nullptr && s->component_condition().phase() != "available") converged = false;
  }
  if (run.removing) converged = false;
  if (!converged || run.failed) out.requeue_after = options_.progress_poll;
  if (run.failed) return finish(log::v1::ReconcileRecord::FAILED);
  if (run.writes == 0) return finish(converged ? log::v1::ReconcileRecord::NO_CHANGE
                                               : log::v1::ReconcileRecord::REQUEUED);
  return finish(converged ? log::v1::ReconcileRecord::APPLIED : log::v1::ReconcileRecord::REQUEUED);
}

}  // namespace doris_operator::reconcile
