// The simulated kubelet's holds: a pod whose Secret or ConfigMap is missing
// does not start (WorkloadController::HoldStart) and shows why
// (HeldStatus), until the object exists.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/kubesim/pod_references.h"
#include "tools/kubesim/workloads.h"
#include "tools/kubesim/workloads_internal.h"

namespace doris_operator::kubesim {

namespace workloads_internal {

Json WaitingStatus(const Json& container, const std::string& reason, const std::string& message) {
  Json waiting = {{"reason", reason}};
  if (!message.empty()) waiting["message"] = message;
  return {{"name", container.value("name", "")}, {"image", container.value("image", "")}, {"ready", false},
          {"restartCount", 0}, {"started", false}, {"state", {{"waiting", waiting}}}};
}

}  // namespace workloads_internal

namespace {

using workloads_internal::Condition;
using workloads_internal::ContainersOf;
using workloads_internal::StartDelay;
using workloads_internal::WaitingStatus;

// "[a b]", as the kubelet's condition messages print a list of names.
std::string NameList(const Json& containers) {
  std::vector<std::string> names;
  for (const Json& c : containers) names.push_back(c.value("name", ""));
  return absl::StrCat("[", absl::StrJoin(names, " "), "]");
}

}  // namespace

std::optional<WorkloadController::Held> WorkloadController::HoldStart(const Json& pod, int64_t now_ms,
                                                                    int64_t* scheduled_ms,
                                                                    const PodObjectLookup& lookup) {
  const std::string uid = pod["metadata"].value("uid", "");
  if (!mounted_.count(uid)) {
    // Volumes are set up before the sandbox: the image pulls and every
    // container wait for them, so the pod's clock starts once they mount.
    const std::vector<UnmountableVolume> failing = UnmountableVolumes(pod["spec"], lookup);
    if (!failing.empty()) {
      *scheduled_ms = now_ms;
      for (const UnmountableVolume& v : failing) {
        ReportHeld(pod, "FailedMount",
                   absl::StrCat("MountVolume.SetUp failed for volume \"", v.volume, "\" : ", v.error), now_ms);
      }
      return Held{.mounting = true};
    }
    mounted_.insert(uid);
  }
  // Each container's environment is made when it is created: the init
  // containers one after another, then the main ones together. A stage that
  // cannot be made holds the pod there; a started container is not
  // checked again.
  const std::string ns = pod["metadata"].value("namespace", "");
  const Json& inits = ContainersOf(pod, "initContainers");
  const Json& containers = ContainersOf(pod, "containers");
  size_t& configured = configured_[uid];
  while (configured <= inits.size()) {
    const int64_t at = StartDelay(pod, options_) + static_cast<int64_t>(configured) * options_.init_ms;
    if (now_ms - *scheduled_ms < at) break;
    Held held{.stage = configured};
    for (const Json& c : configured < inits.size() ? Json::array({inits[configured]}) : containers) {
      held.errors.push_back(ContainerConfigError(c, ns, lookup));
    }
    bool failed = false;
    for (const std::string& e : held.errors) {
      if (e.empty()) continue;
      failed = true;
      // kuberuntime_container.go startContainer: events.FailedToCreateContainer.
      ReportHeld(pod, "Failed", absl::StrCat("Error: ", e), now_ms);
    }
    if (!failed) {
      ++configured;
      continue;
    }
    *scheduled_ms = now_ms - at;
    return held;
  }
  return std::nullopt;
}

void WorkloadController::ReportHeld(const Json& pod, const std::string& reason, const std::string& message,
                                    int64_t now_ms) {
  // A failed pod sync is retried after the pod worker's back-off
  // (kubelet.go backOffPeriod, 10 s); each retry reports again.
  constexpr int64_t kBackOffMs = 10'000;
  auto [it, first] = reported_ms_[pod["metadata"].value("uid", "")].try_emplace(message, now_ms);
  if (!first && now_ms - it->second < kBackOffMs) return;
  it->second = now_ms;
  Json involved = pod;
  involved["apiVersion"] = "v1";
  involved["kind"] = "Pod";
  kubelet_events_.Event(involved, "Warning", reason, message, now_ms);
}

Json WorkloadController::HeldStatus(const Json& pod, const Held& held, Json status, const std::string& pod_ip) {
  const Json& inits = ContainersOf(pod, "initContainers");
  const Json& containers = ContainersOf(pod, "containers");
  Json statuses = Json::array();
  bool any_running = false;
  if (held.mounting) {
    // No sandbox, so no IP; every container waits (kubelet_pods.go
    // convertToAPIContainerStatuses: ContainerCreating, PodInitializing
    // for init containers).
    for (const Json& c : inits) statuses.push_back(WaitingStatus(c, "PodInitializing"));
    if (!inits.empty()) status["initContainerStatuses"] = statuses;
    statuses = Json::array();
    for (const Json& c : containers) statuses.push_back(WaitingStatus(c, "ContainerCreating"));
    status.erase("podIP");
  } else {
    // The main containers whose environment can be made run (not Ready
    // while another waits); the pod is Running once one runs.
    for (size_t i = 0; i < containers.size(); ++i) {
      if (!held.errors[i].empty()) {
        statuses.push_back(WaitingStatus(containers[i], "CreateContainerConfigError", held.errors[i]));
        continue;
      }
      any_running = true;
      Json running = WaitingStatus(containers[i], "");
      running["started"] = true;
      running["state"] = {{"running", Json::object()}};
      statuses.push_back(running);
    }
    status["podIP"] = pod_ip;
  }
  status["phase"] = any_running ? "Running" : "Pending";
  status["containerStatuses"] = statuses;
  const std::string unready = absl::StrCat("containers with unready status: ", NameList(containers));
  status["conditions"] = Json::array(
      {Condition("PodScheduled", true),
       inits.empty() || !held.mounting
           ? Condition("Initialized", true)
           : Condition("Initialized", false, "ContainersNotInitialized",
                       absl::StrCat("containers with incomplete status: ", NameList(inits))),
       Condition("ContainersReady", false, "ContainersNotReady", unready),
       Condition("Ready", false, "ContainersNotReady", unready)});
  return status;
}

}  // namespace doris_operator::kubesim
