// store_bench: the event log's costs, measured side by side in one run.
//
//   bazel run -c opt //tests/bench:store_bench -- [--records=1000000] [--dir=/tmp/x]
//
// Prints append throughput (group commit, per-append sync) against raw
// RocksDB WriteBatch puts of the same record bytes, StateAt latency at random
// sequence numbers on the full log, and fold throughput on one core.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/write_batch.h"
#include "store/event_log.h"
#include "store/fold.h"
#include "store/keys.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A pool of realistic 2 KB records: ~1,000 objects over 50 clusters, JSON
// bodies of pseudo-random hex (compresses about 2x, like real objects).
std::vector<log::v1::LogRecord> MakePool(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<log::v1::LogRecord> pool;
  pool.reserve(n);
  const char* hex = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    log::v1::LogRecord r;
    const int cluster = static_cast<int>(rng() % 50);
    const int object = static_cast<int>(rng() % 20);
    r.mutable_cluster()->set_namespace_("prod");
    r.mutable_cluster()->set_name(absl::StrCat("doris-", cluster));
    r.mutable_observed_at()->set_seconds(1700000000 + static_cast<int64_t>(i));
    log::v1::WatchEvent* w = r.mutable_watch();
    w->set_type(i % 50 == 49 ? log::v1::DELETED : log::v1::MODIFIED);
    w->mutable_object()->set_api_version(object < 4 ? "apps/v1" : "v1");
    w->mutable_object()->set_kind(object < 4 ? "StatefulSet" : "Pod");
    w->mutable_object()->set_namespace_("prod");
    w->mutable_object()->set_name(absl::StrCat("doris-", cluster, "-obj-", object));
    w->mutable_object()->set_uid(absl::StrCat("uid-", cluster, "-", object));
    w->set_resource_version(absl::StrCat(100000 + i));
    w->set_stream(object < 4 ? "apps/v1/statefulsets" : "v1/pods");
    std::string body = absl::StrCat("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"},\"spec\":\"");
    while (body.size() < 2000) body.push_back(hex[rng() % 16]);
    body += "\"}";
    w->set_object_json(body);
    pool.push_back(std::move(r));
  }
  return pool;
}

struct Rate {
  double records_per_s = 0;
  double mb_per_s = 0;
};

// Index keys are <prefix><seq>; the same memtable insert hint the log uses.
class IndexPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "bench.IndexPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= 8; }
};

// Raw RocksDB: one WriteBatch per record holding the record's bytes, and
// with `with_indexes` also the two index entries the log writes for it (by
// object, by cluster) in their own column families.
Rate RawPuts(const std::string& dir, const std::vector<log::v1::LogRecord>& pool,
             uint64_t count, bool with_indexes) {
  fs::remove_all(dir);
  rocksdb::Options o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.compression = rocksdb::kLZ4Compression;
  o.write_buffer_size = 64 << 20;
  rocksdb::ColumnFamilyOptions index_options(o);
  index_options.write_buffer_size = 16 << 20;
  index_options.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexPrefix>();
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, o},
      {"by_object", index_options},
      {"by_cluster", index_options}};
  std::vector<rocksdb::ColumnFamilyHandle*> h;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(rocksdb::DBOptions(o), dir, cfs, &h, &db).ok()) std::abort();
  std::string bytes;
  uint64_t total = 0;
  const auto t0 = Clock::now();
  for (uint64_t i = 0; i < count; ++i) {
    log::v1::LogRecord r = pool[i % pool.size()];  // same copy the log's caller makes
    r.set_seq(i + 1);
    bytes.clear();
    r.SerializeToString(&bytes);
    rocksdb::WriteBatch b;
    const std::string seq = keys::Seq(i + 1);
    b.Put(h[0], seq, bytes);
    if (with_indexes) {
      b.Put(h[1], keys::ObjectPrefix(ObjectId::From(r.watch().object())) + seq, rocksdb::Slice());
      b.Put(h[2], keys::ClusterPrefix(ClusterKey::From(r.cluster())) + seq, rocksdb::Slice());
    }
    total += bytes.size();
    if (!db->Write(rocksdb::WriteOptions(), &b).ok()) std::abort();
  }
  const double s = Seconds(t0, Clock::now());
  for (auto* cf : h) db->DestroyColumnFamilyHandle(cf);
  delete db;
  return {count / s, total / s / 1e6};
}

Rate LogAppends(EventLog& log, const std::vector<log::v1::LogRecord>& pool,
                uint64_t count, int threads) {
  const uint64_t per = count / threads;
  const auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (uint64_t i = 0; i < per; ++i) {
        std::vector<log::v1::LogRecord> one;
        one.push_back(pool[(t * per + i) % pool.size()]);
        if (!log.Append(std::move(one)).ok()) std::abort();
      }
    });
  }
  for (auto& th : ts) th.join();
  const double s = Seconds(t0, Clock::now());
  const double bytes = static_cast<double>(per * threads) * pool[0].ByteSizeLong();
  return {per * threads / s, bytes / s / 1e6};
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

int Main(int argc, char** argv) {
  uint64_t records = 1000000;
  bool append_only = false;
  std::string dir = (fs::temp_directory_path() / "store_bench").string();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--records=", 0) == 0) {
      if (!absl::SimpleAtoi(a.substr(10), &records) || records < 20000) {
        std::fprintf(stderr, "--records must be a number >= 20000\n");
        return 2;
      }
    } else if (a == "--append-only") {
      append_only = true;  // for profiling the write path
    } else if (a.rfind("--dir=", 0) == 0) {
      dir = a.substr(6);
    } else {
      std::fprintf(stderr, "usage: store_bench [--records=N] [--dir=PATH]\n");
      return 2;
    }
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::vector<log::v1::LogRecord> pool = MakePool(20000);
  std::printf("record size: %zu bytes; log size for StateAt: %llu records\n",
              pool[0].ByteSizeLong(), static_cast<unsigned long long>(records));

  // 1. Append throughput, interleaved rounds so machine noise hits both.
  constexpr int kRounds = 4;
  const uint64_t per_round = 50000;
  std::vector<double> raw_rates, rawidx_rates, log_rates, log4_rates;
  EventLogOptions gc;
  gc.durability = Durability::kGroupCommit;
  auto opened = EventLog::Open(dir + "/log", gc);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", std::string(opened.status().message()).c_str());
    return 1;
  }
  EventLog& log = **opened;
  if (append_only) {
    const Rate r = LogAppends(log, pool, records, 1);
    std::printf("append, EventLog group commit (1 thread): %.0f records/s\n", r.records_per_s);
    return 0;
  }
  // Each round starts from empty databases on both sides, so neither pays
  // for compactions of data the other has not written.
  for (int round = 0; round < kRounds; ++round) {
    raw_rates.push_back(RawPuts(dir + "/raw", pool, per_round, false).records_per_s);
    rawidx_rates.push_back(RawPuts(dir + "/raw", pool, per_round, true).records_per_s);
    for (int threads : {1, 4}) {
      fs::remove_all(dir + "/round");
      auto fresh = EventLog::Open(dir + "/round", gc);
      if (!fresh.ok()) return 1;
      const Rate r = LogAppends(**fresh, pool, per_round, threads);
      (threads == 1 ? log_rates : log4_rates).push_back(r.records_per_s);
    }
  }
  const double raw = Percentile(raw_rates, 0.5), rawidx = Percentile(rawidx_rates, 0.5),
               one = Percentile(log_rates, 0.5), four = Percentile(log4_rates, 0.5);
  std::printf("(medians of %d interleaved rounds of %llu records; ratios: x raw records-only, "
              "x raw with the same index entries)\n",
              kRounds, static_cast<unsigned long long>(per_round));
  std::printf("append, raw RocksDB puts, records only:          %9.0f records/s\n", raw);
  std::printf("append, raw RocksDB puts, records + 2 index keys:%9.0f records/s  = %.2fx\n",
              rawidx, rawidx / raw);
  std::printf("append, EventLog group commit (1 thread):        %9.0f records/s  = %.2fx  %.2fx\n",
              one, one / raw, one / rawidx);
  std::printf("append, EventLog group commit (4 threads):       %9.0f records/s  = %.2fx  %.2fx\n",
              four, four / raw, four / rawidx);

  {
    EventLogOptions so;
    so.durability = Durability::kSyncEachAppend;
    auto sync_log = EventLog::Open(dir + "/sync", so);
    if (!sync_log.ok()) return 1;
    const Rate s1 = LogAppends(**sync_log, pool, 2000, 1);
    const Rate s4 = LogAppends(**sync_log, pool, 4000, 4);
    std::printf("append, EventLog sync each append (1 thread):    %9.0f records/s  = %.3fx\n",
                s1.records_per_s, s1.records_per_s / raw);
    std::printf("append, EventLog sync each append (4 threads):   %9.0f records/s  = %.3fx\n",
                s4.records_per_s, s4.records_per_s / raw);
  }

  // 2. Fill to `records`, then StateAt at random sequence numbers.
  {
    const auto t0 = Clock::now();
    std::vector<log::v1::LogRecord> batch;
    for (uint64_t n = log.last_seq(); n < records; ++n) {
      batch.push_back(pool[n % pool.size()]);
      if (batch.size() == 256 || n + 1 == records) {
        if (!log.Append(std::exchange(batch, {})).ok()) return 1;
      }
    }
    std::printf("filled log to %llu records in %.1f s (%llu MB on disk)\n",
                static_cast<unsigned long long>(log.last_seq()), Seconds(t0, Clock::now()),
                static_cast<unsigned long long>(log.ApproximateBytes() >> 20));
  }
  std::mt19937_64 rng(7);
  std::vector<double> ms;
  size_t objects = 0;
  for (int i = 0; i < 300; ++i) {
    const uint64_t seq = 1 + rng() % log.last_seq();
    const auto t0 = Clock::now();
    absl::StatusOr<State> s = log.StateAt(seq);
    ms.push_back(Seconds(t0, Clock::now()) * 1e3);
    if (!s.ok()) return 1;
    objects = s->object_count();
  }
  std::printf("StateAt(random seq), %d calls, snapshot every %llu: p50 %.2f ms, p99 %.2f ms "
              "(state of %zu objects)\n",
              300, static_cast<unsigned long long>(gc.snapshot_every), Percentile(ms, 0.5),
              Percentile(ms, 0.99), objects);

  // 3. Fold throughput on one core, over parsed records.
  {
    std::vector<log::v1::LogRecord> recs = pool;
    for (size_t i = 0; i < recs.size(); ++i) recs[i].set_seq(i + 1);
    double best = 0;
    for (int round = 0; round < 5; ++round) {
      State s;
      const auto t0 = Clock::now();
      for (const auto& r : recs) s = Fold(std::move(s), r);
      best = std::max(best, recs.size() / Seconds(t0, Clock::now()));
    }
    std::printf("fold, parsed records (1 core):                   %9.0f records/s\n", best);
    // Including reading and parsing from the log.
    const auto t0 = Clock::now();
    State s;
    uint64_t n = 0;
    for (auto it = log.Read(1, 200000); it->Valid(); it->Next(), ++n) {
      s = Fold(std::move(s), it->record());
    }
    std::printf("fold, read + parse + fold from the log (1 core): %9.0f records/s\n",
                n / Seconds(t0, Clock::now()));
  }
  log.Close().IgnoreError();
  fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace doris_operator::store

int main(int argc, char** argv) { return doris_operator::store::Main(argc, argv); }
