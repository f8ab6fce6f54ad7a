#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_CLOUD_INTERNAL_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_CLOUD_INTERNAL_H_

// What the fake_doris_cloud*.cc and fake_meta_service.cc files share: the
// ddc's labels (the reference operator's api/disaggregated/v1/utils.go), pod
// env, and the names cloud-mode Doris gives things. Not for use elsewhere.

#include <string>

#include "tools/kubesim/fake_doris_cloud.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim::fake_doris_cloud_internal {

inline constexpr char kDdcGroup[] = "disaggregated.cluster.doris.com";
inline constexpr char kDdcResource[] = "dorisdisaggregatedclusters";
inline constexpr char kLabelCluster[] = "app.doris.disaggregated.cluster";
inline constexpr char kLabelType[] = "app.doris.disaggregated.type";
// Tag.VALUE_DEFAULT_COMPUTE_GROUP_NAME: where ADD BACKEND without the
// tag.compute_group_name property puts a backend.
inline constexpr char kDefaultGroup[] = "default_compute_group";
// The FE nodes' cluster in the meta service (cloud Constants).
inline constexpr char kSqlClusterName[] = "RESERVED_CLUSTER_NAME_FOR_SQL_SERVER";
inline constexpr char kSqlClusterId[] = "RESERVED_CLUSTER_ID_FOR_SQL_SERVER";

// The literal value of env `name` of the pod's first container ("" if none).
inline std::string EnvOf(const Json& pod, const std::string& name) {
  const Json spec = pod.value("spec", Json::object());
  if (!spec.contains("containers") || spec["containers"].empty()) return "";
  std::string out;
  for (const Json& e : spec["containers"][0].value("env", Json::array())) {
    if (e.value("name", "") == name && e.contains("value") && e["value"].is_string()) out = e["value"];
  }
  return out;
}

// Whether deleting `pod` stops its BE gracefully: the container's preStop
// hook runs the image's be_disaggregated_prestop.sh or `stop_be.sh --grace`
// (SIGTERM to doris_be, which then reports is_shutdown in its heartbeats
// and finishes what it runs). Without it nothing signals doris_be before
// the kubelet's SIGKILL at the end of the grace period: the entrypoint
// script is the container's first process and passes no signal on.
inline bool GracefulBeStop(const Json& pod) {
  const Json spec = pod.value("spec", Json::object());
  if (!spec.contains("containers") || !spec["containers"].is_array() || spec["containers"].empty()) return false;
  const Json& container = spec["containers"][0];
  if (!container.is_object() || !container.contains("lifecycle") || !container["lifecycle"].is_object()) return false;
  const Json pre_stop = container["lifecycle"].value("preStop", Json::object());
  const Json exec = pre_stop.is_object() ? pre_stop.value("exec", Json::object()) : Json::object();
  const Json command = exec.is_object() ? exec.value("command", Json::array()) : Json::array();
  if (!command.is_array()) return false;
  bool prestop_script = false, stop_be = false, grace = false;
  for (const Json& word : command) {
    if (!word.is_string()) continue;
    const std::string w = word.get<std::string>();
    prestop_script |= w.find("be_disaggregated_prestop.sh") != std::string::npos;
    stop_be |= w.find("stop_be.sh") != std::string::npos;
    grace |= w.find("--grace") != std::string::npos;
  }
  return prestop_script || (stop_be && grace);
}

// cloud.proto NodeStatusPB names.
inline const char* StatusName(FakeDorisCloud::NodeStatus s) {
  switch (s) {
    case FakeDorisCloud::NodeStatus::kRunning:
      return "NODE_STATUS_RUNNING";
    case FakeDorisCloud::NodeStatus::kDecommissioning:
      return "NODE_STATUS_DECOMMISSIONING";
    case FakeDorisCloud::NodeStatus::kDecommissioned:
      return "NODE_STATUS_DECOMMISSIONED";
  }
  return "NODE_STATUS_UNKNOWN";
}

// Doris' time strings (TimeUtils.longToTimeString), on the simulated clock
// counted from 2026-01-01 00:00:00; "NULL" before a first start.
inline std::string TimeString(int64_t ms) {
  if (ms < 0) return "NULL";
  const int64_t s = ms / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-01-%02lld %02lld:%02lld:%02lld", static_cast<long long>(1 + s / 86400 % 28),
                static_cast<long long>(s / 3600 % 24), static_cast<long long>(s / 60 % 60),
                static_cast<long long>(s % 60));
  return buf;
}

}  // namespace doris_operator::kubesim::fake_doris_cloud_internal

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_CLOUD_INTERNAL_H_
