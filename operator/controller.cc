#include "operator/controller.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/logging/log.h"
#include "operator/reconcile/ddc_inputs.h"
#include "operator/reconcile/ddc_observe_inputs.h"
#include "operator/reconcile/ddc_reconcile.h"
#include "operator/reconcile/inputs.h"

namespace doris_operator {

namespace {

// The work queue's key: "ns/name" for a DorisCluster (as before kinds),
// "Kind:ns/name" for another kind (no namespace holds a ':').
std::string KeyString(const store::ClusterKey& k) {
  return k.kind.empty() ? absl::StrCat(k.ns, "/", k.name) : absl::StrCat(k.kind, ":", k.ns, "/", k.name);
}

std::set<std::string> StreamNames(const std::vector<ingest::StreamSpec>& streams) {
  std::set<std::string> names;
  for (const ingest::StreamSpec& s : streams) names.insert(s.Name());
  return names;
}

// `kinds` once for every namespace of `namespaces` (empty: all).
std::vector<ingest::StreamSpec> PerNamespace(const std::vector<ingest::StreamSpec>& kinds,
                                             const std::vector<std::string>& namespaces) {
  if (namespaces.empty()) return kinds;
  std::vector<ingest::StreamSpec> out;
  for (const std::string& ns : namespaces) {
    for (ingest::StreamSpec s : kinds) {
      s.ns = ns;
      out.push_back(std::move(s));
    }
  }
  return out;
}

store::ClusterKey KeyFrom(const std::string& key) {
  const size_t colon = key.find(':');
  const std::string kind = colon == std::string::npos ? "" : key.substr(0, colon);
  const std::string s = colon == std::string::npos ? key : key.substr(colon + 1);
  const size_t slash = s.find('/');
  return store::ClusterKey::Of(kind, s.substr(0, slash), s.substr(slash + 1));
}

}  // namespace

Controller::Controller(kube::Client* kube, store::EventLog* log, ControllerOptions options)
    : kube_(kube),
      log_(log),
      options_(std::move(options)),
      sync_(StreamNames(Streams())),
      fe_(options_.doris_access, kube, options_.doris_client),
      reconciler_(kube, log, &fe_, &references_, ReconcilerOptionsWithGate()) {}

reconcile::ReconcilerOptions Controller::ReconcilerOptionsWithGate() const {
  reconcile::ReconcilerOptions o = options_.reconciler;
  o.sync = &sync_;
  return o;
}

Controller::~Controller() { Stop(); }

std::vector<ingest::StreamSpec> Controller::Streams() const {
  // What the operator reads: its clusters, what it owns (by the labels the
  // translator puts on everything), and the ConfigMaps clusters reference.
  std::vector<ingest::StreamSpec> kinds = {
      {"doris.selectdb.com/v1", "DorisCluster", "dorisclusters", "", ""},
      {"apps/v1", "StatefulSet", "statefulsets", "", "app.doris.ownerreference/name"},
      {"v1", "Service", "services", "", "app.doris.ownerreference/name"},
      {"v1", "Pod", "pods", "", "app.doris.cluster"},
      {"v1", "PersistentVolumeClaim", "persistentvolumeclaims", "", "app.doris.ownerreference/name"},
      {"autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "",
       "app.doris.ownerreference/name"},
      {"v1", "ConfigMap", "configmaps", "", "", /*only_owned=*/true},
  };
  std::vector<ingest::StreamSpec> out = PerNamespace(kinds, options_.namespaces);
  if (options_.watch_disaggregated) {
    for (ingest::StreamSpec& s : DisaggregatedStreams()) out.push_back(std::move(s));
  }
  return out;
}

std::vector<ingest::StreamSpec> Controller::DisaggregatedStreams() const {
  // A ddc's objects carry app.doris.disaggregated.cluster, not the
  // DorisCluster labels (docs/disaggregated-contract.md §4.2).
  constexpr char kDdcLabel[] = "app.doris.disaggregated.cluster";
  return PerNamespace({{"disaggregated.cluster.doris.com/v1", "DorisDisaggregatedCluster",
                        "dorisdisaggregatedclusters", "", ""},
                       {"apps/v1", "StatefulSet", "statefulsets", "", kDdcLabel, false, "ddc"},
                       {"v1", "Service", "services", "", kDdcLabel, false, "ddc"},
                       {"v1", "Pod", "pods", "", kDdcLabel, false, "ddc"}},
                      options_.namespaces);
}

void Controller::RebuildReferences() {
  // Which cluster reads which ConfigMap must be known before the ConfigMap
  // stream re-lists: a ConfigMap that changed while no operator ran is
  // logged only if it resolves to a cluster, and the reconciles that would
  // otherwise fill the index have not run yet.
  for (const store::ClusterKey& key : log_->CurrentClusters()) {
    if (key.empty()) continue;
    const store::ClusterObjects objects = log_->CurrentObjectsOf(key);
    const reconcile::ClusterInputs in = reconcile::InputsFromObjects(key, objects);
    if (in.present) references_.Set(key, in.config_maps);
    if (!in.present && reconcile::HoldsDisaggregated(key, objects)) {
      reconcile::IndexDisaggregatedReferences(key, objects, &references_);
    }
  }
}

void Controller::Start() {
  RebuildReferences();
  // Clusters already in the log get a first look (their state may have
  // moved while no operator ran; the watchers' re-list says how) once every
  // stream has synced: see Worker.
  EnqueueAll();
  ingest::WatcherOptions& wo = watcher_options_;
  wo.resolve = [this](const log::v1::ObjectRef& ref) { return references_.Resolve(ref); };
  wo.watch_timeout_seconds = options_.watch_timeout_seconds;
  wo.on_append = [this](const std::vector<store::ClusterKey>& touched) {
    stats_.events_ingested.fetch_add(1);
    const uint64_t seq = log_->last_seq();
    absl::MutexLock lock(&mu_);
    for (const store::ClusterKey& k : touched) {
      pending_from_.emplace(k, seq);  // keeps the oldest unseen record
      queue_.Add(KeyString(k));
    }
  };
  wo.on_synced = [this](const std::string& stream, uint64_t seq) {
    stats_.synced_streams.fetch_add(1);
    sync_.Listed(stream, seq, options_.reconciler.now());
    if (late_disaggregated_) disaggregated_sync_->Listed(stream, seq, options_.reconciler.now());
  };
  wo.on_error = [this](const std::string& stream, const absl::Status& s) {
    stats_.watch_errors.fetch_add(1);
    logging::Log(logging::Level::kWarn, "watch failed; retrying",
                 {{"stream", stream}, {"error", std::string(s.message())}});
  };
  std::vector<ingest::StreamSpec> streams = Streams();
  for (ingest::StreamSpec& s : streams) {
    watchers_.push_back(std::make_unique<ingest::Watcher>(std::move(s), kube_, log_, wo));
  }
  for (auto& w : watchers_) {
    ingest::Watcher* watcher = w.get();
    threads_.emplace_back([this, watcher] { watcher->Run(stop_); });
  }
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    threads_.emplace_back([this] { Worker(); });
  }
  if (options_.resync_period > absl::ZeroDuration()) {
    threads_.emplace_back([this] { Resync(); });
  }
  if (!options_.watch_disaggregated && options_.disaggregated_served) {
    threads_.emplace_back([this] { DiscoverDisaggregated(); });
  }
}

void Controller::DiscoverDisaggregated() {
  // As kube-controller-manager re-reads discovery for CRDs installed after it
  // started; a watch on CustomResourceDefinitions would need a cluster-wide
  // read of every CRD, which deploy/rbac.yaml does not grant.
  absl::Time next = absl::Now() + options_.disaggregated_discovery_interval;
  while (!stop_) {
    absl::SleepFor(absl::Milliseconds(100));
    if (absl::Now() < next) continue;
    next = absl::Now() + options_.disaggregated_discovery_interval;
    if (!options_.disaggregated_served()) continue;
    logging::Log(logging::Level::kInfo, "DorisDisaggregatedCluster is served now: watching it too", {});
    StartDisaggregated();
    return;
  }
}

void Controller::StartDisaggregated() {
  std::vector<ingest::StreamSpec> streams = DisaggregatedStreams();
  std::set<std::string> names = StreamNames(streams);
  absl::MutexLock lock(&mu_);
  disaggregated_sync_ = std::make_unique<ingest::SyncGate>(std::move(names));
  late_disaggregated_ = true;
  for (ingest::StreamSpec& s : streams) {
    late_watchers_.push_back(std::make_unique<ingest::Watcher>(std::move(s), kube_, log_, watcher_options_));
    ingest::Watcher* watcher = late_watchers_.back().get();
    late_threads_.emplace_back([this, watcher] { watcher->Run(stop_); });
  }
}

bool Controller::DisaggregatedWaiting(const store::ClusterKey& cluster) const {
  return cluster.kind == reconcile::kDisaggregatedKind && late_disaggregated_ && !disaggregated_sync_->open();
}

void Controller::Resync() {
  absl::Time next = absl::Now() + options_.resync_period;
  while (!stop_) {
    absl::SleepFor(absl::Milliseconds(100));
    if (absl::Now() < next) continue;
    next = absl::Now() + options_.resync_period;
    EnqueueAll();
  }
}

void Controller::EnqueueAll() {
  const uint64_t last = log_->last_seq();
  const std::vector<store::ClusterKey> clusters = log_->CurrentClusters();
  absl::MutexLock lock(&mu_);
  for (const store::ClusterKey& key : clusters) {
    if (key.empty()) continue;
    pending_from_.emplace(key, last + 1);  // keeps an older unseen record
    queue_.Add(KeyString(key));
  }
}

bool Controller::WaitForSync() {
  // As controllers built on client-go wait for their informers: a reconcile
  // from a half-listed state would, e.g., take pods that are not listed yet
  // for missing, read a new spec beside an old StatefulSet and take it for
  // a scale-in, or miss a ConfigMap change made while no operator ran.
  while (!stop_ && !sync_.Wait(stop_, absl::Seconds(30))) {
    if (stop_) break;
    logging::Log(logging::Level::kWarn, "waiting for every watch to list before reconciling",
                 {{"listed", std::to_string(sync_.listed())}, {"streams", std::to_string(sync_.streams())}});
  }
  return !stop_;
}

void Controller::Worker() {
  if (!WaitForSync()) return;
  while (std::optional<std::string> key = queue_.Get()) {
    if (options_.is_leader && !options_.is_leader()) {
      // A follower leaves the cluster alone but keeps the key (and, in
      // pending_from_, what it has not seen) for when it leads.
      queue_.AddAfter(*key, absl::Seconds(1));
      queue_.Done(*key);
      continue;
    }
    if (!log_->write_health().status.ok()) {
      // A reconcile must be in the log before anything it decides reaches
      // the cluster: none starts while the log refuses appends. The key
      // waits (with what it has not seen) until the log recovers.
      stats_.reconciles_paused.fetch_add(1);
      queue_.AddAfter(*key, absl::Seconds(1));
      queue_.Done(*key);
      continue;
    }
    const store::ClusterKey cluster = KeyFrom(*key);
    if (DisaggregatedWaiting(cluster)) {
      queue_.AddAfter(*key, absl::Seconds(1));
      queue_.Done(*key);
      continue;
    }
    uint64_t from;
    {
      absl::MutexLock lock(&mu_);
      auto it = pending_from_.find(cluster);
      from = it == pending_from_.end() ? log_->last_seq() + 1 : it->second;
      if (it != pending_from_.end()) pending_from_.erase(it);
    }
    const reconcile::ReconcileOutcome out = ReconcileContained(cluster, from);
    stats_.reconciles[std::clamp<int>(out.record.outcome(), 0, 5)].fetch_add(1);
    stats_.reconcile_micros_total.fetch_add(out.record.duration_micros());
    for (size_t b = 0; b < std::size(ControllerStats::kDurationBounds); ++b) {
      if (out.record.duration_micros() <= ControllerStats::kDurationBounds[b] * 1e6) {
        stats_.duration_buckets[b].fetch_add(1);
      }
    }
    stats_.write_calls.fetch_add(out.writes);
    if (out.writes > 0 || out.record.outcome() == log::v1::ReconcileRecord::FAILED ||
        out.record.outcome() == log::v1::ReconcileRecord::INVALID_SPEC) {
      logging::Log(
          out.record.outcome() == log::v1::ReconcileRecord::FAILED ? logging::Level::kWarn
                                                                   : logging::Level::kInfo,
          "reconciled",
          {{"cluster", *key},
           {"outcome", log::v1::ReconcileRecord::Outcome_Name(out.record.outcome())},
           {"seq", std::to_string(out.record_seq)},
           {"actions", std::to_string(out.record.actions_size())},
           {"duration_ms", std::to_string(out.record.duration_micros() / 1000)},
           {"error", out.record.error()}});
    }
    if (out.record.outcome() == log::v1::ReconcileRecord::FAILED) {
      queue_.AddRateLimited(*key);
    } else {
      queue_.Forget(*key);
      if (out.requeue_after > absl::ZeroDuration()) queue_.AddAfter(*key, out.requeue_after);
    }
    queue_.Done(*key);
  }
}

reconcile::ReconcileOutcome Controller::ReconcileContained(const store::ClusterKey& cluster,
                                                           uint64_t from) {
  const absl::Time start = absl::Now();
  std::string error;
  try {
    return options_.reconcile ? options_.reconcile(cluster, from) : reconciler_.Reconcile(cluster, from);
  } catch (const std::exception& e) {
    error = absl::StrCat("internal error: ", e.what());
  } catch (...) {
    error = "internal error: an exception that is not a std::exception";
  }
  // The reconcile left no record of its own: this one says it failed and
  // why (dorisctl reconciles shows it), and the records that triggered it
  // stay pending for the retry, whose trigger range then includes them.
  reconcile::ReconcileOutcome out;
  out.record.set_outcome(log::v1::ReconcileRecord::FAILED);
  out.record.set_error(error);
  out.record.set_trigger_seq_begin(from);
  out.record.set_trigger_seq_end(log_->last_seq());
  out.record.set_translator_version(options_.reconciler.operator_version);
  out.record.set_duration_micros(absl::ToInt64Microseconds(absl::Now() - start));
  log::v1::LogRecord r;
  *r.mutable_cluster() = cluster.ToRef();
  *r.mutable_reconcile() = out.record;
  absl::StatusOr<store::AppendResult> appended = log_->Append({r});
  out.record_seq = appended.ok() ? appended->last_seq : 0;
  absl::MutexLock lock(&mu_);
  auto [it, added] = pending_from_.emplace(cluster, from);
  if (!added) it->second = std::min(it->second, from);
  return out;
}

void Controller::Stop() {
  if (stop_.exchange(true)) return;
  queue_.ShutDown();
  for (std::thread& t : threads_) t.join();  // DiscoverDisaggregated too: no more late threads
  threads_.clear();
  for (std::thread& t : late_threads_) t.join();
  late_threads_.clear();
}

}  // namespace doris_operator
