#ifndef DORIS_OPERATOR_OPERATOR_CONTROLLER_H_
#define DORIS_OPERATOR_OPERATOR_CONTROLLER_H_

// Wires the running operator: one watcher per stream feeding the event log,
// a keyed work queue of DorisClusters woken by what the watchers append, and
// reconcile workers, which start reconciling once every stream has listed.
// Start() returns at once; Stop() drains and joins.

#include <atomic>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "operator/doris/fe_client.h"
#include "operator/ingest/reference_index.h"
#include "operator/ingest/sync_gate.h"
#include "operator/ingest/watcher.h"
#include "operator/kube/client.h"
#include "operator/reconcile/reconciler.h"
#include "operator/workqueue/work_queue.h"
#include "store/event_log.h"

namespace doris_operator {

struct ControllerOptions {
  std::vector<std::string> namespaces;  // empty: all
  int workers = 4;
  doris::Access doris_access = doris::Access::kDirect;  // main.cc's default too
  doris::FeClientOptions doris_client;
  reconcile::ReconcilerOptions reconciler;
  int watch_timeout_seconds = 300;
  // Also watch DorisDisaggregatedClusters (ddc) and what they own: set when
  // the API server serves their CRD (main.cc asks discovery at start), so
  // that an operator on a cluster without it still syncs its streams.
  bool watch_disaggregated = false;
  // Without watch_disaggregated: asked every disaggregated_discovery_interval
  // whether the API server serves the ddc CRD now (installed after start);
  // once it does, the ddc's streams start and its clusters reconcile once
  // they have listed. Null: never asked again.
  std::function<bool()> disaggregated_served;
  absl::Duration disaggregated_discovery_interval = absl::Seconds(30);
  // Every cluster is reconciled at least this often, events or not, so a
  // missed event or an outside change to Doris is noticed (0: never).
  absl::Duration resync_period = absl::Minutes(10);
  // With leader election: whether this replica may reconcile now. Null:
  // always. Watchers ingest regardless, so a replica that becomes leader
  // has the whole history in its own log.
  std::function<bool()> is_leader;
  // Runs one reconcile; null: the Reconciler's. Tests put one that throws
  // here, to check the boundary every reconcile runs inside.
  std::function<reconcile::ReconcileOutcome(const store::ClusterKey&, uint64_t trigger_from)> reconcile;
};

// Counters for /metrics; read without locks.
struct ControllerStats {
  std::atomic<int64_t> events_ingested{0};
  std::atomic<int64_t> watch_errors{0};
  std::atomic<int64_t> reconciles[6] = {};  // by ReconcileRecord::Outcome
  std::atomic<int64_t> reconcile_micros_total{0};
  // Reconcile durations: cumulative counts at or below each bound (seconds).
  static constexpr double kDurationBounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                               0.5,   1,    2.5,   5,    10};
  std::atomic<int64_t> duration_buckets[std::size(kDurationBounds)] = {};
  std::atomic<int64_t> write_calls{0};
  // Reconciles not started because the event log refused appends.
  std::atomic<int64_t> reconciles_paused{0};
  std::atomic<int> synced_streams{0};
};

class Controller {
 public:
  Controller(kube::Client* kube, store::EventLog* log, ControllerOptions options);
  ~Controller();

  void Start();
  // Queues every cluster in the log for a reconcile, e.g. on becoming leader
  // (what changed while following is already in the log, not in the queue).
  void EnqueueAll();
  // Stops watchers, lets in-flight reconciles finish, joins every thread.
  void Stop();

  // Every stream has its first list of this process in the log (a stored
  // cursor does not count: see ingest::SyncGate).
  bool Synced() const { return sync_.open(); }
  const ControllerStats& stats() const { return stats_; }
  size_t queue_depth() const { return queue_.ready() + queue_.delayed(); }

 private:
  void Worker();
  // One reconcile inside the boundary: an exception (a malformed object
  // reached code that throws) costs this cluster a FAILED record in the log
  // and a retry with backoff, never the worker or the process.
  reconcile::ReconcileOutcome ReconcileContained(const store::ClusterKey& cluster, uint64_t from);
  // Blocks until every stream has listed; false when stopped first.
  bool WaitForSync();
  // The reconciler's options, reading the gate for its freshness checks.
  reconcile::ReconcilerOptions ReconcilerOptionsWithGate() const;
  void Resync();
  // Asks whether the ddc CRD is served until it is, then starts its streams.
  void DiscoverDisaggregated();
  void StartDisaggregated();
  // A ddc whose streams started after this process's gate opened waits
  // until they have listed (as every cluster waits for the first lists).
  bool DisaggregatedWaiting(const store::ClusterKey& cluster) const;
  // The ConfigMap reference index, from the clusters in the log.
  void RebuildReferences();
  std::vector<ingest::StreamSpec> Streams() const;
  // The ddc's streams (its resource and what it owns), per namespace.
  std::vector<ingest::StreamSpec> DisaggregatedStreams() const;

  kube::Client* const kube_;
  store::EventLog* const log_;
  const ControllerOptions options_;
  ingest::ReferenceIndex references_;
  // Opens once every stream of Streams() has listed in this process.
  ingest::SyncGate sync_;
  doris::FeClient fe_;
  reconcile::Reconciler reconciler_;
  workqueue::WorkQueue queue_;
  ControllerStats stats_;
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<ingest::Watcher>> watchers_;
  std::vector<std::thread> threads_;
  ingest::WatcherOptions watcher_options_;
  // Set once the ddc streams start after Start() (DiscoverDisaggregated).
  std::atomic<bool> late_disaggregated_{false};
  std::unique_ptr<ingest::SyncGate> disaggregated_sync_;
  std::vector<std::unique_ptr<ingest::Watcher>> late_watchers_;
  std::vector<std::thread> late_threads_;

  absl::Mutex mu_;
  // The first log record each cluster's next reconcile has not seen.
  std::map<store::ClusterKey, uint64_t> pending_from_ ABSL_GUARDED_BY(mu_);
};

}  // namespace doris_operator

#endif  // DORIS_OPERATOR_OPERATOR_CONTROLLER_H_
