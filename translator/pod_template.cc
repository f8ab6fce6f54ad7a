#include "translator/pod_template.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "translator/affinity.h"
#include "translator/container_parts.h"
#include "translator/env_list.h"
#include "translator/probe.h"

namespace doris_operator::translator::internal {

namespace {

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

void WriteEnv(const Ctx& x, JsonWriter& w) {
  const auto& spec = x.cluster->spec();
  // The user's variables are merged, so they are parsed (only when given).
  Json user = x.base->env_vars().json().empty() ? Json::array()
                                                : RawOr(x.base->env_vars(), Json::array());
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
    value("USER", spec.admin_user().name());
  } else {
    value("USER", "root");
    value("DORIS_ROOT", "/opt/apache-doris");
  }
  if (spec.has_admin_user()) {
    // The deprecated adminUser's password: the reference writes it into the
    // pod template as a plain value; here the images get the same PASSWD
    // from the operator's Secret, so it is in no object the operator logs.
    // Set even when the password is empty (the translator cannot tell):
    // the images treat an empty PASSWD as an unset one.
    ours.push_back({"PASSWD", AdminUserSecretName(x.name()), nullptr, "password"});
  }
  if (spec.has_kerberos_info()) {
    AppendKerberosEnv(spec.kerberos_info(), x.c == Component::kFe,
                      x.c == Component::kBe || x.c == Component::kCn, *x.conf, &ours);
  }
  if ((x.c == Component::kBe && spec.be_spec().skip_default_system_init()) ||
      (x.c == Component::kCn && spec.cn_spec().skip_default_system_init())) {
    value("SKIP_CHECK_ULIMIT", "true");
  }
  if ((x.c == Component::kBe && spec.be_spec().auto_resolve_limit_cpu()) ||
      (x.c == Component::kCn && spec.cn_spec().auto_resolve_limit_cpu())) {
    // As the reference: Limits.Cpu().String(), the canonical quantity ("0" if unset).
    Json limits = CanonicalResourceList(RawOr(x.base->limits(), Json::object()));
    std::string cpu = "0";
    if (limits.contains("cpu") && limits["cpu"].is_string()) cpu = limits["cpu"].get<std::string>();
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

  WriteEnvList(w, user, ours);
}

// The pod's volumes, the main container's mounts and the StatefulSet's


bool FqdnMode(const Ctx& x) { return x.conf->empty() || x.conf->IsTrue("enable_fqdn_mode"); }

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
  WritePreStopLifecycle(w, PreStopScript(x.c));
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
  WriteResources(w, x.base->has_requests(), x.base->requests(), x.base->has_limits(),
                 x.base->limits(), x.base->has_claims(), x.base->claims());
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

// Returns false (writing nothing) when the pod has no init containers.
bool WriteInitContainers(const Ctx& x, JsonWriter& w) {
  const auto& spec = x.cluster->spec();
  const auto& si = x.base->system_initialization();
  const bool skip_default =
      (x.c == Component::kBe && spec.be_spec().skip_default_system_init()) ||
      (x.c == Component::kCn && spec.cn_spec().skip_default_system_init()) ||
      x.c == Component::kFe || x.c == Component::kBroker;
  if (skip_default && !x.base->has_system_initialization()) return false;
  const std::string image = InitImage(si, x.c == Component::kBe, x.base->image());
  w.Key("initContainers");
  w.BeginArray();
  if (!skip_default) WriteDefaultInitContainer(w, image);
  if (x.base->has_system_initialization()) WriteSystemInitContainer(w, si, image);
  w.EndArray();
  return true;
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
  Json pod_aff_pref = Json::array();
  for (const auto& [weight, component] : OurPodAffinity(x)) {
    pod_aff_pref.push_back(PreferredTerm(weight, kComponentLabel, component));
  }
  return MergeAffinity(RawOr(x.base->affinity(), Json::object()),
                       Json::array({PreferredTerm(20, kComponentLabel, x.comp())}), pod_aff_pref);
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
    for (const auto& [weight, component] : ours) WritePreferredTerm(w, weight, kComponentLabel, component);
    w.EndArray();
    w.EndObject();
  }
  w.Key("podAntiAffinity");
  w.BeginObject();
  w.Key("preferredDuringSchedulingIgnoredDuringExecution");
  w.BeginArray();
  WritePreferredTerm(w, 20, kComponentLabel, x.comp());
  w.EndArray();
  w.EndObject();
  w.EndObject();
}

}  // namespace

void WritePodTemplate(const Ctx& x, JsonWriter& w, const Storage& storage) {
  const auto& cluster_annotations = x.cluster->metadata().annotations();
  const bool debug = DebugMode(x);

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
    const std::string& stamp = x.inputs->restarted_at[x.c];
    if (!stamp.empty()) pod_annotations.emplace_back(restart_key, stamp);
  }

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
  w.EndObject();
}

}  // namespace doris_operator::translator::internal
