// EventLog's write failures: refusing appends after one, and recovering
// without losing anything acknowledged once the cause has gone.

#include <optional>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/env.h"
#include "rocksdb/options.h"
#include "store/event_log.h"
#include "store/event_log_internal.h"
#include "store/keys.h"

namespace doris_operator::store {

using namespace internal;  // NOLINT: the layout shared by the EventLog files

absl::Status EventLog::ProbeDisk() const {
  rocksdb::Env* env = options_.env != nullptr ? options_.env : rocksdb::Env::Default();
  const std::string name = path_ + "/WRITE_CHECK";
  std::unique_ptr<rocksdb::WritableFile> f;
  rocksdb::Status s = env->NewWritableFile(name, &f, rocksdb::EnvOptions());
  if (s.ok()) s = f->Append(std::string(64 << 10, '\0'));
  if (s.ok()) s = f->Sync();
  if (f != nullptr) {
    rocksdb::Status c = f->Close();
    if (s.ok()) s = c;
  }
  env->DeleteFile(name).PermitUncheckedError();
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("a test write failed: ", s.ToString()));
  // Resume flushes every memtable, and RocksDB 7.8 can wait forever for a
  // flush that fails during Resume: only try with room for all of them.
  uint64_t needed = 2 << 20;
  for (rocksdb::ColumnFamilyHandle* cf : h_->cf) {
    uint64_t v = 0;
    if (h_->db->GetIntProperty(cf, "rocksdb.cur-size-all-mem-tables", &v)) needed += v;
  }
  uint64_t free = 0;
  if (env->GetFreeSpace(path_, &free).ok() && free < needed) {
    return absl::UnavailableError(absl::StrCat(free, " bytes free, flushing the log needs about ",
                                               needed));
  }
  return absl::OkStatus();
}

absl::Status EventLog::KeepMemtableNonEmpty() {
  // Resume starts a new WAL file only by flushing a memtable that holds
  // something. A WAL-less entry in the meta family (rarely flushed) makes
  // sure one does whenever the next write fails, even right after a flush.
  rocksdb::WriteOptions no_wal;
  no_wal.disableWAL = true;
  return FromRocks(h_->db->Put(no_wal, h_->cf[kMeta], kWriteCheckKey,
                               absl::FormatTime(absl::RFC3339_full, absl::Now(),
                                                absl::UTCTimeZone())),
                   path_, "writing the write-check entry");
}

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
      +[](EventLog* l) ABSL_NO_THREAD_SAFETY_ANALYSIS { return !l->committing_ && !l->syncing_; }, this));
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("event log ", path_, " is closed"));
  if (broken_.ok()) return absl::OkStatus();
  if (!recoverable_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_, ": cannot recover in this process (", broken_.message(),
        "); reopen the log (restart the operator)"));
  }
  rocksdb::DB* db = h_->db.get();
  uint64_t background_errors = 0;
  db->GetIntProperty("rocksdb.background-errors", &background_errors);
  if (h_->background_failed->load() || background_errors > 0) {
    // RocksDB 7.8 can wait forever in Resume for the flush that failed.
    recoverable_ = false;
    return absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_, ": a background flush or compaction failed (", broken_.message(),
        "); RocksDB cannot resume from that safely in-process: reopen the log (restart the "
        "operator)"));
  }
  // First whether the disk takes a write at all, on a file of its own: a
  // failed write would leave RocksDB's WAL file unusable (it asserts that a
  // file is not written after an error) and the next append would fail the
  // same way, so readiness would flap.
  absl::Status probe = ProbeDisk();
  if (!probe.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "event log ", path_, ": still cannot write (", probe.message(),
        "); appends stopped at ", absl::FormatTime(broken_since_), " because: ",
        broken_.message()));
  }
  // RocksDB stops writes after a failed write or flush (its background
  // error). Resume flushes every memtable to synced table files — what was
  // acknowledged lives there (a failed write never reaches them), so it
  // becomes durable without the WAL, whose tail may be torn or unsynced —
  // and starts a new WAL file.
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
  absl::Status marked = KeepMemtableNonEmpty();
  if (!marked.ok()) return marked;
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
