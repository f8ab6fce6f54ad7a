#include "operator/reconcile/observe.h"

#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/credentials.h"
#include "operator/reconcile/inputs.h"
#include "operator/reconcile/scale_in.h"
#include "translator/canonical_json.h"
#include "translator/doris_conf.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;
using kube::BoolAt;
using kube::FieldAt;
using kube::LabelOf;
using kube::StringAt;

constexpr char kComponentLabel[] = "app.kubernetes.io/component";

}  // namespace

PodAddress AddressOf(const Json& pod) {
  PodAddress a;
  a.name = StringAt(pod, {"metadata", "name"});
  if (const std::string ip = StringAt(pod, {"status", "podIP"}); !ip.empty()) a.ips.push_back(ip);
  const Json& ips = FieldAt(pod, {"status", "podIPs"});
  if (ips.is_array()) {
    for (const Json& ip : ips) {
      if (!StringAt(ip, {"ip"}).empty()) a.ips.push_back(StringAt(ip, {"ip"}));
    }
  }
  return a;
}

bool Controlled(const Json& object, const std::string& uid) {
  const Json& refs = FieldAt(object, {"metadata", "ownerReferences"});
  if (!refs.is_array() || uid.empty()) return false;
  for (const Json& ref : refs) {
    if (BoolAt(ref, {"controller"}) && StringAt(ref, {"uid"}) == uid) return true;
  }
  return false;
}

absl::StatusOr<Json> FetchAndLogConfigMap(Run& run, const std::string& ns, const std::string& name) {
  absl::StatusOr<Json> got = run.services.kube->Get(kube::ObjectPath("v1", ns, "configmaps", name));
  if (!got.ok()) return got;
  log::v1::LogRecord r;
  *r.mutable_cluster() = run.key.ToRef();
  r.mutable_watch()->set_type(log::v1::ADDED);
  *r.mutable_watch()->mutable_object() = RefFor("v1", "ConfigMap", ns, name);
  r.mutable_watch()->set_resource_version(StringAt(*got, {"metadata", "resourceVersion"}));
  r.mutable_watch()->set_object_json(translator::Canonical(*got));
  (void)run.services.log->Append({r});
  return got;
}

void ObserveConfigMaps(Run& run, const std::set<std::string>& missing) {
  for (const std::string& cm : missing) {
    absl::StatusOr<Json> got = FetchAndLogConfigMap(run, run.key.ns, cm);
    if (!got.ok()) continue;  // missing: defaults, as the reference operator does
    AddConfigMapData(cm, FieldAt(*got, {"data"}), &run.inputs);
  }
}

void ObserveObjects(Run& run) {
  std::vector<PodAddress> addresses;
  for (const auto& [id, obj] : run.objects) {
    if (id.kind == "StatefulSet" || id.kind == "Service" || id.kind == "HorizontalPodAutoscaler") {
      Json j = Json::parse(obj.object_json(), nullptr, false);
      if (id.kind == "StatefulSet") {
        const std::string* label = LabelOf(j, kComponentLabel);
        const std::optional<Component> c =
            label != nullptr ? translator::ComponentNamed(*label) : std::nullopt;
        if (c) run.of(*c).statefulset = j;
      }
      LiveObject l{obj.ref().api_version(), id.kind, id.name, std::move(j)};
      l.owned = Controlled(l.object, run.cluster.metadata().uid());
      run.live.push_back(std::move(l));
    } else if (id.kind == "Pod") {
      Json j = Json::parse(obj.object_json(), nullptr, false);
      const std::string* label = LabelOf(j, kComponentLabel);
      if (label == nullptr) continue;
      // Every labelled pod's addresses, so that a node can be matched to it.
      addresses.push_back(AddressOf(j));
      if (const std::optional<Component> c = translator::ComponentNamed(*label)) {
        run.of(*c).pods.push_back(std::move(j));
      }
    }
  }
  run.node_map = NodeMap(run.key.name, std::move(addresses));
}

void ObserveFeTarget(Run& run) {
  run.fe.ns = run.key.ns;
  run.fe.cluster = run.key.name;
  // The FE's HTTP port: fe.conf's http_port when the spec sets one.
  if (const model::v1::BaseSpec* fe = translator::BaseOf(run.cluster.spec(), Component::kFe)) {
    auto cm = run.inputs.config_maps.find(translator::CoreConfigMapName(*fe));
    if (cm != run.inputs.config_maps.end()) {
      auto conf = cm->second.find(translator::ConfFileKey(Component::kFe));
      if (conf != cm->second.end()) {
        run.fe.http_port = static_cast<int>(
            translator::DorisConf::Parse(conf->second, translator::DorisHome(Component::kFe))
                .Int("http_port", run.fe.http_port));
      }
    }
  }
  // Credentials: the auth Secret, else adminUser, else root (read live,
  // never logged).
  run.credentials = ReadCredentials(*run.services.kube, run.cluster);
  run.fe.user = run.credentials.user;
  run.fe.password = run.credentials.password;
}

std::vector<int> StartingOrdinals(const ComponentState& state, absl::Time now) {
  std::vector<int> out;
  if (!state.statefulset) return out;
  const std::string sts = StringAt(*state.statefulset, {"metadata", "name"});
  for (const Json& pod : state.pods) {
    if (PodReady(pod) || !FieldAt(pod, {"metadata", "deletionTimestamp"}).is_null()) continue;
    absl::Time created;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, StringAt(pod, {"metadata", "creationTimestamp"}), &created, &error) ||
        now - created > kStartWindow) {
      continue;
    }
    bool stuck = false;
    const Json& conditions = FieldAt(pod, {"status", "conditions"});
    if (conditions.is_array()) {
      for (const Json& c : conditions) {
        stuck |= StringAt(c, {"type"}) == "PodScheduled" && StringAt(c, {"status"}) == "False";
      }
    }
    const Json& containers = FieldAt(pod, {"status", "containerStatuses"});
    if (containers.is_array()) {
      for (const Json& c : containers) {
        const std::string reason = StringAt(c, {"state", "waiting", "reason"});
        stuck |= !reason.empty() && reason != "ContainerCreating" && reason != "PodInitializing";
      }
    }
    const int ordinal = OrdinalOf(StringAt(pod, {"metadata", "name"}), sts);
    if (!stuck && ordinal >= 0) out.push_back(ordinal);
  }
  return out;
}

bool PodReady(const Json& pod) {
  const Json& conditions = FieldAt(pod, {"status", "conditions"});
  if (!conditions.is_array()) return false;
  for (const Json& cond : conditions) {
    if (StringAt(cond, {"type"}) == "Ready") return StringAt(cond, {"status"}) == "True";
  }
  return false;
}

}  // namespace doris_operator::reconcile
