#include "operator/reconcile/reconciler.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/apply.h"
#include "operator/reconcile/decide_membership.h"
#include "operator/reconcile/decide_restarts.h"
#include "operator/reconcile/decide_rollout.h"
#include "operator/reconcile/diff.h"
#include "operator/reconcile/fe_access.h"
#include "operator/reconcile/hibernation.h"
#include "operator/reconcile/inputs.h"
#include "operator/reconcile/observe.h"
#include "operator/reconcile/run.h"
#include "operator/reconcile/translate_step.h"
#include "operator/reconcile/unrecorded.h"
#include "operator/reconcile/volume_expansion.h"
#include "operator/reconcile/write_status.h"

namespace doris_operator::reconcile {

Reconciler::Reconciler(kube::Client* kube, store::EventLog* log, doris::FeClient* fe,
                       ingest::ReferenceIndex* references, ReconcilerOptions options)
    : kube_(kube),
      log_(log),
      fe_(fe),
      references_(references),
      options_(std::move(options)),
      events_(kube) {}

ReconcileOutcome Reconciler::Reconcile(const store::ClusterKey& key, uint64_t trigger_from) {
  const absl::Time start = absl::Now();
  Run run({.kube = kube_, .log = log_, .fe = fe_, .events = &events_, .options = &options_});
  run.key = key;
  run.record.set_trigger_seq_begin(trigger_from);
  run.record.set_trigger_seq_end(log_->last_seq());
  run.record.set_translator_version(options_.operator_version);
  run.objects = log_->CurrentObjectsOf(key);
  ReconcileOutcome out;

  auto finish = [&](log::v1::ReconcileRecord::Outcome outcome) {
    run.record.set_outcome(outcome);
    run.record.set_error(absl::StrJoin(run.errors, "; "));
    run.record.set_duration_micros(absl::ToInt64Microseconds(absl::Now() - start));
    log::v1::LogRecord r;
    *r.mutable_cluster() = key.ToRef();
    *r.mutable_reconcile() = run.record;
    absl::StatusOr<store::AppendResult> appended = log_->Append({r});
    if (!appended.ok()) MarkUnrecorded(appended.status(), &run.record);
    out.record = run.record;
    out.record_seq = appended.ok() ? appended->last_seq : 0;
    out.writes = run.writes;
    return out;
  };

  // Observe: the folded log, and the little no watch carries.
  run.record.set_input_state_hash(InputStateHash(run.objects));
  ClusterInputs in = InputsFromObjects(key, run.objects);
  if (!in.present) {
    // Deleted: the API server's garbage collector removes what it owned.
    references_->Remove(key);
    return finish(log::v1::ReconcileRecord::NO_CHANGE);
  }
  run.cluster_json = std::move(in.cluster_json);
  run.cluster = std::move(in.cluster);
  if (!kube::FieldAt(run.cluster_json, {"metadata", "deletionTimestamp"}).is_null()) {
    // Being deleted (in the foreground, the API server waits for what it
    // owns to go): a write now would re-create what the collector removes.
    return finish(log::v1::ReconcileRecord::NO_CHANGE);
  }
  auto sequences = log_->SeqsForCluster(key, {.limit = 1, .newest_first = true});
  if (sequences.ok() && !sequences->empty()) run.caused_by = sequences->front();
  if (!in.problems.empty()) {
    ReportInvalidSpec(run, absl::StrJoin(in.problems, "; "));
    return finish(log::v1::ReconcileRecord::INVALID_SPEC);
  }
  // ConfigMaps the spec reads: from the log, or fetched (and logged) once.
  references_->Set(key, in.config_maps);
  run.inputs = std::move(in.inputs);
  ObserveConfigMaps(run, in.missing_config_maps);
  ObserveObjects(run);
  ObserveFeTarget(run);
  CheckDorisAccess(run);
  // Storage that grows is checked against its StorageClass before any write.
  const VolumePlan volumes = PlanVolumeExpansion(run);
  if (!volumes.problems.empty()) {
    ReportInvalidSpec(run, absl::StrJoin(volumes.problems, "; "));
    return finish(log::v1::ReconcileRecord::INVALID_SPEC);
  }

  // Decide: hibernation (pods stop, nodes stay in Doris), else Doris
  // membership (replicas held until nodes have left), then config-change
  // restarts.
  if (!DecideHibernation(run)) {
    DecideMembership(run);
    DecideConfigRestarts(run);
  }

  // Translate, with the rollout's partitions decided from the first
  // translation's pod templates; then diff and apply.
  absl::StatusOr<translator::DesiredSet> desired = TranslateDesired(run);
  if (desired.ok() && DecideRollout(run, *desired)) desired = TranslateDesired(run);
  if (desired.ok()) {
    RecordAndWithhold(run, &*desired);
    ExpandVolumes(run, volumes, &*desired);
    Apply(run, Diff(*desired, run.live));
  }

  // Status, then the failed writes' Events, so that what people look at
  // first is already true.
  WriteStatus(run);
  for (const auto& [reason, message] : run.failure_events) run.Event("Warning", reason, message);

  const bool converged = Converged(run);
  if (!converged || run.failed) out.requeue_after = options_.progress_poll;
  if (run.failed) return finish(log::v1::ReconcileRecord::FAILED);
  if (run.writes == 0) return finish(converged ? log::v1::ReconcileRecord::NO_CHANGE
                                               : log::v1::ReconcileRecord::REQUEUED);
  return finish(converged ? log::v1::ReconcileRecord::APPLIED : log::v1::ReconcileRecord::REQUEUED);
}

}  // namespace doris_operator::reconcile
