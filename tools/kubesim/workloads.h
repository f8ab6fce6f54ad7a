#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_WORKLOADS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_WORKLOADS_H_

// The simulated controllers and kubelet: StatefulSets create, update and
// remove their pods (Parallel or OrderedReady, RollingUpdate with partition
// and maxUnavailable, OnDelete) and keep ControllerRevisions, claims come
// from volumeClaimTemplates (with their retention policy), pods are placed on
// simulated nodes and go Pending -> (init containers) -> Running -> Ready on
// a simulated clock (held, as the kubelet holds them, while a Secret or
// ConfigMap they need is missing), and Endpoints follow the ready pods of
// each Service.
// Driven by Tick(now), so tests are deterministic; the kubesim binary ticks
// it from a thread.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>
#include <string>

#include "tools/kubesim/event_recorder.h"
#include "tools/kubesim/object_store.h"
#include "tools/kubesim/pod_references.h"
#include "tools/kubesim/sim_faults.h"
#include "tools/kubesim/volume_resize.h"

namespace doris_operator::kubesim {

struct WorkloadOptions {
  int64_t start_ms = 200;  // Pending -> Running
  int64_t ready_ms = 300;  // Running -> Ready (after start)
  // A deleted pod stays Terminating (not Ready) for its grace period, at
  // most this long.
  int64_t termination_ms = 300;
  int64_t init_ms = 200;     // each init container runs this long
  int64_t restart_ms = 300;  // a crashed container waits this long to run again
  // Crashes, NotReady nodes and failing provisioning requested through the
  // API server's control endpoints; none when null.
  SimFaults* faults = nullptr;
};

// The simulated nodes pods are scheduled on, and the one a pod lands on
// (fixed by its name, so tests know where a pod runs).
const std::vector<std::string>& SimNodes();
std::string NodeFor(const std::string& pod_name);

class WorkloadController {
 public:
  WorkloadController(ObjectStore* store, WorkloadOptions options = {});

  // Advances the simulation to `now_ms` (monotonic, any origin).
  void Tick(int64_t now_ms);

  // Test hooks: how a pod's container behaves, by image substring:
  //   "never-ready" -> runs but never becomes Ready
  //   "crashloop"   -> never starts (CrashLoopBackOff)
  //   "slow-start"  -> takes 10x longer to start
 private:
  struct Crash {
    int64_t at_ms = 0;
    int count = 0;
  };
  // Where the kubelet stopped a pod's start for want of a Secret or
  // ConfigMap: before its sandbox (a volume that does not mount), or at the
  // containers of `stage` (init container `stage`, or the main containers
  // when `stage` is the number of init containers) whose environment
  // cannot be made.
  struct Held {
    bool mounting = false;
    size_t stage = 0;
    // Per container of the stage, why it cannot be created ("" for one
    // that can).
    std::vector<std::string> errors;
  };
  void SyncStatefulSet(const Json& sts, const std::vector<Json>& owned_pods,
                       const std::vector<Json>& revisions, int64_t now_ms);
  void SyncClaims(const Json& sts, const std::map<int, Json>& pods, bool provisioning_fails);
  void SyncRevisions(const Json& sts, const std::string& update_rev, const std::string& current_rev,
                     const std::vector<Json>& revisions, const std::map<int, Json>& pods);
  // The garbage collector's share for pods the kubelet removes: claims owned
  // only by the pod go with it (whenScaled: Delete).
  void ReleaseClaims(const Json& pod);
  // Returns the pods as they are after the tick, for SyncEndpoints (one
  // copy of every pod per tick fewer).
  std::vector<Json> SyncPods(int64_t now_ms);
  // Checks what the next step of `pod`'s start needs (its volumes, then
  // each stage's environments, retried every tick as the kubelet retries);
  // while one is missing, moves `*scheduled_ms` so the pod stays where it
  // is and starts from there once the object exists.
  std::optional<Held> HoldStart(const Json& pod, int64_t now_ms, int64_t* scheduled_ms,
                                const PodObjectLookup& lookup);
  // The kubelet's Warning Event, again after its pod-sync back-off.
  void ReportHeld(const Json& pod, const std::string& reason, const std::string& message, int64_t now_ms);
  // The status of a pod `held` before its sandbox or at its main
  // containers (init containers are held inside KubeletStatus's steps).
  static Json HeldStatus(const Json& pod, const Held& held, Json status, const std::string& pod_ip);
  Json KubeletStatus(const Json& pod, int64_t scheduled_ms, int64_t now_ms, bool node_ready,
                     const Held* held) const;
  void SyncEndpoints(const std::vector<Json>& pods);
  Json NewPod(const Json& sts, int ordinal, const std::string& revision, int64_t now_ms) const;

  ObjectStore* store_;
  const WorkloadOptions options_;
  ResourceType sts_, pods_, pvcs_, services_, endpoints_, revisions_, events_, secrets_, configmaps_;
  std::map<std::string, int64_t> created_at_ms_;  // pod uid -> when scheduled (simulated)
  std::map<std::string, Crash> crashes_;          // pod uid -> its last injected crash
  std::map<std::string, int64_t> terminating_since_ms_;  // pod uid -> when seen terminating
  std::set<std::string> mounted_;                 // pod uids whose volumes are set up
  std::map<std::string, size_t> configured_;      // pod uid -> stages whose containers were created
  // pod uid -> message -> when the kubelet last reported it (simulated).
  std::map<std::string, std::map<std::string, int64_t>> reported_ms_;
  VolumeResizer resizer_;
  EventRecorder kubelet_events_;
};

// The revision a pod template maps to (stable for equal templates).
std::string TemplateRevision(const std::string& sts_name, const Json& pod_template);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_WORKLOADS_H_
