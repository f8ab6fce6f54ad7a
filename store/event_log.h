#ifndef DORIS_OPERATOR_STORE_EVENT_LOG_H_
#define DORIS_OPERATOR_STORE_EVENT_LOG_H_

// The operator's memory: an append-only, gapless log of LogRecords in RocksDB,
// with indexes by object and by DorisCluster, and periodic snapshots of the
// folded State (which also holds the watch cursor of every stream).
//
// Thread-safe. Appends from many threads are committed in order by one leader
// at a time (group commit); reads never block appends.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "proto/log.pb.h"
#include "store/object_id.h"
#include "store/state.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class Iterator;
class WriteBatch;
}  // namespace rocksdb

namespace doris_operator::store {

namespace internal {
struct BackgroundErrors;
struct Handles;
}  // namespace internal

enum class Durability {
  // Every Append returns after its records are fsync'd. Survives kill -9 and
  // power loss.
  kSyncEachAppend,
  // Append returns after its records reached the write-ahead log in the OS
  // (survives kill -9); the WAL is fsync'd at least every
  // `group_commit_interval`, covering every append since the last sync. On
  // power loss, appends acknowledged within the last interval may be lost.
  kGroupCommit,
};

struct EventLogOptions {
  Durability durability = Durability::kGroupCommit;
  absl::Duration group_commit_interval = absl::Milliseconds(20);
  // Snapshots of the folded State, spaced by bytes: one is written once the
  // records appended since the last one add up (serialized) to
  // `snapshot_bytes_ratio` times that snapshot's size, no sooner than
  // `snapshot_min_records` records after it, and at the latest
  // `snapshot_every` records after it. With a ratio >= 1 snapshots never
  // outweigh the records they summarise (a large state is snapshotted
  // rarely); `snapshot_every` bounds what Open folds, after a clean close
  // or a kill -9 (snapshots go through the write-ahead log), and what
  // StateAt folds inside the newest snapshots (retention thins older ones,
  // see RetentionPolicy). Ratio 0: a snapshot every `snapshot_every`
  // records, whatever their size (the policy before bytes spacing).
  uint64_t snapshot_every = 32768;
  double snapshot_bytes_ratio = 1.0;
  uint64_t snapshot_min_records = 256;
  bool create_if_missing = true;
  // Scan every record on Open to check gaplessness and parseability. O(log).
  bool paranoid_open = false;
  size_t block_cache_bytes = 64 << 20;
  // Memtable size of the records column family (the index families get a
  // quarter). Memory held before a flush, per family, up to twice this.
  size_t records_write_buffer_bytes = 64 << 20;
  // The RocksDB environment files are written through (null: the default).
  // Tests pass one that fails writes on demand; it must outlive the log.
  rocksdb::Env* env = nullptr;
};

// Whether the log accepts appends, and why not. After a failed write (disk
// full, I/O error, a failed background flush) the log refuses every append,
// so no record can land after a gap or a torn write, until Recover() has
// reopened it.
struct WriteHealth {
  absl::Status status;       // OK: appends are accepted
  // false: Recover() will not help (the reopened log lost acknowledged
  // records or is damaged); a restart reports why.
  bool recoverable = true;
  absl::Time since = absl::InfinitePast();  // when appends began to fail
  uint64_t failed_writes = 0;               // writes that failed since Open
};

// What the last Open (or Recover's reopen) read to rebuild the state: one
// snapshot and the records after it, never the whole log.
struct OpenStats {
  uint64_t snapshot_seq = 0;    // the snapshot the state was loaded from (0: none)
  uint64_t snapshot_bytes = 0;  // its size as stored
  uint64_t records_folded = 0;  // records read and folded after it
  uint64_t bytes_folded = 0;    // their serialized size
  absl::Duration took;          // from opening RocksDB to a usable log
};

// A snapshot found damaged (and not trusted) while folding.
struct DamagedSnapshot {
  uint64_t seq = 0;
  std::string problem;
};

struct AppendResult {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
};

// Where AppendReconcile put a reconcile record.
struct ReconcileAppend {
  uint64_t seq = 0;        // the record that holds it
  bool coalesced = false;  // counted on an earlier record rather than appended
  uint64_t count = 1;      // reconciles that record now stands for
};

// Bounds for index look-ups; both ends inclusive.
struct IndexQuery {
  uint64_t from_seq = 0;
  uint64_t to_seq = UINT64_MAX;
  size_t limit = 100;
  bool newest_first = false;
};

struct RetentionPolicy {
  // Records observed before now - max_age may go (0: no age limit).
  absl::Duration max_age = absl::ZeroDuration();
  // Records may go while the log's live data exceeds this (0: no size limit).
  uint64_t max_bytes = 0;
  // Never remove any of the newest `keep_at_least` records.
  uint64_t keep_at_least = 1000;
  // Snapshots are thinned on every pass, so that their bytes stay bounded
  // whatever the window: kept are the oldest (every fold inside the window
  // can start from it), the newest `keep_newest_snapshots`, and of the rest
  // the oldest in each `recent_snapshot_spacing` of observed time for those
  // observed within `recent_snapshots` of now, in each
  // `old_snapshot_spacing` before. StateAt between two kept snapshots folds
  // from the older one. 0 keep_newest_snapshots: no thinning.
  uint64_t keep_newest_snapshots = 4;
  absl::Duration recent_snapshots = absl::Hours(24);
  absl::Duration recent_snapshot_spacing = absl::Hours(1);
  absl::Duration old_snapshot_spacing = absl::Hours(24);
};

struct RetentionResult {
  uint64_t removed_records = 0;
  uint64_t removed_snapshots = 0;  // thinned (not those below the cut)
  uint64_t first_seq = 0;  // the oldest record still readable
};

// Reads records [from, to] in order, from a consistent RocksDB snapshot taken
// when it was created. EventLog::Close ends it: Valid() turns false and, unless
// the range was done, status() says the log was closed. It may be destroyed
// after the log (and after a new log was opened in the same directory).
class RecordIterator {
 public:
  virtual ~RecordIterator() = default;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual const log::v1::LogRecord& record() const = 0;
  // Non-OK when iteration stopped on an error (not at the end of the range).
  virtual absl::Status status() const = 0;
};

class EventLog {
 public:
  // Opens (or creates) the log in directory `path`. A directory holding
  // anything else, or a damaged log, is an error naming the path and problem.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(
      const std::string& path, const EventLogOptions& options);
  ~EventLog();

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Validates and appends `records` atomically, assigning consecutive
  // sequence numbers (any `seq` set by the caller is replaced), together with
  // their index entries. Stamps `observed_at` when unset and raises it to the
  // previous record's when earlier, so times never decrease along the log.
  // OK means durable per EventLogOptions::durability.
  absl::StatusOr<AppendResult> Append(std::vector<log::v1::LogRecord> records);

  // Appends one reconcile record, unless it repeats the decision of its
  // cluster's newest record (store/coalesce.h): then that record's
  // `repeats` (count, last time, last trigger) is rewritten in place,
  // atomically and with the durability of an append, and nothing is
  // appended. Callers record one cluster's reconciles one at a time.
  absl::StatusOr<ReconcileAppend> AppendReconcile(log::v1::LogRecord record);

  uint64_t first_seq() const;  // oldest readable record (last_seq+1 if none)
  uint64_t last_seq() const;   // 0 when nothing was ever appended
  const std::string& path() const { return path_; }

  // Blocks until last_seq() > after_seq or the timeout passes; returns
  // last_seq(). For tailing readers.
  uint64_t WaitForAppend(uint64_t after_seq, absl::Duration timeout) const;

  absl::StatusOr<log::v1::LogRecord> Get(uint64_t seq) const;
  std::unique_ptr<RecordIterator> Read(uint64_t from_seq,
                                       uint64_t to_seq = UINT64_MAX) const;

  // Sequence numbers of records about one object / one DorisCluster.
  absl::StatusOr<std::vector<uint64_t>> SeqsForObject(
      const ObjectId& id, const IndexQuery& query) const;
  absl::StatusOr<std::vector<uint64_t>> SeqsForCluster(
      const ClusterKey& cluster, const IndexQuery& query) const;
  // The last record observed at or before `t`; 0 when none is.
  absl::StatusOr<uint64_t> SeqAtTime(absl::Time t) const;

  // Last resourceVersion seen per watch stream (part of the folded state, so
  // always in step with the records).
  absl::StatusOr<std::map<std::string, std::string>> WatchCursors() const;

  // The folded state after record `seq` (nearest snapshot + fold of the
  // rest). OutOfRange when `seq` is beyond the log or before retention's cut.
  absl::StatusOr<State> StateAt(uint64_t seq) const;
  // The folded state after the last record. Cheap to call per cluster.
  State CurrentState() const;
  ClusterObjects CurrentObjectsOf(const ClusterKey& cluster) const;
  // The clusters the folded state holds objects of (without copying them).
  std::vector<ClusterKey> CurrentClusters() const;
  // Live objects of one kind (optionally one namespace), with their cluster:
  // what a re-list compares against, without copying the whole state.
  std::vector<std::pair<ClusterKey, log::v1::StoredObject>> CurrentObjectsOfKind(
      const std::string& group, const std::string& kind, const std::string& ns = "") const;

  // Removes old records per `policy`, first making sure a snapshot lets the
  // current state be rebuilt without them; then compacts to free disk.
  absl::StatusOr<RetentionResult> ApplyRetention(const RetentionPolicy& policy,
                                                 absl::Time now);

  // Bytes on disk for the log's live data (SST + WAL estimate).
  uint64_t ApproximateBytes() const;

  WriteHealth write_health() const;
  // Makes a log that refuses appends writable again when the cause has gone
  // (e.g. disk space was freed), losing nothing acknowledged. It never asks
  // RocksDB to resume (RocksDB 7.8 can wait forever in Resume for a flush
  // that fails again): once a test file can be written and synced and there
  // is room to replay the WAL, it closes the database without writing to it
  // and opens it again, which replays the WAL (a torn tail was never
  // acknowledged) into synced table files, and reloads the state from a
  // snapshot and the records after it. Every step is bounded: readers that
  // still hold the database after a few seconds make it give up until the
  // next call. OK when writable; otherwise the reason, with
  // write_health().recoverable telling whether a later call may succeed.
  absl::Status Recover();

  OpenStats open_stats() const;

  // Snapshots found damaged since Open. Each was skipped for an older one
  // (and the records after it refolded), then rewritten from the records.
  std::vector<DamagedSnapshot> damaged_snapshots() const;

  // Flushes and syncs everything; further calls fail. Ends live iterators
  // and waits for calls in flight, so the database is closed on return. Also
  // done by the destructor.
  absl::Status Close();

 private:
  struct Writer;
  using Handles = internal::Handles;
  EventLog(std::string path, EventLogOptions options);

  absl::Status Init();
  // Queues `w` and returns once it is committed (by itself as leader, or by
  // the leader of its group).
  absl::Status Commit(Writer* w);
  // Adds a Writer::repeat to `batch` (the run's count, at keys::Repeats)
  // when the run is still its cluster's newest record, counting the records
  // of `earlier` (the group's writers before it); else marks it stale.
  void AddRepeat(const Handles& h, Writer* w, const std::vector<Writer*>& earlier,
                 rocksdb::WriteBatch* batch) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The newest record of `cluster` if it is a reconcile record (the run a
  // repeat may be counted on), from newest_ or, the first time, the index.
  std::optional<log::v1::LogRecord> NewestRunOf(const ClusterKey& cluster);
  // Opens RocksDB in path_ (the directory is known to hold a log or nothing).
  absl::StatusOr<std::shared_ptr<Handles>> OpenDatabase() const;
  // Reads first/last seq and rebuilds the state from the newest usable
  // snapshot; `expected_last` (non-zero on a reopen) is the newest record
  // the log acknowledged.
  absl::Status LoadState(const std::shared_ptr<Handles>& h, uint64_t expected_last);
  // The open database, for as long as the caller holds it; null while
  // Recover reopens it and after Close.
  std::shared_ptr<Handles> handles() const;
  // Why handles() is null: closed, or being reopened.
  absl::Status Reopening() const;
  // Closes the database and opens it again (Recover, mu_ not held).
  absl::Status Reopen(uint64_t expected_last);
  // A background error RocksDB reported, as the log's broken_ (under mu_).
  void NoteBackgroundError() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CommitGroup(const std::vector<Writer*>& group)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether the state after `last`, `bytes_since` record bytes after the
  // newest snapshot, is due a snapshot.
  bool SnapshotDue(uint64_t last, uint64_t bytes_since) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the state loaded by Open as a snapshot when it is due.
  absl::Status MaybeSnapshot(const std::shared_ptr<Handles>& h)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The state after `seq` from the newest usable snapshot at or before it.
  // With `repair`, damaged snapshots passed over are rewritten. `stats`, when
  // given, says which snapshot and how many records were read.
  absl::StatusOr<State> FoldFromSnapshot(const std::shared_ptr<Handles>& h, uint64_t seq,
                                         bool repair = false, OpenStats* stats = nullptr) const;
  void ReportDamagedSnapshot(uint64_t seq, const std::string& problem) const;
  // Writes, syncs and deletes a file in the log's directory, and checks
  // there is room to replay the WAL.
  absl::Status ProbeDisk() const;
  // Fails the log's writes with `s` (under mu_).
  absl::Status MarkBroken(absl::Status s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<uint64_t>> ScanIndex(int cf, const std::string& prefix,
                                                  const IndexQuery& query) const;
  absl::Status DeleteRecordsUpTo(const std::shared_ptr<Handles>& h, uint64_t cut);
  // Deletes the snapshots `policy` does not keep; returns how many.
  absl::StatusOr<uint64_t> ThinSnapshots(const std::shared_ptr<Handles>& h,
                                         const RetentionPolicy& policy, absl::Time now);
  void SyncLoop();
  absl::Status Corrupt(const std::string& what) const;

  const std::string path_;
  const EventLogOptions options_;
  const std::shared_ptr<internal::BackgroundErrors> background_;

  mutable absl::Mutex handles_mu_;
  std::shared_ptr<Handles> h_ ABSL_GUARDED_BY(handles_mu_);
  bool handles_closed_ ABSL_GUARDED_BY(handles_mu_) = false;  // by Close

  mutable absl::Mutex mu_;  // writer queue and bookkeeping below
  std::vector<Writer*> writers_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t last_snapshot_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t last_snapshot_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Serialized bytes of the records appended since the last snapshot.
  uint64_t bytes_since_snapshot_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_observed_micros_ ABSL_GUARDED_BY(mu_) = INT64_MIN;
  absl::Status broken_ ABSL_GUARDED_BY(mu_);
  bool recoverable_ ABSL_GUARDED_BY(mu_) = true;
  absl::Time broken_since_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t failed_writes_ ABSL_GUARDED_BY(mu_) = 0;
  // A leader is writing with mu_ released; Recover waits for it.
  bool committing_ ABSL_GUARDED_BY(mu_) = false;
  // The syncer is in SyncWAL with mu_ released. No write starts meanwhile:
  // a write that fails while a sync runs makes RocksDB (built with
  // assertions in Debian) abort on the sync's next use of the WAL file.
  bool syncing_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Recover is closing and reopening the database with mu_ released.
  bool reopening_ ABSL_GUARDED_BY(mu_) = false;
  bool unsynced_ ABSL_GUARDED_BY(mu_) = false;
  std::thread syncer_;

  absl::Mutex retention_mu_;  // one retention pass at a time
  // The newest snapshot when snapshots were last thinned.
  uint64_t thinned_at_snapshot_ ABSL_GUARDED_BY(retention_mu_) = UINT64_MAX;
  absl::Mutex coalesce_mu_;   // one AppendReconcile read-modify-write at a time

  mutable absl::Mutex state_mu_;
  mutable absl::CondVar appended_;  // signalled with state_mu_ on each commit
  State state_ ABSL_GUARDED_BY(state_mu_);
  uint64_t first_seq_ ABSL_GUARDED_BY(state_mu_) = 1;
  uint64_t last_seq_ ABSL_GUARDED_BY(state_mu_) = 0;

  OpenStats open_stats_ ABSL_GUARDED_BY(state_mu_);
  // The newest record of each cluster looked at since Open, for
  // AppendReconcile: the record itself when it is a reconcile (a run a
  // repeat may be counted on, with its count), else only its seq. Kept up
  // to date as groups are published, emptied when the state is (re)loaded;
  // a cluster not here is looked up in the index once. One entry per
  // cluster, so bounded by the clusters the log has seen since Open.
  struct NewestOfCluster {
    uint64_t seq = 0;
    std::optional<log::v1::LogRecord> run;
  };
  std::map<ClusterKey, NewestOfCluster> newest_ ABSL_GUARDED_BY(state_mu_);

  mutable absl::Mutex damaged_mu_;
  mutable std::vector<DamagedSnapshot> damaged_ ABSL_GUARDED_BY(damaged_mu_);
};

}  // namespace doris_operator::store

#endif  // DORIS_OPERATOR_STORE_EVENT_LOG_H_
