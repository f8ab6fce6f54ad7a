#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_GHOST_GAUGE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_GHOST_GAUGE_H_

// The ghost nodes of every cluster as the last reconcile of each saw them,
// for /metrics: doris_operator_ghost_nodes{namespace, cluster, component,
// state}. Thread-safe: reconcile workers set, the metrics server reads.

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "proto/doris_cluster.pb.h"
#include "store/object_id.h"

namespace doris_operator::reconcile {

class GhostGauge {
 public:
  void Set(const store::ClusterKey& cluster, const std::vector<model::v1::GhostNode>& ghosts);
  void Remove(const store::ClusterKey& cluster);
  // Prometheus text: HELP, TYPE and one sample per cluster, component and state.
  std::string Render() const;

 private:
  using Series = std::tuple<std::string, std::string, std::string, std::string>;  // ns, name, component, state
  mutable absl::Mutex mu_;
  std::map<store::ClusterKey, std::map<Series, int>> counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_GHOST_GAUGE_H_
