// EventLog snapshots: writing one when the records since the last one
// outweigh it (or every snapshot_every records at the latest), and folding
// the state at any seq from the newest usable snapshot before it (damaged
// ones are reported and passed over).

#include <algorithm>
#include <optional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "store/event_log.h"
#include "store/event_log_internal.h"
#include "store/fold.h"
#include "store/keys.h"

namespace doris_operator::store {

using namespace internal;  // NOLINT: the layout shared by the EventLog files

bool EventLog::SnapshotDue(uint64_t last, uint64_t bytes_since) const {
  const uint64_t since = last - last_snapshot_seq_;
  // A snapshot costs the whole state; spaced by the records' bytes, a large
  // state is written rarely and a small one often, and snapshots stay at
  // most 1/ratio of what the log holds.
  return since >= options_.snapshot_every ||
         (options_.snapshot_bytes_ratio > 0 && since >= options_.snapshot_min_records &&
          static_cast<double>(bytes_since) >=
              options_.snapshot_bytes_ratio * static_cast<double>(last_snapshot_bytes_));
}

absl::Status EventLog::MaybeSnapshot(const std::shared_ptr<Handles>& h) {
  // Appends write their snapshots in their own batch (CommitGroup); this is
  // for the state loaded by Open, before any reader or appender can act.
  const uint64_t last = next_seq_ - 1;
  if (last == last_snapshot_seq_ || !SnapshotDue(last, bytes_since_snapshot_)) {
    return absl::OkStatus();
  }
  std::string bytes;
  {
    absl::MutexLock l(&state_mu_);
    bytes = state_.Serialize();
  }
  absl::Status s = FromRocks(
      h->db->Put(rocksdb::WriteOptions(), h->cf[kSnapshots], keys::Seq(last), bytes), path_,
      "writing a snapshot");
  if (!s.ok()) return MarkBroken(s);
  last_snapshot_seq_ = last;
  last_snapshot_bytes_ = bytes.size();
  bytes_since_snapshot_ = 0;
  // Not flushed on purpose: the WAL keeps it across a crash, and the
  // family's memtable flushes when full (a large snapshot fills it alone)
  // or when max_total_wal_size is reached.
  return absl::OkStatus();
}

absl::StatusOr<State> EventLog::FoldFromSnapshot(const std::shared_ptr<Handles>& h,
                                                 uint64_t seq, bool repair,
                                                 OpenStats* stats) const {
  uint64_t first;
  {
    absl::MutexLock l(&state_mu_);
    first = first_seq_;
  }
  State state;
  uint64_t base = 0;
  // Snapshots are derived data: a damaged one is reported and passed over
  // for an older one, never trusted; the records after it are refolded.
  std::vector<uint64_t> skipped;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        h->db->NewIterator(rocksdb::ReadOptions(), h->cf[kSnapshots]));
    for (it->SeekForPrev(keys::Seq(seq)); it->Valid(); it->Prev()) {
      std::optional<uint64_t> at =
          keys::ParseSeq(std::string_view(it->key().data(), it->key().size()));
      std::string problem;
      if (!at) {
        problem = "malformed snapshot key";
      } else {
        absl::StatusOr<State> parsed =
            State::Parse(std::string_view(it->value().data(), it->value().size()));
        if (!parsed.ok()) {
          problem = absl::StrCat("does not parse: ", parsed.status().message());
        } else if (parsed->last_seq() != *at) {
          problem = absl::StrCat("holds the state after record ", parsed->last_seq());
        } else {
          base = *at;
          state = *std::move(parsed);
          if (stats != nullptr) stats->snapshot_bytes = it->value().size();
          break;
        }
      }
      ReportDamagedSnapshot(at.value_or(0), problem);
      if (at) skipped.push_back(*at);
    }
    if (!it->status().ok()) return FromRocks(it->status(), path_, "reading snapshots");
  }
  if (base + 1 < first && seq >= first - 1) {
    std::string damaged;
    for (uint64_t d : skipped) absl::StrAppend(&damaged, damaged.empty() ? "" : ", ", d);
    return Corrupt(absl::StrCat(
        "no usable snapshot at or after ", first - 1, " although records before ", first,
        " were removed by retention", damaged.empty() ? "" : " (damaged snapshots at ",
        damaged, damaged.empty() ? "" : ")",
        "; the state cannot be rebuilt: move the directory aside to start a new log"));
  }
  if (stats != nullptr) stats->snapshot_seq = base;
  if (seq == base) return state;
  auto it = std::make_unique<RocksRecordIterator>(h, path_, base + 1, seq);
  uint64_t expect = base + 1;
  for (; it->Valid(); it->Next()) {
    if (it->record().seq() != expect) break;
    if (stats != nullptr) stats->bytes_folded += it->record().ByteSizeLong();
    state = Fold(std::move(state), it->TakeRecord());
    if (repair && std::find(skipped.begin(), skipped.end(), expect) != skipped.end()) {
      // Rewritten from the records, so the next fold need not go back as far.
      rocksdb::WriteOptions wo;
      wo.disableWAL = true;
      h->db->Put(wo, h->cf[kSnapshots], keys::Seq(expect), state.Serialize())
          .PermitUncheckedError();
    }
    ++expect;
    if (stats != nullptr) ++stats->records_folded;
  }
  if (!it->status().ok()) return it->status();
  if (expect != seq + 1) {
    return Corrupt(absl::StrCat("record ", expect, " is missing while folding to ", seq));
  }
  return state;
}

void EventLog::ReportDamagedSnapshot(uint64_t seq, const std::string& problem) const {
  absl::MutexLock l(&damaged_mu_);
  for (const DamagedSnapshot& d : damaged_) {
    if (d.seq == seq) return;
  }
  damaged_.push_back({seq, problem});
}

std::vector<DamagedSnapshot> EventLog::damaged_snapshots() const {
  absl::MutexLock l(&damaged_mu_);
  return damaged_;
}

absl::StatusOr<State> EventLog::StateAt(uint64_t seq) const {
  uint64_t first, last;
  {
    absl::MutexLock l(&state_mu_);
    first = first_seq_;
    last = last_seq_;
    if (seq == last) return state_;
  }
  if (seq > last) {
    return absl::OutOfRangeError(absl::StrCat("event log ", path_, ": seq ", seq,
                                              " is past the last record ", last));
  }
  if (seq + 1 < first) {
    return absl::OutOfRangeError(absl::StrCat(
        "event log ", path_, ": records up to ", first - 1,
        " were removed by retention; the oldest state available is at seq ", first - 1));
  }
  std::shared_ptr<Handles> h = handles();
  if (h == nullptr) return Reopening();
  return FoldFromSnapshot(h, seq);
}

}  // namespace doris_operator::store
