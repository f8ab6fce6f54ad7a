#include "translator/component.h"

#include "absl/strings/str_cat.h"

namespace doris_operator::translator {

const char* ComponentName(Component c) {
  switch (c) {
    case Component::kFe: return "fe";
    case Component::kBe: return "be";
    case Component::kCn: return "cn";
    case Component::kBroker: return "broker";
  }
  return "";
}

const char* DorisHome(Component c) {
  switch (c) {
    case Component::kFe: return "/opt/apache-doris/fe";
    case Component::kBe:
    case Component::kCn: return "/opt/apache-doris/be";
    case Component::kBroker: return "/opt/apache-doris/apache_hdfs_broker";
  }
  return "";
}

const char* ConfFileKey(Component c) {
  switch (c) {
    case Component::kFe: return "fe.conf";
    case Component::kBe:
    case Component::kCn: return "be.conf";
    case Component::kBroker: return "apache_hdfs_broker.conf";
  }
  return "";
}

const char* ContainerCommand(Component c) {
  switch (c) {
    case Component::kFe: return "/opt/apache-doris/fe_entrypoint.sh";
    case Component::kBe:
    case Component::kCn: return "/opt/apache-doris/be_entrypoint.sh";
    case Component::kBroker: return "/opt/apache-doris/broker_entrypoint.sh";
  }
  return "";
}

const char* PreStopScript(Component c) {
  switch (c) {
    case Component::kFe: return "/opt/apache-doris/fe_prestop.sh";
    case Component::kBe:
    case Component::kCn: return "/opt/apache-doris/be_prestop.sh";
    case Component::kBroker: return "/opt/apache-doris/broker_prestop.sh";
  }
  return "";
}

const model::v1::BaseSpec* BaseOf(const model::v1::DorisClusterSpec& spec, Component c) {
  switch (c) {
    case Component::kFe: return spec.has_fe_spec() ? &spec.fe_spec().base() : nullptr;
    case Component::kBe: return spec.has_be_spec() ? &spec.be_spec().base() : nullptr;
    case Component::kCn: return spec.has_cn_spec() ? &spec.cn_spec().base() : nullptr;
    case Component::kBroker: return spec.has_broker_spec() ? &spec.broker_spec().base() : nullptr;
  }
  return nullptr;
}

model::v1::BaseSpec* BaseOf(model::v1::DorisClusterSpec* spec, Component c) {
  // The same choice as the const form; `spec` is mutable, so is its part.
  return const_cast<model::v1::BaseSpec*>(BaseOf(*spec, c));
}

int32_t Replicas(const model::v1::BaseSpec& base) { return base.has_replicas() ? base.replicas() : 1; }

std::optional<Component> ComponentNamed(std::string_view name) {
  for (Component c : kAllComponents) {
    if (name == ComponentName(c)) return c;
  }
  return std::nullopt;
}

std::string CoreConfigMapName(const model::v1::BaseSpec& b) {
  if (!b.has_config_map_info()) return "";
  const auto& ci = b.config_map_info();
  if (!ci.config_map_name().empty()) return ci.config_map_name();
  for (const auto& m : ci.config_maps()) {
    std::string path = m.mount_path();
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty() || path == "/etc/doris") return m.config_map_name();
  }
  return "";
}

std::string StatefulSetName(const std::string& cluster, Component c) {
  return absl::StrCat(cluster, "-", ComponentName(c));
}

std::string InternalServiceName(const std::string& cluster, Component c) {
  return absl::StrCat(cluster, "-", ComponentName(c), "-internal");
}

std::string ExternalServiceName(const std::string& cluster, Component c) {
  return absl::StrCat(cluster, "-", ComponentName(c), "-service");
}

std::string AutoscalerName(const std::string& cluster) {
  return absl::StrCat(cluster, "-cn-autoscaler");
}

std::string AdminUserSecretName(const std::string& cluster) {
  return absl::StrCat(cluster, "-admin-user");
}

const std::vector<PortDef>& ContainerPorts(Component c) {
  static const auto* const kFe = new std::vector<PortDef>{
      {"http_port", 8030, "http-port"},
      {"rpc_port", 9020, "rpc-port"},
      {"query_port", 9030, "query-port"},
      {"edit_log_port", 9010, "edit-log-port"}};
  static const auto* const kBe = new std::vector<PortDef>{
      {"be_port", 9060, "be-port"},
      {"webserver_port", 8040, "webserver-port"},
      {"heartbeat_service_port", 9050, "heartbeat-port"},
      {"brpc_port", 8060, "brpc-port"}};
  static const auto* const kBroker =
      new std::vector<PortDef>{{"broker_ipc_port", 8000, "broker-ipc-port"}};
  switch (c) {
    case Component::kFe: return *kFe;
    case Component::kBe:
    case Component::kCn: return *kBe;
    case Component::kBroker: return *kBroker;
  }
  return *kFe;
}

}  // namespace doris_operator::translator
