// EventLog::Open: checking that a directory holds an event log (or nothing),
// opening RocksDB with the log's layout and options, and rebuilding the
// in-memory state from the newest usable snapshot.

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/options_util.h"
#include "rocksdb/write_batch.h"
#include "store/event_log.h"
#include "store/event_log_internal.h"
#include "store/keys.h"

namespace doris_operator::store {

namespace fs = std::filesystem;
using namespace internal;  // NOLINT: the layout shared by the EventLog files

namespace {


// Index keys are <prefix><8-byte seq>, and each prefix gets keys in
// increasing order: RocksDB can remember where it inserted the last key of a
// prefix and skip the skip-list search.
class IndexPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "doris-operator.IndexPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= 8; }
};

// RocksDB's own diagnostics go to stderr, warnings and worse only. Its
// default, a LOG file in the log's directory, shares the log's disk: on a
// full disk its next line after a failed one aborts the process (RocksDB
// asserts that a file is not written after an error).
class StderrLogger : public rocksdb::Logger {
 public:
  explicit StderrLogger(std::string path)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), prefix_("event log " + path + ": rocksdb: ") {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof(line), format, ap);
    std::fprintf(stderr, "%s%s\n", prefix_.c_str(), line);
  }

 private:
  const std::string prefix_;
};

// EventLog::Recover (a close and reopen) is the one way out of a write
// error: RocksDB's own recovery (the SstFileManager's for a full disk, the
// auto-resume thread for retryable I/O errors) and Resume() can wait forever
// for a flush that keeps failing, and a recovery in progress makes Close wait
// for it. This listener turns the first off (the second is off through
// max_bgerror_resume_count = 0) and records every error that stops RocksDB's
// writes, so the log stops appends at once rather than at the next append.
class NoAutoRecovery : public rocksdb::EventListener {
 public:
  explicit NoAutoRecovery(std::shared_ptr<BackgroundErrors> errors)
      : errors_(std::move(errors)) {}
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override {
    if (error == nullptr || error->ok()) return;
    // A failed compaction is retried by RocksDB and stops nothing unless it
    // is severe; anything else (flush, MANIFEST, WAL, memtable) stops writes.
    if (reason == rocksdb::BackgroundErrorReason::kCompaction &&
        error->severity() < rocksdb::Status::Severity::kHardError) {
      return;
    }
    absl::MutexLock l(&errors_->mu);
    if (!errors_->first.ok()) return;
    errors_->first = absl::UnavailableError(absl::StrCat(
        reason == rocksdb::BackgroundErrorReason::kCompaction ? "a background compaction"
        : reason == rocksdb::BackgroundErrorReason::kWriteCallback ||
                reason == rocksdb::BackgroundErrorReason::kMemTable
            ? "a write"
            : "a background flush",
        " failed: ", error->ToString()));
    errors_->since = absl::Now();
  }

 private:
  const std::shared_ptr<BackgroundErrors> errors_;
};

// True when every file in `dir` is one RocksDB itself creates: a directory
// left by a first Open that was killed before it wrote CURRENT.
bool OnlyRocksDbFiles(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    auto starts = [&](std::string_view p) { return name.rfind(p, 0) == 0; };
    auto ends = [&](std::string_view x) {
      return name.size() >= x.size() && name.compare(name.size() - x.size(), x.size(), x) == 0;
    };
    if (name == "LOCK" || name == "IDENTITY" || starts("LOG") || starts("MANIFEST-") ||
        starts("OPTIONS-") || ends(".log") || ends(".dbtmp")) {
      continue;
    }
    return false;
  }
  return !ec;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(
    const std::string& path, const EventLogOptions& options) {
  if (options.snapshot_every == 0) {
    return absl::InvalidArgumentError("EventLogOptions.snapshot_every must be > 0");
  }
  if (!(options.snapshot_bytes_ratio >= 0) || options.snapshot_bytes_ratio > 1e6) {
    return absl::InvalidArgumentError(
        "EventLogOptions.snapshot_bytes_ratio must be between 0 and 1e6");
  }
  std::unique_ptr<EventLog> log(new EventLog(path, options));
  absl::Status s = log->Init();
  if (!s.ok()) return s;
  return log;
}

absl::Status EventLog::Init() {
  std::error_code ec;
  const fs::path dir(path_);
  const bool exists = fs::exists(dir, ec);
  if (exists && !fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_, ": exists but is not a directory"));
  }
  const bool has_db = exists && fs::exists(dir / "CURRENT", ec);
  if (exists && !has_db && !OnlyRocksDbFiles(dir)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_,
        ": directory is not empty and holds no database (no CURRENT file); "
        "point the operator at an empty or existing event-log directory"));
  }
  if (!has_db && !options_.create_if_missing) {
    return absl::NotFoundError(absl::StrCat("event log ", path_, ": no log here"));
  }
  if (!exists && !fs::create_directories(dir, ec) && ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("event log ", path_, ": cannot create directory: ", ec.message()));
  }

  if (has_db) {
    std::vector<std::string> found;
    rocksdb::DBOptions list_options;
    if (options_.env != nullptr) list_options.env = options_.env;
    rocksdb::Status ls = rocksdb::DB::ListColumnFamilies(list_options, path_, &found);
    if (!ls.ok()) return FromRocks(ls, path_, "reading the database manifest");
    std::vector<std::string> want(kCfNames, kCfNames + kNumCf);
    std::sort(found.begin(), found.end());
    std::sort(want.begin(), want.end());
    // A subset of ours is a log whose creation was interrupted (RocksDB adds
    // column families one by one); Open finishes it. Anything else is foreign.
    const bool ours = std::includes(want.begin(), want.end(), found.begin(), found.end());
    const absl::Status foreign = absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_,
        ": is a RocksDB database but not a doris-operator event log "
        "(column families: ", absl::StrJoin(found, ","), ")"));
    if (!ours || (found != want && !options_.create_if_missing)) return foreign;
    if (found != want) {
      // Only an empty database may be finished; look without writing.
      std::vector<rocksdb::ColumnFamilyDescriptor> present;
      for (const std::string& name : found) present.emplace_back(name, rocksdb::ColumnFamilyOptions());
      std::vector<rocksdb::ColumnFamilyHandle*> handles;
      rocksdb::DB* ro = nullptr;
      rocksdb::Status st =
          rocksdb::DB::OpenForReadOnly(list_options, path_, present, &handles, &ro);
      if (!st.ok()) return FromRocks(st, path_, "opening read-only");
      bool empty = true;
      for (auto* h : handles) {
        std::unique_ptr<rocksdb::Iterator> it(ro->NewIterator(rocksdb::ReadOptions(), h));
        it->SeekToFirst();
        if (it->Valid() || !it->status().ok()) empty = false;
      }
      for (auto* h : handles) ro->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      delete ro;
      if (!empty) return foreign;
    }
  }

  const absl::Time start = absl::Now();
  absl::StatusOr<std::shared_ptr<Handles>> opened = OpenDatabase();
  if (!opened.ok()) return opened.status();
  const std::shared_ptr<Handles> h = *std::move(opened);
  {
    absl::MutexLock l(&handles_mu_);
    h_ = h;
  }
  rocksdb::DB* db = h->db.get();
  std::string format, version;
  rocksdb::Status fst = db->Get(rocksdb::ReadOptions(), h->cf[kMeta], kFormatKey, &format);
  if (fst.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> any(
        db->NewIterator(rocksdb::ReadOptions(), h->cf[kRecords]));
    any->SeekToFirst();
    if (any->Valid()) {
      return Corrupt("holds records but no format marker; refusing to guess");
    }
    rocksdb::WriteBatch init;
    init.Put(h->cf[kMeta], kFormatKey, kFormatValue);
    init.Put(h->cf[kMeta], kFormatVersionKey, kFormatVersion);
    init.Put(h->cf[kMeta], kFirstSeqKey, keys::Seq(1));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    absl::Status s = FromRocks(db->Write(wo, &init), path_, "initialising");
    if (!s.ok()) return s;
    format = kFormatValue;
  } else if (!fst.ok()) {
    return FromRocks(fst, path_, "reading the format marker");
  }
  if (format != kFormatValue) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_, ": not a doris-operator event log (format marker \"",
        format, "\")"));
  }
  absl::Status vs = FromRocks(
      db->Get(rocksdb::ReadOptions(), h->cf[kMeta], kFormatVersionKey, &version),
      path_, "reading the format version");
  if (!vs.ok()) return vs;
  if (version != kFormatVersion && version != kFormatVersion2 && version != kFormatVersion1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_, ": format version ", version,
        " is not one this binary reads (it reads ", kFormatVersion1, " to ", kFormatVersion,
        "); use a matching operator version"));
  }
  if (version != kFormatVersion) {
    // Versions 1 and 2 are read as they are (a count inside a run's record
    // stands until a count of its own is written; every cluster is a
    // DorisCluster). Marked 3 before anything newer is written, so a binary
    // that reads only older versions refuses the log rather than showing
    // runs without their later counts or a ddc's records as a DorisCluster's.
    rocksdb::WriteOptions wo;
    wo.sync = true;
    absl::Status s = FromRocks(db->Put(wo, h->cf[kMeta], kFormatVersionKey, kFormatVersion),
                               path_, "marking the format version");
    if (!s.ok()) return s;
  }

  absl::Status loaded = LoadState(h, 0);
  if (!loaded.ok()) return loaded;
  {
    absl::MutexLock l(&state_mu_);
    open_stats_.took = absl::Now() - start;
  }
  if (options_.durability == Durability::kGroupCommit) {
    syncer_ = std::thread([this] { SyncLoop(); });
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<EventLog::Handles>> EventLog::OpenDatabase() const {
  auto h = std::make_shared<Handles>();
  h->cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = h->cache;
  table.block_size = 16 << 10;

  rocksdb::DBOptions db_options;
  if (options_.env != nullptr) db_options.env = options_.env;
  db_options.info_log = std::make_shared<StderrLogger>(path_);
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.listeners.push_back(std::make_shared<NoAutoRecovery>(background_));
  // No auto-resume thread for retryable I/O errors (see NoAutoRecovery).
  db_options.max_bgerror_resume_count = 0;
  // Closing writes nothing (Close flushes first when the log is healthy):
  // after a write error RocksDB's shutdown flush would wait on the disk that
  // failed, and the WAL holds everything acknowledged anyway.
  db_options.avoid_flush_during_shutdown = true;
  db_options.create_if_missing = options_.create_if_missing;
  db_options.create_missing_column_families = options_.create_if_missing;
  db_options.paranoid_checks = true;
  // Open reads no table properties for compaction statistics: with
  // hundreds of table files that is a read per file before the log is
  // usable, for a heuristic that catches up by itself.
  db_options.skip_stats_update_on_db_open = true;
  // A small cap forces every column family to flush whenever the WAL
  // reaches it, long before the memtables are full: index families end up
  // as many tiny files to compact, which cost appends about 10% (measured in
  // store_bench). 256 MB bounds crash recovery to a few seconds of replay.
  db_options.max_total_wal_size = 256 << 20;
  db_options.keep_log_file_num = 3;
  db_options.max_background_jobs = 2;
  // The WAL is the durability boundary: recover every complete record,
  // drop only a torn tail that was never acknowledged.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;

  const auto supported = rocksdb::GetSupportedCompressions();
  const bool lz4 = std::find(supported.begin(), supported.end(),
                             rocksdb::kLZ4Compression) != supported.end();

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kNumCf; ++i) {
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf_options.compression = lz4 ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
    cf_options.write_buffer_size = (i == kRecords) ? options_.records_write_buffer_bytes
                                                   : options_.records_write_buffer_bytes / 4;
    if (i == kByObject || i == kByCluster) {
      cf_options.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexPrefix>();
    }
    if (i == kSnapshots) {
      // Snapshots (a whole state each, megabytes) go to blob files; the
      // table files hold their keys and references. Finding the snapshot
      // to load (SeekForPrev) then reads one snapshot, not the block of
      // the nearest snapshot in every sorted run: before, a restart on a
      // 1,000,000-record log spent a third of its CPU decompressing and
      // checksumming snapshots it did not load. Table files written before
      // stay readable and are rewritten by compaction; blob files go with
      // the last table file that references them.
      cf_options.enable_blob_files = true;
      cf_options.min_blob_size = 4096;
      cf_options.blob_compression_type = cf_options.compression;
      cf_options.enable_blob_garbage_collection = true;
    }
    descriptors.emplace_back(kCfNames[i], cf_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st =
      rocksdb::DB::Open(db_options, path_, descriptors, &handles, &raw);
  if (!st.ok()) return FromRocks(st, path_, "opening");
  h->db.reset(raw);
  for (int i = 0; i < kNumCf; ++i) h->cf[i] = handles[i];
  return h;
}


absl::Status EventLog::LoadState(const std::shared_ptr<Handles>& h, uint64_t expected_last) {
  rocksdb::DB* db = h->db.get();
  auto read_seq = [&](const char* key) -> absl::StatusOr<uint64_t> {
    std::string v;
    absl::Status s = FromRocks(db->Get(rocksdb::ReadOptions(), h->cf[kMeta], key, &v),
                               path_, absl::StrCat("reading ", key));
    if (!s.ok()) return s;
    std::optional<uint64_t> seq = keys::ParseSeq(v);
    if (!seq) return Corrupt(absl::StrCat("meta key ", key, " is malformed"));
    return *seq;
  };
  absl::StatusOr<uint64_t> first = read_seq(kFirstSeqKey);
  if (!first.ok()) return first.status();
  if (*first == 0) return Corrupt("first_seq is 0");

  // The newest record is the last sequence number; with none (a new log, or
  // retention removed them all) it is first_seq - 1.
  uint64_t last = *first - 1;
  int64_t last_observed = INT64_MIN;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), h->cf[kRecords]));
    it->SeekToLast();
    if (!it->status().ok()) return FromRocks(it->status(), path_, "reading records");
    if (it->Valid()) {
      std::optional<uint64_t> newest =
          keys::ParseSeq(std::string_view(it->key().data(), it->key().size()));
      if (!newest) return Corrupt("malformed record key");
      if (*newest < *first) {
        return Corrupt(absl::StrCat("newest record ", *newest, " is before first_seq ", *first));
      }
      log::v1::LogRecord r;
      if (!r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) ||
          r.seq() != *newest) {
        return Corrupt(absl::StrCat("record ", *newest, " is damaged (does not parse)"));
      }
      last = *newest;
      last_observed = MicrosOf(r);
    }
  }
  if (last < expected_last) {
    // The reopened database lacks records that appends were told are in
    // the log: folding it would move the state backwards.
    return absl::DataLossError(absl::StrCat(
        "event log ", path_, ": reopened after a failed write, the newest record is ", last,
        " but records up to ", expected_last,
        " were acknowledged; restart the operator to continue from what the disk holds"));
  }
  {
    absl::MutexLock l(&state_mu_);
    first_seq_ = *first;
  }

  // Finish a retention pass that was interrupted after moving first_seq.
  absl::Status ds = DeleteRecordsUpTo(h, *first - 1);
  if (!ds.ok()) return ds;

  if (options_.paranoid_open && expected_last == 0 && *first <= last) {
    RocksRecordIterator it(h, path_, *first, last);
    uint64_t n = 0;
    for (; it.Valid(); it.Next()) ++n;
    if (!it.status().ok()) return it.status();
    if (n != last - *first + 1) {
      return Corrupt(absl::StrCat("expected ", last - *first + 1, " records, found ", n));
    }
  }

  // One snapshot and the records after it: never the whole log.
  OpenStats stats;
  absl::StatusOr<State> state = FoldFromSnapshot(h, last, /*repair=*/true, &stats);
  if (!state.ok()) return state.status();
  // The newest snapshot is the one just loaded, unless a damaged one was
  // passed over (then rewritten): only then is it read again (a large
  // state's snapshot is megabytes).
  uint64_t newest_snapshot = stats.snapshot_seq, newest_snapshot_bytes = stats.snapshot_bytes;
  if (!damaged_snapshots().empty()) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), h->cf[kSnapshots]));
    it->SeekToLast();
    if (it->Valid()) {
      newest_snapshot =
          keys::ParseSeq(std::string_view(it->key().data(), it->key().size())).value_or(0);
      newest_snapshot_bytes = it->value().size();
    }
  }
  {
    absl::MutexLock l(&state_mu_);
    state_ = *std::move(state);
    last_seq_ = last;
    open_stats_ = stats;
    // Looked up again as needed: a reopen may bring back records whose
    // append failed.
    newest_.clear();
    appended_.SignalAll();
  }
  absl::MutexLock l(&mu_);
  next_seq_ = last + 1;
  last_observed_micros_ = last_observed;
  last_snapshot_seq_ = newest_snapshot;
  last_snapshot_bytes_ = newest_snapshot_bytes;
  // What was folded is what came after the snapshot loaded (the newest, but
  // for a damaged one).
  bytes_since_snapshot_ = stats.bytes_folded;
  return MaybeSnapshot(h);
}

}  // namespace doris_operator::store
