#ifndef DORIS_OPERATOR_OPERATOR_METRICS_CLUSTER_METRICS_H_
#define DORIS_OPERATOR_OPERATOR_METRICS_CLUSTER_METRICS_H_

// The per-cluster series (labels namespace, cluster, kind for another kind
// than DorisCluster, and component for per-component ones), fed by each reconcile from what it already computed
// (status, rollout plan, scale-in plan, drift, ghost nodes) and removed when
// the cluster is deleted: the series count stays bounded by the clusters
// (docs/metrics.md). Thread-safe; the metrics server reads concurrently.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "operator/metrics/registry.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "store/object_id.h"

namespace doris_operator::metrics {

struct ComponentSample {
  std::string component;  // fe, be, cn, broker; a ddc's ms, fe, cg/<uniqueId>
  std::string phase;      // the status phase the reconcile wrote, e.g. available
  int64_t desired_replicas = 0;  // the spec's
  int64_t ready_replicas = 0;    // the StatefulSet's status
  int64_t updated_replicas = 0;  // the StatefulSet's status
  int64_t rollout_partition = 0;  // the partition this reconcile chose (0: none)
  bool rollout_in_progress = false;
  bool scale_in_in_progress = false;
  int64_t scale_in_tablets_remaining = 0;  // on the nodes being drained
};

struct GhostSample {
  std::string component;  // fe, be, cn; a ddc's fe, cg/<uniqueId>
  std::string state;      // InGracePeriod, Dropping, Kept
};

struct ClusterSample {
  bool available = false;  // every component's phase is available
  std::vector<ComponentSample> components;
  std::vector<GhostSample> ghosts;
  int64_t drift_fields = 0;
};

class ClusterMetrics {
 public:
  explicit ClusterMetrics(Registry* registry);

  // Every reconcile of a cluster that exists: counts failures, and stamps
  // the last one that did not fail.
  void Reconciled(const store::ClusterKey& cluster, bool failed, absl::Time at);
  // A reconcile that computed the cluster's status: replaces the cluster's
  // status, rollout, scale-in, drift and ghost series (those no longer
  // true, e.g. the previous phase, are removed).
  void Observe(const store::ClusterKey& cluster, const ClusterSample& sample);
  // The cluster was deleted: every series of it goes.
  void Remove(const store::ClusterKey& cluster);

 private:
  enum GaugeKind {
    kAvailable,
    kPhase,
    kDesired,
    kReady,
    kUpdated,
    kPartition,
    kRolling,
    kScaleIn,
    kTabletsRemaining,
    kDriftFields,
    kGhostNodes,
    kLastSuccess,  // set by Reconciled, kept by Observe
    kGaugeKinds,
  };
  using SeriesKey = std::pair<GaugeKind, prometheus::Labels>;
  struct Series {
    std::map<SeriesKey, prometheus::Gauge*> gauges;
    prometheus::Counter* failures = nullptr;
  };

  prometheus::Gauge& GaugeOf(Series& s, GaugeKind kind, const prometheus::Labels& labels)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  prometheus::Family<prometheus::Gauge>* gauges_[kGaugeKinds] = {};
  prometheus::Family<prometheus::Counter>* failures_ = nullptr;
  absl::Mutex mu_;
  std::map<store::ClusterKey, Series> clusters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace doris_operator::metrics

#endif  // DORIS_OPERATOR_OPERATOR_METRICS_CLUSTER_METRICS_H_
