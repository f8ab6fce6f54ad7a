#ifndef DORIS_OPERATOR_STORE_EVENT_LOG_INTERNAL_H_
#define DORIS_OPERATOR_STORE_EVENT_LOG_INTERNAL_H_

// What the files implementing EventLog (event_log.cc, retention.cc,
// write_health.cc) share: the RocksDB layout and handles. Not a public API.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "proto/log.pb.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "store/event_log.h"

namespace doris_operator::store::internal {

inline constexpr char kFormatKey[] = "format";
inline constexpr char kFormatValue[] = "doris-operator/event-log";
inline constexpr char kFormatVersionKey[] = "format_version";
inline constexpr char kFormatVersion[] = "1";
inline constexpr char kFirstSeqKey[] = "first_seq";
// A WAL-less entry kept in the meta memtable (see KeepMemtableNonEmpty).
inline constexpr char kWriteCheckKey[] = "write_check";

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

}  // namespace doris_operator::store::internal

namespace doris_operator::store {

struct EventLog::Handles {
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::ColumnFamilyHandle* cf[internal::kNumCf] = {};
  std::shared_ptr<rocksdb::Cache> cache;

  ~Handles() {
    if (db == nullptr) return;
    for (auto* h : cf) {
      if (h != nullptr) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    db->Close().PermitUncheckedError();
  }
};

}  // namespace doris_operator::store

#endif  // DORIS_OPERATOR_STORE_EVENT_LOG_INTERNAL_H_
