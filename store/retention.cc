// EventLog retention: removing old records (and the snapshots and index
// entries that go with them) and thinning old snapshots, without ever
// leaving the log unable to rebuild its current state or a state inside the
// window.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "store/event_log.h"
#include "store/event_log_internal.h"
#include "store/keys.h"

namespace doris_operator::store {

using namespace internal;  // NOLINT: the layout shared by the EventLog files

absl::Status EventLog::DeleteRecordsUpTo(const std::shared_ptr<Handles>& h, uint64_t cut) {
  if (cut == 0) return absl::OkStatus();
  rocksdb::DB* db = h->db.get();
  // Index entries first (they are found through the records), then records.
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions(), h->cf[kRecords]));
  rocksdb::WriteBatch batch;
  bool any = false;
  log::v1::LogRecord r;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<uint64_t> seq =
        keys::ParseSeq(std::string_view(it->key().data(), it->key().size()));
    if (!seq) return Corrupt("malformed record key");
    if (*seq > cut) break;
    any = true;
    if (!r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Corrupt(absl::StrCat("record ", *seq, " is damaged (does not parse)"));
    }
    IndexRecord(r, h->cf, /*remove=*/true, &batch);
    if (batch.Count() >= 20000) {
      absl::Status s = FromRocks(db->Write(rocksdb::WriteOptions(), &batch), path_,
                                 "removing index entries");
      if (!s.ok()) return s;
      batch.Clear();
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), path_, "reading records");
  if (!any) return absl::OkStatus();
  const std::string begin = keys::Seq(0);
  const std::string end = keys::Seq(cut + 1);
  batch.DeleteRange(h->cf[kRecords], begin, end);
  // Snapshots older than the cut can no longer be folded forward from.
  batch.DeleteRange(h->cf[kSnapshots], begin, keys::Seq(cut));
  // And the counts of runs whose records go.
  const std::string repeats_begin = keys::Repeats(0);
  const std::string repeats_end = keys::Repeats(cut + 1);
  batch.DeleteRange(h->cf[kMeta], repeats_begin, repeats_end);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  absl::Status s = FromRocks(db->Write(wo, &batch), path_, "removing old records");
  if (!s.ok()) return s;
  // Reclaim the space now rather than whenever compaction gets there.
  rocksdb::CompactRangeOptions co;
  const rocksdb::Slice lo(begin), hi(end);
  for (int cf : {kRecords, kSnapshots}) {
    absl::Status cs =
        FromRocks(db->CompactRange(co, h->cf[cf], &lo, &hi), path_, "compacting");
    if (!cs.ok()) return cs;
  }
  const rocksdb::Slice repeats_lo(repeats_begin), repeats_hi(repeats_end);
  absl::Status ms = FromRocks(db->CompactRange(co, h->cf[kMeta], &repeats_lo, &repeats_hi),
                              path_, "compacting");
  if (!ms.ok()) return ms;
  for (int cf : {kByObject, kByCluster}) {
    absl::Status cs =
        FromRocks(db->CompactRange(co, h->cf[cf], nullptr, nullptr), path_, "compacting");
    if (!cs.ok()) return cs;
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> EventLog::ThinSnapshots(const std::shared_ptr<Handles>& h,
                                                  const RetentionPolicy& policy, absl::Time now) {
  if (policy.keep_newest_snapshots == 0) return 0;
  std::vector<uint64_t> seqs;
  {
    // Keys only are wanted, but RocksDB reads the values' blocks anyway: a
    // pass reads every kept snapshot once (they are few, see the policy).
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(ro, h->cf[kSnapshots]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::optional<uint64_t> seq =
          keys::ParseSeq(std::string_view(it->key().data(), it->key().size()));
      if (seq) seqs.push_back(*seq);  // a malformed key is Open's to report
    }
    if (!it->status().ok()) return FromRocks(it->status(), path_, "reading snapshots");
  }
  if (seqs.size() <= policy.keep_newest_snapshots + 1) return 0;
  const uint64_t first = first_seq();
  // The oldest stays (every fold inside the window may start there), and
  // so do the newest (a damaged one falls back to the next, close by);
  // between them, the oldest of each time bucket.
  const size_t thinnable_end = seqs.size() - policy.keep_newest_snapshots;
  rocksdb::WriteBatch batch;
  uint64_t removed = 0;
  std::string lo, hi;
  std::pair<int, int64_t> previous{-1, 0};
  for (size_t i = 0; i < thinnable_end; ++i) {
    if (seqs[i] < first) continue;  // the base at the cut (kept), or below it (deleted by the cut)
    absl::StatusOr<log::v1::LogRecord> r = Get(seqs[i]);
    if (!r.ok()) continue;  // kept; a missing record is Open's or StateAt's to report
    const absl::Time t = absl::FromUnixSeconds(r->observed_at().seconds()) +
                         absl::Nanoseconds(r->observed_at().nanos());
    const bool recent = t >= now - policy.recent_snapshots;
    const absl::Duration spacing =
        recent ? policy.recent_snapshot_spacing : policy.old_snapshot_spacing;
    if (spacing <= absl::ZeroDuration()) {
      previous = {-1, 0};
      continue;
    }
    absl::Duration unused;
    const std::pair<int, int64_t> bucket{
        recent ? 1 : 0, absl::IDivDuration(t - absl::UnixEpoch(), spacing, &unused)};
    if (i == 0 || bucket != previous) {
      previous = bucket;  // the oldest snapshot, or the oldest of its bucket: kept
      continue;
    }
    const std::string key = keys::Seq(seqs[i]);
    batch.Delete(h->cf[kSnapshots], key);
    if (lo.empty()) lo = key;
    hi = key;
    ++removed;
  }
  if (removed == 0) return 0;
  absl::Status s =
      FromRocks(h->db->Write(rocksdb::WriteOptions(), &batch), path_, "thinning snapshots");
  if (!s.ok()) return s;
  // Each snapshot is the whole state: give its space back now.
  const rocksdb::Slice begin(lo), end(hi);
  s = FromRocks(h->db->CompactRange(rocksdb::CompactRangeOptions(), h->cf[kSnapshots], &begin,
                                    &end),
                path_, "compacting snapshots");
  if (!s.ok()) return s;
  return removed;
}

absl::StatusOr<RetentionResult> EventLog::ApplyRetention(const RetentionPolicy& policy,
                                                         absl::Time now) {
  absl::MutexLock retention(&retention_mu_);
  std::shared_ptr<Handles> h = handles();
  if (h == nullptr) return Reopening();
  const uint64_t first = first_seq();
  const uint64_t last = last_seq();
  RetentionResult result;
  result.first_seq = first;

  uint64_t cut = 0;
  if (last >= first && last > policy.keep_at_least) {
    const uint64_t max_cut = last - policy.keep_at_least;
    if (policy.max_age > absl::ZeroDuration()) {
      // Everything observed before the cutoff (times never decrease).
      absl::StatusOr<uint64_t> old = SeqAtTime(now - policy.max_age - absl::Microseconds(1));
      if (!old.ok()) return old.status();
      const uint64_t min_young = std::max(*old, first - 1) + 1;
      cut = std::max(cut, min_young - 1);
    }
    if (policy.max_bytes > 0) {
      const uint64_t bytes = ApproximateBytes();
      if (bytes > policy.max_bytes) {
        const uint64_t count = last - first + 1;
        const uint64_t per_record = std::max<uint64_t>(1, bytes / count);
        const uint64_t excess = (bytes - policy.max_bytes + per_record - 1) / per_record;
        cut = std::max(cut, first - 1 + excess);
      }
    }
    cut = std::min(cut, max_cut);
  }

  if (cut >= first) {
    // Snapshot at the cut first, so the state stays rebuildable, then move
    // first_seq; only then delete. A crash in between is finished on Open.
    absl::StatusOr<State> state = StateAt(cut);
    if (!state.ok()) return state.status();
    rocksdb::WriteBatch batch;
    batch.Put(h->cf[kSnapshots], keys::Seq(cut), state->Serialize());
    batch.Put(h->cf[kMeta], kFirstSeqKey, keys::Seq(cut + 1));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    absl::Status s =
        FromRocks(h->db->Write(wo, &batch), path_, "writing the retention snapshot");
    if (!s.ok()) return s;
    {
      absl::MutexLock l(&state_mu_);
      first_seq_ = cut + 1;
    }
    s = DeleteRecordsUpTo(h, cut);
    if (!s.ok()) return s;
    result.removed_records = cut + 1 - first;
    result.first_seq = cut + 1;
  }

  // Thinning reads every snapshot's key: only when one was written since.
  uint64_t newest_snapshot;
  {
    absl::MutexLock l(&mu_);
    newest_snapshot = last_snapshot_seq_;
  }
  if (newest_snapshot != thinned_at_snapshot_ || result.removed_records > 0) {
    absl::StatusOr<uint64_t> thinned = ThinSnapshots(h, policy, now);
    if (!thinned.ok()) return thinned.status();
    result.removed_snapshots = *thinned;
    thinned_at_snapshot_ = newest_snapshot;
  }
  return result;
}

}  // namespace doris_operator::store
