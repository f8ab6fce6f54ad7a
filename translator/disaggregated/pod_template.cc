#include "translator/disaggregated/pod_template.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "translator/affinity.h"
#include "translator/container_parts.h"
#include "translator/disaggregated/names.h"
#include "translator/env_list.h"
#include "translator/json_parts.h"
#include "translator/probe.h"

namespace doris_operator::translator::disaggregated {

namespace {

using internal::EnvVar;
using internal::ProbeTiming;
using internal::RawOr;
using internal::WriteRawField;

// A container port's name must be an IANA service name, at most 15
// characters (the API server refuses "brpc-listen-port"); the Services keep
// the contract's names and target ports by number.
std::string ContainerPortName(const std::string& name) {
  if (name == "brpc-listen-port") return "brpc-listen";
  if (name == "arrow-flight-sql-port") return "arrow-flight";  // as a DorisCluster's
  return name;
}

const char* Script(Kind k) {
  switch (k) {
    case Kind::kMs: return "ms";
    case Kind::kFe: return "fe";
    case Kind::kCg: return "be";
  }
  return "";
}

void WriteEnv(const Ctx& x, JsonWriter& w) {
  const auto& spec = x.ddc->spec();
  Json user = x.base->env_vars().json().empty() ? Json::array()
                                                : RawOr(x.base->env_vars(), Json::array());
  std::vector<EnvVar> ours;
  ours.reserve(24);
  auto field = [&](const char* name, const char* path) { ours.push_back({name, {}, path}); };
  auto value = [&](std::string_view name, std::string v) { ours.push_back({name, std::move(v)}); };
  field("POD_NAME", "metadata.name");
  field("POD_IP", "status.podIP");
  field("HOST_IP", "status.hostIP");
  field("POD_NAMESPACE", "metadata.namespace");
  value("CONFIGMAP_MOUNT_PATH", "/etc/doris");
  value("DNS_READY_TIMEOUT", "120");
  value("DNS_READY_INTERVAL", "2");
  const std::string fe_addr = absl::StrCat(FeName(x.name()), ".", x.ns());
  switch (x.kind) {
    case Kind::kMs: {
      // fdb.address wins over the ConfigMap; without either the variable is
      // left out and the translation warns (as the reference, §2.3).
      const auto& fdb = spec.meta_service().fdb();
      if (!fdb.address().empty()) {
        value("FDB_ENDPOINT", fdb.address());
      } else if (x.inputs->fdb_cluster_file) {
        value("FDB_ENDPOINT", *x.inputs->fdb_cluster_file);
      }
      break;
    }
    case Kind::kFe:
      value("MS_ENDPOINT", absl::StrCat(MetaServiceName(x.name()), ".", x.ns(), ":",
                                        x.ms_conf->Int("brpc_listen_port", 5000)));
      value("CLUSTER_ID", ClusterId(x.ns(), x.name()));
      value("STATEFULSET_NAME", x.sts);
      value("ENV_FE_ADDR", fe_addr);
      value("ELECT_NUMBER", std::to_string(ElectionNumber(spec.fe_spec())));
      break;
    case Kind::kCg:
      value("STATEFULSET_NAME", x.sts);
      value("COMPUTE_GROUP_NAME", ComputeGroupName(x.cg->unique_id()));
      value("HOST_TYPE", "FQDN");
      value("ENV_FE_ADDR", fe_addr);
      value("FE_QUERY_PORT", std::to_string(x.fe_conf->Int("query_port", 9030)));
      if (x.cg->enable_workload_group()) value("ENABLE_WORKLOAD_GROUP", "true");
      if (x.cg->skip_default_system_init()) value("SKIP_CHECK_ULIMIT", "true");
      if (x.cg->auto_resolve_limit_cpu()) {
        // As the reference: Limits.Cpu().String(), the canonical quantity ("0" if unset).
        Json limits = internal::CanonicalResourceList(RawOr(x.base->limits(), Json::object()));
        std::string cpu = "0";
        if (limits.contains("cpu") && limits["cpu"].is_string()) cpu = limits["cpu"].get<std::string>();
        value("BE_CPU_LIMIT", cpu);
      }
      break;
  }
  if (x.kind != Kind::kMs && spec.has_admin_user()) {
    // The reference writes the password into the pod template in the clear
    // (contract §7.5); here it comes from the operator's Secret.
    value("USER", spec.admin_user().name());
    ours.push_back({"PASSWD", AdminUserSecretName(x.name()), nullptr, "password"});
  }
  if (x.kind != Kind::kMs && spec.has_kerberos_info()) {
    internal::AppendKerberosEnv(spec.kerberos_info(), x.kind == Kind::kFe, x.kind == Kind::kCg,
                                *x.conf, &ours);
  }
  internal::WriteEnvList(w, user, ours);
}

void WriteMainContainer(const Ctx& x, JsonWriter& w, const Storage& storage) {
  const auto& b = *x.base;
  const std::string script = Script(x.kind);
  const std::string probe = absl::StrCat("/opt/apache-doris/", script, "_disaggregated_probe.sh");
  const internal::Handler alive{"exec", internal::ExecCommand({probe, "alive"})};
  const internal::Handler ready{"exec", internal::ExecCommand({probe, "ready"})};
  w.BeginObject();
  if (x.kind != Kind::kMs) {
    w.Key("args");
    w.Raw(R"j(["$(ENV_FE_ADDR)"])j");
  }
  w.Key("command");
  w.BeginArray();
  w.String(absl::StrCat("/opt/apache-doris/", script, "_disaggregated_entrypoint.sh"));
  w.EndArray();
  w.Key("env");
  WriteEnv(x, w);
  w.Field("image", b.image());
  w.Field("imagePullPolicy", "IfNotPresent");
  internal::WritePreStopLifecycle(
      w, absl::StrCat("/opt/apache-doris/", script, "_disaggregated_prestop.sh"));
  w.Key("livenessProbe");
  internal::WriteProbe(w, alive, {3, 5, 80, b.live_timeout() < 1 ? 180 : b.live_timeout()});
  w.Field("name", ContainerName(x.kind));
  w.Key("ports");
  w.BeginArray();
  for (const Port& p : Ports(x)) {
    w.BeginObject();
    w.Field("containerPort", p.port);
    w.Field("name", ContainerPortName(p.name));
    w.Field("protocol", "TCP");
    w.EndObject();
  }
  w.EndArray();
  {
    ProbeTiming t{3, 5, std::nullopt, std::nullopt};
    if (b.has_readiness_probe_policy()) {
      const auto& r = b.readiness_probe_policy();
      if (r.timeout_seconds() > 0) t.timeout_seconds = r.timeout_seconds();
      if (r.failure_threshold() > 0) t.failure_threshold = r.failure_threshold();
      if (r.period_seconds() > 0) t.period_seconds = r.period_seconds();
    }
    w.Key("readinessProbe");
    internal::WriteProbe(w, ready, t);
  }
  internal::WriteResources(w, b.has_requests(), b.requests(), b.has_limits(), b.limits(),
                           b.has_claims(), b.claims());
  if (x.kind == Kind::kCg && x.cg->enable_workload_group()) {
    Json sc = RawOr(b.container_security_context(), Json::object());
    if (!sc.is_object()) sc = Json::object();
    sc["privileged"] = true;
    w.Key("securityContext");
    w.Value(sc);
  } else if (b.has_container_security_context()) {
    Json sc = RawOr(b.container_security_context(), Json());
    if (sc.is_object()) {
      w.Key("securityContext");
      w.Value(sc);
    }
  }
  w.Key("startupProbe");
  internal::WriteProbe(w, alive, {std::max(b.start_timeout(), 360) / 5, 5, std::nullopt, std::nullopt});
  w.Key("volumeMounts");
  w.Raw(storage.mounts);
  w.EndObject();
}

// BE: the privileged sysctl container first unless skipDefaultSystemInit,
// then the user's systemInitialization (any component) as `init` (§2.2).
void WriteInitContainers(const Ctx& x, JsonWriter& w) {
  const auto& b = *x.base;
  const bool default_init = x.kind == Kind::kCg && !x.cg->skip_default_system_init();
  if (!default_init && !b.has_system_initialization()) return;
  const auto& si = b.system_initialization();
  // Compute groups only: the reference calls UseNewDefaultInitContainerImage
  // from the group's StatefulSet builder alone.
  const std::string image = internal::InitImage(si, x.kind == Kind::kCg, b.image());
  w.Key("initContainers");
  w.BeginArray();
  if (default_init) internal::WriteDefaultInitContainer(w, image);
  if (b.has_system_initialization()) internal::WriteSystemInitContainer(w, si, image);
  w.EndArray();
}

// A preferred anti-affinity on the host against the same ddc (meta service,
// FE) or the same compute group, merged with the user's (§4.4).
void WriteAffinity(const Ctx& x, JsonWriter& w) {
  const char* key = x.kind == Kind::kCg ? kUniqueIdLabel : kClusterLabel;
  const std::string& value = x.kind == Kind::kCg ? x.cg->unique_id() : x.name();
  if (x.base->has_affinity() && !x.base->affinity().json().empty()) {
    w.Value(internal::MergeAffinity(RawOr(x.base->affinity(), Json::object()),
                                    Json::array({internal::PreferredTerm(20, key, value)}),
                                    Json::array()));
    return;
  }
  w.BeginObject();
  w.Key("podAntiAffinity");
  w.BeginObject();
  w.Key("preferredDuringSchedulingIgnoredDuringExecution");
  w.BeginArray();
  internal::WritePreferredTerm(w, 20, key, value);
  w.EndArray();
  w.EndObject();
  w.EndObject();
}

}  // namespace

void WritePodTemplate(const Ctx& x, JsonWriter& w, const Storage& storage) {
  const auto& b = *x.base;
  w.BeginObject();
  w.Key("metadata");
  w.BeginObject();
  if (!b.annotations().empty()) {
    w.Key("annotations");
    internal::WriteStringMap(w, b.annotations());
  }
  w.Key("labels");
  w.BeginObject();
  // The user's labels first: ours are written after them and win, so the
  // selector always matches.
  for (const auto& [k, v] : b.labels()) w.Field(k, v);
  if (x.kind == Kind::kCg) w.Field(kUniqueIdLabel, x.cg->unique_id());
  w.Field(kClusterLabel, x.name());
  if (x.kind != Kind::kCg) w.Field(kOwnerRefLabel, x.name());
  w.Field(kTypeLabel, TypeLabel(x.kind));
  w.EndObject();
  w.EndObject();

  w.Key("spec");
  w.BeginObject();
  w.Key("affinity");
  WriteAffinity(x, w);
  w.Key("containers");
  w.BeginArray();
  WriteMainContainer(x, w, storage);
  w.EndArray();
  WriteRawField(w, "hostAliases", b.has_host_aliases(), b.host_aliases());
  WriteRawField(w, "imagePullSecrets", b.has_image_pull_secrets(), b.image_pull_secrets());
  WriteInitContainers(x, w);
  if (!b.node_selector().empty()) {
    w.Key("nodeSelector");
    internal::WriteStringMap(w, b.node_selector());
  }
  WriteRawField(w, "securityContext", b.has_security_context(), b.security_context());
  if (!b.service_account().empty()) w.Field("serviceAccountName", b.service_account());
  const int64_t grace = x.conf->Int("grace_shutdown_wait_seconds", 0);
  if (grace > 0 && x.kind != Kind::kMs) {
    w.Field("terminationGracePeriodSeconds", grace);
  } else if (x.kind == Kind::kFe) {
    w.Field("terminationGracePeriodSeconds", 330);
  } else if (x.kind == Kind::kCg) {
    w.Field("terminationGracePeriodSeconds", 200);
  }
  WriteRawField(w, "tolerations", b.has_tolerations(), b.tolerations());
  w.Key("volumes");
  w.Raw(storage.volumes);
  w.EndObject();
  w.EndObject();
}

}  // namespace doris_operator::translator::disaggregated
