// restart_bench: how long an operator restarted on a large event log takes
// to be ready to reconcile, and the memory that takes.
//
//   bazel run -c opt //tests/bench:restart_bench -- [--records=1000000] [--dir=/tmp/x]
//
// Fills a log (the operator's log options: 16 MB memtables, 32 MB cache)
// with 1,000 DorisClusters' history: each cluster's DorisCluster, 2
// StatefulSets and 10 pods (12,000 live objects), ~1 KB watch events of
// those objects and a reconcile record every 20 of a cluster's records.
// Then restarts it 5 times, each in a fresh process: Open, the START record
// main() appends, and what the controller does before its watches start
// (every cluster's objects read and its DorisCluster parsed into inputs, as
// Controller::RebuildReferences does). Prints each restart's time, the p50,
// the process's peak RSS (getrusage of the child) and what Open folded.
// Then the same after a crash (the child appends 20,000 records and exits
// without closing the log, as kill -9 would).

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "operator/reconcile/inputs.h"
#include "store/event_log.h"

namespace doris_operator {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kClusters = 1000;
constexpr int kPods = 10;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

store::EventLogOptions OperatorOptions() {
  // As operator/main.cc opens it.
  store::EventLogOptions o;
  o.records_write_buffer_bytes = 16 << 20;
  o.block_cache_bytes = 32 << 20;
  return o;
}

std::string ClusterName(int c) { return absl::StrCat("dc-", c); }

log::v1::LogRecord Watch(int c, const std::string& api_version, const std::string& kind,
                         const std::string& name, const std::string& json, uint64_t rv) {
  log::v1::LogRecord r;
  r.mutable_cluster()->set_namespace_("prod");
  r.mutable_cluster()->set_name(ClusterName(c));
  auto* w = r.mutable_watch();
  w->set_type(log::v1::MODIFIED);
  w->mutable_object()->set_api_version(api_version);
  w->mutable_object()->set_kind(kind);
  w->mutable_object()->set_namespace_("prod");
  w->mutable_object()->set_name(name);
  w->mutable_object()->set_uid(absl::StrCat("uid-", name));
  w->set_resource_version(absl::StrCat(rv));
  w->set_stream(absl::StrCat(api_version, "/", kind));
  w->set_object_json(json);
  return r;
}

log::v1::LogRecord ClusterRecord(int c, uint64_t rv) {
  const std::string json = absl::StrCat(
      R"({"apiVersion":"doris.selectdb.com/v1","kind":"DorisCluster","metadata":{"generation":)",
      rv, R"(,"name":")", ClusterName(c), R"(","namespace":"prod","uid":"uid-)", ClusterName(c),
      R"("},"spec":{"beSpec":{"image":"apache/doris:be-2.1.7","replicas":3},)"
      R"("feSpec":{"image":"apache/doris:fe-2.1.7","replicas":3}}})");
  return Watch(c, "doris.selectdb.com/v1", "DorisCluster", ClusterName(c), json, rv);
}

log::v1::LogRecord ObjectRecord(int c, int object, uint64_t rv, std::mt19937_64& rng) {
  const bool sts = object < 2;
  const std::string name =
      sts ? absl::StrCat(ClusterName(c), object == 0 ? "-fe" : "-be")
          : absl::StrCat(ClusterName(c), object < 7 ? "-fe-" : "-be-", object % 5);
  std::string json = absl::StrCat(R"({"metadata":{"name":")", name,
                                  R"(","namespace":"prod","labels":{"app.doris.cluster":")",
                                  ClusterName(c), R"("}},"status":{"pad":")");
  static const char* hex = "0123456789abcdef";
  while (json.size() < 1000) json.push_back(hex[rng() % 16]);
  json += R"("}})";
  return Watch(c, sts ? "apps/v1" : "v1", sts ? "StatefulSet" : "Pod", name, json, rv);
}

void Fill(const std::string& dir, uint64_t n) {
  fs::remove_all(dir);
  auto log = store::EventLog::Open(dir, OperatorOptions());
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(log.status().message()).c_str());
    std::exit(1);
  }
  std::mt19937_64 rng(11);
  std::vector<log::v1::LogRecord> batch;
  uint64_t appended = 0;
  auto flush = [&] {
    auto r = (*log)->Append(std::move(batch));
    if (!r.ok()) {
      std::fprintf(stderr, "append: %s\n", std::string(r.status().message()).c_str());
      std::exit(1);
    }
    appended = r->last_seq;
    batch.clear();
  };
  const auto start = Clock::now();
  for (int c = 0; c < kClusters; ++c) {
    batch.push_back(ClusterRecord(c, 1));
    for (int o = 0; o < 2 + kPods; ++o) batch.push_back(ObjectRecord(c, o, 1, rng));
    if (batch.size() >= 500) flush();
  }
  flush();
  std::vector<uint64_t> per_cluster(kClusters, 0);
  while (appended + batch.size() < n) {
    const int c = static_cast<int>(rng() % kClusters);
    const uint64_t rv = appended + batch.size() + 2;
    if (++per_cluster[c] % 20 == 0) {
      log::v1::LogRecord r;
      r.mutable_cluster()->set_namespace_("prod");
      r.mutable_cluster()->set_name(ClusterName(c));
      r.mutable_reconcile()->set_outcome(log::v1::ReconcileRecord::NO_CHANGE);
      r.mutable_reconcile()->set_trigger_seq_begin(rv - 1);
      r.mutable_reconcile()->set_trigger_seq_end(rv - 1);
      batch.push_back(std::move(r));
    } else {
      batch.push_back(ObjectRecord(c, static_cast<int>(rng() % (2 + kPods)), rv, rng));
    }
    if (batch.size() >= 64) flush();
  }
  if (!batch.empty()) flush();
  const auto closing = Clock::now();
  absl::Status closed = (*log)->Close();
  if (!closed.ok()) std::fprintf(stderr, "close: %s\n", std::string(closed.message()).c_str());
  std::printf("filled %llu records in %.1f s (close %.1f s), %.0f MB on disk\n",
              static_cast<unsigned long long>(appended), Ms(start, Clock::now()) / 1000,
              Ms(closing, Clock::now()) / 1000, [&] {
                uint64_t b = 0;
                for (const auto& e : fs::directory_iterator(dir)) b += e.file_size();
                return b / 1e6;
              }());
}

// In the child: what the operator does from start to "ready to reconcile"
// (its watches then resume from the stored cursors). Prints one line.
int Restart(const std::string& dir, uint64_t crash_after) {
  const auto t0 = Clock::now();
  auto log = store::EventLog::Open(dir, OperatorOptions());
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(log.status().message()).c_str());
    return 1;
  }
  const auto opened = Clock::now();
  log::v1::LogRecord start;
  start.mutable_lifecycle()->set_kind(log::v1::Lifecycle::START);
  if (!(*log)->Append({start}).ok()) return 1;
  size_t present = 0, config_maps = 0;
  for (const store::ClusterKey& key : (*log)->CurrentClusters()) {
    const reconcile::ClusterInputs in =
        reconcile::InputsFromObjects(key, (*log)->CurrentObjectsOf(key));
    if (in.present) ++present;
    config_maps += in.config_maps.size();
  }
  const auto ready = Clock::now();
  // CPU to ready, all threads: on a loaded machine the wall time is mostly
  // waiting for a core.
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                        (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  const store::OpenStats stats = (*log)->open_stats();
  std::printf("RESULT ready_ms=%.1f open_ms=%.1f cpu_ms=%.1f clusters=%zu snapshot_seq=%llu "
              "folded=%llu last_seq=%llu\n",
              Ms(t0, ready), Ms(t0, opened), cpu_ms, present,
              static_cast<unsigned long long>(stats.snapshot_seq),
              static_cast<unsigned long long>(stats.records_folded),
              static_cast<unsigned long long>((*log)->last_seq()));
  std::fflush(stdout);
  (void)config_maps;
  if (crash_after > 0) {
    // Then work on and die without closing, as kill -9 would.
    std::mt19937_64 rng(crash_after);
    for (uint64_t i = 0; i < crash_after; i += 64) {
      std::vector<log::v1::LogRecord> batch;
      for (int k = 0; k < 64; ++k) {
        batch.push_back(ObjectRecord(static_cast<int>(rng() % kClusters), k % 12, i + k, rng));
      }
      if (!(*log)->Append(std::move(batch)).ok()) return 1;
    }
    std::fflush(stdout);
    _exit(0);
  }
  return (*log)->Close().ok() ? 0 : 1;
}

struct Run {
  double ready_ms = 0;
  double open_ms = 0;
  double cpu_ms = 0;
  long max_rss_kb = 0;
  std::string line;
};

Run Child(const char* self, const std::string& dir, uint64_t crash_after) {
  int out[2];
  if (pipe(out) != 0) std::exit(1);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    const std::string d = "--dir=" + dir;
    const std::string c = absl::StrCat("--crash-after=", crash_after);
    // This very binary, whatever path it was started by.
    execl("/proc/self/exe", self, "--restart-once", d.c_str(), c.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof(buf))) > 0;) text.append(buf, n);
  close(out[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  Run r;
  r.max_rss_kb = ru.ru_maxrss;
  const size_t at = text.find("RESULT ");
  if (at == std::string::npos || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "restart failed (status %d): %s\n", status, text.c_str());
    std::exit(1);
  }
  r.line = text.substr(at + 7, text.find('\n', at) - at - 7);
  std::sscanf(r.line.c_str(), "ready_ms=%lf open_ms=%lf cpu_ms=%lf", &r.ready_ms, &r.open_ms,
              &r.cpu_ms);
  return r;
}

void Report(const char* what, std::vector<Run> runs) {
  for (const Run& r : runs) std::printf("  %s: %s max_rss=%.0fMB\n", what, r.line.c_str(), r.max_rss_kb / 1024.0);
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.ready_ms < b.ready_ms; });
  long rss = 0;
  for (const Run& r : runs) rss = std::max(rss, r.max_rss_kb);
  std::vector<double> cpu;
  for (const Run& r : runs) cpu.push_back(r.cpu_ms);
  std::sort(cpu.begin(), cpu.end());
  std::printf("%s: restart to ready p50 %.0f ms (min %.0f, max %.0f) over %zu restarts; "
              "CPU to ready p50 %.0f ms (min %.0f, max %.0f); peak RSS %.0f MB\n",
              what, runs[runs.size() / 2].ready_ms, runs.front().ready_ms, runs.back().ready_ms,
              runs.size(), cpu[cpu.size() / 2], cpu.front(), cpu.back(), rss / 1024.0);
}

}  // namespace
}  // namespace doris_operator

int main(int argc, char** argv) {
  using namespace doris_operator;  // NOLINT
  uint64_t records = 1000000;
  uint64_t crash_after = 0;
  std::string dir = "/tmp/restart_bench";
  bool once = false, reuse = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--records=", 0) == 0) (void)absl::SimpleAtoi(a.substr(10), &records);
    if (a.rfind("--dir=", 0) == 0) dir = a.substr(6);
    if (a.rfind("--crash-after=", 0) == 0) (void)absl::SimpleAtoi(a.substr(14), &crash_after);
    if (a == "--restart-once") once = true;
    if (a == "--reuse") reuse = true;  // keep the log of an earlier run
  }
  if (once) return Restart(dir, crash_after);
  if (!reuse) Fill(dir, records);
  std::vector<Run> clean;
  for (int i = 0; i < 5; ++i) clean.push_back(Child(argv[0], dir, 0));
  Report("clean restart", clean);
  std::vector<Run> crash;
  for (int i = 0; i < 5; ++i) {
    Child(argv[0], dir, 20000);  // appends 20,000 records and dies unclosed
    crash.push_back(Child(argv[0], dir, 0));
  }
  Report("restart after kill", crash);
  return 0;
}
