#include "tools/kubesim/volume_resize.h"

#include <set>
#include <utility>

#include "tools/kubesim/quantity.h"

namespace doris_operator::kubesim {

namespace {

// external-resizer pkg/controller: the conditions and resize statuses it
// writes (markControllerResizeInProgress, markForPendingNodeExpansion);
// the message is the one kubectl describe shows for a pending node resize.
constexpr char kNodePendingMessage[] =
    "Waiting for user to (re-)start a pod to finish file system resize of volume on node.";

Json ResizeCondition(const char* type, const char* message) {
  Json c = {{"type", type}, {"status", "True"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", NowRfc3339()}};
  if (message != nullptr) c["message"] = message;
  return c;
}

// Claims mounted by a running pod on a node: the kubelet there expands them.
std::set<std::pair<std::string, std::string>> MountedClaims(const std::vector<Json>& pods) {
  std::set<std::pair<std::string, std::string>> out;
  for (const Json& pod : pods) {
    if (!pod.is_object() || pod["metadata"].contains("deletionTimestamp")) continue;
    if (pod.value("status", Json::object()).value("phase", "") != "Running") continue;
    const std::string ns = pod["metadata"].value("namespace", "");
    for (const Json& v : pod["spec"].value("volumes", Json::array())) {
      if (v.contains("persistentVolumeClaim")) out.insert({ns, v["persistentVolumeClaim"].value("claimName", "")});
    }
  }
  return out;
}

}  // namespace

VolumeResizer::VolumeResizer(ObjectStore* store, int64_t controller_ms)
    : store_(store), controller_ms_(controller_ms), pvcs_(*store->Find("", "v1", "persistentvolumeclaims")) {}

void VolumeResizer::Tick(int64_t now_ms, const std::vector<Json>& pods) {
  std::set<std::pair<std::string, std::string>> mounted;
  bool mounted_known = false;
  std::set<std::string> seen;
  for (Json& pvc : store_->List(pvcs_, "", "", "", 0, "").items) {
    const std::string uid = pvc["metadata"].value("uid", "");
    Json status = pvc.value("status", Json::object());
    if (status.value("phase", "") != "Bound") continue;
    const Json request = pvc.value("spec", Json::object())
                             .value("resources", Json::object())
                             .value("requests", Json::object())
                             .value("storage", Json());
    const Json capacity = status.value("capacity", Json::object()).value("storage", Json());
    absl::StatusOr<int> grow = CompareQuantities(request, capacity);
    if (!grow.ok() || *grow <= 0 || capacity.is_null()) continue;
    seen.insert(uid);
    const std::string ns = pvc["metadata"].value("namespace", "");
    const Json allocated = status.value("allocatedResources", Json::object()).value("storage", Json());
    const std::string phase = status.value("allocatedResourceStatuses", Json::object()).value("storage", "");
    Json next = status;
    if (allocated != request || phase.empty()) {
      // The resizer picks the claim up: controller expansion starts.
      next["allocatedResources"]["storage"] = request;
      next["allocatedResourceStatuses"]["storage"] = "ControllerResizeInProgress";
      next["conditions"] = Json::array({ResizeCondition("Resizing", nullptr)});
      started_ms_[uid] = now_ms;
    } else if (phase == "ControllerResizeInProgress") {
      auto [it, inserted] = started_ms_.emplace(uid, now_ms);
      if (now_ms - it->second < controller_ms_) continue;
      // The volume is bigger; its file system waits for the node.
      next["allocatedResourceStatuses"]["storage"] = "NodeResizePending";
      next["conditions"] = Json::array({ResizeCondition("FileSystemResizePending", kNodePendingMessage)});
    } else if (phase == "NodeResizePending") {
      if (!mounted_known) mounted = MountedClaims(pods), mounted_known = true;
      if (!mounted.count({ns, pvc["metadata"].value("name", "")})) continue;
      // The kubelet grew the file system online: capacity follows.
      next["capacity"]["storage"] = allocated;
      next.erase("allocatedResourceStatuses");
      next.erase("conditions");
      started_ms_.erase(uid);
    } else {
      continue;
    }
    if (next == status) continue;
    pvc["status"] = next;
    store_->Update(pvcs_, ns, pvc, /*status_only=*/true);
  }
  for (auto it = started_ms_.begin(); it != started_ms_.end();) {
    it = seen.count(it->first) ? std::next(it) : started_ms_.erase(it);
  }
}

}  // namespace doris_operator::kubesim
