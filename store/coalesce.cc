// The coalescing rule (pure), and EventLog::AppendReconcile, which applies it
// by writing the run's new count (a small value beside the run's record)
// through the writer queue.

#include "store/coalesce.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "rocksdb/write_batch.h"
#include "store/event_log.h"
#include "store/event_log_internal.h"
#include "store/keys.h"
#include "store/record_validation.h"

namespace doris_operator::store {

namespace {

using log::v1::ReconcileRecord;

// What stays of a record once when it ran and for how long are taken out.
ReconcileRecord Decision(const ReconcileRecord& r) {
  ReconcileRecord d = r;
  d.clear_trigger_seq_begin();
  d.clear_trigger_seq_end();
  d.clear_duration_micros();
  d.clear_repeats();
  for (auto& a : *d.mutable_actions()) a.clear_caused_by_seq();
  return d;
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// A count is dropped when a record of the cluster was committed between
// reading the cluster's newest record and committing the count; it is tried
// again this often before the record is simply appended.
constexpr int kStaleRetries = 3;

enum class Try { kCounted, kNotARepeat, kStale };

}  // namespace

bool RepeatsDecision(const ReconcileRecord& previous, const ReconcileRecord& next) {
  if (next.outcome() != ReconcileRecord::NO_CHANGE &&
      next.outcome() != ReconcileRecord::REQUEUED) {
    return false;
  }
  if (previous.outcome() != next.outcome() || next.has_repeats()) return false;
  // Without an input hash there is nothing to say the input was the same.
  if (next.input_state_hash().empty()) return false;
  return google::protobuf::util::MessageDifferencer::Equals(Decision(previous), Decision(next));
}

uint64_t ReconcileCount(const ReconcileRecord& record) {
  return record.has_repeats() ? std::max<uint64_t>(1, record.repeats().count()) : 1;
}

void CountRepeat(const log::v1::LogRecord& next, log::v1::LogRecord* run) {
  ReconcileRecord* r = run->mutable_reconcile();
  const ReconcileRecord& n = next.reconcile();
  const bool had = r->has_repeats();
  ReconcileRecord::Repeats* rep = r->mutable_repeats();
  const uint64_t count = ReconcileCount(*r) + 1;
  rep->set_count(count);
  google::protobuf::Timestamp last = had ? rep->last_observed_at() : run->observed_at();
  if (Micros(next.observed_at()) > Micros(last)) last = next.observed_at();
  *rep->mutable_last_observed_at() = last;
  rep->set_last_trigger_seq_end(std::max({rep->last_trigger_seq_end(), r->trigger_seq_end(),
                                          n.trigger_seq_end()}));
  rep->set_max_duration_micros(std::max({rep->max_duration_micros(), r->duration_micros(),
                                         n.duration_micros()}));
}

void EventLog::AddRepeat(const Handles& h, Writer* w, const std::vector<Writer*>& earlier,
                         rocksdb::WriteBatch* batch) const {
  const log::v1::LogRecord& run = w->records->front();
  const ClusterKey key = ClusterKey::From(run.cluster());
  bool newest;
  {
    absl::MutexLock l(&state_mu_);
    auto it = newest_.find(key);
    newest = it != newest_.end() && it->second.seq == run.seq() && run.seq() >= first_seq_;
  }
  // A record of the cluster committed ahead of it in this group ends the run.
  for (const Writer* x : earlier) {
    if (x->repeat || !newest) continue;
    for (const log::v1::LogRecord& r : *x->records) {
      if (!r.cluster().name().empty() && ClusterKey::From(r.cluster()) == key) newest = false;
    }
  }
  if (!newest) {
    w->stale = true;
    return;
  }
  // The count only: the run's record stays as it was appended.
  batch->Put(h.cf[internal::kMeta], keys::Repeats(run.seq()),
             run.reconcile().repeats().SerializeAsString());
  w->result.first_seq = w->result.last_seq = run.seq();
}

std::optional<log::v1::LogRecord> EventLog::NewestRunOf(const ClusterKey& cluster) {
  {
    absl::MutexLock l(&state_mu_);
    auto it = newest_.find(cluster);
    if (it != newest_.end()) {
      if (it->second.seq < first_seq_) return std::nullopt;  // removed by retention
      return it->second.run;
    }
  }
  // Not looked at since Open: the index says which record is the newest. A
  // group published meanwhile has put its own (newer) entry, which stays.
  const uint64_t last = last_seq();
  absl::StatusOr<std::vector<uint64_t>> seqs =
      SeqsForCluster(cluster, {.to_seq = last, .limit = 1, .newest_first = true});
  if (!seqs.ok()) return std::nullopt;  // appended instead; looked up again next time
  NewestOfCluster found;
  if (!seqs->empty()) {
    found.seq = seqs->front();
    absl::StatusOr<log::v1::LogRecord> r = Get(found.seq);
    if (!r.ok()) return std::nullopt;
    if (r->has_reconcile()) found.run = *std::move(r);
  }
  absl::MutexLock l(&state_mu_);
  auto [it, added] = newest_.emplace(cluster, std::move(found));
  if (it->second.seq < first_seq_) return std::nullopt;
  return it->second.run;
}

absl::StatusOr<ReconcileAppend> EventLog::AppendReconcile(log::v1::LogRecord record) {
  auto append = [&]() -> absl::StatusOr<ReconcileAppend> {
    absl::StatusOr<AppendResult> a = Append({std::move(record)});
    if (!a.ok()) return a.status();
    return ReconcileAppend{.seq = a->last_seq};
  };
  if (!record.has_reconcile() || record.cluster().name().empty()) return append();
  if (absl::Status s = ValidateRecord(record); !s.ok()) return s;
  if (!record.has_observed_at()) {
    const int64_t ns = absl::ToUnixNanos(absl::Now());
    record.mutable_observed_at()->set_seconds(ns / 1000000000);
    record.mutable_observed_at()->set_nanos(static_cast<int32_t>(ns % 1000000000));
  }
  const ClusterKey key = ClusterKey::From(record.cluster());
  absl::MutexLock serial(&coalesce_mu_);
  ReconcileAppend counted;
  for (int attempt = 0; attempt < kStaleRetries; ++attempt) {
    // A retention pass may be removing the newest record: append rather
    // than count on a record below the cut.
    if (!retention_mu_.TryLock()) break;
    absl::StatusOr<Try> tried = [&]() -> absl::StatusOr<Try> {
      std::optional<log::v1::LogRecord> run = NewestRunOf(key);
      if (!run || !RepeatsDecision(run->reconcile(), record.reconcile())) {
        return Try::kNotARepeat;
      }
      CountRepeat(record, &*run);
      std::vector<log::v1::LogRecord> one;
      one.push_back(std::move(*run));
      Writer w;
      w.records = &one;
      w.repeat = true;
      if (absl::Status s = Commit(&w); !s.ok()) return s;
      if (w.stale) return Try::kStale;
      counted = {.seq = one.front().seq(),
                 .coalesced = true,
                 .count = one.front().reconcile().repeats().count()};
      return Try::kCounted;
    }();
    retention_mu_.Unlock();
    if (!tried.ok()) return tried.status();
    if (*tried == Try::kCounted) return counted;
    if (*tried == Try::kNotARepeat) break;
  }
  return append();
}

}  // namespace doris_operator::store
