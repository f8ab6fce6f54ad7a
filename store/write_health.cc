// EventLog's write failures: refusing appends after one, and recovering
// without losing anything acknowledged once the cause has gone, by closing
// and reopening the database (never through RocksDB's Resume).

#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/env.h"
#include "rocksdb/options.h"
#include "store/event_log.h"
#include "store/event_log_internal.h"
#include "store/keys.h"

namespace doris_operator::store {

namespace fs = std::filesystem;
using namespace internal;  // NOLINT: the layout shared by the EventLog files

namespace {

// How long Recover waits for readers (iterators, retention) to let go of the
// database before it gives up until the next call.
constexpr absl::Duration kReaderWait = absl::Seconds(5);

// Room needed beyond the WAL to reopen: a new MANIFEST, OPTIONS and WAL file.
constexpr uint64_t kReopenMargin = 4 << 20;

}  // namespace

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
  // Reopening replays the write-ahead log into table files: it needs about
  // as much room as the WAL files take. Without it the reopen would fail on
  // the full disk (harmlessly, but it is no use trying).
  uint64_t wal_bytes = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path_, ec)) {
    if (entry.path().extension() == ".log") {
      const uintmax_t n = entry.file_size(ec);
      if (!ec) wal_bytes += n;
    }
  }
  const uint64_t needed = wal_bytes + kReopenMargin;
  uint64_t free = 0;
  if (env->GetFreeSpace(path_, &free).ok() && free < needed) {
    return absl::UnavailableError(absl::StrCat(free, " bytes free, reopening the log needs about ",
                                               needed));
  }
  return absl::OkStatus();
}

absl::Status EventLog::MarkBroken(absl::Status s) {
  ++failed_writes_;
  if (broken_.ok()) {
    broken_ = s;
    broken_since_ = absl::Now();
  }
  return s;
}

void EventLog::NoteBackgroundError() {
  absl::MutexLock l(&background_->mu);
  if (background_->first.ok()) return;
  if (broken_.ok()) {
    broken_ = background_->first;
    broken_since_ = background_->since;
    ++failed_writes_;
  }
  // Noted once; a reopened database starts with a clean slate.
  background_->first = absl::OkStatus();
}

WriteHealth EventLog::write_health() const {
  absl::MutexLock l(&mu_);
  WriteHealth h;
  h.status = broken_;
  h.recoverable = recoverable_;
  h.since = broken_since_;
  h.failed_writes = failed_writes_;
  if (h.status.ok()) {
    // A background flush failed since the last append: writes have stopped
    // already, even if no append has tried yet.
    absl::MutexLock bl(&background_->mu);
    if (!background_->first.ok()) {
      h.status = background_->first;
      h.since = background_->since;
      ++h.failed_writes;
    }
  }
  return h;
}

OpenStats EventLog::open_stats() const {
  absl::MutexLock l(&state_mu_);
  return open_stats_;
}

absl::Status EventLog::Reopen(uint64_t expected_last) {
  std::shared_ptr<Handles> old;
  {
    absl::MutexLock l(&handles_mu_);
    old = std::move(h_);  // new readers get Unavailable from here on
  }
  if (old != nullptr) {
    // RocksDB must not be closed under a reader. Readers are short (a page
    // of history, a chunk of a tail); one that holds on is waited for only
    // so long, and the next Recover tries again.
    const absl::Time deadline = absl::Now() + kReaderWait;
    while (old.use_count() > 1 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
    if (old.use_count() > 1) {
      absl::MutexLock l(&handles_mu_);
      h_ = std::move(old);
      return absl::UnavailableError(absl::StrCat(
          "event log ", path_, ": readers held the log for ", absl::FormatDuration(kReaderWait),
          "; reopening it is retried"));
    }
    // Closes RocksDB without writing (avoid_flush_during_shutdown); its
    // background jobs end (a failed flush sleeps a second at most) and no
    // recovery of its own is running to wait for (see OpenDatabase).
    old.reset();
  }
  {
    // A new database reports its own errors.
    absl::MutexLock l(&background_->mu);
    background_->first = absl::OkStatus();
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<std::shared_ptr<Handles>> opened = OpenDatabase();
  if (!opened.ok()) {
    // Left closed; the next Recover opens it again.
    return absl::UnavailableError(absl::StrCat(
        "event log ", path_, ": still cannot write: reopening failed (",
        opened.status().message(), ")"));
  }
  {
    absl::MutexLock l(&handles_mu_);
    h_ = *opened;
  }
  absl::Status loaded = LoadState(*opened, expected_last);
  if (!loaded.ok()) return loaded;
  absl::MutexLock l(&state_mu_);
  open_stats_.took = absl::Now() - start;
  return absl::OkStatus();
}

absl::Status EventLog::Recover() {
  absl::MutexLock l(&mu_);
  // A leader's write or a sync in flight ends before the log is looked at.
  mu_.Await(absl::Condition(
      +[](EventLog* l) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return !l->committing_ && !l->syncing_ && !l->reopening_;
      },
      this));
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("event log ", path_, " is closed"));
  NoteBackgroundError();
  if (broken_.ok()) return absl::OkStatus();
  if (!recoverable_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_, ": cannot recover in this process (", broken_.message(),
        "); restart the operator"));
  }
  // First whether the disk takes a write at all, on a file of its own, and
  // has room to replay the WAL.
  absl::Status probe = ProbeDisk();
  if (!probe.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "event log ", path_, ": still cannot write (", probe.message(),
        "); appends stopped at ", absl::FormatTime(broken_since_), " because: ",
        broken_.message()));
  }
  // Whatever RocksDB thinks of its error (hard, fatal, a flush that failed
  // in the background), a reopened database starts clean: the WAL replay
  // keeps every complete record written (everything acknowledged, and
  // perhaps a failed append that reached the WAL after all; a torn tail was
  // never acknowledged) and LoadState folds the state from what is there.
  const uint64_t expected_last = next_seq_ - 1;
  reopening_ = true;
  mu_.Unlock();
  absl::Status s = Reopen(expected_last);
  mu_.Lock();
  reopening_ = false;
  if (!s.ok()) {
    if (s.code() == absl::StatusCode::kDataLoss) recoverable_ = false;
    return s;
  }
  broken_ = absl::OkStatus();
  broken_since_ = absl::InfinitePast();
  unsynced_ = false;  // the reopen flushed the WAL into synced table files
  return absl::OkStatus();
}

}  // namespace doris_operator::store
