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
#include "rocksdb/snapshot.h"
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

bool ApplyRepeats(const rocksdb::Slice& value, log::v1::LogRecord* r) {
  return r->mutable_reconcile()->mutable_repeats()->ParseFromArray(
      value.data(), static_cast<int>(value.size()));
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
using namespace internal;  // NOLINT: the layout shared by the EventLog files


namespace {

// A group never grows past this many records, so one leader's write stays
// short and the followers' latency bounded.
constexpr size_t kMaxGroupRecords = 4096;

}  // namespace


EventLog::EventLog(std::string path, EventLogOptions options)
    : path_(std::move(path)),
      options_(options),
      background_(std::make_shared<BackgroundErrors>()) {}

EventLog::~EventLog() { Close().IgnoreError(); }

absl::Status EventLog::Corrupt(const std::string& what) const {
  return absl::DataLossError(absl::StrCat("event log ", path_, ": ", what));
}

std::shared_ptr<EventLog::Handles> EventLog::handles() const {
  absl::MutexLock l(&handles_mu_);
  return h_;
}

absl::Status EventLog::Reopening() const {
  {
    absl::MutexLock l(&handles_mu_);
    if (handles_closed_) {
      return absl::FailedPreconditionError(absl::StrCat("event log ", path_, " is closed"));
    }
  }
  return absl::UnavailableError(absl::StrCat(
      "event log ", path_, " is being reopened after a write failure; try again"));
}

absl::Status EventLog::Close() {
  {
    absl::MutexLock l(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    // A reopen in progress is bounded (see Recover); let it finish.
    mu_.Await(absl::Condition(
        +[](bool* reopening) { return !*reopening; }, &reopening_));
  }
  if (syncer_.joinable()) syncer_.join();
  absl::Status s;
  bool broken;
  {
    absl::MutexLock l(&mu_);
    broken = !broken_.ok();
  }
  std::shared_ptr<Handles> h;
  {
    absl::MutexLock l(&handles_mu_);
    h = std::move(h_);
    handles_closed_ = true;
  }
  // After a failed write RocksDB must not touch its WAL file again (it
  // asserts so): close without syncing or flushing; what was acknowledged is
  // recovered from the WAL on Open, and snapshots are refolded. A healthy
  // log flushes every memtable, so the next Open replays no WAL.
  if (h != nullptr && !broken) {
    s = FromRocks(h->db->SyncWAL(), path_, "syncing the write-ahead log");
    rocksdb::FlushOptions fo;
    fo.allow_write_stall = true;
    std::vector<rocksdb::ColumnFamilyHandle*> all(h->cf, h->cf + kNumCf);
    absl::Status fs = FromRocks(h->db->Flush(fo, all), path_, "flushing memtables");
    if (s.ok()) s = fs;
  }
  if (h != nullptr) {
    // Nothing may outlive the database, and a caller may open the directory
    // again as soon as Close returns: iterators are ended (a Tail or Export
    // still reading gets this error), and the calls in flight (a Get, an
    // index scan, a fold, a metrics scrape) finish first; the last holder
    // closes the database.
    internal::RocksRecordIterator::EndAll(
        *h, absl::FailedPreconditionError(absl::StrCat(
                "event log ", path_, " was closed while this read was in progress")));
    absl::Notification closed;
    h->closed = &closed;
    h.reset();
    closed.WaitForNotification();
  }
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
    std::shared_ptr<Handles> h = handles();
    if (h == nullptr) continue;
    unsynced_ = false;
    syncing_ = true;
    mu_.Unlock();
    rocksdb::Status s = h->db->SyncWAL();
    mu_.Lock();
    syncing_ = false;
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
  absl::Status s = Commit(&w);
  if (!s.ok()) return s;
  return w.result;
}

absl::Status EventLog::Commit(Writer* wp) {
  Writer& w = *wp;
  absl::MutexLock l(&mu_);
  writers_.push_back(&w);
  while (!w.done && writers_.front() != &w) w.cv.Wait(&mu_);
  if (w.done) return w.status;

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
  return s;
}

absl::Status EventLog::CommitGroup(const std::vector<Writer*>& group) {
  mu_.Await(absl::Condition(+[](bool* syncing) { return !*syncing; }, &syncing_));
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("event log ", path_, " is closed"));
  NoteBackgroundError();
  std::shared_ptr<Handles> h = handles();
  if (broken_.ok() && h == nullptr) return Reopening();
  if (!broken_.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "event log ", path_, " refused the append: an earlier write failed (",
        broken_.message(), ")",
        recoverable_ ? "; appends resume once Recover() succeeds"
                     : "; only a restart can clear it"));
  }
  rocksdb::WriteBatch batch;
  uint64_t seq = next_seq_;
  std::string bytes;
  uint64_t appended_bytes = 0;
  int64_t observed_floor = last_observed_micros_;
  google::protobuf::Timestamp last_observed;
  if (observed_floor != INT64_MIN) {
    last_observed.set_seconds(observed_floor / 1000000);
    last_observed.set_nanos(static_cast<int32_t>(observed_floor % 1000000) * 1000);
  }
  for (size_t i = 0; i < group.size(); ++i) {
    Writer* w = group[i];
    if (w->repeat) {
      AddRepeat(*h, w, std::vector<Writer*>(group.begin(), group.begin() + i), &batch);
      continue;
    }
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
      batch.Put(h->cf[kRecords], keys::Seq(seq), bytes);
      appended_bytes += bytes.size();
      IndexRecord(r, h->cf, /*remove=*/false, &batch);
      ++seq;
    }
    w->result.last_seq = seq - 1;
  }
  const uint64_t last = seq - 1;

  // A snapshot due after this group goes into the group's own batch: the
  // records and the snapshot that summarises them commit together or not at
  // all, so no reader can see the group while a write of its is still to
  // fail (a snapshot written after the records were published could fail
  // once readers had acted on them with the log still reported healthy).
  const bool snapshot = last >= next_seq_ && SnapshotDue(last, bytes_since_snapshot_ + appended_bytes);
  uint64_t snapshot_bytes = 0;
  if (snapshot) {
    std::vector<const log::v1::LogRecord*> records;
    for (Writer* w : group) {
      if (w->repeat) continue;
      for (const log::v1::LogRecord& r : *w->records) records.push_back(&r);
    }
    std::string state_bytes;
    {
      absl::MutexLock l(&state_mu_);
      state_bytes = SerializeFolded(state_, records);
    }
    snapshot_bytes = state_bytes.size();
    // Through the write-ahead log like the records, so a kill -9 loses no
    // snapshot of an acknowledged record and Open after it folds fewer than
    // snapshot_every records. The WAL bytes it adds are at most 1/ratio of
    // the records'.
    batch.Put(h->cf[kSnapshots], keys::Seq(last), state_bytes);
  }

  rocksdb::WriteOptions wo;
  wo.sync = options_.durability == Durability::kSyncEachAppend;
  committing_ = true;
  mu_.Unlock();
  rocksdb::Status st = h->db->Write(wo, &batch);
  if (st.ok()) {
    absl::MutexLock l(&state_mu_);
    for (Writer* w : group) {
      if (w->repeat) {
        // The fold ignores counts; the run's cached copy takes the new one.
        const log::v1::LogRecord& run = w->records->front();
        auto it = newest_.find(ClusterKey::From(run.cluster()));
        if (!w->stale && it != newest_.end() && it->second.seq == run.seq() && it->second.run) {
          *it->second.run->mutable_reconcile()->mutable_repeats() = run.reconcile().repeats();
        }
        continue;
      }
      for (log::v1::LogRecord& r : *w->records) {
        if (!r.cluster().name().empty()) {
          NewestOfCluster& newest = newest_[ClusterKey::From(r.cluster())];
          newest.seq = r.seq();
          newest.run.reset();
          if (r.has_reconcile()) newest.run = r;
        }
        // The records are ours now: fold by moving their objects' bytes.
        state_ = Fold(std::move(state_), std::move(r));
      }
    }
    last_seq_ = last;
    appended_.SignalAll();
  }
  mu_.Lock();
  committing_ = false;
  // Nothing of a failed group was published: its appenders fail, and so
  // does every later append until Recover().
  if (!st.ok()) return MarkBroken(FromRocks(st, path_, "appending"));
  next_seq_ = last + 1;
  last_observed_micros_ = observed_floor;
  unsynced_ = true;
  if (snapshot) {
    last_snapshot_seq_ = last;
    last_snapshot_bytes_ = snapshot_bytes;
    bytes_since_snapshot_ = 0;
  } else {
    bytes_since_snapshot_ += appended_bytes;
  }
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
  std::shared_ptr<Handles> h = handles();
  if (h == nullptr) return Reopening();
  // The record and its run's count, as of one moment.
  rocksdb::ManagedSnapshot snapshot(h->db.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  std::string bytes;
  rocksdb::Status st = h->db->Get(ro, h->cf[kRecords], keys::Seq(seq), &bytes);
  if (st.IsNotFound()) return Corrupt(absl::StrCat("record ", seq, " is missing"));
  if (!st.ok()) return FromRocks(st, path_, absl::StrCat("reading record ", seq));
  log::v1::LogRecord r;
  if (!r.ParseFromString(bytes) || r.seq() != seq) {
    return Corrupt(absl::StrCat("record ", seq, " is damaged (does not parse)"));
  }
  if (r.has_reconcile()) {
    st = h->db->Get(ro, h->cf[kMeta], keys::Repeats(seq), &bytes);
    if (!st.ok() && !st.IsNotFound()) {
      return FromRocks(st, path_, absl::StrCat("reading the repeat count of record ", seq));
    }
    if (st.ok() && !ApplyRepeats(bytes, &r)) {
      return Corrupt(absl::StrCat("the repeat count of record ", seq, " is damaged (does not parse)"));
    }
  }
  return r;
}

std::unique_ptr<RecordIterator> EventLog::Read(uint64_t from_seq, uint64_t to_seq) const {
  const uint64_t from = std::max(from_seq, first_seq());
  const uint64_t to = std::min(to_seq, last_seq());
  std::shared_ptr<Handles> h = handles();
  if (h == nullptr) return std::make_unique<FailedRecordIterator>(Reopening());
  return std::make_unique<RocksRecordIterator>(std::move(h), path_, from, to,
                                               /*with_repeats=*/true);
}

absl::StatusOr<std::vector<uint64_t>> EventLog::ScanIndex(
    int cf, const std::string& prefix, const IndexQuery& query) const {
  if (query.from_seq > query.to_seq) {
    return absl::InvalidArgumentError(absl::StrCat(
        "index query: from_seq ", query.from_seq, " is after to_seq ", query.to_seq));
  }
  const uint64_t from = std::max(query.from_seq, first_seq());
  const uint64_t to = std::min(query.to_seq, last_seq());
  std::vector<uint64_t> out;
  if (from > to || query.limit == 0) return out;
  std::shared_ptr<Handles> h = handles();
  if (h == nullptr) return Reopening();
  std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(rocksdb::ReadOptions(), h->cf[cf]));
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
  return ScanIndex(kByObject, keys::ObjectPrefix(id), query);
}

absl::StatusOr<std::vector<uint64_t>> EventLog::SeqsForCluster(
    const ClusterKey& cluster, const IndexQuery& query) const {
  return ScanIndex(kByCluster, keys::ClusterPrefix(cluster), query);
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
  std::shared_ptr<Handles> h = handles();
  if (h == nullptr) return 0;
  uint64_t total = 0;
  for (auto* cf : h->cf) {
    uint64_t v = 0;
    if (h->db->GetIntProperty(cf, "rocksdb.total-sst-files-size", &v)) total += v;
    // Snapshots' values are in blob files (see OpenDatabase).
    if (h->db->GetIntProperty(cf, "rocksdb.total-blob-file-size", &v)) total += v;
    if (h->db->GetIntProperty(cf, "rocksdb.cur-size-all-mem-tables", &v)) total += v;
  }
  return total;
}

}  // namespace doris_operator::store
