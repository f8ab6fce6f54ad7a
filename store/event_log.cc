#include "store/event_log.h"

#include <algorithm>
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
#include "store/fold.h"
#include "store/keys.h"
#include "store/event_log_internal.h"
#include "store/record_validation.h"

namespace doris_operator::store::internal {

absl::Status FromRocks(const rocksdb::Status& s, const std::string& path,
                       const std::string& doing) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat("event log ", path, ": ", doing, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsIOError()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

int64_t MicrosOf(const log::v1::LogRecord& r) {
  return r.observed_at().seconds() * 1000000 + r.observed_at().nanos() / 1000;
}

// Kept to two small entries: each costs about as much to insert as the
// record itself.
void IndexRecord(const log::v1::LogRecord& r,
                 rocksdb::ColumnFamilyHandle* const* cf, bool remove,
                 rocksdb::WriteBatch* batch) {
  const std::string seq = keys::Seq(r.seq());
  auto put = [&](int which, const std::string& key) {
    if (remove) {
      batch->Delete(cf[which], key);
    } else {
      batch->Put(cf[which], key, rocksdb::Slice());
    }
  };
  if (!r.cluster().name().empty()) {
    put(kByCluster, keys::ClusterPrefix(ClusterKey::From(r.cluster())) + seq);
  }
  if (r.body_case() == log::v1::LogRecord::kWatch &&
      !r.watch().object().name().empty()) {
    put(kByObject, keys::ObjectPrefix(ObjectId::From(r.watch().object())) + seq);
  }
}

}  // namespace doris_operator::store::internal

namespace doris_operator::store {

namespace fs = std::filesystem;
using namespace internal;  // NOLINT: the layout shared with retention.cc

namespace {

// A group never grows past this many records, so one leader's write stays
// short and the followers' latency bounded.
constexpr size_t kMaxGroupRecords = 4096;

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

// EventLog::Recover is the one way out of a write error. RocksDB's own
// recovery would wait for free space above the sum of the write buffers
// (tens of MB) and meanwhile answer every Resume with Busy.
class NoAutoRecovery : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
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

struct EventLog::Writer {
  std::vector<log::v1::LogRecord>* records = nullptr;
  absl::Status status;
  AppendResult result;
  bool done = false;
  absl::CondVar cv;
};

namespace {

class RocksRecordIterator : public RecordIterator {
 public:
  RocksRecordIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                      std::string path, uint64_t from, uint64_t to)
      : path_(std::move(path)), from_(from), to_(to) {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    ro.readahead_size = 2 << 20;
    it_.reset(db->NewIterator(ro, cf));
    it_->Seek(keys::Seq(from));
    Load();
  }

  bool Valid() const override { return valid_; }
  const log::v1::LogRecord& record() const override { return record_; }
  // Gives the current record away (for folding without copying).
  log::v1::LogRecord&& TakeRecord() { return std::move(record_); }
  absl::Status status() const override { return status_; }
  void Next() override {
    it_->Next();
    Load();
  }

 private:
  void Load() {
    valid_ = false;
    if (!it_->Valid()) {
      status_ = FromRocks(it_->status(), path_, "reading records");
      return;
    }
    std::optional<uint64_t> seq = keys::ParseSeq(
        std::string_view(it_->key().data(), it_->key().size()));
    if (!seq) {
      status_ = absl::DataLossError(
          absl::StrCat("event log ", path_, ": malformed record key"));
      return;
    }
    if (*seq > to_) return;
    if (!record_.ParseFromArray(it_->value().data(),
                                static_cast<int>(it_->value().size())) ||
        record_.seq() != *seq) {
      status_ = absl::DataLossError(absl::StrCat(
          "event log ", path_, ": record ", *seq, " is damaged (does not parse)"));
      return;
    }
    if (expected_ != 0 && *seq != expected_) {
      status_ = absl::DataLossError(absl::StrCat(
          "event log ", path_, ": records ", expected_, "..", *seq - 1,
          " are missing (the log has a gap)"));
      return;
    }
    expected_ = *seq + 1;
    valid_ = true;
  }

  std::unique_ptr<rocksdb::Iterator> it_;
  const std::string path_;
  const uint64_t from_;
  const uint64_t to_;
  uint64_t expected_ = 0;
  bool valid_ = false;
  log::v1::LogRecord record_;
  absl::Status status_;
};

}  // namespace

EventLog::EventLog(std::string path, EventLogOptions options)
    : path_(std::move(path)), options_(options), h_(std::make_unique<Handles>()) {}

EventLog::~EventLog() { Close().IgnoreError(); }

absl::Status EventLog::Corrupt(const std::string& what) const {
  return absl::DataLossError(absl::StrCat("event log ", path_, ": ", what));
}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(
    const std::string& path, const EventLogOptions& options) {
  if (options.snapshot_every == 0) {
    return absl::InvalidArgumentError("EventLogOptions.snapshot_every must be > 0");
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

  h_->cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = h_->cache;
  table.block_size = 16 << 10;

  rocksdb::DBOptions db_options;
  if (options_.env != nullptr) db_options.env = options_.env;
  db_options.info_log = std::make_shared<StderrLogger>(path_);
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.listeners.push_back(std::make_shared<NoAutoRecovery>());
  db_options.create_if_missing = options_.create_if_missing;
  db_options.create_missing_column_families = options_.create_if_missing;
  db_options.paranoid_checks = true;
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
    descriptors.emplace_back(kCfNames[i], cf_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st =
      rocksdb::DB::Open(db_options, path_, descriptors, &handles, &raw);
  if (!st.ok()) return FromRocks(st, path_, "opening");
  h_->db.reset(raw);
  for (int i = 0; i < kNumCf; ++i) h_->cf[i] = handles[i];

  rocksdb::DB* db = h_->db.get();
  std::string format, version;
  rocksdb::Status fst = db->Get(rocksdb::ReadOptions(), h_->cf[kMeta], kFormatKey, &format);
  if (fst.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> any(
        db->NewIterator(rocksdb::ReadOptions(), h_->cf[kRecords]));
    any->SeekToFirst();
    if (any->Valid()) {
      return Corrupt("holds records but no format marker; refusing to guess");
    }
    rocksdb::WriteBatch init;
    init.Put(h_->cf[kMeta], kFormatKey, kFormatValue);
    init.Put(h_->cf[kMeta], kFormatVersionKey, kFormatVersion);
    init.Put(h_->cf[kMeta], kFirstSeqKey, keys::Seq(1));
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
      db->Get(rocksdb::ReadOptions(), h_->cf[kMeta], kFormatVersionKey, &version),
      path_, "reading the format version");
  if (!vs.ok()) return vs;
  if (version != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log ", path_, ": format version ", version,
        " is not one this binary reads (it reads ", kFormatVersion,
        "); use a matching operator version"));
  }

  auto read_seq = [&](const char* key) -> absl::StatusOr<uint64_t> {
    std::string v;
    absl::Status s = FromRocks(db->Get(rocksdb::ReadOptions(), h_->cf[kMeta], key, &v),
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
  absl::StatusOr<uint64_t> last;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), h_->cf[kRecords]));
    it->SeekToLast();
    if (!it->status().ok()) return FromRocks(it->status(), path_, "reading records");
    if (!it->Valid()) {
      last = *first - 1;
    } else {
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
      absl::MutexLock l(&mu_);
      last_observed_micros_ = MicrosOf(r);
    }
  }
  {
    absl::MutexLock l(&state_mu_);
    first_seq_ = *first;
    last_seq_ = *last;
  }
  {
    absl::MutexLock l(&mu_);
    next_seq_ = *last + 1;
  }

  // Finish a retention pass that was interrupted after moving first_seq.
  absl::Status ds = DeleteRecordsUpTo(*first - 1);
  if (!ds.ok()) return ds;

  if (options_.paranoid_open && *first <= *last) {
    auto it = Read(*first, *last);
    uint64_t n = 0;
    for (; it->Valid(); it->Next()) ++n;
    if (!it->status().ok()) return it->status();
    if (n != *last - *first + 1) {
      return Corrupt(absl::StrCat("expected ", *last - *first + 1, " records, found ", n));
    }
  }

  absl::StatusOr<State> state = FoldFromSnapshot(*last, /*repair=*/true);
  if (!state.ok()) return state.status();
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), h_->cf[kSnapshots]));
    it->SeekToLast();
    absl::MutexLock l(&mu_);
    last_snapshot_seq_ =
        it->Valid() ? keys::ParseSeq(std::string_view(it->key().data(), it->key().size()))
                          .value_or(0)
                    : 0;
  }
  {
    absl::MutexLock l(&state_mu_);
    state_ = *std::move(state);
  }
  {
    absl::MutexLock l(&mu_);
    absl::Status s = MaybeSnapshot();
    if (!s.ok()) return s;
  }
  absl::Status marked = KeepMemtableNonEmpty();
  if (!marked.ok()) return marked;

  if (options_.durability == Durability::kGroupCommit) {
    syncer_ = std::thread([this] { SyncLoop(); });
  }
  return absl::OkStatus();
}

absl::Status EventLog::Close() {
  {
    absl::MutexLock l(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
  }
  if (syncer_.joinable()) syncer_.join();
  absl::Status s;
  bool broken;
  {
    absl::MutexLock l(&mu_);
    broken = !broken_.ok();
  }
  // After a failed write RocksDB must not touch its WAL file again (it
  // asserts so): close without syncing or flushing; what was acknowledged is
  // recovered from the WAL on Open, and snapshots are refolded.
  if (h_->db != nullptr && !broken) {
    s = FromRocks(h_->db->SyncWAL(), path_, "syncing the write-ahead log");
    absl::Status fs = FromRocks(h_->db->Flush(rocksdb::FlushOptions(), h_->cf[kSnapshots]),
                                path_, "flushing snapshots");
    if (s.ok()) s = fs;
  }
  h_.reset();
  return s;
}

void EventLog::SyncLoop() {
  absl::MutexLock l(&mu_);
  while (!closed_) {
    mu_.AwaitWithTimeout(absl::Condition(&closed_), options_.group_commit_interval);
    // Never while a write may be failing, nor after one failed: RocksDB
    // asserts that a WAL file is not used again after a write error.
    mu_.Await(absl::Condition(
        +[](EventLog* l) ABSL_NO_THREAD_SAFETY_ANALYSIS { return !l->committing_ || l->closed_; },
        this));
    if (!unsynced_ || !broken_.ok()) continue;
    unsynced_ = false;
    mu_.Unlock();
    rocksdb::Status s = h_->db->SyncWAL();
    mu_.Lock();
    // Appends acknowledged since the last sync may not be on disk: refuse
    // more until Recover() has flushed them to synced table files.
    if (!s.ok()) MarkBroken(FromRocks(s, path_, "syncing the write-ahead log")).IgnoreError();
  }
}

absl::StatusOr<AppendResult> EventLog::Append(std::vector<log::v1::LogRecord> records) {
  if (records.empty()) return absl::InvalidArgumentError("Append: no records");
  const absl::Time now = absl::Now();
  for (size_t i = 0; i < records.size(); ++i) {
    absl::Status s = ValidateRecord(records[i]);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, " of ", records.size(), ": ", s.message()));
    }
    if (!records[i].has_observed_at()) {
      const int64_t ns = absl::ToUnixNanos(now);
      records[i].mutable_observed_at()->set_seconds(ns / 1000000000);
      records[i].mutable_observed_at()->set_nanos(static_cast<int32_t>(ns % 1000000000));
    }
  }

  Writer w;
  w.records = &records;
  absl::MutexLock l(&mu_);
  writers_.push_back(&w);
  while (!w.done && writers_.front() != &w) w.cv.Wait(&mu_);
  if (w.done) {
    if (!w.status.ok()) return w.status;
    return w.result;
  }

  // Leader: commit the writers queued so far as one batch.
  std::vector<Writer*> group;
  size_t n = 0;
  for (Writer* x : writers_) {
    if (!group.empty() && n + x->records->size() > kMaxGroupRecords) break;
    group.push_back(x);
    n += x->records->size();
  }
  absl::Status s = CommitGroup(group);
  for (Writer* x : group) {
    writers_.erase(writers_.begin());
    x->status = s;
    x->done = true;
    if (x != &w) x->cv.Signal();
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();
  if (!s.ok()) return s;
  return w.result;
}

absl::Status EventLog::CommitGroup(const std::vector<Writer*>& group) {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("event log ", path_, " is closed"));
  if (!broken_.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "event log ", path_, " refused the append: an earlier write failed (",
        broken_.message(), ")",
        recoverable_ ? "; appends resume once Recover() succeeds"
                     : "; only reopening the log (a restart) can clear it"));
  }
  rocksdb::WriteBatch batch;
  uint64_t seq = next_seq_;
  std::string bytes;
  int64_t observed_floor = last_observed_micros_;
  google::protobuf::Timestamp last_observed;
  if (observed_floor != INT64_MIN) {
    last_observed.set_seconds(observed_floor / 1000000);
    last_observed.set_nanos(static_cast<int32_t>(observed_floor % 1000000) * 1000);
  }
  for (Writer* w : group) {
    w->result.first_seq = seq;
    for (log::v1::LogRecord& r : *w->records) {
      r.set_seq(seq);
      const int64_t micros = MicrosOf(r);
      if (micros < observed_floor) {
        *r.mutable_observed_at() = last_observed;
      } else {
        observed_floor = micros;
        last_observed = r.observed_at();
      }
      bytes.clear();
      r.SerializeToString(&bytes);
      batch.Put(h_->cf[kRecords], keys::Seq(seq), bytes);
      IndexRecord(r, h_->cf, /*remove=*/false, &batch);
      ++seq;
    }
    w->result.last_seq = seq - 1;
  }
  const uint64_t last = seq - 1;

  rocksdb::WriteOptions wo;
  wo.sync = options_.durability == Durability::kSyncEachAppend;
  committing_ = true;
  mu_.Unlock();
  rocksdb::Status st = h_->db->Write(wo, &batch);
  if (st.ok()) {
    absl::MutexLock l(&state_mu_);
    for (Writer* w : group) {
      // The records are ours now: fold by moving their objects' bytes.
      for (log::v1::LogRecord& r : *w->records) state_ = Fold(std::move(state_), std::move(r));
    }
    last_seq_ = last;
    appended_.SignalAll();
  }
  mu_.Lock();
  committing_ = false;
  if (!st.ok()) return MarkBroken(FromRocks(st, path_, "appending"));
  next_seq_ = last + 1;
  last_observed_micros_ = observed_floor;
  unsynced_ = true;
  return MaybeSnapshot();
}

absl::Status EventLog::MaybeSnapshot() {
  const uint64_t last = next_seq_ - 1;
  if (last < last_snapshot_seq_ + options_.snapshot_every) return absl::OkStatus();
  std::string bytes;
  {
    absl::MutexLock l(&state_mu_);
    bytes = state_.Serialize();
  }
  // Snapshots are derived data: one lost in a crash is refolded on Open from
  // an earlier one, so they skip the write-ahead log (they are flushed on
  // Close and with the rest of the memtable otherwise).
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  absl::Status s = FromRocks(
      h_->db->Put(wo, h_->cf[kSnapshots], keys::Seq(last), bytes), path_,
      "writing a snapshot");
  if (!s.ok()) return MarkBroken(s);
  last_snapshot_seq_ = last;
  return absl::OkStatus();
}

uint64_t EventLog::first_seq() const {
  absl::MutexLock l(&state_mu_);
  return first_seq_;
}

uint64_t EventLog::last_seq() const {
  absl::MutexLock l(&state_mu_);
  return last_seq_;
}

uint64_t EventLog::WaitForAppend(uint64_t after_seq, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock l(&state_mu_);
  while (last_seq_ <= after_seq) {
    if (appended_.WaitWithDeadline(&state_mu_, deadline)) break;
  }
  return last_seq_;
}

absl::StatusOr<log::v1::LogRecord> EventLog::Get(uint64_t seq) const {
  const uint64_t first = first_seq();
  const uint64_t last = last_seq();
  if (seq < first || seq > last) {
    return absl::NotFoundError(absl::StrCat(
        "event log ", path_, ": record ", seq, " is not in the log (it holds ",
        first, "..", last, ")"));
  }
  std::string bytes;
  rocksdb::Status st =
      h_->db->Get(rocksdb::ReadOptions(), h_->cf[kRecords], keys::Seq(seq), &bytes);
  if (st.IsNotFound()) return Corrupt(absl::StrCat("record ", seq, " is missing"));
  if (!st.ok()) return FromRocks(st, path_, absl::StrCat("reading record ", seq));
  log::v1::LogRecord r;
  if (!r.ParseFromString(bytes) || r.seq() != seq) {
    return Corrupt(absl::StrCat("record ", seq, " is damaged (does not parse)"));
  }
  return r;
}

std::unique_ptr<RecordIterator> EventLog::Read(uint64_t from_seq, uint64_t to_seq) const {
  const uint64_t from = std::max(from_seq, first_seq());
  const uint64_t to = std::min(to_seq, last_seq());
  return std::make_unique<RocksRecordIterator>(h_->db.get(), h_->cf[kRecords], path_,
                                               from, to);
}

absl::StatusOr<std::vector<uint64_t>> EventLog::ScanIndex(
    rocksdb::ColumnFamilyHandle* cf, const std::string& prefix,
    const IndexQuery& query) const {
  if (query.from_seq > query.to_seq) {
    return absl::InvalidArgumentError(absl::StrCat(
        "index query: from_seq ", query.from_seq, " is after to_seq ", query.to_seq));
  }
  const uint64_t from = std::max(query.from_seq, first_seq());
  const uint64_t to = std::min(query.to_seq, last_seq());
  std::vector<uint64_t> out;
  if (from > to || query.limit == 0) return out;
  std::unique_ptr<rocksdb::Iterator> it(h_->db->NewIterator(rocksdb::ReadOptions(), cf));
  auto seq_here = [&]() -> std::optional<uint64_t> {
    if (!it->Valid() || !it->key().starts_with(prefix)) return std::nullopt;
    return keys::SeqOfIndexKey(std::string_view(it->key().data(), it->key().size()),
                               prefix.size());
  };
  if (query.newest_first) {
    for (it->SeekForPrev(prefix + keys::Seq(to)); out.size() < query.limit; it->Prev()) {
      std::optional<uint64_t> seq = seq_here();
      if (!seq || *seq < from) break;
      out.push_back(*seq);
    }
  } else {
    for (it->Seek(prefix + keys::Seq(from)); out.size() < query.limit; it->Next()) {
      std::optional<uint64_t> seq = seq_here();
      if (!seq || *seq > to) break;
      out.push_back(*seq);
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), path_, "reading an index");
  return out;
}

absl::StatusOr<std::vector<uint64_t>> EventLog::SeqsForObject(
    const ObjectId& id, const IndexQuery& query) const {
  return ScanIndex(h_->cf[kByObject], keys::ObjectPrefix(id), query);
}

absl::StatusOr<std::vector<uint64_t>> EventLog::SeqsForCluster(
    const ClusterKey& cluster, const IndexQuery& query) const {
  return ScanIndex(h_->cf[kByCluster], keys::ClusterPrefix(cluster), query);
}

absl::StatusOr<uint64_t> EventLog::SeqAtTime(absl::Time t) const {
  // observed_at never decreases along the log, so binary search.
  const int64_t micros = absl::ToUnixMicros(t);
  uint64_t lo = first_seq(), hi = last_seq();
  uint64_t found = 0;
  while (lo <= hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    absl::StatusOr<log::v1::LogRecord> r = Get(mid);
    if (!r.ok()) return r.status();
    if (MicrosOf(*r) <= micros) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;  // mid >= first_seq >= 1, so no wrap-around
    }
  }
  return found;
}

absl::StatusOr<std::map<std::string, std::string>> EventLog::WatchCursors() const {
  absl::MutexLock l(&state_mu_);
  return state_.cursors();
}

absl::StatusOr<State> EventLog::FoldFromSnapshot(uint64_t seq, bool repair) const {
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
        h_->db->NewIterator(rocksdb::ReadOptions(), h_->cf[kSnapshots]));
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
  if (seq == base) return state;
  auto it = std::make_unique<RocksRecordIterator>(h_->db.get(), h_->cf[kRecords], path_,
                                                  base + 1, seq);
  uint64_t expect = base + 1;
  for (; it->Valid(); it->Next()) {
    if (it->record().seq() != expect) break;
    state = Fold(std::move(state), it->TakeRecord());
    if (repair && std::find(skipped.begin(), skipped.end(), expect) != skipped.end()) {
      // Rewritten from the records, so the next fold need not go back as far.
      rocksdb::WriteOptions wo;
      wo.disableWAL = true;
      h_->db->Put(wo, h_->cf[kSnapshots], keys::Seq(expect), state.Serialize())
          .PermitUncheckedError();
    }
    ++expect;
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
  return FoldFromSnapshot(seq);
}

State EventLog::CurrentState() const {
  absl::MutexLock l(&state_mu_);
  return state_;
}

ClusterObjects EventLog::CurrentObjectsOf(const ClusterKey& cluster) const {
  absl::MutexLock l(&state_mu_);
  return state_.ObjectsOf(cluster);
}

std::vector<ClusterKey> EventLog::CurrentClusters() const {
  absl::MutexLock l(&state_mu_);
  std::vector<ClusterKey> out;
  for (const auto& [key, objects] : state_.clusters()) out.push_back(key);
  return out;
}

std::vector<std::pair<ClusterKey, log::v1::StoredObject>> EventLog::CurrentObjectsOfKind(
    const std::string& group, const std::string& kind, const std::string& ns) const {
  absl::MutexLock l(&state_mu_);
  std::vector<std::pair<ClusterKey, log::v1::StoredObject>> out;
  for (const auto& [key, objects] : state_.clusters()) {
    for (const auto& [id, object] : objects) {
      if (id.group != group || id.kind != kind || (!ns.empty() && id.ns != ns)) continue;
      out.emplace_back(key, object);
    }
  }
  return out;
}

uint64_t EventLog::ApproximateBytes() const {
  uint64_t total = 0;
  for (auto* cf : h_->cf) {
    uint64_t v = 0;
    if (h_->db->GetIntProperty(cf, "rocksdb.total-sst-files-size", &v)) total += v;
    if (h_->db->GetIntProperty(cf, "rocksdb.cur-size-all-mem-tables", &v)) total += v;
  }
  return total;
}

}  // namespace doris_operator::store
