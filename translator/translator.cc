#include "translator/translator.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "translator/canonical_json.h"
#include "translator/component.h"
#include "translator/doris_conf.h"
#include "translator/hash.h"
#include "translator/json_writer.h"
#include "translator/validate.h"

// Objects are written as canonical JSON directly (JsonWriter) rather than
// built as nlohmann::json trees and serialised: the trees' allocations were
// most of the translation time. Keys are written in sorted order; the writer
// re-sorts any object that is not (user maps), so the bytes do not depend on
// getting that order right. User-supplied JSON (RawJson) is copied through
// when it is already canonical and parsed only when it must be merged.

namespace doris_operator::translator {

namespace {

using model::v1::BaseSpec;
using model::v1::DorisCluster;

constexpr char kOwnerRefLabel[] = "app.doris.ownerreference/name";
constexpr char kComponentLabel[] = "app.kubernetes.io/component";
constexpr char kClusterLabel[] = "app.doris.cluster";
constexpr char kServiceRoleLabel[] = "app.doris.service/role";
constexpr char kDefaultInitImage[] = "selectdb/alpine:latest";
constexpr char kConfigMountPath[] = "/etc/doris";
const char* const kDebugAnnotations[] = {"selectdb.com.doris/runmode", "apache.org.doris/runmode"};

Json RawOr(const model::v1::RawJson& raw, Json fallback = Json()) {
  if (raw.json().empty()) return fallback;
  absl::StatusOr<Json> parsed = ParseJson(raw.json());
  return parsed.ok() ? *parsed : fallback;
}

// Writes what Canonical(RawOr(raw, fallback)) would, without parsing when
// the stored text is already canonical (it is when it came from ModelFromJson).
void WriteRaw(JsonWriter& w, const model::v1::RawJson& raw, std::string_view fallback) {
  const std::string& text = raw.json();
  if (text.empty()) {
    w.Raw(fallback);
  } else if (IsCanonical(text)) {
    w.Raw(text);
  } else {
    absl::StatusOr<Json> parsed = ParseJson(text);
    if (parsed.ok()) {
      w.Value(*parsed);
    } else {
      w.Raw(fallback);
    }
  }
}

// `"key": <raw>` when the spec set the field; nothing otherwise.
void WriteRawField(JsonWriter& w, std::string_view key, bool present,
                   const model::v1::RawJson& raw) {
  if (!present) return;
  w.Key(key);
  WriteRaw(w, raw, "null");
}

void WriteStringMap(JsonWriter& w, const google::protobuf::Map<std::string, std::string>& m,
                    std::string_view skip_key = {}) {
  w.BeginObject();
  for (const auto& [k, v] : m) {
    if (!skip_key.empty() && k == skip_key) continue;
    w.Field(k, v);
  }
  w.EndObject();
}

std::string TrimSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// Everything the builders need about one component of one cluster.
struct Ctx {
  const DorisCluster* cluster;
  const TranslateInputs* inputs;
  Component c;
  const BaseSpec* base;
  const DorisConf* conf;     // this component's core config
  const DorisConf* fe_conf;  // FE's, for the query port other components dial
  const std::string* owner_refs;  // canonical ownerReferences, shared by all objects
  std::string sts_name;

  const std::string& name() const { return cluster->metadata().name(); }
  const std::string& ns() const { return cluster->metadata().namespace_(); }
  const char* comp() const { return ComponentName(c); }
  const std::string& sts() const { return sts_name; }
  int Port(std::string_view key, int fallback) const {
    return static_cast<int>(conf->Int(key, fallback));
  }
};

std::string OwnerReferences(const DorisCluster& cluster) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  w.BeginObject();
  w.Field("apiVersion", "doris.selectdb.com/v1");
  w.Field("blockOwnerDeletion", true);
  w.Field("controller", true);
  w.Field("kind", "DorisCluster");
  w.Field("name", cluster.metadata().name());
  w.Field("uid", cluster.metadata().uid());
  w.EndObject();
  w.EndArray();
  return out;
}

void WriteSelectorLabels(const Ctx& x, JsonWriter& w) {
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.sts());
  w.Field(kComponentLabel, x.comp());
  w.EndObject();
}

// metadata's name, namespace and ownerReferences (after annotations, labels).
void WriteMetaTail(const Ctx& x, JsonWriter& w, const std::string& name) {
  w.Field("name", name);
  w.Field("namespace", x.ns());
  w.Key("ownerReferences");
  w.Raw(*x.owner_refs);
}

DorisConf LoadConf(const TranslateInputs& in, const BaseSpec* b, Component c,
                   FieldProblems* warnings, const std::string& path) {
  if (b == nullptr) return DorisConf();
  const std::string cm = CoreConfigMapName(*b);
  if (cm.empty()) return DorisConf();
  auto it = in.config_maps.find(cm);
  if (it == in.config_maps.end()) {
    warnings->push_back({path + ".configMapInfo",
                         absl::StrCat("ConfigMap \"", cm, "\" was not found; using defaults")});
    return DorisConf();
  }
  auto file = it->second.find(std::string(ConfFileKey(c)));
  if (file == it->second.end()) {
    warnings->push_back({path + ".configMapInfo",
                         absl::StrCat("ConfigMap \"", cm, "\" has no key \"", ConfFileKey(c),
                                      "\"; using defaults")});
    return DorisConf();
  }
  return DorisConf::Parse(file->second, DorisHome(c));
}

// ---- ports ----

struct PortOut {
  std::string_view name;
  int port;
  bool protocol;  // emit protocol: TCP
};

std::vector<PortOut> Ports(const Ctx& x, bool with_protocol_quirk) {
  std::vector<PortOut> ports;
  ports.reserve(8);
  for (const PortDef& p : ContainerPorts(x.c)) {
    // The reference omits the protocol on be-port only; TCP is the default.
    ports.push_back({p.name, x.Port(p.conf_key, p.default_port),
                     !(with_protocol_quirk && p.name == "be-port")});
  }
  const int arrow = x.Port("arrow_flight_sql_port", -1);
  if (arrow != -1 && x.c != Component::kBroker) ports.push_back({"arrow-flight", arrow, true});
  return ports;
}

int LivenessPort(const Ctx& x) {
  switch (x.c) {
    case Component::kFe: return x.Port("query_port", 9030);
    case Component::kBe:
    case Component::kCn: return x.Port("heartbeat_service_port", 9050);
    case Component::kBroker: return x.Port("broker_ipc_port", 8000);
  }
  return 0;
}

int InternalPort(const Ctx& x) { return LivenessPort(x); }

const char* InternalPortName(Component c) {
  switch (c) {
    case Component::kFe: return "query-port";
    case Component::kBe:
    case Component::kCn: return "heartbeat-port";
    case Component::kBroker: return "broker-ipc-port";
  }
  return "";
}

// What a builder reports about the object it wrote.
struct Written {
  const char* api_version;
  const char* kind;
  std::string name;
  bool has_annotations;  // metadata.annotations present without the hash
};

// ---- services ----

// Labels of the access and internal Services (keys in sorted order).
void WriteServiceLabels(const Ctx& x, JsonWriter& w, const char* role) {
  w.Key("labels");
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.name());
  w.Field(kServiceRoleLabel, role);
  w.Field(kComponentLabel, x.comp());
  w.EndObject();
}

Written InternalService(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  Written out{"v1", "Service", InternalServiceName(x.name(), x.c), false};
  const int port = InternalPort(x);
  w.BeginObject();
  w.Field("apiVersion", "v1");
  w.Field("kind", "Service");
  w.Key("metadata");
  w.BeginObject();
  WriteServiceLabels(x, w, "internal");
  WriteMetaTail(x, w, out.name);
  w.EndObject();
  w.Key("spec");
  w.BeginObject();
  w.Field("clusterIP", "None");
  w.Key("ports");
  w.BeginArray();
  w.BeginObject();
  w.Field("name", InternalPortName(x.c));
  w.Field("port", port);
  w.Field("protocol", "TCP");
  w.Field("targetPort", port);
  w.EndObject();
  w.EndArray();
  w.Field("publishNotReadyAddresses", true);
  w.Key("selector");
  WriteSelectorLabels(x, w);
  w.EndObject();
  w.EndObject();
  return out;
}

Written ExternalService(const Ctx& x, JsonWriter& w, const std::string* hash) {
  const auto& svc = x.base->service();
  Written out{"v1", "Service", ExternalServiceName(x.name(), x.c), !svc.annotations().empty()};
  const std::string type = svc.type().empty() ? "ClusterIP" : svc.type();
  w.BeginObject();
  w.Field("apiVersion", "v1");
  w.Field("kind", "Service");
  w.Key("metadata");
  w.BeginObject();
  if (out.has_annotations || hash != nullptr) {
    // A user's value for the hash annotation never survives: it is replaced.
    w.Key("annotations");
    w.BeginObject();
    for (const auto& [k, v] : svc.annotations()) {
      if (k != kHashAnnotation) w.Field(k, v);
    }
    if (hash != nullptr) w.Field(kHashAnnotation, *hash);
    w.EndObject();
  }
  WriteServiceLabels(x, w, "access");
  WriteMetaTail(x, w, out.name);
  w.EndObject();
  w.Key("spec");
  w.BeginObject();
  if (type == "LoadBalancer" && !svc.load_balancer_ip().empty()) {
    w.Field("loadBalancerIP", svc.load_balancer_ip());
  }
  w.Key("ports");
  w.BeginArray();
  for (const PortOut& cp : Ports(x, /*with_protocol_quirk=*/false)) {
    std::optional<int32_t> node_port;
    for (const auto& sp : svc.service_ports()) {
      if (sp.target_port() == cp.port && sp.node_port() != 0 &&
          (type == "NodePort" || type == "LoadBalancer")) {
        node_port = sp.node_port();
      }
    }
    w.BeginObject();
    w.Field("name", cp.name);
    if (node_port) w.Field("nodePort", *node_port);
    w.Field("port", cp.port);
    w.Field("protocol", "TCP");
    w.Field("targetPort", cp.port);
    w.EndObject();
  }
  w.EndArray();
  w.Key("selector");
  WriteSelectorLabels(x, w);
  if (type != "ExternalName") {
    w.Field("sessionAffinity", type == "LoadBalancer" ? "None" : "ClientIP");
  }
  w.Field("type", type);
  w.EndObject();
  w.EndObject();
  return out;
}

// ---- pod template pieces ----

const model::v1::FeAddress* FeAddressFor(const Ctx& x) {
  const auto& spec = x.cluster->spec();
  if (x.base->has_fe_address() && x.base->fe_address().endpoints().address_size() > 0) {
    return &x.base->fe_address();
  }
  if (spec.has_fe_spec() && spec.fe_spec().base().has_fe_address() &&
      spec.fe_spec().base().fe_address().endpoints().address_size() > 0) {
    return &spec.fe_spec().base().fe_address();
  }
  return nullptr;
}

struct EnvVar {
  std::string_view name;
  std::string value;
  const char* field_path = nullptr;  // valueFrom.fieldRef instead of value
};

void WriteEnv(const Ctx& x, JsonWriter& w) {
  const auto& spec = x.cluster->spec();
  // The user's variables are merged, so they are parsed (only when given).
  Json user = x.base->env_vars().json().empty() ? Json::array()
                                                : RawOr(x.base->env_vars(), Json::array());
  std::set<std::string> user_names;
  for (const Json& e : user) {
    if (e.is_object() && e.contains("name") && e["name"].is_string()) {
      user_names.insert(e["name"].get<std::string>());
    }
  }
  std::vector<EnvVar> ours;
  ours.reserve(24);
  auto field = [&](const char* name, const char* path) { ours.push_back({name, {}, path}); };
  auto value = [&](std::string_view name, std::string v) {
    ours.push_back({name, std::move(v), nullptr});
  };
  field("POD_NAME", "metadata.name");
  field("POD_IP", "status.podIP");
  field("HOST_IP", "status.hostIP");
  field("POD_NAMESPACE", "metadata.namespace");
  value("CONFIGMAP_MOUNT_PATH", kConfigMountPath);
  value("DNS_READY_TIMEOUT", "120");
  value("DNS_READY_INTERVAL", "2");
  if (spec.has_admin_user() && !spec.admin_user().name().empty()) {
    // Compatibility with the deprecated adminUser: the reference passes the
    // password as a plain env var. Prefer authSecret (mounted as a file).
    value("USER", spec.admin_user().name());
    if (!spec.admin_user().password().empty()) {
      value("PASSWD", spec.admin_user().password());
    }
  } else {
    value("USER", "root");
    value("DORIS_ROOT", "/opt/apache-doris");
  }
  if (spec.has_kerberos_info()) {
    const auto& k = spec.kerberos_info();
    std::string krb5 = "/etc/krb5.conf";
    if (x.c == Component::kBe || x.c == Component::kCn) {
      krb5 = x.conf->Get("kerberos_krb5_conf_path").value_or(krb5);
    } else if (x.c == Component::kFe) {
      for (const char* key : {"java_opts_for_jdk_17", "java_opts"}) {
        const std::string opts = x.conf->Get(key).value_or("");
        const std::string flag = "-Djava.security.krb5.conf=";
        const size_t at = opts.find(flag);
        if (at != std::string::npos) {
          krb5 = std::string(absl::StripSuffix(
              opts.substr(at + flag.size(), opts.find(' ', at) - at - flag.size()), "\""));
          break;
        }
      }
    }
    value("KRB5_MOUNT_PATH", "/etc/krb5");
    value("KRB5_CONFIG", krb5);
    value("KEYTAB_MOUNT_PATH", "/etc/keytab");
    value("KEYTAB_FINAL_USED_PATH", k.keytab_path().empty() ? "/etc/keytab" : k.keytab_path());
  }
  if ((x.c == Component::kBe && spec.be_spec().skip_default_system_init()) ||
      (x.c == Component::kCn && spec.cn_spec().skip_default_system_init())) {
    value("SKIP_CHECK_ULIMIT", "true");
  }
  if ((x.c == Component::kBe && spec.be_spec().auto_resolve_limit_cpu()) ||
      (x.c == Component::kCn && spec.cn_spec().auto_resolve_limit_cpu())) {
    Json limits = RawOr(x.base->limits(), Json::object());
    std::string cpu = "0";
    if (limits.contains("cpu")) {
      cpu = limits["cpu"].is_string() ? limits["cpu"].get<std::string>() : Canonical(limits["cpu"]);
    }
    value("BE_CPU_LIMIT", cpu);
  }
  const model::v1::FeAddress* fe = FeAddressFor(x);
  const std::string fe_addr =
      fe ? absl::StrJoin(fe->endpoints().address(), ",") : ExternalServiceName(x.name(), Component::kFe);
  const int fe_query = fe ? fe->endpoints().port()
                          : static_cast<int>(x.fe_conf->Int("query_port", 9030));
  value("ENV_FE_ADDR", fe_addr);
  value("FE_QUERY_PORT", std::to_string(fe_query));
  if (x.c == Component::kFe) {
    const int32_t elect =
        spec.fe_spec().has_election_number() ? spec.fe_spec().election_number() : 3;
    value("ELECT_NUMBER", std::to_string(elect));
  }
  if (x.c == Component::kBe && spec.be_spec().enable_workload_group()) {
    value("ENABLE_WORKLOAD_GROUP", "true");
  }
  if (x.c == Component::kCn) value("COMPONENT_TYPE", "COMPUTE");

  w.BeginArray();
  for (const Json& e : user) w.Value(e);  // user variables first, and they win
  for (const EnvVar& e : ours) {
    if (!user_names.empty() && user_names.count(std::string(e.name))) continue;
    w.BeginObject();
    w.Field("name", e.name);
    if (e.field_path != nullptr) {
      w.Key("valueFrom");
      w.BeginObject();
      w.Key("fieldRef");
      w.BeginObject();
      w.Field("fieldPath", e.field_path);
      w.EndObject();
      w.EndObject();
    } else {
      w.Field("value", e.value);
    }
    w.EndObject();
  }
  w.EndArray();
}

// The pod's volumes, the main container's mounts and the StatefulSet's
// claim templates, each as a finished canonical JSON array.
struct Storage {
  std::string volumes, mounts, claim_templates;
  int claim_count = 0;
};

std::string ResolveSharedPath(std::string path, Component c) {
  const std::string home(DorisHome(c));
  for (const char* var : {"${DORIS_HOME}", "$DORIS_HOME"}) {
    const size_t at = path.find(var);
    if (at != std::string::npos) path.replace(at, std::string(var).size(), home);
  }
  return TrimSlash(path);
}

// Storage paths a template persistentVolume expands into (§2.4).
std::vector<std::string> TemplatePaths(const Ctx& x) {
  if (x.c == Component::kFe) {
    return {TrimSlash(x.conf->Get("meta_dir").value_or("/opt/apache-doris/fe/doris-meta"))};
  }
  const std::string roots =
      x.conf->Get("storage_root_path").value_or("/opt/apache-doris/be/storage");
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(roots, ';', absl::SkipWhitespace())) {
    std::string p(part);
    p = p.substr(0, p.find(','));
    p = p.substr(0, p.find('.'));
    p = TrimSlash(std::string(absl::StripAsciiWhitespace(p)));
    if (!p.empty()) out.push_back(p);
  }
  return out;
}

std::string TemplateSuffix(const std::string& path, const std::vector<std::string>& all) {
  auto last = [](const std::string& p) {
    const size_t slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
  };
  std::string suffix = last(path);
  int same = 0;
  for (const std::string& other : all) same += last(other) == suffix;
  if (same > 1) {
    const std::string parent = path.substr(0, path.rfind('/'));
    suffix = absl::StrCat(last(parent), "-", suffix);
  }
  std::replace(suffix.begin(), suffix.end(), '_', '-');
  return suffix;
}

// {"name": name, <kind>: {<ref_key>: ref}}, e.g. a Secret or ConfigMap volume.
void WriteVolume(JsonWriter& w, std::string_view name, const char* kind, const char* ref_key,
                 std::string_view ref) {
  w.BeginObject();
  w.Field("name", name);
  w.Key(kind);
  w.BeginObject();
  w.Field(ref_key, ref);
  w.EndObject();
  w.EndObject();
}

void WriteMount(JsonWriter& w, std::string_view name, std::string_view path) {
  w.BeginObject();
  w.Field("mountPath", path);
  w.Field("name", name);
  w.EndObject();
}

void WriteEmptyDir(JsonWriter& w, std::string_view name) {
  w.BeginObject();
  w.Key("emptyDir");
  w.BeginObject();
  w.EndObject();
  w.Field("name", name);
  w.EndObject();
}

Storage BuildStorage(const Ctx& x) {
  Storage s;
  JsonWriter volumes(&s.volumes), mounts(&s.mounts), claims(&s.claim_templates);
  volumes.BeginArray();
  mounts.BeginArray();
  claims.BeginArray();
  const auto& spec = x.cluster->spec();
  // Shared claims win over a persistent volume with the same path.
  std::vector<std::pair<std::string, std::string>> shared;  // (claim, path)
  std::set<std::string> shared_paths;
  for (const auto& sp : spec.shared_persistent_volume_claims()) {
    const bool applies =
        sp.support_components().empty() ||
        std::find(sp.support_components().begin(), sp.support_components().end(), x.comp()) !=
            sp.support_components().end();
    if (!applies) continue;
    const std::string path = ResolveSharedPath(sp.mount_path(), x.c);
    shared.emplace_back(sp.persistent_volume_claim_name(), path);
    shared_paths.insert(path);
  }

  struct Data {
    std::string name, path;
    const model::v1::PersistentVolume* pv;
  };
  std::vector<Data> data;
  const model::v1::PersistentVolume* tmpl = nullptr;
  for (const auto& pv : x.base->persistent_volumes()) {
    if (pv.mount_path().empty()) {
      tmpl = &pv;
      continue;
    }
    const std::string path = TrimSlash(pv.mount_path());
    if (!shared_paths.count(path)) data.push_back({pv.name(), path, &pv});
  }
  if (tmpl != nullptr && x.c != Component::kBroker) {
    const std::vector<std::string> paths = TemplatePaths(x);
    for (const std::string& p : paths) {
      if (shared_paths.count(p)) continue;
      const std::string name =
          paths.size() == 1 ? tmpl->name() : absl::StrCat(tmpl->name(), "-", TemplateSuffix(p, paths));
      data.push_back({name, p, tmpl});
    }
  }

  WriteMount(mounts, "podinfo", "/etc/podinfo");
  if (data.empty()) {
    if (x.c == Component::kFe) {
      WriteEmptyDir(volumes, "fe-meta");
      WriteMount(mounts, "fe-meta", "/opt/apache-doris/fe/doris-meta");
    } else if (x.c != Component::kBroker) {
      WriteEmptyDir(volumes, "be-storage");
      WriteMount(mounts, "be-storage", "/opt/apache-doris/be/storage");
    }
  }
  for (const Data& d : data) {
    claims.BeginObject();
    claims.Key("metadata");
    claims.BeginObject();
    const bool operator_managed = d.pv->provisioner() == "Operator";
    if (!d.pv->annotations().empty() || operator_managed) {
      claims.Key("annotations");
      claims.BeginObject();
      for (const auto& [k, v] : d.pv->annotations()) claims.Field(k, v);
      if (operator_managed) claims.Field("selectdb.doris.com/pvc-manager", "operator");
      claims.EndObject();
    }
    claims.Field("name", d.name);
    claims.EndObject();
    claims.Key("spec");
    WriteRaw(claims, d.pv->persistent_volume_claim_spec(), "{}");
    claims.EndObject();
    ++s.claim_count;
    WriteVolume(volumes, d.name, "persistentVolumeClaim", "claimName", d.name);
    WriteMount(mounts, d.name, d.path);
  }
  // podinfo: the pod's labels and annotations as files (debug mode, hooks).
  volumes.Raw(
      R"({"downwardAPI":{"items":[{"fieldRef":{"fieldPath":"metadata.labels"},"path":"labels"},)"
      R"({"fieldRef":{"fieldPath":"metadata.annotations"},"path":"annotations"}]},"name":"podinfo"})");
  if (!spec.auth_secret().empty()) {
    WriteVolume(volumes, "basic-auth", "secret", "secretName", spec.auth_secret());
  }
  if (x.base->has_config_map_info()) {
    const auto& ci = x.base->config_map_info();
    std::vector<std::pair<std::string, std::string>> cms;
    if (!ci.config_map_name().empty()) cms.emplace_back(ci.config_map_name(), "");
    for (const auto& m : ci.config_maps()) cms.emplace_back(m.config_map_name(), m.mount_path());
    std::set<std::string> seen;
    for (const auto& [cm, path] : cms) {
      if (!seen.insert(cm).second) continue;
      WriteVolume(volumes, cm, "configMap", "name", cm);
      WriteMount(mounts, cm, path.empty() ? kConfigMountPath : path);
    }
  }
  for (const auto& sec : x.base->secrets()) {
    WriteVolume(volumes, sec.secret_name(), "secret", "secretName", sec.secret_name());
    WriteMount(mounts, sec.secret_name(),
               sec.mount_path().empty() ? kConfigMountPath : sec.mount_path());
  }
  if (spec.has_kerberos_info()) {
    WriteVolume(volumes, "krb5", "configMap", "name", spec.kerberos_info().krb5_config_map());
    WriteVolume(volumes, "keytab", "secret", "secretName",
                spec.kerberos_info().keytab_secret_name());
    WriteMount(mounts, "krb5", "/etc/krb5");
    WriteMount(mounts, "keytab", "/etc/keytab");
  }
  if (!spec.auth_secret().empty()) {
    WriteMount(mounts, "basic-auth", "/etc/basic_auth");
  }
  for (const auto& [claim, path] : shared) {
    WriteVolume(volumes, claim, "persistentVolumeClaim", "claimName", claim);
    WriteMount(mounts, claim, path);
  }
  volumes.EndArray();
  mounts.EndArray();
  claims.EndArray();
  return s;
}

bool FqdnMode(const Ctx& x) { return x.conf->empty() || x.conf->IsTrue("enable_fqdn_mode"); }

// A probe's handler: its key ("exec", "httpGet", "tcpSocket") and value.
struct Handler {
  const char* key;
  std::string value;  // canonical JSON
};

std::string ExecCommand(std::initializer_list<std::string_view> args) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("command");
  w.BeginArray();
  for (std::string_view a : args) w.String(a);
  w.EndArray();
  w.EndObject();
  return out;
}

Handler ReadinessHandler(const Ctx& x) {
  if (x.c == Component::kBroker) {
    return {"exec", ExecCommand({"/opt/apache-doris/broker_is_alive.sh",
                                 std::to_string(x.Port("broker_ipc_port", 8000))})};
  }
  const int port = x.c == Component::kFe ? x.Port("http_port", 8030) : x.Port("webserver_port", 8040);
  const bool tls = x.conf->IsTrue("enable_tls");
  const std::string curl_tls =
      tls ? absl::StrCat(" --cacert ", x.conf->Get("tls_ca_certificate_path").value_or(""), " --cert ",
                         x.conf->Get("tls_certificate_path").value_or(""), " --key ",
                         x.conf->Get("tls_private_key_path").value_or(""))
          : "";
  const std::string scheme = tls ? "https" : "http";
  if (FqdnMode(x)) {
    // In FQDN mode the pod only serves once its own name resolves.
    const std::string script = absl::StrCat(
        "host=$(hostname -f) && (getent hosts \"$host\" >/dev/null || nslookup \"$host\" "
        ">/dev/null) && curl --fail --silent --output /dev/null",
        curl_tls, " ", scheme, "://$host:", port, "/api/health");
    return {"exec", ExecCommand({"bash", "-c", script})};
  }
  if (tls) {
    return {"exec", ExecCommand({"bash", "-c",
                                 absl::StrCat("curl --fail --silent --output /dev/null", curl_tls,
                                              " https://localhost:", port, "/api/health")})};
  }
  return {"httpGet", absl::StrCat(R"({"path":"/api/health","port":)", port, R"(,"scheme":"HTTP"})")};
}

Handler LivenessHandler(const Ctx& x) {
  if (x.c == Component::kBroker) return ReadinessHandler(x);
  return {"tcpSocket", absl::StrCat(R"({"port":)", LivenessPort(x), "}")};
}

struct ProbeTiming {
  int64_t failure_threshold;
  int64_t period_seconds;
  std::optional<int64_t> initial_delay_seconds;
  std::optional<int64_t> timeout_seconds;
};

void WriteProbe(JsonWriter& w, const Handler& h, const ProbeTiming& t) {
  w.BeginObject();
  // The handler goes among the timing keys in sorted order.
  const std::string_view key = h.key;
  if (key < "failureThreshold") {
    w.Key(key);
    w.Raw(h.value);
  }
  w.Field("failureThreshold", t.failure_threshold);
  if (key > "failureThreshold" && key < "initialDelaySeconds") {
    w.Key(key);
    w.Raw(h.value);
  }
  if (t.initial_delay_seconds) w.Field("initialDelaySeconds", *t.initial_delay_seconds);
  if (key > "initialDelaySeconds" && key < "periodSeconds") {
    w.Key(key);
    w.Raw(h.value);
  }
  w.Field("periodSeconds", t.period_seconds);
  if (key > "periodSeconds") {
    w.Key(key);
    w.Raw(h.value);
  }
  if (t.timeout_seconds) w.Field("timeoutSeconds", *t.timeout_seconds);
  w.EndObject();
}

bool DebugMode(const Ctx& x) {
  for (const char* key : kDebugAnnotations) {
    auto a = x.cluster->metadata().annotations().find(key);
    if (a != x.cluster->metadata().annotations().end() && a->second == "debug") return true;
    auto b = x.base->annotations().find(key);
    if (b != x.base->annotations().end() && b->second == "debug") return true;
  }
  return false;
}

void WriteMainContainer(const Ctx& x, JsonWriter& w, const Storage& storage, bool debug) {
  const auto& spec = x.cluster->spec();
  w.BeginObject();
  w.Key("args");
  w.Raw(R"j(["$(ENV_FE_ADDR)"])j");
  w.Key("command");
  w.BeginArray();
  w.String(ContainerCommand(x.c));
  w.EndArray();
  w.Key("env");
  WriteEnv(x, w);
  w.Field("image", x.base->image());
  w.Field("imagePullPolicy", "IfNotPresent");
  w.Key("lifecycle");
  w.BeginObject();
  w.Key("preStop");
  w.BeginObject();
  w.Key("exec");
  w.BeginObject();
  w.Key("command");
  w.BeginArray();
  w.String(PreStopScript(x.c));
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  if (!debug) {
    // In debug mode nothing serves until the user starts Doris by hand, so
    // liveness and startup probes would only restart the container.
    w.Key("livenessProbe");
    WriteProbe(w, LivenessHandler(x),
               {3, 5, 80, x.base->live_timeout() < 1 ? 180 : x.base->live_timeout()});
  }
  w.Field("name", x.comp());
  // CN declares its ports too (the reference declares none; §0).
  w.Key("ports");
  w.BeginArray();
  for (const PortOut& p : Ports(x, /*with_protocol_quirk=*/true)) {
    w.BeginObject();
    w.Field("containerPort", p.port);
    w.Field("name", p.name);
    if (p.protocol) w.Field("protocol", "TCP");
    w.EndObject();
  }
  w.EndArray();
  {
    ProbeTiming t{3, 5, std::nullopt, std::nullopt};
    if (x.base->has_readiness_probe_policy()) {
      const auto& r = x.base->readiness_probe_policy();
      if (r.timeout_seconds() > 0) t.timeout_seconds = r.timeout_seconds();
      if (r.failure_threshold() > 0) t.failure_threshold = r.failure_threshold();
      if (r.period_seconds() > 0) t.period_seconds = r.period_seconds();
    }
    w.Key("readinessProbe");
    WriteProbe(w, ReadinessHandler(x), t);
  }
  if (x.base->has_requests() || x.base->has_limits() || x.base->has_claims()) {
    w.Key("resources");
    w.BeginObject();
    WriteRawField(w, "claims", x.base->has_claims(), x.base->claims());
    WriteRawField(w, "limits", x.base->has_limits(), x.base->limits());
    WriteRawField(w, "requests", x.base->has_requests(), x.base->requests());
    w.EndObject();
  }
  const std::string& sc_text = x.base->container_security_context().json();
  if (x.c == Component::kBe && spec.be_spec().enable_workload_group()) {
    Json sc = RawOr(x.base->container_security_context(), Json());
    if (!sc.is_object()) sc = Json::object();
    sc["privileged"] = true;
    w.Key("securityContext");
    w.Value(sc);
  } else if (!sc_text.empty() && IsCanonical(sc_text)) {
    if (sc_text[0] == '{') {
      w.Key("securityContext");
      w.Raw(sc_text);
    }
  } else if (!sc_text.empty()) {
    Json sc = RawOr(x.base->container_security_context(), Json());
    if (sc.is_object()) {
      w.Key("securityContext");
      w.Value(sc);
    }
  }
  if (!debug) {
    w.Key("startupProbe");
    WriteProbe(w, LivenessHandler(x),
               {std::max(x.base->start_timeout(), 360) / 5, 5, std::nullopt, std::nullopt});
  }
  w.Key("volumeMounts");
  w.Raw(storage.mounts);
  w.EndObject();
}

void WriteInitResources(JsonWriter& w, const model::v1::SystemInitialization& si) {
  if (!si.has_requests() && !si.has_limits()) return;
  w.Key("resources");
  w.BeginObject();
  WriteRawField(w, "limits", si.has_limits(), si.limits());
  WriteRawField(w, "requests", si.has_requests(), si.requests());
  w.EndObject();
}

// Returns false (writing nothing) when the pod has no init containers.
bool WriteInitContainers(const Ctx& x, JsonWriter& w) {
  const auto& spec = x.cluster->spec();
  const auto& si = x.base->system_initialization();
  const bool skip_default =
      (x.c == Component::kBe && spec.be_spec().skip_default_system_init()) ||
      (x.c == Component::kCn && spec.cn_spec().skip_default_system_init()) ||
      x.c == Component::kFe || x.c == Component::kBroker;
  if (skip_default && !x.base->has_system_initialization()) return false;
  auto image = [&]() -> std::string {
    std::string img = si.init_image().empty() ? kDefaultInitImage : si.init_image();
    // BE: the default init image is replaced by the BE image itself, which
    // has sysctl and is already pulled (the reference does this too).
    if (x.c == Component::kBe && img == kDefaultInitImage) img = x.base->image();
    return img;
  };
  w.Key("initContainers");
  w.BeginArray();
  if (!skip_default) {
    w.BeginObject();
    w.Key("args");
    w.Raw(R"(["-c","sysctl -w vm.max_map_count=2000000 && swapoff -a"])");
    w.Key("command");
    w.Raw(R"(["/bin/sh"])");
    w.Field("image", image());
    w.Field("imagePullPolicy", "IfNotPresent");
    w.Field("name", "default-init");
    w.Key("securityContext");
    w.Raw(R"({"privileged":true})");
    w.EndObject();
  }
  if (x.base->has_system_initialization()) {
    w.BeginObject();
    if (si.args_size() > 0) {
      w.Key("args");
      w.BeginArray();
      for (const std::string& a : si.args()) w.String(a);
      w.EndArray();
    }
    if (si.command_size() > 0) {
      w.Key("command");
      w.BeginArray();
      for (const std::string& a : si.command()) w.String(a);
      w.EndArray();
    }
    w.Field("image", image());
    w.Field("imagePullPolicy", "IfNotPresent");
    w.Field("name", "init");
    WriteInitResources(w, si);
    w.Key("securityContext");
    w.Raw(R"({"privileged":true})");
    w.EndObject();
  }
  w.EndArray();
  return true;
}

Json PreferredTerm(int weight, const std::string& component) {
  return {{"weight", weight},
          {"podAffinityTerm",
           {{"labelSelector",
             {{"matchExpressions", Json::array({{{"key", kComponentLabel},
                                                 {"operator", "In"},
                                                 {"values", Json::array({component})}}})}}},
            {"topologyKey", "kubernetes.io/hostname"}}}};
}

void WritePreferredTerm(JsonWriter& w, int weight, std::string_view component) {
  w.BeginObject();
  w.Key("podAffinityTerm");
  w.BeginObject();
  w.Key("labelSelector");
  w.BeginObject();
  w.Key("matchExpressions");
  w.BeginArray();
  w.BeginObject();
  w.Field("key", kComponentLabel);
  w.Field("operator", "In");
  w.Key("values");
  w.BeginArray();
  w.String(component);
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.Field("topologyKey", "kubernetes.io/hostname");
  w.EndObject();
  w.Field("weight", weight);
  w.EndObject();
}

// Terms of pod affinity the operator adds: (weight, component).
std::vector<std::pair<int, const char*>> OurPodAffinity(const Ctx& x) {
  const auto& spec = x.cluster->spec();
  std::vector<std::pair<int, const char*>> out;
  if (x.c == Component::kBe && spec.be_spec().enable_fe_affinity()) out.emplace_back(15, "fe");
  if (x.c == Component::kBroker && spec.broker_spec().kick_off_affinity_be() &&
      !x.base->has_affinity()) {
    out.emplace_back(20, "be");
  }
  return out;
}

// With the user's affinity merged in (parsed; only when one is given).
Json MergedAffinity(const Ctx& x) {
  Json user = RawOr(x.base->affinity(), Json::object());
  Json anti_pref = Json::array({PreferredTerm(20, x.comp())});
  Json pod_aff_pref = Json::array();
  Json affinity = Json::object();
  if (user.contains("podAntiAffinity")) {
    const Json& ua = user["podAntiAffinity"];
    if (ua.contains("preferredDuringSchedulingIgnoredDuringExecution")) {
      for (const Json& t : ua["preferredDuringSchedulingIgnoredDuringExecution"]) anti_pref.push_back(t);
    }
    if (ua.contains("requiredDuringSchedulingIgnoredDuringExecution")) {
      affinity["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] =
          ua["requiredDuringSchedulingIgnoredDuringExecution"];
    }
  }
  if (user.contains("nodeAffinity")) affinity["nodeAffinity"] = user["nodeAffinity"];
  if (user.contains("podAffinity")) affinity["podAffinity"] = user["podAffinity"];
  for (const auto& [weight, component] : OurPodAffinity(x)) {
    pod_aff_pref.push_back(PreferredTerm(weight, component));
  }
  affinity["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] = anti_pref;
  if (!pod_aff_pref.empty()) {
    Json& pa = affinity["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"];
    if (!pa.is_array()) pa = Json::array();
    for (const Json& t : pod_aff_pref) pa.push_back(t);
  }
  return affinity;
}

void WriteAffinity(const Ctx& x, JsonWriter& w) {
  if (!x.base->affinity().json().empty()) {
    w.Value(MergedAffinity(x));
    return;
  }
  const auto ours = OurPodAffinity(x);
  w.BeginObject();
  if (!ours.empty()) {
    w.Key("podAffinity");
    w.BeginObject();
    w.Key("preferredDuringSchedulingIgnoredDuringExecution");
    w.BeginArray();
    for (const auto& [weight, component] : ours) WritePreferredTerm(w, weight, component);
    w.EndArray();
    w.EndObject();
  }
  w.Key("podAntiAffinity");
  w.BeginObject();
  w.Key("preferredDuringSchedulingIgnoredDuringExecution");
  w.BeginArray();
  WritePreferredTerm(w, 20, x.comp());
  w.EndArray();
  w.EndObject();
  w.EndObject();
}

int32_t Replicas(const BaseSpec& b) { return b.has_replicas() ? b.replicas() : 1; }

Written StatefulSet(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  const auto& spec = x.cluster->spec();
  const auto& cluster_annotations = x.cluster->metadata().annotations();
  const bool debug = DebugMode(x);
  const Storage storage = BuildStorage(x);
  Written out{"apps/v1", "StatefulSet", x.sts(), false};

  // Pod annotations, later entries overriding earlier ones with the same key.
  std::vector<std::pair<std::string_view, std::string_view>> pod_annotations;
  for (const auto& [k, v] : x.base->annotations()) pod_annotations.emplace_back(k, v);
  if (debug) {
    // Land the run mode where the image's entrypoint reads it (/etc/podinfo).
    for (const char* key : kDebugAnnotations) {
      auto it = cluster_annotations.find(key);
      if (it != cluster_annotations.end()) pod_annotations.emplace_back(key, it->second);
    }
  }
  // The reference only restarts FE and BE by annotation; config-change
  // restarts decided by the operator apply to every component.
  const std::string restart_key = absl::StrCat("apache.doris.", x.comp(), "/restartedAt");
  {
    auto it = cluster_annotations.find(restart_key);
    if ((x.c == Component::kFe || x.c == Component::kBe) && it != cluster_annotations.end()) {
      pod_annotations.emplace_back(restart_key, it->second);
    }
    auto stamp = x.inputs->restarted_at.find(x.comp());
    if (stamp != x.inputs->restarted_at.end()) pod_annotations.emplace_back(restart_key, stamp->second);
  }

  w.BeginObject();
  w.Field("apiVersion", "apps/v1");
  w.Field("kind", "StatefulSet");
  w.Key("metadata");
  w.BeginObject();
  w.Key("labels");
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.name());
  w.Field(kComponentLabel, x.comp());
  w.EndObject();
  WriteMetaTail(x, w, out.name);
  w.EndObject();

  w.Key("spec");
  w.BeginObject();
  w.Field("podManagementPolicy", "Parallel");
  // Under an autoscaler the HPA owns the count: leaving it out of what we
  // apply keeps its value (and spec.replicas is ignored).
  const bool hpa = x.c == Component::kCn && spec.cn_spec().has_auto_scaling_policy();
  if (!hpa) w.Field("replicas", Replicas(*x.base));
  w.Field("revisionHistoryLimit", 5);
  w.Key("selector");
  w.BeginObject();
  w.Key("matchLabels");
  WriteSelectorLabels(x, w);
  w.EndObject();
  w.Field("serviceName", InternalServiceName(x.name(), x.c));

  w.Key("template");
  w.BeginObject();
  w.Key("metadata");
  w.BeginObject();
  if (!pod_annotations.empty()) {
    w.Key("annotations");
    w.BeginObject();
    for (const auto& [k, v] : pod_annotations) w.Field(k, v);
    w.EndObject();
  }
  w.Key("labels");
  w.BeginObject();
  w.Field(kClusterLabel, x.name());
  w.Field(kOwnerRefLabel, x.sts());
  w.Field(kComponentLabel, x.comp());
  for (const auto& [k, v] : x.base->pod_labels()) w.Field(k, v);
  w.EndObject();
  w.Field("name", x.sts());
  w.EndObject();

  w.Key("spec");
  w.BeginObject();
  w.Key("affinity");
  WriteAffinity(x, w);
  w.Key("containers");
  w.BeginArray();
  WriteMainContainer(x, w, storage, debug);
  w.EndArray();
  WriteRawField(w, "hostAliases", x.base->has_host_aliases(), x.base->host_aliases());
  WriteRawField(w, "imagePullSecrets", x.base->has_image_pull_secrets(),
                x.base->image_pull_secrets());
  WriteInitContainers(x, w);
  if (!x.base->node_selector().empty()) {
    w.Key("nodeSelector");
    WriteStringMap(w, x.base->node_selector());
  }
  WriteRawField(w, "securityContext", x.base->has_security_context(), x.base->security_context());
  if (!x.base->service_account().empty()) w.Field("serviceAccountName", x.base->service_account());
  const int64_t grace = x.conf->Int("grace_shutdown_wait_seconds", 0);
  if (grace > 0) {
    w.Field("terminationGracePeriodSeconds", grace);
  } else if (x.c == Component::kFe) {
    w.Field("terminationGracePeriodSeconds", 330);
  } else if (x.c != Component::kBroker) {
    w.Field("terminationGracePeriodSeconds", 200);
  }
  WriteRawField(w, "tolerations", x.base->has_tolerations(), x.base->tolerations());
  w.Key("volumes");
  w.Raw(storage.volumes);
  w.EndObject();  // template.spec
  w.EndObject();  // template

  auto partition = x.inputs->partitions.find(x.comp());
  w.Key("updateStrategy");
  w.BeginObject();
  w.Key("rollingUpdate");
  w.BeginObject();
  w.Field("partition", partition == x.inputs->partitions.end() ? 0 : partition->second);
  w.EndObject();
  w.Field("type", "RollingUpdate");
  w.EndObject();
  if (storage.claim_count > 0) {
    w.Key("volumeClaimTemplates");
    w.Raw(storage.claim_templates);
  }
  w.EndObject();  // spec
  w.EndObject();
  return out;
}

Written Autoscaler(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  const auto& a = x.cluster->spec().cn_spec().auto_scaling_policy();
  const bool v1 = a.version() == "v1";
  Written out{v1 ? "autoscaling/v1" : "autoscaling/v2", "HorizontalPodAutoscaler",
              AutoscalerName(x.name()), false};
  w.BeginObject();
  w.Field("apiVersion", out.api_version);
  w.Field("kind", out.kind);
  w.Key("metadata");
  w.BeginObject();
  w.Key("labels");
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.name());
  w.Field(kComponentLabel, "autoscaler");
  w.EndObject();
  WriteMetaTail(x, w, out.name);
  w.EndObject();
  w.Key("spec");
  w.BeginObject();
  const bool hpa_policy = !v1 && a.has_hpa_policy();
  WriteRawField(w, "behavior", hpa_policy && a.hpa_policy().has_behavior(),
                a.hpa_policy().behavior());
  w.Field("maxReplicas", a.max_replicas());
  WriteRawField(w, "metrics", hpa_policy && a.hpa_policy().has_metrics(), a.hpa_policy().metrics());
  w.Field("minReplicas", a.has_min_replicas() ? a.min_replicas() : 1);
  w.Key("scaleTargetRef");
  w.BeginObject();
  w.Field("apiVersion", "apps/v1");
  w.Field("kind", "StatefulSet");
  w.Field("name", x.sts());
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return out;
}

using Builder = Written (*)(const Ctx&, JsonWriter&, const std::string* hash);

// Writes one object, hashes it without its hash annotation, and adds it.
// `reserve`: enough for the usual object and its hash annotation, so the
// text is allocated once.
DesiredObject Build(Builder build, const Ctx& x, size_t reserve, std::string* all_hashes) {
  DesiredObject d;
  std::string text;
  text.reserve(reserve);
  Written info;
  {
    JsonWriter w(&text);
    info = build(x, w, nullptr);
  }
  std::string hash = Sha256Hex(text);
  static constexpr char kMeta[] = "\"metadata\":{";
  const size_t at = text.find(kMeta);
  if (!info.has_annotations && at != std::string::npos) {
    // "annotations" sorts first among metadata's keys, so the canonical
    // form with the annotation is a splice, not a second serialisation.
    text.insert(at + sizeof(kMeta) - 1,
                absl::StrCat("\"annotations\":{\"", kHashAnnotation, "\":\"", hash, "\"},"));
  } else {
    text.clear();
    JsonWriter w(&text);
    build(x, w, &hash);
  }
  d.api_version = info.api_version;
  d.kind = info.kind;
  d.name = std::move(info.name);
  d.json = std::move(text);
  absl::StrAppend(all_hashes, hash, "\n");
  d.hash = std::move(hash);
  return d;
}

}  // namespace

absl::StatusOr<DesiredSet> Translate(const DorisCluster& cluster, const TranslateInputs& inputs) {
  FieldProblems problems = Validate(cluster);
  if (!problems.empty()) {
    std::vector<std::string> lines;
    for (const FieldProblem& p : problems) lines.push_back(p.ToString());
    return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  }
  DesiredSet set;
  const auto& spec = cluster.spec();
  const DorisConf fe_conf =
      LoadConf(inputs, BaseOf(spec, Component::kFe), Component::kFe, &set.warnings, "spec.feSpec");
  const std::string owner_refs = OwnerReferences(cluster);
  std::string all_hashes;
  set.objects.reserve(12);
  for (Component c : kAllComponents) {
    const BaseSpec* base = BaseOf(spec, c);
    if (base == nullptr) continue;
    const std::string path = absl::StrCat("spec.", ComponentName(c), "Spec");
    const DorisConf own_conf =
        c == Component::kFe ? DorisConf() : LoadConf(inputs, base, c, &set.warnings, path);
    const Ctx x{&cluster,  &inputs,     c, base, c == Component::kFe ? &fe_conf : &own_conf,
                &fe_conf, &owner_refs, StatefulSetName(cluster.metadata().name(), c)};
    set.objects.push_back(Build(InternalService, x, 2048, &all_hashes));
    // The reference creates no access Service for brokers (§2.1).
    if (c != Component::kBroker) set.objects.push_back(Build(ExternalService, x, 2048, &all_hashes));
    set.objects.push_back(Build(StatefulSet, x, 8192, &all_hashes));
    if (c == Component::kCn && spec.cn_spec().has_auto_scaling_policy()) {
      set.objects.push_back(Build(Autoscaler, x, 2048, &all_hashes));
    }
  }
  set.hash = Sha256Hex(all_hashes);
  return set;
}

}  // namespace doris_operator::translator
