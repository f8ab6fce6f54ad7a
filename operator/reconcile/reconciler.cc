#include "operator/reconcile/reconciler.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_join.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/apply.h"
#include "operator/reconcile/apply_membership.h"
#include "operator/reconcile/apply_restarts.h"
#include "operator/reconcile/ddc_metrics_sample.h"
#include "operator/reconcile/ddc_reconcile.h"
#include "operator/reconcile/decide_membership.h"
#include "operator/reconcile/decide_rollout.h"
#include "operator/reconcile/diff.h"
#include "operator/reconcile/fe_access.h"
#include "operator/reconcile/hibernation.h"
#include "operator/reconcile/inputs.h"
#include "operator/reconcile/metrics_sample.h"
#include "operator/reconcile/observe.h"
#include "operator/reconcile/observe_doris.h"
#include "operator/reconcile/pause.h"
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
  // The objects fold at least through state_seq (read first).
  const uint64_t state_seq = log_->last_seq();
  run.record.set_trigger_seq_end(state_seq);
  run.record.set_translator_version(options_.operator_version);
  run.objects = log_->CurrentObjectsOf(key);
  if (options_.sync != nullptr) {
    const std::optional<ingest::SyncGate::Opened> opened = options_.sync->opened();
    run.fresh = opened.has_value() && state_seq >= opened->seq;
    run.watching_since = opened.has_value() ? opened->at : absl::InfiniteFuture();
  }
  ReconcileOutcome out;

  bool present = false;
  auto finish = [&](log::v1::ReconcileRecord::Outcome outcome) {
    run.record.set_outcome(outcome);
    if (present && options_.cluster_metrics != nullptr) {
      options_.cluster_metrics->Reconciled(key, outcome == log::v1::ReconcileRecord::FAILED,
                                           options_.now());
    }
    run.record.set_error(absl::StrJoin(run.errors, "; "));
    run.record.set_duration_micros(absl::ToInt64Microseconds(absl::Now() - start));
    log::v1::LogRecord r;
    *r.mutable_cluster() = key.ToRef();
    *r.mutable_reconcile() = run.record;
    // A repeat of the last decision is counted on its record (store/coalesce.h).
    absl::StatusOr<store::ReconcileAppend> appended = log_->AppendReconcile(std::move(r));
    if (!appended.ok()) MarkUnrecorded(appended.status(), &run.record);
    out.record = run.record;
    out.record_seq = appended.ok() ? appended->seq : 0;
    out.coalesced = appended.ok() && appended->coalesced;
    out.writes = run.writes;
    return out;
  };

  // Observe: the folded log, and the little no watch carries.
  run.record.set_input_state_hash(InputStateHash(run.objects));
  ClusterInputs in = InputsFromObjects(key, run.objects);
  if (!in.present && HoldsDisaggregated(key, run.objects)) {
    // A DorisDisaggregatedCluster: its own pipeline, the same record and
    // the same per-cluster series (labelled with its kind).
    const log::v1::ReconcileRecord::Outcome outcome = ReconcileDisaggregated(run, references_, &out.requeue_after);
    present = true;
    if (options_.cluster_metrics != nullptr) {
      if (std::optional<metrics::ClusterSample> sample = DisaggregatedSampleOf(run)) {
        options_.cluster_metrics->Observe(key, *sample);
      }
    }
    return finish(outcome);
  }
  if (!in.present) {
    // Deleted: the API server's garbage collector removes what it owned.
    references_->Remove(key);
    if (options_.cluster_metrics != nullptr) options_.cluster_metrics->Remove(key);
    return finish(log::v1::ReconcileRecord::NO_CHANGE);
  }
  present = true;
  run.cluster_json = std::move(in.cluster_json);
  run.cluster = std::move(in.cluster);
  const model::v1::DorisClusterSpec user_spec = run.cluster.spec();
  if (!kube::FieldAt(run.cluster_json, {"metadata", "deletionTimestamp"}).is_null()) {
    // Being deleted (in the foreground, the API server waits for what it
    // owns to go): a write now would re-create what the collector removes.
    return finish(log::v1::ReconcileRecord::NO_CHANGE);
  }
  auto sequences = log_->SeqsForCluster(key, {.limit = 1, .newest_first = true});
  if (sequences.ok() && !sequences->empty()) run.caused_by = sequences->front();
  if (PauseRequested(run.cluster_json)) {
    // Paused: keep recording (the watches do; ConfigMaps it reads stay
    // mapped to it), write nothing but the Paused condition, once.
    references_->Set(key, in.config_maps);
    ReconcilePaused(run);
    if (run.failed) out.requeue_after = options_.progress_poll;
    return finish(run.failed ? log::v1::ReconcileRecord::FAILED : log::v1::ReconcileRecord::NO_CHANGE);
  }
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

  // Hibernation (pods stop, nodes stay in Doris, FE wakes first) decides
  // replicas alone: membership, ghost nodes (every node would look like
  // one) and restarts wait until the cluster is awake.
  if (!DecideHibernation(run)) {
    // Doris membership, component by component (FE, BE, CN): observe the
    // node list the plan needs, decide (pure), carry out its Doris calls. A
    // plan sees the list as the previous component's writes left it; the
    // replicas held until nodes have left go to the translator (and record).
    const model::v1::DorisClusterSpec spec_before = run.cluster.spec();
    for (Component c : {Component::kFe, Component::kBe, Component::kCn}) {
      ApplyMembership(run, DecideMembership(ObserveMembership(run, c)));
    }
    RecordReplicaOverrides(run, spec_before);
    // Ghost nodes (FE rows no pod backs): observe both lists as membership
    // left them, decide, drop what loses nothing.
    const GhostInput ghosts = ObserveGhosts(run);
    if (ghosts.node_map != nullptr) ApplyGhosts(run, DecideGhosts(ghosts));
    // Config-change restarts: observe, decide (pure), write the stamps.
    ApplyRestarts(run, DecideRestarts(ObserveRestarts(run)));
  }

  // Translate, with the rollout's partitions decided from the first
  // translation's pod templates; then diff and apply.
  absl::StatusOr<translator::DesiredSet> desired = TranslateDesired(run);
  if (desired.ok() && DecideRollout(run, *desired)) desired = TranslateDesired(run);
  int64_t drift_fields = 0;
  if (desired.ok()) {
    RecordAndWithhold(run, &*desired);
    if (options_.cluster_metrics != nullptr) drift_fields = DriftFields(*desired, run.live);
    ExpandVolumes(run, volumes, &*desired);
    Apply(run, Diff(*desired, run.live));
  }

  // Status, then the failed writes' Events, so that what people look at
  // first is already true.
  WriteStatus(run);
  for (const auto& [reason, message] : run.failure_events) run.Event("Warning", reason, message);
  if (options_.cluster_metrics != nullptr) {
    options_.cluster_metrics->Observe(key, SampleOf(run, user_spec, drift_fields));
  }

  const bool converged = Converged(run);
  if (!converged || run.failed) out.requeue_after = options_.progress_poll;
  if (run.ghost_recheck != absl::InfiniteDuration()) {
    // A ghost's grace period ends then: nothing else may wake this cluster.
    const absl::Duration at = std::max(run.ghost_recheck, options_.progress_poll);
    out.requeue_after = out.requeue_after == absl::ZeroDuration() ? at : std::min(out.requeue_after, at);
  }
  if (run.failed) return finish(log::v1::ReconcileRecord::FAILED);
  if (run.writes == 0) return finish(converged ? log::v1::ReconcileRecord::NO_CHANGE
                                               : log::v1::ReconcileRecord::REQUEUED);
  return finish(converged ? log::v1::ReconcileRecord::APPLIED : log::v1::ReconcileRecord::REQUEUED);
}

}  // namespace doris_operator::reconcile
