#include "translator/translator.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
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
#include "translator/validate.h"

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

Json StringMap(const google::protobuf::Map<std::string, std::string>& m) {
  Json out = Json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
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
  DorisConf conf;     // this component's core config
  DorisConf fe_conf;  // FE's, for the query port other components dial
  std::string core_config_map;
  FieldProblems* warnings;

  const std::string& name() const { return cluster->metadata().name(); }
  const std::string& ns() const { return cluster->metadata().namespace_(); }
  std::string comp() const { return std::string(ComponentName(c)); }
  std::string sts() const { return StatefulSetName(name(), c); }
  int Port(std::string_view key, int fallback) const {
    return static_cast<int>(conf.Int(key, fallback));
  }
};

Json OwnerReferences(const DorisCluster& cluster) {
  return Json::array({{{"apiVersion", "doris.selectdb.com/v1"},
                       {"kind", "DorisCluster"},
                       {"name", cluster.metadata().name()},
                       {"uid", cluster.metadata().uid()},
                       {"controller", true},
                       {"blockOwnerDeletion", true}}});
}

Json SelectorLabels(const Ctx& x) {
  return {{kOwnerRefLabel, x.sts()}, {kComponentLabel, x.comp()}};
}

Json ObjectLabels(const Ctx& x) {
  return {{kOwnerRefLabel, x.name()}, {kComponentLabel, x.comp()}};
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

Json Ports(const Ctx& x, bool with_protocol_quirk) {
  Json ports = Json::array();
  for (const PortDef& p : ContainerPorts(x.c)) {
    Json port = Json::object();
    port["name"] = p.name;
    port["containerPort"] = x.Port(p.conf_key, p.default_port);
    // The reference omits the protocol on be-port only; TCP is the default.
    if (!(with_protocol_quirk && p.name == "be-port")) port["protocol"] = "TCP";
    ports.push_back(std::move(port));
  }
  const int arrow = x.Port("arrow_flight_sql_port", -1);
  if (arrow != -1 && x.c != Component::kBroker) {
    ports.push_back({{"name", "arrow-flight"}, {"containerPort", arrow}, {"protocol", "TCP"}});
  }
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

std::string InternalPortName(Component c) {
  switch (c) {
    case Component::kFe: return "query-port";
    case Component::kBe:
    case Component::kCn: return "heartbeat-port";
    case Component::kBroker: return "broker-ipc-port";
  }
  return "";
}

// ---- services ----

Json InternalService(const Ctx& x) {
  Json labels = ObjectLabels(x);
  labels[kServiceRoleLabel] = "internal";
  const int port = InternalPort(x);
  Json svc = Json::object();
  svc["apiVersion"] = "v1";
  svc["kind"] = "Service";
  svc["metadata"]["name"] = InternalServiceName(x.name(), x.c);
  svc["metadata"]["namespace"] = x.ns();
  svc["metadata"]["labels"] = std::move(labels);
  svc["metadata"]["ownerReferences"] = OwnerReferences(*x.cluster);
  Json& spec = svc["spec"];
  spec["clusterIP"] = "None";
  spec["publishNotReadyAddresses"] = true;
  spec["selector"] = SelectorLabels(x);
  Json p = Json::object();
  p["name"] = InternalPortName(x.c);
  p["port"] = port;
  p["protocol"] = "TCP";
  p["targetPort"] = port;
  spec["ports"] = Json::array();
  spec["ports"].push_back(std::move(p));
  return svc;
}

Json ExternalService(const Ctx& x) {
  Json labels = ObjectLabels(x);
  labels[kServiceRoleLabel] = "access";
  const auto& svc = x.base->service();
  const std::string type = svc.type().empty() ? "ClusterIP" : svc.type();
  Json ports = Json::array();
  for (const Json& cp : Ports(x, /*with_protocol_quirk=*/false)) {
    Json p = Json::object();
    p["name"] = cp["name"];
    p["port"] = cp["containerPort"];
    p["protocol"] = "TCP";
    p["targetPort"] = cp["containerPort"];
    for (const auto& sp : svc.service_ports()) {
      if (sp.target_port() == cp["containerPort"].get<int>() && sp.node_port() != 0 &&
          (type == "NodePort" || type == "LoadBalancer")) {
        p["nodePort"] = sp.node_port();
      }
    }
    ports.push_back(std::move(p));
  }
  Json spec = Json::object();
  spec["type"] = type;
  spec["selector"] = SelectorLabels(x);
  spec["ports"] = std::move(ports);
  if (type != "ExternalName") {
    spec["sessionAffinity"] = type == "LoadBalancer" ? "None" : "ClientIP";
  }
  if (type == "LoadBalancer" && !svc.load_balancer_ip().empty()) {
    spec["loadBalancerIP"] = svc.load_balancer_ip();
  }
  Json out = Json::object();
  out["apiVersion"] = "v1";
  out["kind"] = "Service";
  Json& meta = out["metadata"];
  meta["name"] = ExternalServiceName(x.name(), x.c);
  meta["namespace"] = x.ns();
  meta["labels"] = std::move(labels);
  meta["ownerReferences"] = OwnerReferences(*x.cluster);
  if (!svc.annotations().empty()) meta["annotations"] = StringMap(svc.annotations());
  out["spec"] = std::move(spec);
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

Json Env(const Ctx& x) {
  const auto& spec = x.cluster->spec();
  Json user = RawOr(x.base->env_vars(), Json::array());
  std::set<std::string> user_names;
  for (const Json& e : user) {
    if (e.is_object() && e.contains("name") && e["name"].is_string()) {
      user_names.insert(e["name"].get<std::string>());
    }
  }
  std::vector<Json> ours;
  auto field = [](const char* name, const char* path) {
    return Json{{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", path}}}}}};
  };
  auto value = [](const std::string& name, const std::string& v) {
    return Json{{"name", name}, {"value", v}};
  };
  ours.push_back(field("POD_NAME", "metadata.name"));
  ours.push_back(field("POD_IP", "status.podIP"));
  ours.push_back(field("HOST_IP", "status.hostIP"));
  ours.push_back(field("POD_NAMESPACE", "metadata.namespace"));
  ours.push_back(value("CONFIGMAP_MOUNT_PATH", kConfigMountPath));
  ours.push_back(value("DNS_READY_TIMEOUT", "120"));
  ours.push_back(value("DNS_READY_INTERVAL", "2"));
  if (spec.has_admin_user() && !spec.admin_user().name().empty()) {
    // Compatibility with the deprecated adminUser: the reference passes the
    // password as a plain env var. Prefer authSecret (mounted as a file).
    ours.push_back(value("USER", spec.admin_user().name()));
    if (!spec.admin_user().password().empty()) {
      ours.push_back(value("PASSWD", spec.admin_user().password()));
    }
  } else {
    ours.push_back(value("USER", "root"));
    ours.push_back(value("DORIS_ROOT", "/opt/apache-doris"));
  }
  if (spec.has_kerberos_info()) {
    const auto& k = spec.kerberos_info();
    std::string krb5 = "/etc/krb5.conf";
    if (x.c == Component::kBe || x.c == Component::kCn) {
      krb5 = x.conf.Get("kerberos_krb5_conf_path").value_or(krb5);
    } else if (x.c == Component::kFe) {
      for (const char* key : {"java_opts_for_jdk_17", "java_opts"}) {
        const std::string opts = x.conf.Get(key).value_or("");
        const std::string flag = "-Djava.security.krb5.conf=";
        const size_t at = opts.find(flag);
        if (at != std::string::npos) {
          krb5 = std::string(absl::StripSuffix(
              opts.substr(at + flag.size(), opts.find(' ', at) - at - flag.size()), "\""));
          break;
        }
      }
    }
    ours.push_back(value("KRB5_MOUNT_PATH", "/etc/krb5"));
    ours.push_back(value("KRB5_CONFIG", krb5));
    ours.push_back(value("KEYTAB_MOUNT_PATH", "/etc/keytab"));
    ours.push_back(value("KEYTAB_FINAL_USED_PATH",
                         k.keytab_path().empty() ? "/etc/keytab" : k.keytab_path()));
  }
  if ((x.c == Component::kBe && spec.be_spec().skip_default_system_init()) ||
      (x.c == Component::kCn && spec.cn_spec().skip_default_system_init())) {
    ours.push_back(value("SKIP_CHECK_ULIMIT", "true"));
  }
  if ((x.c == Component::kBe && spec.be_spec().auto_resolve_limit_cpu()) ||
      (x.c == Component::kCn && spec.cn_spec().auto_resolve_limit_cpu())) {
    Json limits = RawOr(x.base->limits(), Json::object());
    std::string cpu = "0";
    if (limits.contains("cpu")) {
      cpu = limits["cpu"].is_string() ? limits["cpu"].get<std::string>() : Canonical(limits["cpu"]);
    }
    ours.push_back(value("BE_CPU_LIMIT", cpu));
  }
  const model::v1::FeAddress* fe = FeAddressFor(x);
  const std::string fe_addr =
      fe ? absl::StrJoin(fe->endpoints().address(), ",") : ExternalServiceName(x.name(), Component::kFe);
  const int fe_query = fe ? fe->endpoints().port()
                          : static_cast<int>(x.fe_conf.Int("query_port", 9030));
  ours.push_back(value("ENV_FE_ADDR", fe_addr));
  ours.push_back(value("FE_QUERY_PORT", std::to_string(fe_query)));
  if (x.c == Component::kFe) {
    const int32_t elect =
        spec.fe_spec().has_election_number() ? spec.fe_spec().election_number() : 3;
    ours.push_back(value("ELECT_NUMBER", std::to_string(elect)));
  }
  if (x.c == Component::kBe && spec.be_spec().enable_workload_group()) {
    ours.push_back(value("ENABLE_WORKLOAD_GROUP", "true"));
  }
  if (x.c == Component::kCn) ours.push_back(value("COMPONENT_TYPE", "COMPUTE"));

  Json env = Json::array();
  for (const Json& e : user) env.push_back(e);  // user variables first, and they win
  for (Json& e : ours) {
    if (!user_names.count(e["name"].get<std::string>())) env.push_back(std::move(e));
  }
  return env;
}

struct Storage {
  Json volumes = Json::array();
  Json mounts = Json::array();
  Json claim_templates = Json::array();
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
    return {TrimSlash(x.conf.Get("meta_dir").value_or("/opt/apache-doris/fe/doris-meta"))};
  }
  const std::string roots =
      x.conf.Get("storage_root_path").value_or("/opt/apache-doris/be/storage");
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

Storage BuildStorage(const Ctx& x) {
  Storage s;
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

  s.mounts.push_back({{"name", "podinfo"}, {"mountPath", "/etc/podinfo"}});
  if (data.empty()) {
    if (x.c == Component::kFe) {
      s.volumes.push_back({{"name", "fe-meta"}, {"emptyDir", Json::object()}});
      s.mounts.push_back({{"name", "fe-meta"}, {"mountPath", "/opt/apache-doris/fe/doris-meta"}});
    } else if (x.c != Component::kBroker) {
      s.volumes.push_back({{"name", "be-storage"}, {"emptyDir", Json::object()}});
      s.mounts.push_back({{"name", "be-storage"}, {"mountPath", "/opt/apache-doris/be/storage"}});
    }
  }
  for (const Data& d : data) {
    Json meta = {{"name", d.name}};
    Json ann = StringMap(d.pv->annotations());
    if (d.pv->provisioner() == "Operator") {
      ann["selectdb.doris.com/pvc-manager"] = "operator";
    }
    if (!ann.empty()) meta["annotations"] = ann;
    s.claim_templates.push_back(
        {{"metadata", meta}, {"spec", RawOr(d.pv->persistent_volume_claim_spec(), Json::object())}});
    s.volumes.push_back({{"name", d.name}, {"persistentVolumeClaim", {{"claimName", d.name}}}});
    s.mounts.push_back({{"name", d.name}, {"mountPath", d.path}});
  }
  s.volumes.push_back(
      {{"name", "podinfo"},
       {"downwardAPI",
        {{"items", Json::array({{{"path", "labels"}, {"fieldRef", {{"fieldPath", "metadata.labels"}}}},
                                {{"path", "annotations"},
                                 {"fieldRef", {{"fieldPath", "metadata.annotations"}}}}})}}}});
  Json late_mounts = Json::array();
  if (!spec.auth_secret().empty()) {
    s.volumes.push_back({{"name", "basic-auth"}, {"secret", {{"secretName", spec.auth_secret()}}}});
  }
  if (x.base->has_config_map_info()) {
    const auto& ci = x.base->config_map_info();
    std::vector<std::pair<std::string, std::string>> cms;
    if (!ci.config_map_name().empty()) cms.emplace_back(ci.config_map_name(), "");
    for (const auto& m : ci.config_maps()) cms.emplace_back(m.config_map_name(), m.mount_path());
    std::set<std::string> seen;
    for (const auto& [cm, path] : cms) {
      if (!seen.insert(cm).second) continue;
      s.volumes.push_back({{"name", cm}, {"configMap", {{"name", cm}}}});
      s.mounts.push_back({{"name", cm}, {"mountPath", path.empty() ? kConfigMountPath : path}});
    }
  }
  for (const auto& sec : x.base->secrets()) {
    s.volumes.push_back({{"name", sec.secret_name()}, {"secret", {{"secretName", sec.secret_name()}}}});
    s.mounts.push_back({{"name", sec.secret_name()},
                        {"mountPath", sec.mount_path().empty() ? kConfigMountPath : sec.mount_path()}});
  }
  if (spec.has_kerberos_info()) {
    s.volumes.push_back(
        {{"name", "krb5"}, {"configMap", {{"name", spec.kerberos_info().krb5_config_map()}}}});
    s.volumes.push_back(
        {{"name", "keytab"}, {"secret", {{"secretName", spec.kerberos_info().keytab_secret_name()}}}});
    s.mounts.push_back({{"name", "krb5"}, {"mountPath", "/etc/krb5"}});
    s.mounts.push_back({{"name", "keytab"}, {"mountPath", "/etc/keytab"}});
  }
  if (!spec.auth_secret().empty()) {
    s.mounts.push_back({{"name", "basic-auth"}, {"mountPath", "/etc/basic_auth"}});
  }
  for (const auto& [claim, path] : shared) {
    s.volumes.push_back({{"name", claim}, {"persistentVolumeClaim", {{"claimName", claim}}}});
    s.mounts.push_back({{"name", claim}, {"mountPath", path}});
  }
  return s;
}

bool FqdnMode(const Ctx& x) { return x.conf.empty() || x.conf.IsTrue("enable_fqdn_mode"); }

Json ReadinessHandler(const Ctx& x) {
  if (x.c == Component::kBroker) {
    return {{"exec",
             {{"command", Json::array({"/opt/apache-doris/broker_is_alive.sh",
                                       std::to_string(x.Port("broker_ipc_port", 8000))})}}}};
  }
  const int port = x.c == Component::kFe ? x.Port("http_port", 8030) : x.Port("webserver_port", 8040);
  const bool tls = x.conf.IsTrue("enable_tls");
  const std::string curl_tls =
      tls ? absl::StrCat(" --cacert ", x.conf.Get("tls_ca_certificate_path").value_or(""), " --cert ",
                         x.conf.Get("tls_certificate_path").value_or(""), " --key ",
                         x.conf.Get("tls_private_key_path").value_or(""))
          : "";
  const std::string scheme = tls ? "https" : "http";
  if (FqdnMode(x)) {
    // In FQDN mode the pod only serves once its own name resolves.
    const std::string script = absl::StrCat(
        "host=$(hostname -f) && (getent hosts \"$host\" >/dev/null || nslookup \"$host\" "
        ">/dev/null) && curl --fail --silent --output /dev/null",
        curl_tls, " ", scheme, "://$host:", port, "/api/health");
    return {{"exec", {{"command", Json::array({"bash", "-c", script})}}}};
  }
  if (tls) {
    return {{"exec",
             {{"command", Json::array({"bash", "-c",
                                       absl::StrCat("curl --fail --silent --output /dev/null",
                                                    curl_tls, " https://localhost:", port,
                                                    "/api/health")})}}}};
  }
  return {{"httpGet", {{"path", "/api/health"}, {"port", port}, {"scheme", "HTTP"}}}};
}

Json LivenessHandler(const Ctx& x) {
  if (x.c == Component::kBroker) return ReadinessHandler(x);
  return {{"tcpSocket", {{"port", LivenessPort(x)}}}};
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

Json MainContainer(const Ctx& x, Storage& storage, bool debug) {
  const auto& spec = x.cluster->spec();
  Json resources = Json::object();
  if (x.base->has_requests()) resources["requests"] = RawOr(x.base->requests());
  if (x.base->has_limits()) resources["limits"] = RawOr(x.base->limits());
  if (x.base->has_claims()) resources["claims"] = RawOr(x.base->claims());

  // Built by assignment, not nested initializer lists: those copy every
  // subtree once per level, which dominated translation time.
  Json container = Json::object();
  container["name"] = x.comp();
  container["image"] = x.base->image();
  container["imagePullPolicy"] = "IfNotPresent";
  container["command"] = Json::array({ContainerCommand(x.c)});
  container["args"] = Json::array({"$(ENV_FE_ADDR)"});
  container["env"] = Env(x);
  container["volumeMounts"] = std::move(storage.mounts);
  container["lifecycle"]["preStop"]["exec"]["command"] = Json::array({PreStopScript(x.c)});
  if (!resources.empty()) container["resources"] = resources;
  // CN declares its ports too (the reference declares none; §0).
  container["ports"] = Ports(x, /*with_protocol_quirk=*/true);

  Json readiness = ReadinessHandler(x);
  readiness["periodSeconds"] = 5;
  readiness["failureThreshold"] = 3;
  if (x.base->has_readiness_probe_policy()) {
    const auto& r = x.base->readiness_probe_policy();
    if (r.timeout_seconds() > 0) readiness["timeoutSeconds"] = r.timeout_seconds();
    if (r.failure_threshold() > 0) readiness["failureThreshold"] = r.failure_threshold();
    if (r.period_seconds() > 0) readiness["periodSeconds"] = r.period_seconds();
  }
  container["readinessProbe"] = readiness;
  if (!debug) {
    // In debug mode nothing serves until the user starts Doris by hand, so
    // liveness and startup probes would only restart the container.
    Json liveness = LivenessHandler(x);
    liveness["periodSeconds"] = 5;
    liveness["failureThreshold"] = 3;
    liveness["initialDelaySeconds"] = 80;
    liveness["timeoutSeconds"] = x.base->live_timeout() < 1 ? 180 : x.base->live_timeout();
    container["livenessProbe"] = liveness;
    Json startup = LivenessHandler(x);
    startup["periodSeconds"] = 5;
    startup["failureThreshold"] = std::max(x.base->start_timeout(), 360) / 5;
    container["startupProbe"] = startup;
  }
  Json sc = RawOr(x.base->container_security_context(), Json());
  if (x.c == Component::kBe && spec.be_spec().enable_workload_group()) {
    if (!sc.is_object()) sc = Json::object();
    sc["privileged"] = true;
  }
  if (sc.is_object()) container["securityContext"] = sc;
  return container;
}

Json InitContainers(const Ctx& x) {
  const auto& spec = x.cluster->spec();
  Json out = Json::array();
  const auto& si = x.base->system_initialization();
  const bool skip_default =
      (x.c == Component::kBe && spec.be_spec().skip_default_system_init()) ||
      (x.c == Component::kCn && spec.cn_spec().skip_default_system_init()) ||
      x.c == Component::kFe || x.c == Component::kBroker;
  auto image = [&]() -> std::string {
    std::string img = si.init_image().empty() ? kDefaultInitImage : si.init_image();
    // BE: the default init image is replaced by the BE image itself, which
    // has sysctl and is already pulled (the reference does this too).
    if (x.c == Component::kBe && img == kDefaultInitImage) img = x.base->image();
    return img;
  };
  if (!skip_default) {
    out.push_back({{"name", "default-init"},
                   {"image", image()},
                   {"imagePullPolicy", "IfNotPresent"},
                   {"command", Json::array({"/bin/sh"})},
                   {"args", Json::array({"-c", "sysctl -w vm.max_map_count=2000000 && swapoff -a"})},
                   {"securityContext", {{"privileged", true}}}});
  }
  if (x.base->has_system_initialization()) {
    Json init = {{"name", "init"},
                 {"image", image()},
                 {"imagePullPolicy", "IfNotPresent"},
                 {"securityContext", {{"privileged", true}}}};
    if (si.command_size() > 0) init["command"] = Json(std::vector<std::string>(si.command().begin(), si.command().end()));
    if (si.args_size() > 0) init["args"] = Json(std::vector<std::string>(si.args().begin(), si.args().end()));
    Json resources = Json::object();
    if (si.has_requests()) resources["requests"] = RawOr(si.requests());
    if (si.has_limits()) resources["limits"] = RawOr(si.limits());
    if (!resources.empty()) init["resources"] = resources;
    out.push_back(init);
  }
  return out;
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

Json Affinity(const Ctx& x) {
  const auto& spec = x.cluster->spec();
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
  if (x.c == Component::kBe && spec.be_spec().enable_fe_affinity()) {
    pod_aff_pref.push_back(PreferredTerm(15, "fe"));
  }
  if (x.c == Component::kBroker && spec.broker_spec().kick_off_affinity_be() &&
      !x.base->has_affinity()) {
    pod_aff_pref.push_back(PreferredTerm(20, "be"));
  }
  affinity["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] = anti_pref;
  if (!pod_aff_pref.empty()) {
    Json& pa = affinity["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"];
    if (!pa.is_array()) pa = Json::array();
    for (const Json& t : pod_aff_pref) pa.push_back(t);
  }
  return affinity;
}

int32_t Replicas(const BaseSpec& b) { return b.has_replicas() ? b.replicas() : 1; }

Json StatefulSet(const Ctx& x) {
  const auto& spec = x.cluster->spec();
  const bool debug = DebugMode(x);
  Storage storage = BuildStorage(x);

  Json pod_labels = SelectorLabels(x);
  pod_labels[kClusterLabel] = x.name();
  for (const auto& [k, v] : x.base->pod_labels()) pod_labels[k] = v;
  Json pod_annotations = StringMap(x.base->annotations());
  if (debug) {
    // Land the run mode where the image's entrypoint reads it (/etc/podinfo).
    for (const char* key : kDebugAnnotations) {
      if (x.cluster->metadata().annotations().count(key)) {
        pod_annotations[key] = x.cluster->metadata().annotations().at(key);
      }
    }
  }
  {
    // The reference only restarts FE and BE by annotation; config-change
    // restarts decided by the operator apply to every component.
    const std::string key = absl::StrCat("apache.doris.", x.comp(), "/restartedAt");
    auto it = x.cluster->metadata().annotations().find(key);
    if ((x.c == Component::kFe || x.c == Component::kBe) &&
        it != x.cluster->metadata().annotations().end()) {
      pod_annotations[key] = it->second;
    }
    auto stamp = x.inputs->restarted_at.find(x.comp());
    if (stamp != x.inputs->restarted_at.end()) pod_annotations[key] = stamp->second;
  }

  Json pod_spec = Json::object();
  pod_spec["containers"] = Json::array();
  pod_spec["containers"].push_back(MainContainer(x, storage, debug));
  pod_spec["volumes"] = std::move(storage.volumes);
  pod_spec["affinity"] = Affinity(x);
  Json inits = InitContainers(x);
  if (!inits.empty()) pod_spec["initContainers"] = inits;
  if (x.base->has_image_pull_secrets()) pod_spec["imagePullSecrets"] = RawOr(x.base->image_pull_secrets());
  if (!x.base->node_selector().empty()) pod_spec["nodeSelector"] = StringMap(x.base->node_selector());
  if (!x.base->service_account().empty()) pod_spec["serviceAccountName"] = x.base->service_account();
  if (x.base->has_tolerations()) pod_spec["tolerations"] = RawOr(x.base->tolerations());
  if (x.base->has_host_aliases()) pod_spec["hostAliases"] = RawOr(x.base->host_aliases());
  if (x.base->has_security_context()) pod_spec["securityContext"] = RawOr(x.base->security_context());
  const int64_t grace = x.conf.Int("grace_shutdown_wait_seconds", 0);
  if (grace > 0) {
    pod_spec["terminationGracePeriodSeconds"] = grace;
  } else if (x.c == Component::kFe) {
    pod_spec["terminationGracePeriodSeconds"] = 330;
  } else if (x.c != Component::kBroker) {
    pod_spec["terminationGracePeriodSeconds"] = 200;
  }

  Json template_meta = Json::object();
  template_meta["name"] = x.sts();
  template_meta["labels"] = std::move(pod_labels);
  if (!pod_annotations.empty()) template_meta["annotations"] = std::move(pod_annotations);

  auto partition = x.inputs->partitions.find(x.comp());
  Json sts_spec = Json::object();
  sts_spec["serviceName"] = InternalServiceName(x.name(), x.c);
  sts_spec["revisionHistoryLimit"] = 5;
  sts_spec["podManagementPolicy"] = "Parallel";
  sts_spec["selector"]["matchLabels"] = SelectorLabels(x);
  sts_spec["updateStrategy"]["type"] = "RollingUpdate";
  sts_spec["updateStrategy"]["rollingUpdate"]["partition"] =
      partition == x.inputs->partitions.end() ? 0 : partition->second;
  sts_spec["template"]["metadata"] = std::move(template_meta);
  sts_spec["template"]["spec"] = std::move(pod_spec);
  const bool hpa = x.c == Component::kCn && spec.cn_spec().has_auto_scaling_policy();
  if (!(hpa && !x.base->has_replicas())) sts_spec["replicas"] = Replicas(*x.base);
  if (!storage.claim_templates.empty()) {
    sts_spec["volumeClaimTemplates"] = std::move(storage.claim_templates);
  }
  Json sts = Json::object();
  sts["apiVersion"] = "apps/v1";
  sts["kind"] = "StatefulSet";
  sts["metadata"]["name"] = x.sts();
  sts["metadata"]["namespace"] = x.ns();
  sts["metadata"]["labels"] = ObjectLabels(x);
  sts["metadata"]["ownerReferences"] = OwnerReferences(*x.cluster);
  sts["spec"] = std::move(sts_spec);
  return sts;
}

Json Autoscaler(const Ctx& x) {
  const auto& a = x.cluster->spec().cn_spec().auto_scaling_policy();
  const bool v1 = a.version() == "v1";
  Json labels = ObjectLabels(x);
  labels[kComponentLabel] = "autoscaler";
  Json spec = {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", x.sts()}}},
               {"minReplicas", a.has_min_replicas() ? a.min_replicas() : 1},
               {"maxReplicas", a.max_replicas()}};
  if (!v1 && a.has_hpa_policy()) {
    if (a.hpa_policy().has_metrics()) spec["metrics"] = RawOr(a.hpa_policy().metrics());
    if (a.hpa_policy().has_behavior()) spec["behavior"] = RawOr(a.hpa_policy().behavior());
  }
  return {{"apiVersion", v1 ? "autoscaling/v1" : "autoscaling/v2"},
          {"kind", "HorizontalPodAutoscaler"},
          {"metadata",
           {{"name", AutoscalerName(x.name())},
            {"namespace", x.ns()},
            {"labels", labels},
            {"ownerReferences", OwnerReferences(*x.cluster)}}},
          {"spec", spec}};
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
  std::vector<Json> objects;
  for (Component c : kAllComponents) {
    const BaseSpec* base = BaseOf(spec, c);
    if (base == nullptr) continue;
    const std::string path = absl::StrCat("spec.", ComponentName(c), "Spec");
    Ctx x{&cluster, &inputs, c, base,
          c == Component::kFe ? fe_conf : LoadConf(inputs, base, c, &set.warnings, path),
          fe_conf, CoreConfigMapName(*base), &set.warnings};
    objects.push_back(InternalService(x));
    // The reference creates no access Service for brokers (§2.1).
    if (c != Component::kBroker) objects.push_back(ExternalService(x));
    objects.push_back(StatefulSet(x));
    if (c == Component::kCn && spec.cn_spec().has_auto_scaling_policy()) {
      objects.push_back(Autoscaler(x));
    }
  }
  std::string all_hashes;
  for (Json& obj : objects) {
    // Hash the object without its hash annotation, then add it.
    const bool has_annotations = obj["metadata"].contains("annotations");
    if (has_annotations) obj["metadata"]["annotations"].erase(kHashAnnotation);
    std::string text = Canonical(obj);
    const std::string hash = Sha256Hex(text);
    static constexpr char kMeta[] = "\"metadata\":{";
    const size_t at = text.find(kMeta);
    if (!has_annotations && at != std::string::npos) {
      // "annotations" sorts first among metadata's keys, so the canonical
      // form with the annotation is a splice, not a second serialisation.
      text.insert(at + sizeof(kMeta) - 1,
                  absl::StrCat("\"annotations\":{\"", kHashAnnotation, "\":\"", hash, "\"},"));
    } else {
      obj["metadata"]["annotations"][kHashAnnotation] = hash;
      text = Canonical(obj);
    }
    DesiredObject d;
    d.api_version = obj["apiVersion"].get<std::string>();
    d.kind = obj["kind"].get<std::string>();
    d.name = obj["metadata"]["name"].get<std::string>();
    d.json = std::move(text);
    d.hash = hash;
    absl::StrAppend(&all_hashes, hash, "\n");
    set.objects.push_back(std::move(d));
  }
  set.hash = Sha256Hex(all_hashes);
  return set;
}

}  // namespace doris_operator::translator
