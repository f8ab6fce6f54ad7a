#include "operator/reconcile/ghost_gauge.h"

#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile {

void GhostGauge::Set(const store::ClusterKey& cluster, const std::vector<model::v1::GhostNode>& ghosts) {
  std::map<Series, int> counts;
  for (const model::v1::GhostNode& g : ghosts) ++counts[{cluster.ns, cluster.name, g.component(), g.state()}];
  absl::MutexLock lock(&mu_);
  if (counts.empty()) {
    counts_.erase(cluster);
  } else {
    counts_[cluster] = std::move(counts);
  }
}

void GhostGauge::Remove(const store::ClusterKey& cluster) {
  absl::MutexLock lock(&mu_);
  counts_.erase(cluster);
}

std::string GhostGauge::Render() const {
  std::string out =
      "# HELP doris_operator_ghost_nodes Nodes the FE lists that no pod backs, by state (InGracePeriod, "
      "Dropping, Kept).\n# TYPE doris_operator_ghost_nodes gauge\n";
  absl::MutexLock lock(&mu_);
  for (const auto& [cluster, series] : counts_) {
    for (const auto& [s, n] : series) {
      const auto& [ns, name, component, state] = s;
      absl::StrAppend(&out, "doris_operator_ghost_nodes{namespace=\"", ns, "\",cluster=\"", name,
                      "\",component=\"", component, "\",state=\"", state, "\"} ", n, "\n");
    }
  }
  return out;
}

}  // namespace doris_operator::reconcile
