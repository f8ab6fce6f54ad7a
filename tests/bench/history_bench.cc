// history_bench: a month of realistic churn for many DorisClusters through the
// real EventLog, with retention at the operator's defaults, twice in one run:
// every reconcile appended (as before coalescing) and repeats counted on one
// record (EventLog::AppendReconcile). Time is simulated (records carry the
// simulated clock, retention is given it); nothing sleeps.
//
//   bazel run -c opt //tests/bench:history_bench -- [--clusters=1000] [--days=30]
//       [--dir=/tmp/history_bench] [--only=both|plain|coalesced]
//       [--snapshots=new|old|both] [--snapshot_every=N]
//
// --snapshots=old runs the snapshot policy before bytes spacing (one every
// --snapshot_every records, default 2,048; no thinning) in the same binary,
// "both" runs each log under both policies, one after the other. Each log is
// simulated in a child process, so its peak RSS is its own.
//
// Churn per cluster (1 FE + 3 BE pods, 2 StatefulSets, a ConfigMap):
//  - a resync reconcile every 10 min; 12 pod status updates a day;
//  - 2 pod restarts a day (not ready for 60 s, polled every 2 s);
//  - a daily ConfigMap change rolling the 3 BE pods (90 s each, polled);
//  - a weekly scale-out, and a scale-in 3 days later whose decommission
//    takes 10 min (polled);
//  - one rollout per 100 clusters stuck for a day (a pod that never becomes
//    ready, polled every 2 s: 43,200 polls).
// Prints, per log: bytes on disk (files in its directory), records kept,
// reconciles they stand for, the oldest time kept, records dropped by
// retention, and wall time.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "operator/log_retention.h"
#include "rocksdb/db.h"
#include "store/coalesce.h"
#include "store/event_log.h"
#include "tests/bench/history_records.h"

namespace doris_operator {
namespace {

namespace fs = std::filesystem;
using log::v1::LogRecord;
using log::v1::ReconcileRecord;
using bench::ClusterSim;
using bench::Sim;

// ---- The schedule: what happens to each cluster when ------------------------------

enum class Step {
  kResync, kStatus, kRestartDown, kRestartUp, kConfigChange, kRollPod, kScaleOut, kScaleOutUp,
  kScaleIn, kScaleInDone, kStuckStart, kStuckEnd, kPoll
};

struct Event {
  absl::Time at;
  int cluster;
  Step step;
  int arg = 0;
  absl::Time until;  // for kPoll: poll every 2 s until then
  bool operator>(const Event& o) const {
    if (at != o.at) return at > o.at;
    return cluster > o.cluster;
  }
};

struct Options {
  int clusters = 1000;
  int days = 30;
  std::string dir = "/tmp/history_bench";
  uint64_t snapshot_every = 0;  // 0: the policy's default
  std::string only = "both";
  std::string snapshots = "new";
};

struct LogUnderTest {
  std::string name;
  bool coalesce = false;
  bool old_snapshots = false;  // every snapshot_every records, never thinned
  std::unique_ptr<store::EventLog> log;
  std::unique_ptr<LogRetention> retention;
  std::set<std::string> stuck;  // clusters with a stuck rollout
  uint64_t appended = 0;  // records appended
  uint64_t reconciles = 0;
  absl::Time sim_now;
  double wall_seconds = 0;
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

struct SnapshotBytes {
  uint64_t count = 0;
  uint64_t sst_bytes = 0;          // the snapshots family's table files
  uint64_t records_sst_bytes = 0;  // the records family's
  uint64_t all_sst_bytes = 0;
};

// Opens the closed log read-only with RocksDB itself: how many snapshots it
// keeps and the bytes of each family's table files.
SnapshotBytes CountSnapshots(const std::string& path) {
  SnapshotBytes out;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok()) return out;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const std::string& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, cfs, &handles, &db).ok()) {
    return out;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    uint64_t v = 0;
    db->GetIntProperty(handles[i], "rocksdb.total-sst-files-size", &v);
    uint64_t blob = 0;  // snapshots' values are in blob files
    db->GetIntProperty(handles[i], "rocksdb.total-blob-file-size", &blob);
    v += blob;
    out.all_sst_bytes += v;
    if (names[i] == "records") out.records_sst_bytes = v;
    if (names[i] != "snapshots") continue;
    out.sst_bytes = v;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++out.count;
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  delete db;
  return out;
}

// Feeds one log the whole month.
void Simulate(const Options& o, LogUnderTest& t) {
  const absl::Time start = absl::FromUnixSeconds(1780000000);
  t.sim_now = start;
  Sim sim;
  std::vector<ClusterSim> clusters(o.clusters);
  std::mt19937_64 plan(20261130);
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue;
  for (int i = 0; i < o.clusters; ++i) {
    clusters[i].index = i;
    clusters[i].name = absl::StrCat("doris-", i);
    clusters[i].created = start - absl::Hours(24 * 90);
    const absl::Time offset = start + absl::Seconds(plan() % 600);
    queue.push({offset, i, Step::kResync});
    for (int d = 0; d < o.days; ++d) {
      const absl::Time day = start + absl::Hours(24 * d);
      auto at = [&]() { return day + absl::Seconds(plan() % 86000); };
      for (int k = 0; k < 12; ++k) queue.push({at(), i, Step::kStatus, static_cast<int>(plan() % 3)});
      for (int k = 0; k < 2; ++k) queue.push({at(), i, Step::kRestartDown, static_cast<int>(plan() % 3)});
      queue.push({at(), i, Step::kConfigChange});
      if (d % 7 == i % 7) queue.push({at(), i, Step::kScaleOut});
      if (d % 7 == (i + 3) % 7 && d >= 3) queue.push({at(), i, Step::kScaleIn});
    }
    // One stuck rollout per 100 clusters over the simulated time.
    if (i % 100 == 37 % std::max(1, o.clusters)) {
      t.stuck.insert(clusters[i].name);
      queue.push({start + absl::Hours(24 * (i / 100 % std::max(1, o.days))) + absl::Hours(3), i,
                  Step::kStuckStart});
    }
  }
  const absl::Time end = start + absl::Hours(24 * o.days);
  LogRetentionOptions ro;
  ro.policy.max_age = absl::Hours(24 * 30);   // --log-retention-max-age default
  ro.policy.max_bytes = uint64_t{4} << 30;    // --log-retention-max-bytes default
  ro.interval = absl::Minutes(10);            // --log-retention-interval default
  ro.now = [&t] { return t.sim_now; };
  if (t.old_snapshots) ro.policy.keep_newest_snapshots = 0;
  t.retention = std::make_unique<LogRetention>(t.log.get(), ro);
  absl::Time next_retention_look = start;

  auto append = [&](LogRecord r) {
    absl::StatusOr<store::AppendResult> a = t.log->Append({std::move(r)});
    if (!a.ok()) {
      std::fprintf(stderr, "append: %s\n", a.status().ToString().c_str());
      std::exit(1);
    }
    ++t.appended;
  };
  auto reconcile = [&](ClusterSim& c, absl::Time now, ReconcileRecord::Outcome outcome,
                       std::vector<std::string> actions = {}) {
    LogRecord r = sim.Reconcile(c, now, outcome, actions, t.log->last_seq());
    ++t.reconciles;
    if (!t.coalesce) return append(std::move(r));
    absl::StatusOr<store::ReconcileAppend> a = t.log->AppendReconcile(std::move(r));
    if (!a.ok()) {
      std::fprintf(stderr, "append: %s\n", a.status().ToString().c_str());
      std::exit(1);
    }
    if (!a->coalesced) ++t.appended;
  };
  auto poll = [&](int cluster, absl::Time from, absl::Duration length) {
    queue.push({from + absl::Seconds(2), cluster, Step::kPoll, 0, from + length});
  };

  const auto wall_start = std::chrono::steady_clock::now();
  int last_day = -1;
  while (!queue.empty()) {
    Event e = queue.top();
    queue.pop();
    if (e.at >= end) continue;
    t.sim_now = e.at;
    if (e.at >= next_retention_look) {
      t.retention->MaybeRun();
      next_retention_look = e.at + absl::Minutes(1);
    }
    const int day = static_cast<int>((e.at - start) / absl::Hours(24));
    if (day != last_day) {
      last_day = day;
      std::fprintf(stderr, "[%s] day %d: %llu records, %llu reconciles, %.1f MiB\n", t.name.c_str(),
                   day, static_cast<unsigned long long>(t.log->last_seq()),
                   static_cast<unsigned long long>(t.reconciles),
                   static_cast<double>(t.log->ApproximateBytes()) / (1 << 20));
    }
    ClusterSim& c = clusters[e.cluster];
    const absl::Time now = e.at;
    switch (e.step) {
      case Step::kResync:
        reconcile(c, now, c.phase == "available" ? ReconcileRecord::NO_CHANGE : ReconcileRecord::REQUEUED);
        queue.push({now + absl::Minutes(10), e.cluster, Step::kResync});
        break;
      case Step::kStatus:
        append(sim.Pod(c, now, e.arg, c.ready >= c.replicas || e.arg >= c.ready));
        reconcile(c, now + absl::Milliseconds(20), ReconcileRecord::NO_CHANGE);
        break;
      case Step::kRestartDown:
        ++c.restarts[e.arg];
        --c.ready;
        c.phase = "not available";
        append(sim.Pod(c, now, e.arg, false));
        append(sim.Sts(c, now + absl::Milliseconds(5)));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::REQUEUED, {"update_status"});
        append(sim.Dcr(c, now + absl::Milliseconds(60)));
        reconcile(c, now + absl::Milliseconds(90), ReconcileRecord::REQUEUED);
        poll(e.cluster, now, absl::Seconds(60));
        queue.push({now + absl::Seconds(60), e.cluster, Step::kRestartUp, e.arg});
        break;
      case Step::kRestartUp:
        ++c.ready;
        c.phase = "available";
        append(sim.Pod(c, now, e.arg, true));
        append(sim.Sts(c, now + absl::Milliseconds(5)));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"update_status"});
        append(sim.Dcr(c, now + absl::Milliseconds(60)));
        reconcile(c, now + absl::Milliseconds(90), ReconcileRecord::NO_CHANGE);
        break;
      case Step::kConfigChange:
        ++c.config_rev;
        ++c.restarted;
        ++c.desired;
        append(sim.ConfigMap(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"apply"});
        ++c.generation;
        append(sim.Sts(c, now + absl::Milliseconds(60)));
        queue.push({now + absl::Seconds(1), e.cluster, Step::kRollPod, c.replicas - 1});
        break;
      case Step::kRollPod: {
        // One pod at a time, highest ordinal first: deleted, re-created,
        // scheduled, running, ready; polled in between. arg >= 1000: the
        // pod before this one has just become ready.
        const int p = e.arg % 1000;
        if (e.arg >= 1000) {
          ++c.ready;
          append(sim.Pod(c, now, p + 1, true));
          append(sim.Sts(c, now + absl::Milliseconds(5)));
          reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::REQUEUED);
        }
        c.partition = p;
        --c.ready;
        c.phase = "not available";
        ++c.restarts[p];
        append(sim.Pod(c, now, p, false, log::v1::DELETED));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::REQUEUED, {"update_status"});
        append(sim.Pod(c, now + absl::Seconds(1), p, false, log::v1::ADDED));
        append(sim.Pod(c, now + absl::Seconds(2), p, false));
        append(sim.Sts(c, now + absl::Seconds(2)));
        reconcile(c, now + absl::Seconds(3), ReconcileRecord::REQUEUED);
        poll(e.cluster, now + absl::Seconds(3), absl::Seconds(85));
        const absl::Time ready = now + absl::Seconds(90);
        if (p > 0) {
          queue.push({ready, e.cluster, Step::kRollPod, 1000 + p - 1});
        } else {
          c.partition = 0;
          queue.push({ready, e.cluster, Step::kRestartUp, 0});
        }
        break;
      }
      case Step::kScaleOut:
        ++c.replicas;
        ++c.generation;
        ++c.desired;
        append(sim.Dcr(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"apply"});
        append(sim.Sts(c, now + absl::Milliseconds(60)));
        append(sim.Pod(c, now + absl::Seconds(1), c.replicas - 1, false, log::v1::ADDED));
        append(sim.Pod(c, now + absl::Seconds(3), c.replicas - 1, false));
        reconcile(c, now + absl::Seconds(3), ReconcileRecord::REQUEUED);
        poll(e.cluster, now + absl::Seconds(3), absl::Seconds(57));
        queue.push({now + absl::Seconds(60), e.cluster, Step::kScaleOutUp});
        break;
      case Step::kScaleOutUp:
        ++c.ready;
        append(sim.Pod(c, now, c.replicas - 1, true));
        append(sim.Sts(c, now + absl::Milliseconds(5)));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"doris:add_backend"});
        break;
      case Step::kScaleIn:
        if (c.replicas <= 3) break;
        append(sim.Dcr(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::REQUEUED,
                  {"doris:decommission_backend"});
        reconcile(c, now + absl::Seconds(2), ReconcileRecord::REQUEUED);
        poll(e.cluster, now + absl::Seconds(2), absl::Minutes(10));
        queue.push({now + absl::Minutes(10), e.cluster, Step::kScaleInDone});
        break;
      case Step::kScaleInDone:
        --c.replicas;
        --c.ready;
        ++c.desired;
        ++c.generation;
        reconcile(c, now, ReconcileRecord::APPLIED, {"doris:drop_backend", "apply"});
        append(sim.Sts(c, now + absl::Milliseconds(30)));
        append(sim.Pod(c, now + absl::Seconds(30), c.replicas, false, log::v1::DELETED));
        reconcile(c, now + absl::Seconds(31), ReconcileRecord::NO_CHANGE);
        break;
      case Step::kStuckStart:
        ++c.desired;
        ++c.generation;
        c.partition = c.replicas - 1;
        c.phase = "upgrading";
        append(sim.Dcr(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"apply"});
        append(sim.Sts(c, now + absl::Milliseconds(60)));
        append(sim.Pod(c, now + absl::Seconds(1), c.replicas - 1, false, log::v1::DELETED));
        append(sim.Pod(c, now + absl::Seconds(2), c.replicas - 1, false, log::v1::ADDED));
        append(sim.Pod(c, now + absl::Seconds(5), c.replicas - 1, false));
        reconcile(c, now + absl::Seconds(5), ReconcileRecord::REQUEUED);
        // A pod that never becomes ready: the operator looks every 2 s for
        // a day, until someone reverts the image.
        poll(e.cluster, now + absl::Seconds(5), absl::Hours(24));
        queue.push({now + absl::Hours(24), e.cluster, Step::kStuckEnd});
        break;
      case Step::kStuckEnd:
        --c.desired;
        ++c.generation;
        c.partition = 0;
        c.phase = "available";
        append(sim.Dcr(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"apply"});
        append(sim.Pod(c, now + absl::Seconds(5), c.replicas - 1, true));
        reconcile(c, now + absl::Seconds(6), ReconcileRecord::NO_CHANGE);
        break;
      case Step::kPoll:
        // A requeued look at a cluster that waits: the same input, the same
        // decision, unless something of the cluster was logged meanwhile.
        reconcile(c, now, ReconcileRecord::REQUEUED);
        if (now + absl::Seconds(2) < e.until) {
          queue.push({now + absl::Seconds(2), e.cluster, Step::kPoll, 0, e.until});
        }
        break;
    }
  }
  t.sim_now = end;
  t.retention->RunOnce().IgnoreError();
  t.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
}

void Report(const Options& o, LogUnderTest& t) {
  const uint64_t first = t.log->first_seq(), last = t.log->last_seq();
  uint64_t kept_reconciles = 0, reconcile_records = 0, runs = 0, stuck_records = 0;
  absl::Time oldest = absl::InfiniteFuture();
  for (auto it = t.log->Read(first, last); it->Valid(); it->Next()) {
    const LogRecord& r = it->record();
    if (oldest == absl::InfiniteFuture()) {
      oldest = absl::FromUnixSeconds(r.observed_at().seconds());
    }
    if (t.stuck.count(r.cluster().name())) ++stuck_records;
    if (!r.has_reconcile()) continue;
    ++reconcile_records;
    kept_reconciles += store::ReconcileCount(r.reconcile());
    runs += r.reconcile().has_repeats() ? 1 : 0;
  }
  const uint64_t state_bytes = t.log->CurrentState().Serialize().size();
  t.log->Close().IgnoreError();
  const std::string path = absl::StrCat(o.dir, "/", t.name);
  const uint64_t disk = DirBytes(path);
  const SnapshotBytes snaps = CountSnapshots(path);
  std::printf(
      "%-10s | %9.1f MiB on disk | %10llu records kept (%llu reconcile records, %llu of them runs)"
      " standing for %llu reconciles | oldest kept %.1f days old | %llu records appended, %llu "
      "dropped by retention | state %.1f MiB | %.0f s wall\n",
      t.name.c_str(), static_cast<double>(disk) / (1 << 20),
      static_cast<unsigned long long>(last >= first ? last - first + 1 : 0),
      static_cast<unsigned long long>(reconcile_records), static_cast<unsigned long long>(runs),
      static_cast<unsigned long long>(kept_reconciles),
      oldest == absl::InfiniteFuture() ? 0.0 : absl::ToDoubleHours(t.sim_now - oldest) / 24,
      static_cast<unsigned long long>(t.appended),
      static_cast<unsigned long long>(t.retention->stats().records_dropped.load()),
      static_cast<double>(state_bytes) / (1 << 20), t.wall_seconds);
  std::printf("%-10s | %llu records kept are of the %zu clusters with a stuck rollout (%.1f%%)\n",
              t.name.c_str(), static_cast<unsigned long long>(stuck_records), t.stuck.size(),
              last >= first ? 100.0 * stuck_records / (last - first + 1) : 0.0);
  std::printf("%-10s | %llu snapshots kept, %.1f MiB of table files (of %.1f MiB); "
              "records %.1f MiB\n",
              t.name.c_str(), static_cast<unsigned long long>(snaps.count),
              static_cast<double>(snaps.sst_bytes) / (1 << 20),
              static_cast<double>(snaps.all_sst_bytes) / (1 << 20),
              static_cast<double>(snaps.records_sst_bytes) / (1 << 20));
  std::printf("RESULT %s records=%llu reconciles=%llu bytes=%llu snapshots=%llu "
              "snapshot_bytes=%llu\n",
              t.name.c_str(),
              static_cast<unsigned long long>(last >= first ? last - first + 1 : 0),
              static_cast<unsigned long long>(kept_reconciles),
              static_cast<unsigned long long>(disk),
              static_cast<unsigned long long>(snaps.count),
              static_cast<unsigned long long>(snaps.sst_bytes));
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) -> std::optional<std::string> {
      const std::string prefix = absl::StrCat(flag, "=");
      if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
      return std::nullopt;
    };
    if (auto v = value("--clusters")) {
      if (!absl::SimpleAtoi(*v, &o.clusters) || o.clusters < 1) return 2;
    } else if (auto v = value("--days")) {
      if (!absl::SimpleAtoi(*v, &o.days) || o.days < 1) return 2;
    } else if (auto v = value("--dir")) {
      o.dir = *v;
    } else if (auto v = value("--snapshot_every")) {
      if (!absl::SimpleAtoi(*v, &o.snapshot_every) || o.snapshot_every < 1) return 2;
    } else if (auto v = value("--only")) {
      o.only = *v;
    } else if (auto v = value("--snapshots")) {
      o.snapshots = *v;
      if (o.snapshots != "new" && o.snapshots != "old" && o.snapshots != "both") return 2;
    } else {
      std::fprintf(stderr,
                   "usage: history_bench [--clusters=N] [--days=D] [--dir=PATH] "
                   "[--snapshot_every=N] [--only=both|plain|coalesced] "
                   "[--snapshots=new|old|both]\n");
      return 2;
    }
  }
  std::printf("history_bench: %d clusters, %d simulated days, retention max-age 30d, max-bytes "
              "4GiB, snapshots: %s\n",
              o.clusters, o.days, o.snapshots.c_str());
  std::fflush(stdout);
  for (const bool old_snapshots : {true, false}) {
    if (o.snapshots == (old_snapshots ? "new" : "old")) continue;
    for (const bool coalesce : {false, true}) {
      if (o.only == (coalesce ? "plain" : "coalesced")) continue;
      LogUnderTest t;
      t.name =
          absl::StrCat(coalesce ? "coalesced" : "plain", old_snapshots ? "-old-snapshots" : "");
      t.coalesce = coalesce;
      t.old_snapshots = old_snapshots;
      const std::string path = absl::StrCat(o.dir, "/", t.name);
      fs::remove_all(path);
      fs::create_directories(o.dir);
      store::EventLogOptions lo;
      if (old_snapshots) {
        lo.snapshot_every = o.snapshot_every > 0 ? o.snapshot_every : 2048;
        lo.snapshot_bytes_ratio = 0;
      } else if (o.snapshot_every > 0) {
        lo.snapshot_every = o.snapshot_every;
      }
      std::printf("%-10s | snapshot_every %llu, bytes ratio %.1f, thinning %s\n", t.name.c_str(),
                  static_cast<unsigned long long>(lo.snapshot_every), lo.snapshot_bytes_ratio,
                  old_snapshots ? "off" : "on");
      std::fflush(stdout);
      // One child per log: its peak RSS is its own, not the largest so far.
      const pid_t child = fork();
      if (child < 0) return 1;
      if (child == 0) {
        auto opened = store::EventLog::Open(path, lo);
        if (!opened.ok()) {
          std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
          _exit(1);
        }
        t.log = std::move(*opened);
        Simulate(o, t);
        Report(o, t);
        t.retention.reset();
        t.log.reset();
        _exit(0);
      }
      int status = 0;
      struct rusage usage {};
      if (wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) ||
          WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "%s: the child failed\n", t.name.c_str());
        return 1;
      }
      // CPU, not wall: on a shared machine the wall time is mostly waiting.
      const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
      std::printf("%-10s | peak RSS %.0f MiB, CPU %.1f s (all threads)\n"
                  "RESULT_RSS %s peak_rss_kb=%ld cpu_s=%.1f\n",
                  t.name.c_str(), static_cast<double>(usage.ru_maxrss) / 1024, cpu,
                  t.name.c_str(), usage.ru_maxrss, cpu);
      std::fflush(stdout);
      fs::remove_all(path);
    }
  }
  return 0;
}

}  // namespace
}  // namespace doris_operator

int main(int argc, char** argv) { return doris_operator::Main(argc, argv); }
