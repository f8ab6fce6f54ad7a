// EventLog's write failures: refusing appends after one, and recovering
// without losing anything acknowledged once the cause has gone.

#include <optional>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/options.h"
#include "store/event_log.h"
#include "store/event_log_internal.h"
#include "store/keys.h"

namespace doris_operator::store {

using namespace internal;  // NOLINT: the layout shared with event_log.cc

absl::Status EventLog::MarkBroken(absl::Status s) {
  ++failed_writes_;
  if (broken_.ok()) {
    broken_ = s;
    broken_since_ = absl::Now();
  }
  return s;
}

WriteHealth EventLog::write_health() const {
  absl::MutexLock l(&mu_);
  WriteHealth h;
  h.status = broken_;
  h.recoverable = recoverable_;
  h.since = broken_since_;
  h.failed_writes = failed_writes_;
  return h;
}

absl::Status EventLog::Recover() {
  absl::MutexLock l(&mu_);
  // A leader's write in flight ends before the log is looked at.
  mu_.Await(absl::Condition(
      +[](bool* committing) { return !*committing; }, &committing_));
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("event log ", path_, " is closed"));
  if (broken_.ok()) return absl::OkStatus();
  if (!recoverable_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_, ": cannot recover in this process (", broken_.message(),
        "); reopen the log (restart the operator)"));
  }
  rocksdb::DB* db = h_->db.get();
  // RocksDB stops writes after a failed write or flush (its background
  // error); Resume clears a recoverable one once a retried flush works.
  rocksdb::Status resumed = db->Resume();
  if (!resumed.ok()) {
    if (resumed.severity() >= rocksdb::Status::Severity::kFatalError) recoverable_ = false;
    return absl::UnavailableError(absl::StrCat(
        "event log ", path_, ": still cannot write (", resumed.ToString(), ")",
        recoverable_ ? "" : ", and RocksDB cannot resume from this error in-process: reopen "
                            "the log (restart the operator)",
        "; appends stopped at ", absl::FormatTime(broken_since_), " because: ",
        broken_.message()));
  }
  // Whatever was acknowledged lives in the memtables (a failed write never
  // reaches them): flushing them to synced table files makes it durable
  // without the write-ahead log, whose tail may be torn or unsynced.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  flush.allow_write_stall = true;
  std::vector<rocksdb::ColumnFamilyHandle*> all(h_->cf, h_->cf + kNumCf);
  rocksdb::Status flushed = db->Flush(flush, all);
  if (!flushed.ok()) {
    if (flushed.severity() >= rocksdb::Status::Severity::kFatalError) recoverable_ = false;
    return absl::UnavailableError(absl::StrCat("event log ", path_,
                                               ": still cannot write (flushing: ",
                                               flushed.ToString(), ")"));
  }
  // The newest record must be the last acknowledged one: a failed append
  // that landed after all would leave the folded state behind the records.
  uint64_t first;
  {
    absl::MutexLock sl(&state_mu_);
    first = first_seq_;
  }
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions(), h_->cf[kRecords]));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), path_, "reading records");
  std::optional<uint64_t> newest =
      it->Valid() ? keys::ParseSeq(std::string_view(it->key().data(), it->key().size()))
                  : std::optional<uint64_t>(first - 1);
  if (!newest || *newest != next_seq_ - 1) {
    recoverable_ = false;
    return absl::DataLossError(absl::StrCat(
        "event log ", path_, ": after a failed write the newest record is ",
        newest ? absl::StrCat(*newest) : "unreadable", ", not ", next_seq_ - 1,
        "; reopen the log (restart the operator) to refold it"));
  }
  broken_ = absl::OkStatus();
  broken_since_ = absl::InfinitePast();
  return absl::OkStatus();
}

}  // namespace doris_operator::store
