#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_SCALE_IN_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_SCALE_IN_H_

// Plans BE/CN scale-in without losing a replica's data: decommission through
// the FE, wait until the node holds no tablets, drop it, and only then shrink
// the StatefulSet past its pod. Pure: the FE's view of the backends in, Doris
// calls and the replica count out.

#include <cstdint>
#include <string>
#include <vector>

namespace doris_operator::reconcile {

struct BackendView {
  std::string host_port;  // host:heartbeat_port as the FE lists it
  int ordinal = -1;       // pod ordinal parsed from the host; -1 if not ours
  bool alive = false;
  bool decommissioned = false;  // SystemDecommissioned
  int64_t tablets = 0;          // TabletNum
};

struct ScalePlan {
  int statefulset_replicas = 0;
  std::vector<std::string> decommission;  // host:port to decommission now
  std::vector<std::string> drop;          // host:port drained to 0 tablets: drop now
  // Nodes the user wants to keep again while they were being decommissioned
  // (scale-out during scale-in): the FE must cancel their decommission.
  std::vector<std::string> cancel_decommission;
  std::string waiting_on;  // e.g. "be-4 holds 120 tablets"
  bool scaling = false;    // status phase `scaling` while true
  int64_t tablets_remaining = 0;  // still on the nodes leaving, for the metric
};

// `component` ("be" / "cn") names pods in messages. `starting`: ordinals of
// pods still starting, which may register with the FE at any moment (the BE
// entrypoint adds itself before the BE runs): the StatefulSet does not
// shrink past one until the FE lists it (it is then drained) or it settles.
ScalePlan PlanScale(const std::string& component, int desired_replicas, int live_replicas,
                    const std::vector<BackendView>& backends, const std::vector<int>& starting = {});

// The pod ordinal in an FQDN or pod-name host, e.g.
// "c-be-3.c-be-internal.ns.svc.cluster.local" with statefulset "c-be" -> 3.
int OrdinalOf(const std::string& host, const std::string& statefulset);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_SCALE_IN_H_
