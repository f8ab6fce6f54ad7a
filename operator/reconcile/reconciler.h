#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_RECONCILER_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_RECONCILER_H_

// One reconcile of one DorisCluster: fold -> translate -> diff -> apply ->
// Doris membership -> status, ending in a ReconcileRecord appended to the
// log that says what triggered it, what it decided and what each write did.
// Decisions come from the folded log only; the API server and the FE are
// where actions go (and the FE's node list, which no watch carries).

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "operator/doris/fe_client.h"
#include "operator/ingest/reference_index.h"
#include "operator/kube/client.h"
#include "operator/reconcile/event_recorder.h"
#include "operator/reconcile/rollout.h"
#include "proto/log.pb.h"
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
};

struct ReconcileOutcome {
  log::v1::ReconcileRecord record;
  uint64_t record_seq = 0;                          // where it was appended
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
  struct Run;
  void Membership(Run& run);
  // The master FE, found in the frontends list, as the target of membership writes.
  absl::StatusOr<doris::FeTarget> MasterTarget(Run& run);
  // Holds a component whose FE rows match no pod: status and an Event say why.
  void Unmapped(Run& run, const std::string& component, const std::vector<std::string>& hosts);
  // Holds a component whose FE `list` cannot be read: status and an Event
  // (once per situation) say why.
  void Unreadable(Run& run, const std::string& component, const std::string& list, const absl::Status& s);
  const absl::StatusOr<std::vector<doris::NodeRow>>& Frontends(Run& run);
  const absl::StatusOr<std::vector<doris::NodeRow>>& Backends(Run& run);
  void ConfigRestarts(Run& run);
  void ApplyDesired(Run& run);
  void DorisAlive(Run& run, const std::string& component, std::vector<PodView>* pods);
  void WriteStatus(Run& run);
  void Event(Run& run, const std::string& type, const std::string& reason,
             const std::string& message);
  // Refuses FE calls that this access mode cannot authenticate (status,
  // Event), so that nothing is sent that could not work.
  void DorisAccess(Run& run);
  // The refusal, said once per reconcile when the FE is needed.
  void DorisRefused(Run& run);

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
