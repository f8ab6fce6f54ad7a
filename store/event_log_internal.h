#ifndef DORIS_OPERATOR_STORE_EVENT_LOG_INTERNAL_H_
#define DORIS_OPERATOR_STORE_EVENT_LOG_INTERNAL_H_

// What the files implementing EventLog (event_log.cc, open.cc, snapshots.cc,
// retention.cc, write_health.cc) share: the RocksDB layout, handles and the
// record iterator. Not a public API.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
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
inline constexpr char kFormatVersion[] = "1";
inline constexpr char kFirstSeqKey[] = "first_seq";

// Column families, in the order handles are kept.
enum Cf { kMeta, kRecords, kByObject, kByCluster, kSnapshots, kNumCf };
inline const char* const kCfNames[kNumCf] = {"default", "records", "by_object", "by_cluster",
                                             "snapshots"};

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

// One open RocksDB database with the log's column families. Whoever calls
// into RocksDB holds a shared_ptr to it for as long as the call (or an
// iterator) lasts; Recover closes it only once no one does.
struct Handles {
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::ColumnFamilyHandle* cf[kNumCf] = {};
  std::shared_ptr<rocksdb::Cache> cache;

  // Closing never writes: the database is opened with
  // avoid_flush_during_shutdown, and after a write error nothing may be
  // written anyway. What is acknowledged is in the WAL or in table files.
  ~Handles() {
    if (db == nullptr) return;
    for (auto* h : cf) {
      if (h != nullptr) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    db->Close().PermitUncheckedError();
  }
};

// Reads records [from, to] of the records family, checking that each parses,
// carries its key's seq and follows the previous one without a gap.
class RocksRecordIterator : public RecordIterator {
 public:
  // Holds `handles` open until destroyed.
  RocksRecordIterator(std::shared_ptr<Handles> handles, std::string path,
                      uint64_t from, uint64_t to)
      : handles_(std::move(handles)), path_(std::move(path)), from_(from), to_(to), expected_(from) {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    ro.readahead_size = 2 << 20;
    it_.reset(handles_->db->NewIterator(ro, handles_->cf[kRecords]));
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
    // The first record too must be `from`: a range that starts past a
    // missing record is a gap (found by tests/fuzz/event_log_fuzzer).
    if (*seq != expected_) {
      status_ = absl::DataLossError(absl::StrCat(
          "event log ", path_, ": records ", expected_, "..", *seq - 1,
          " are missing (the log has a gap)"));
      return;
    }
    expected_ = *seq + 1;
    valid_ = true;
  }

  const std::shared_ptr<Handles> handles_;  // outlives it_
  std::unique_ptr<rocksdb::Iterator> it_;
  const std::string path_;
  const uint64_t from_;
  const uint64_t to_;
  uint64_t expected_;
  bool valid_ = false;
  log::v1::LogRecord record_;
  absl::Status status_;
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

// One caller's turn in the writer queue: records to append, or (rewrite)
// one record to put back at its own seq (see coalesce.cc).
struct EventLog::Writer {
  std::vector<log::v1::LogRecord>* records = nullptr;
  absl::Status status;
  AppendResult result;
  bool done = false;
  absl::CondVar cv;
  bool rewrite = false;
  // For a rewrite: it applies only if this is still the newest record of
  // the log when its group is committed; `stale` says it was not applied.
  uint64_t expect_last_seq = 0;
  bool stale = false;
};

}  // namespace doris_operator::store

#endif  // DORIS_OPERATOR_STORE_EVENT_LOG_INTERNAL_H_
