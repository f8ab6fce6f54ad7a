// Fuzzes what the event log reads back from disk (store/): one record or
// one snapshot of a small log is replaced by the input's bytes (or deleted),
// with RocksDB directly, as damage would leave it; then the log is opened
// and read every way it can be.
//
// Input: byte 0 even = damage a record, odd = a snapshot; byte 1 picks which
// (records 1..10, snapshots 4 and 8); the rest is the new value (empty:
// the key is deleted).
//
// Properties: nothing crashes; every error names the damaged sequence number;
// a record read back is the one written, or exactly what the damaged bytes
// say when they still parse as that record; every folded state is the fold
// of the records as they now read (through the damaged one or from a
// snapshot taken before the damage), never anything else; a snapshot that
// does not parse or holds another record's state is reported, not trusted.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "proto/log.pb.h"
#include "rocksdb/db.h"
#include "store/event_log.h"
#include "store/fold.h"
#include "store/keys.h"
#include "store/state.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/store/test_records.h"

namespace {

namespace fs = std::filesystem;
namespace store = doris_operator::store;
namespace logpb = doris_operator::log::v1;

constexpr uint64_t kRecords = 10;
constexpr uint64_t kSnapshotEvery = 4;  // snapshots after records 4 and 8
constexpr int kRecordsCf = 1, kSnapshotsCf = 4;

fs::path Base() {
  const char* tmp = getenv("TEST_TMPDIR");
  if (tmp != nullptr) return tmp;
  return fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::path("/tmp");
}

const std::vector<logpb::LogRecord>& Originals() {
  static const std::vector<logpb::LogRecord> records = [] {
    std::vector<logpb::LogRecord> out(1);  // out[seq]
    for (uint64_t n = 1; n <= kRecords; ++n) {
      logpb::LogRecord r = store::testing::Synthetic(n, 4, 2, 48);
      r.set_seq(n);
      out.push_back(r);
    }
    return out;
  }();
  return records;
}

store::EventLogOptions Options() {
  store::EventLogOptions o;
  o.snapshot_every = kSnapshotEvery;
  o.create_if_missing = false;
  o.durability = store::Durability::kSyncEachAppend;  // no syncer thread
  o.block_cache_bytes = 1 << 20;
  o.records_write_buffer_bytes = 1 << 20;
  return o;
}

// The undamaged log, written once per process.
const fs::path& Template() {
  static const fs::path dir = [] {
    fs::path d = Base() / ("event_log_fuzzer." + std::to_string(getpid()) + ".template");
    fs::remove_all(d);
    store::EventLogOptions o = Options();
    o.create_if_missing = true;
    auto log = store::EventLog::Open(d.string(), o);
    FUZZ_CHECK(log.ok(), "cannot create the template log: " + log.status().ToString());
    for (uint64_t n = 1; n <= kRecords; ++n) {
      logpb::LogRecord r = Originals()[n];
      r.clear_seq();
      FUZZ_CHECK((*log)->Append({r}).ok(), "cannot append to the template log");
    }
    FUZZ_CHECK((*log)->Close().ok(), "cannot close the template log");
    return d;
  }();
  return dir;
}

void Damage(const fs::path& dir, int cf, const std::string& key, const std::optional<std::string>& value) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : {"default", "records", "by_object", "by_cluster", "snapshots"}) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), dir.string(), cfs, &handles, &raw);
  FUZZ_CHECK(s.ok(), "cannot open the copy with RocksDB: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  s = value ? db->Put(rocksdb::WriteOptions(), handles[cf], key, *value)
            : db->Delete(rocksdb::WriteOptions(), handles[cf], key);
  FUZZ_CHECK(s.ok(), "cannot damage the copy: " + s.ToString());
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  FUZZ_CHECK(db->Close().ok(), "cannot close the damaged copy");
}

// Whether `text` holds `seq` as a whole number.
bool NamesSeq(const std::string& text, uint64_t seq) {
  const std::string n = std::to_string(seq);
  for (size_t at = text.find(n); at != std::string::npos; at = text.find(n, at + 1)) {
    const bool digit_before = at > 0 && isdigit(static_cast<unsigned char>(text[at - 1]));
    const size_t end = at + n.size();
    const bool digit_after = end < text.size() && isdigit(static_cast<unsigned char>(text[end]));
    if (!digit_before && !digit_after) return true;
  }
  return false;
}

store::State FoldRange(store::State s, const std::vector<logpb::LogRecord>& records, uint64_t from,
                       uint64_t to) {
  for (uint64_t n = from; n <= to; ++n) s = store::Fold(std::move(s), records[n]);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Damaged strings make protobuf log an error per parse; the checks say
  // what matters.
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  if (size < 2) return 0;
  const bool snapshot = data[0] & 1;
  const uint64_t k = snapshot ? kSnapshotEvery * (1 + data[1] % 2) : 1 + data[1] % kRecords;
  std::optional<std::string> value;
  if (size > 2) value = std::string(reinterpret_cast<const char*>(data) + 2, size - 2);

  const std::vector<logpb::LogRecord>& orig = Originals();
  const fs::path dir = Base() / ("event_log_fuzzer." + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::copy(Template(), dir, fs::copy_options::recursive);
  Damage(dir, snapshot ? kSnapshotsCf : kRecordsCf, store::keys::Seq(k), value);

  // What the damaged key now says, when it still parses as what it was.
  std::vector<logpb::LogRecord> now = orig;
  bool record_readable = true;
  std::optional<store::State> damaged_snapshot;
  if (!snapshot) {
    logpb::LogRecord r;
    record_readable = value && r.ParseFromString(*value) && r.seq() == k;
    if (record_readable) now[k] = r;
  } else if (value) {
    absl::StatusOr<store::State> parsed = store::State::Parse(*value);
    if (parsed.ok() && parsed->last_seq() == k) damaged_snapshot = *std::move(parsed);
  }
  const bool snapshot_trusted = !snapshot || damaged_snapshot.has_value();

  {
    auto log = store::EventLog::Open(dir.string(), Options());
    if (!log.ok()) {
      FUZZ_CHECK(!snapshot, "a damaged snapshot made Open fail: " + log.status().ToString());
      FUZZ_CHECK(NamesSeq(std::string(log.status().message()), k),
                 "Open's error does not name record " + std::to_string(k) + ": " +
                     log.status().ToString());
      fs::remove_all(dir);
      return 0;
    }
    const uint64_t last = (*log)->last_seq();
    FUZZ_CHECK(last == kRecords || (!snapshot && !value && k == kRecords && last == kRecords - 1),
               "the log holds up to " + std::to_string(last));

    for (uint64_t s = 1; s <= kRecords; ++s) {
      absl::StatusOr<logpb::LogRecord> r = (*log)->Get(s);
      if (r.ok()) {
        FUZZ_CHECK(s != k || record_readable, "Get returned damaged record " + std::to_string(s));
        FUZZ_CHECK(r->SerializeAsString() == now[s].SerializeAsString(),
                   "Get(" + std::to_string(s) + ") is not the record stored there");
      } else {
        FUZZ_CHECK(s == k && NamesSeq(std::string(r.status().message()), k),
                   "Get(" + std::to_string(s) + ") failed: " + r.status().ToString());
      }
    }

    // A RecordIterator must not outlive EventLog::Close: Debian's RocksDB
    // asserts that no column family is still referenced when the DB goes.
    {
    uint64_t expect = 1;
    auto it = (*log)->Read(1);
    for (; it->Valid(); it->Next(), ++expect) {
      FUZZ_CHECK(it->record().seq() == expect, "Read skipped to record " +
                                                   std::to_string(it->record().seq()));
      FUZZ_CHECK(it->record().SerializeAsString() == now[expect].SerializeAsString(),
                 "Read gave another record " + std::to_string(expect));
    }
    if (!it->status().ok()) {
      FUZZ_CHECK(expect == k && NamesSeq(std::string(it->status().message()), k),
                 "Read stopped at " + std::to_string(expect) + ": " + it->status().ToString());
    } else {
      FUZZ_CHECK(expect == last + 1, "Read ended early at " + std::to_string(expect));
    }
    }

    for (uint64_t s = 0; s <= last; ++s) {
      absl::StatusOr<store::State> got = (*log)->StateAt(s);
      if (!got.ok()) {
        FUZZ_CHECK(!snapshot && s >= k && NamesSeq(std::string(got.status().message()), k),
                   "StateAt(" + std::to_string(s) + ") failed: " + got.status().ToString());
        continue;
      }
      // Folded through the records as they read now, or from a snapshot
      // taken before the damage, or from the damaged snapshot as it reads.
      bool explained = *got == FoldRange(store::State(), now, 1, s) ||
                       *got == FoldRange(store::State(), orig, 1, s);
      if (!explained && damaged_snapshot && s >= k) {
        explained = *got == FoldRange(*damaged_snapshot, orig, k + 1, s);
      }
      FUZZ_CHECK(explained, "StateAt(" + std::to_string(s) + ") is no fold of the records");
      if (snapshot && !snapshot_trusted) {
        FUZZ_CHECK(*got == FoldRange(store::State(), orig, 1, s),
                   "a damaged snapshot was trusted at " + std::to_string(s));
      }
    }
    if (snapshot && value && !snapshot_trusted) {
      bool reported = false;
      for (const store::DamagedSnapshot& d : (*log)->damaged_snapshots()) {
        reported |= d.seq == k && !d.problem.empty();
      }
      // Only a fold that passes over the snapshot finds it: Open folds from
      // the newest (8); StateAt(4..7) from 4.
      FUZZ_CHECK(reported, "damaged snapshot " + std::to_string(k) + " was not reported");
    }
    FUZZ_CHECK((*log)->Close().ok(), "Close failed");
  }
  fs::remove_all(dir);
  return 0;
}
