#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_HPA_CONTROLLER_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_HPA_CONTROLLER_H_

// The simulated HorizontalPodAutoscaler controller: every sync period it
// reads each HPA's target through its scale (spec.replicas, the selector),
// proposes replicas from the metric values of SimMetrics as
// replica_calculator.go does (ceil(current * value / target), a 10%
// tolerance, not-ready pods), stabilises and rate-limits the proposal
// (horizontal.go: the 5 minute scale-down window, or the v2 `behavior`),
// clamps it to [minReplicas, maxReplicas], writes the target's replicas and
// the HPA's status (currentReplicas, desiredReplicas, lastScaleTime,
// currentMetrics, conditions AbleToScale / ScalingActive / ScalingLimited)
// and the Events the real controller records about the HPA
// (SuccessfulRescale, FailedGetScale, FailedGetResourceMetric,
// FailedComputeMetricsReplicas, FailedRescale, ...; event_recorder.h).
// Driven by Tick(now) on the same simulated clock as the workloads.

#include <cstdint>
#include <functional>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "tools/kubesim/event_recorder.h"
#include "tools/kubesim/object_store.h"
#include "tools/kubesim/sim_metrics.h"

namespace doris_operator::kubesim {

struct HpaOptions {
  // --horizontal-pod-autoscaler-sync-period (15 s): an HPA is looked at this
  // long after it appears, then again every period.
  int64_t sync_period_ms = 15000;
  // --horizontal-pod-autoscaler-downscale-stabilization (5 min).
  int64_t downscale_stabilization_ms = 300000;
  // --horizontal-pod-autoscaler-tolerance.
  double tolerance = 0.1;
  SimMetrics* metrics = nullptr;  // no metrics at all when null
  // How a rescale reaches the target's scale subresource (nullopt: done).
  // Unset, the store is written directly; the binary sends it through the
  // API server (PUT .../scale), where admission refusals and injected
  // faults answer it as they would answer the real controller's scale
  // client (a FailedRescale Event).
  std::function<std::optional<ApiError>(const ResourceType& target, const std::string& ns,
                                        const std::string& name, int32_t replicas)>
      write_scale;
};

class HpaController {
 public:
  HpaController(ObjectStore* store, HpaOptions options = {});

  // Advances the simulation to `now_ms` (monotonic, any origin).
  void Tick(int64_t now_ms);

 private:
  struct Recommendation {
    int32_t replicas;
    int64_t at_ms;
  };
  struct ScaleEvent {
    int32_t change;
    int64_t at_ms;
    bool outdated = false;
  };
  // What the real controller keeps in memory per HPA (ns/name).
  struct State {
    int64_t next_sync_ms = 0;
    std::vector<Recommendation> recommendations;
    std::vector<ScaleEvent> scale_up, scale_down;
  };
  void Reconcile(const Json& hpa, State& state, int64_t now_ms);

  ObjectStore* store_;
  const HpaOptions options_;
  ResourceType hpas_, pods_;
  std::map<std::string, State> state_;
  EventRecorder events_;  // source "horizontal-pod-autoscaler"
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_HPA_CONTROLLER_H_
