#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_WORKLOADS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_WORKLOADS_H_

// The simulated controllers and kubelet: StatefulSets create, update and
// remove their pods (Parallel or OrderedReady, RollingUpdate with partition,
// OnDelete), claims come from volumeClaimTemplates and bind at once, pods go
// Pending -> Running -> Ready on a simulated clock, and Endpoints follow the
// ready pods of each Service. Driven by Tick(now), so tests are
// deterministic; the kubesim binary ticks it from a thread.

#include <cstdint>
#include <map>
#include <vector>
#include <string>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

struct WorkloadOptions {
  int64_t start_ms = 200;  // Pending -> Running
  int64_t ready_ms = 300;  // Running -> Ready (after start)
  // A deleted pod stays Terminating (not Ready) for its grace period, at
  // most this long.
  int64_t termination_ms = 300;
};

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
  void SyncStatefulSet(const Json& sts, const std::vector<Json>& owned_pods, int64_t now_ms);
  void SyncPods(int64_t now_ms);
  void SyncEndpoints();
  Json NewPod(const Json& sts, int ordinal, const std::string& revision, int64_t now_ms) const;

  ObjectStore* store_;
  const WorkloadOptions options_;
  ResourceType sts_, pods_, pvcs_, services_, endpoints_;
  std::map<std::string, int64_t> created_at_ms_;  // pod uid -> simulated creation time
  std::map<std::string, int64_t> terminating_since_ms_;  // pod uid -> when seen terminating
};

// The revision a pod template maps to (stable for equal templates).
std::string TemplateRevision(const std::string& sts_name, const Json& pod_template);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_WORKLOADS_H_
