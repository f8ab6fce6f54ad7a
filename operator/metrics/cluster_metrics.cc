#include "operator/metrics/cluster_metrics.h"

namespace doris_operator::metrics {

namespace {

struct GaugeDoc {
  const char* name;
  const char* help;
};

// Indexed by ClusterMetrics::GaugeKind.
constexpr GaugeDoc kGauges[] = {
    {"doris_operator_cluster_available", "1 when every component of the DorisCluster is available."},
    {"doris_operator_component_phase",
     "1 for the component's current status phase (the phase label); one series per component."},
    {"doris_operator_component_desired_replicas", "Replicas the DorisCluster's spec asks for."},
    {"doris_operator_component_ready_replicas", "Ready replicas of the component's StatefulSet."},
    {"doris_operator_component_updated_replicas",
     "Replicas of the component's StatefulSet at its update revision."},
    {"doris_operator_rollout_partition",
     "The StatefulSet partition the operator set for a rollout (0: none)."},
    {"doris_operator_rollout_in_progress",
     "1 while pods of the component run an older revision than the desired one."},
    {"doris_operator_scale_in_in_progress",
     "1 while nodes of the component are decommissioning or draining."},
    {"doris_operator_scale_in_tablets_remaining", "Tablets still on the nodes being drained."},
    {"doris_operator_drift_fields",
     "Fields of live objects that differ from the desired ones, as the last reconcile saw them."},
    {"doris_operator_ghost_nodes",
     "Nodes the FE lists that no pod backs, by state (InGracePeriod, Dropping, Kept)."},
    {"doris_operator_last_successful_reconcile_timestamp_seconds",
     "Unix time of the last reconcile of the DorisCluster that did not fail."},
};
static_assert(std::size(kGauges) == 12);

// namespace and cluster; kind too for another kind than DorisCluster, whose
// series keep the labels they had before kinds (an absent label is the
// empty value in PromQL: {kind=""} selects DorisClusters).
prometheus::Labels BaseLabels(const store::ClusterKey& cluster) {
  prometheus::Labels labels = {{"namespace", cluster.ns}, {"cluster", cluster.name}};
  if (!cluster.kind.empty()) labels["kind"] = cluster.kind;
  return labels;
}

}  // namespace

ClusterMetrics::ClusterMetrics(Registry* registry) {
  for (int k = 0; k < kGaugeKinds; ++k) {
    gauges_[k] = &prometheus::BuildGauge()
                      .Name(kGauges[k].name)
                      .Help(kGauges[k].help)
                      .Register(registry->families());
  }
  failures_ = &prometheus::BuildCounter()
                   .Name("doris_operator_reconcile_failures_total")
                   .Help("Reconciles of the DorisCluster that failed.")
                   .Register(registry->families());
}

// prometheus-cpp's Add throws only for invalid label names; ours are the
// fixed ones above, and any label value is valid.
prometheus::Gauge& ClusterMetrics::GaugeOf(Series& s, GaugeKind kind, const prometheus::Labels& labels) {
  prometheus::Gauge*& g = s.gauges[{kind, labels}];
  if (g == nullptr) g = &gauges_[kind]->Add(labels);
  return *g;
}

void ClusterMetrics::Reconciled(const store::ClusterKey& cluster, bool failed, absl::Time at) {
  const prometheus::Labels labels = BaseLabels(cluster);
  absl::MutexLock lock(&mu_);
  Series& s = clusters_[cluster];
  if (s.failures == nullptr) s.failures = &failures_->Add(labels);  // at 0 from the first reconcile
  if (failed) {
    s.failures->Increment();
  } else {
    GaugeOf(s, kLastSuccess, labels).Set(static_cast<double>(absl::ToUnixMillis(at)) / 1000);
  }
}

void ClusterMetrics::Observe(const store::ClusterKey& cluster, const ClusterSample& sample) {
  const prometheus::Labels base = BaseLabels(cluster);
  std::map<SeriesKey, double> want;
  want[{kAvailable, base}] = sample.available ? 1 : 0;
  want[{kDriftFields, base}] = static_cast<double>(sample.drift_fields);
  for (const ComponentSample& c : sample.components) {
    prometheus::Labels labels = base;
    labels["component"] = c.component;
    prometheus::Labels phase = labels;
    phase["phase"] = c.phase;
    want[{kPhase, phase}] = 1;
    want[{kDesired, labels}] = static_cast<double>(c.desired_replicas);
    want[{kReady, labels}] = static_cast<double>(c.ready_replicas);
    want[{kUpdated, labels}] = static_cast<double>(c.updated_replicas);
    want[{kPartition, labels}] = static_cast<double>(c.rollout_partition);
    want[{kRolling, labels}] = c.rollout_in_progress ? 1 : 0;
    want[{kScaleIn, labels}] = c.scale_in_in_progress ? 1 : 0;
    want[{kTabletsRemaining, labels}] = static_cast<double>(c.scale_in_tablets_remaining);
  }
  for (const GhostSample& g : sample.ghosts) {
    prometheus::Labels labels = base;
    labels["component"] = g.component;
    labels["state"] = g.state;
    want[{kGhostNodes, labels}] += 1;
  }
  absl::MutexLock lock(&mu_);
  Series& s = clusters_[cluster];
  for (auto it = s.gauges.begin(); it != s.gauges.end();) {
    if (it->first.first == kLastSuccess || want.count(it->first)) {
      ++it;
      continue;
    }
    gauges_[it->first.first]->Remove(it->second);
    it = s.gauges.erase(it);
  }
  for (const auto& [key, value] : want) GaugeOf(s, key.first, key.second).Set(value);
}

void ClusterMetrics::Remove(const store::ClusterKey& cluster) {
  absl::MutexLock lock(&mu_);
  auto it = clusters_.find(cluster);
  if (it == clusters_.end()) return;
  for (const auto& [key, gauge] : it->second.gauges) gauges_[key.first]->Remove(gauge);
  if (it->second.failures != nullptr) failures_->Remove(it->second.failures);
  clusters_.erase(it);
}

}  // namespace doris_operator::metrics
