#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_RECONCILER_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_RECONCILER_H_

// One reconcile of one DorisCluster, as a pipeline: observe (the folded
// log) -> decide (Doris membership, config restarts, rollout) -> translate ->
// diff -> apply -> status, ending in a ReconcileRecord appended to the log
// that says what triggered it, what it decided and what each write did.
// Decisions come from the folded log only; the API server and the FE are
// where actions go (and the FE's node list, which no watch carries).

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "operator/doris/fe_client.h"
#include "operator/ingest/reference_index.h"
#include "operator/ingest/sync_gate.h"
#include "operator/kube/client.h"
#include "operator/reconcile/event_recorder.h"
#include "operator/metrics/cluster_metrics.h"
#include "operator/metrics/write_failures.h"
#include "proto/log.pb.h"
#include "store/coalesce.h"
#include "store/event_log.h"

namespace doris_operator::reconcile {

struct ReconcilerOptions {
  std::string field_manager = "doris-operator";
  std::string operator_version = "dev";
  // The wall clock, injectable for tests (status times, restart stamps).
  std::function<absl::Time()> now = [] { return absl::Now(); };
  // While a cluster converges it is looked at again after this long even
  // without new events (Doris membership is not watched).
  absl::Duration progress_poll = absl::Seconds(2);
  // Where each reconcile leaves its cluster's series for /metrics, and
  // counts failed writes by cause (null: nowhere).
  metrics::ClusterMetrics* cluster_metrics = nullptr;
  metrics::WriteFailures* write_failures = nullptr;
  // A BE restart that waits this long for healthy tablets is reported
  // (Warning Event, status); it goes on waiting. 0: never reported.
  absl::Duration tablet_health_deadline = absl::Minutes(30);
  // The controller's initial-sync gate. A decision that removes a Doris
  // node (decommission, drop, ghost drop, a shrink) acts only on a picture
  // folded after the gate opened, and a ghost's grace period counts from
  // then at the earliest. Null: every picture counts as fresh (a caller
  // that reconciles by hand, e.g. a test, vouches for its log).
  const ingest::SyncGate* sync = nullptr;
};

struct ReconcileOutcome {
  log::v1::ReconcileRecord record;
  uint64_t record_seq = 0;                          // where it was appended
  bool coalesced = false;  // counted on the earlier record_seq as a repeat
  absl::Duration requeue_after = absl::ZeroDuration();  // 0: wait for events
  int writes = 0;                                   // API and Doris write calls made
};

class Reconciler {
 public:
  Reconciler(kube::Client* kube, store::EventLog* log, doris::FeClient* fe,
             ingest::ReferenceIndex* references, ReconcilerOptions options = {});

  // `trigger_from` is the first log record not yet seen by a reconcile of
  // this cluster. Failures are in the record (outcome FAILED), not a Status.
  ReconcileOutcome Reconcile(const store::ClusterKey& cluster, uint64_t trigger_from);

 private:
  kube::Client* const kube_;
  store::EventLog* const log_;
  doris::FeClient* const fe_;
  ingest::ReferenceIndex* const references_;
  const ReconcilerOptions options_;
  // Outlives reconciles: repeats of an Event are counted on one object.
  EventRecorder events_;
};

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_RECONCILER_H_
