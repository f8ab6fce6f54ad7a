#ifndef DORIS_OPERATOR_STORE_EVENT_LOG_INTERNAL_H_
#define DORIS_OPERATOR_STORE_EVENT_LOG_INTERNAL_H_

// What the files implementing EventLog (event_log.cc, open.cc, snapshots.cc,
// retention.cc, write_health.cc) share: the RocksDB layout, handles and the
// record iterator. Not a public API.

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "proto/log.pb.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "store/event_log.h"
#include "store/keys.h"

namespace doris_operator::store::internal {

inline constexpr char kFormatKey[] = "format";
inline constexpr char kFormatValue[] = "doris-operator/event-log";
inline constexpr char kFormatVersionKey[] = "format_version";
// 2: a coalesced run's count is a small value of its own (keys::Repeats) in
// the meta family, no longer written into the run's record. Version 1 logs
// (counts inside records) are read as they are and marked 2 on Open.
// 3: a cluster is named by kind, namespace and name (ClusterRef.kind; the
// by_cluster keys of other kinds than DorisCluster hold it, keys.h). A
// version 1 or 2 log holds only DorisClusters' records, whose refs and keys
// are unchanged: it is read as it is and marked 3 on Open.
inline constexpr char kFormatVersion[] = "3";
inline constexpr char kFormatVersion2[] = "2";
inline constexpr char kFormatVersion1[] = "1";
inline constexpr char kFirstSeqKey[] = "first_seq";

// Column families, in the order handles are kept.
enum Cf { kMeta, kRecords, kByObject, kByCluster, kSnapshots, kNumCf };
inline const char* const kCfNames[kNumCf] = {"default", "records", "by_object", "by_cluster",
                                             "snapshots"};

// Puts the count stored for reconcile record `r` (the value of
// keys::Repeats(r.seq)) into it; it supersedes a count the record holds (a
// version 1 log wrote counts into the record). False if it does not parse.
bool ApplyRepeats(const rocksdb::Slice& value, log::v1::LogRecord* r);

// A RocksDB status as an absl::Status naming the log's path and the step.
absl::Status FromRocks(const rocksdb::Status& s, const std::string& path,
                       const std::string& doing);

int64_t MicrosOf(const log::v1::LogRecord& r);

// Adds the index entries of one record (already carrying its seq) to
// `batch` — or their deletions, when `remove` is set.
void IndexRecord(const log::v1::LogRecord& r, rocksdb::ColumnFamilyHandle* const* cf,
                 bool remove, rocksdb::WriteBatch* batch);

// What RocksDB reported through its listener: a failed background flush or
// MANIFEST write (or any error that stopped its writes). The log treats it
// like a failed append: appends stop until Recover() has reopened the
// database. Shared with the listener, which outlives no database it serves.
struct BackgroundErrors {
  absl::Mutex mu;
  absl::Status first ABSL_GUARDED_BY(mu);
  absl::Time since ABSL_GUARDED_BY(mu) = absl::InfinitePast();
};

class RocksRecordIterator;

// The record iterators reading one database. EventLog::Close ends them
// (EndAll) so that none outlives the database: RocksDB (built with
// assertions in Debian) aborts when a database is deleted while an iterator
// still references one of its column families.
struct LiveIterators {
  absl::Mutex mu;
  std::set<RocksRecordIterator*> live ABSL_GUARDED_BY(mu);
  absl::Status ended ABSL_GUARDED_BY(mu);  // non-OK once EndAll ran
};

// One open RocksDB database with the log's column families. Whoever calls
// into RocksDB holds a shared_ptr to it for as long as the call (or an
// iterator) lasts; Recover closes it only once no one does, and Close ends
// the iterators and waits for the calls (`closed` is notified by the last
// holder once the database is closed).
struct Handles {
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::ColumnFamilyHandle* cf[kNumCf] = {};
  std::shared_ptr<rocksdb::Cache> cache;
  const std::shared_ptr<LiveIterators> iterators = std::make_shared<LiveIterators>();
  // Set by Close before it lets go of the database.
  absl::Notification* closed = nullptr;

  // Closing never writes: the database is opened with
  // avoid_flush_during_shutdown, and after a write error nothing may be
  // written anyway. What is acknowledged is in the WAL or in table files.
  ~Handles() {
    if (db != nullptr) {
      for (auto* h : cf) {
        if (h != nullptr) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      }
      db->Close().PermitUncheckedError();
      db.reset();
      cache.reset();
    }
    // Last: Close may return (and its caller reopen the directory) from here.
    if (closed != nullptr) closed->Notify();
  }
};

// Reads records [from, to] of the records family, checking that each parses,
// carries its key's seq and follows the previous one without a gap. With
// `with_repeats`, reconcile records carry their run's count (ApplyRepeats),
// read from the same RocksDB snapshot as the records; folds go without.
class RocksRecordIterator : public RecordIterator {
 public:
  // Holds `handles` open until destroyed or ended by EndAll.
  RocksRecordIterator(std::shared_ptr<Handles> handles, std::string path,
                      uint64_t from, uint64_t to, bool with_repeats = false)
      : live_(handles->iterators), path_(std::move(path)), from_(from), to_(to), expected_(from) {
    absl::MutexLock registry(&live_->mu);
    absl::MutexLock l(&mu_);
    if (!live_->ended.ok()) {
      status_ = live_->ended;
      return;
    }
    live_->live.insert(this);
    handles_ = std::move(handles);
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    ro.readahead_size = 2 << 20;
    if (with_repeats) {
      snapshot_ = handles_->db->GetSnapshot();
      ro.snapshot = snapshot_;
    }
    it_.reset(handles_->db->NewIterator(ro, handles_->cf[kRecords]));
    it_->Seek(keys::Seq(from));
    Load();
  }

  ~RocksRecordIterator() override {
    std::shared_ptr<Handles> last;  // let go of after the locks: it may close the database
    absl::MutexLock registry(&live_->mu);
    live_->live.erase(this);
    absl::MutexLock l(&mu_);
    Release();
    last = std::move(handles_);
  }

  // Ends every iterator reading `h`, and any created later: each lets go of
  // its RocksDB iterator and of `h`; one that was not at the end of its
  // range reports `why`. Returns once no iterator is inside RocksDB.
  static void EndAll(Handles& h, const absl::Status& why) {
    std::vector<std::shared_ptr<Handles>> released;  // let go of after the locks
    absl::MutexLock registry(&h.iterators->mu);
    h.iterators->ended = why;
    for (RocksRecordIterator* it : h.iterators->live) {
      absl::MutexLock l(&it->mu_);
      it->Release();
      if (it->valid_) it->status_ = why;
      it->valid_ = false;
      released.push_back(std::move(it->handles_));
    }
    h.iterators->live.clear();
  }

  bool Valid() const override {
    absl::MutexLock l(&mu_);
    return valid_;
  }
  // Not touched by EndAll: the record a caller was looking at stays put.
  const log::v1::LogRecord& record() const override { return record_; }
  // Gives the current record away (for folding without copying).
  log::v1::LogRecord&& TakeRecord() { return std::move(record_); }
  absl::Status status() const override {
    absl::MutexLock l(&mu_);
    return status_;
  }
  void Next() override {
    absl::MutexLock l(&mu_);
    if (it_ == nullptr) return;  // ended
    it_->Next();
    Load();
  }

 private:
  // Lets go of everything that references the database (handles_ stays).
  void Release() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    repeats_.reset();
    it_.reset();
    if (snapshot_ != nullptr && handles_ != nullptr) handles_->db->ReleaseSnapshot(snapshot_);
    snapshot_ = nullptr;
  }

  // The stored count of reconcile record_, if any: the meta family's
  // repeats keys are walked forward alongside the records (both ascend).
  absl::Status LoadRepeats() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::string key = keys::Repeats(record_.seq());
    if (repeats_ == nullptr) {
      rocksdb::ReadOptions ro;
      ro.fill_cache = false;
      ro.snapshot = snapshot_;
      repeats_.reset(handles_->db->NewIterator(ro, handles_->cf[kMeta]));
      repeats_->Seek(key);
    }
    // Runs are few next to records; a long way to go is a Seek, not Nexts.
    for (int steps = 0; repeats_->Valid() && repeats_->key().compare(key) < 0; ++steps) {
      if (steps == 8) {
        repeats_->Seek(key);
        break;
      }
      repeats_->Next();
    }
    if (!repeats_->status().ok()) return FromRocks(repeats_->status(), path_, "reading repeat counts");
    if (repeats_->Valid() && repeats_->key() == key && !ApplyRepeats(repeats_->value(), &record_)) {
      return absl::DataLossError(absl::StrCat("event log ", path_, ": the repeat count of record ",
                                              record_.seq(), " is damaged (does not parse)"));
    }
    return absl::OkStatus();
  }

  void Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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
    // The first record too must be `from`: a range that starts past a
    // missing record is a gap (found by tests/fuzz/event_log_fuzzer).
    if (*seq != expected_) {
      status_ = absl::DataLossError(absl::StrCat(
          "event log ", path_, ": records ", expected_, "..", *seq - 1,
          " are missing (the log has a gap)"));
      return;
    }
    expected_ = *seq + 1;
    if (snapshot_ != nullptr && record_.has_reconcile()) {
      status_ = LoadRepeats();
      if (!status_.ok()) return;
    }
    valid_ = true;
  }

  const std::shared_ptr<LiveIterators> live_;
  // The iterator's own state; EndAll takes it from another thread.
  mutable absl::Mutex mu_;
  std::shared_ptr<Handles> handles_ ABSL_GUARDED_BY(mu_);  // outlives it_
  std::unique_ptr<rocksdb::Iterator> it_ ABSL_GUARDED_BY(mu_);
  // With repeats: the view both iterators read, and the meta family's.
  const rocksdb::Snapshot* snapshot_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::unique_ptr<rocksdb::Iterator> repeats_ ABSL_GUARDED_BY(mu_);
  const std::string path_;
  const uint64_t from_;
  const uint64_t to_;
  uint64_t expected_ ABSL_GUARDED_BY(mu_);
  bool valid_ ABSL_GUARDED_BY(mu_) = false;
  log::v1::LogRecord record_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

// An iterator over nothing that reports `status` (e.g. while reopening).
class FailedRecordIterator : public RecordIterator {
 public:
  explicit FailedRecordIterator(absl::Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  void Next() override {}
  const log::v1::LogRecord& record() const override { return record_; }
  absl::Status status() const override { return status_; }

 private:
  const absl::Status status_;
  log::v1::LogRecord record_;
};

}  // namespace doris_operator::store::internal

namespace doris_operator::store {

// One caller's turn in the writer queue: records to append, or (repeat)
// a reconcile counted on its cluster's run (see coalesce.cc).
struct EventLog::Writer {
  std::vector<log::v1::LogRecord>* records = nullptr;
  absl::Status status;
  AppendResult result;
  bool done = false;
  absl::CondVar cv;
  // For a repeat, `records` holds the run's record with its new count. It
  // applies only if that record is still its cluster's newest when the
  // group is committed; `stale` says it was not applied.
  bool repeat = false;
  bool stale = false;
};

}  // namespace doris_operator::store

#endif  // DORIS_OPERATOR_STORE_EVENT_LOG_INTERNAL_H_
