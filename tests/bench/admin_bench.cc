// admin_bench: the admin API's costs on a large log.
//
//   bazel run -c opt //tests/bench:admin_bench -- [--records=1000000] [--dir=/tmp/x]
//
// Fills a log with 50 DorisClusters' history (1 KB watch events of their
// StatefulSets and pods, a reconcile record every 20 records of a cluster
// with real per-object desired hashes, the DorisCluster edited every 10,000
// records), then measures History pages, ListReconciles pages, Replay at
// random points (plain and what-if) and Tail over a real gRPC channel.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "nlohmann/json.hpp"
#include "operator/admin/server.h"
#include "operator/admin/service.h"
#include "operator/reconcile/inputs.h"
#include "proto/admin.grpc.pb.h"
#include "store/event_log.h"
#include "translator/canonical_json.h"
#include "translator/model_json.h"
#include "translator/translator.h"

namespace doris_operator::admin {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr int kClusters = 50;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Percentiles {
  double p50, p99;
};

Percentiles Of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)]};
}

json Cluster(int c, int generation) {
  return {{"apiVersion", "doris.selectdb.com/v1"},
          {"kind", "DorisCluster"},
          {"metadata", {{"name", absl::StrCat("dc-", c)}, {"namespace", "prod"},
                        {"generation", generation}}},
          {"spec",
           {{"feSpec", {{"image", absl::StrCat("fe:", generation)}, {"replicas", 3}}},
            {"beSpec", {{"image", absl::StrCat("be:", generation)}, {"replicas", 3}}}}}};
}

log::v1::LogRecord ClusterRecord(int c, int generation) {
  log::v1::LogRecord r;
  r.mutable_cluster()->set_namespace_("prod");
  r.mutable_cluster()->set_name(absl::StrCat("dc-", c));
  auto* w = r.mutable_watch();
  w->set_type(generation == 1 ? log::v1::ADDED : log::v1::MODIFIED);
  w->mutable_object()->set_api_version("doris.selectdb.com/v1");
  w->mutable_object()->set_kind("DorisCluster");
  w->mutable_object()->set_namespace_("prod");
  w->mutable_object()->set_name(absl::StrCat("dc-", c));
  w->set_resource_version(absl::StrCat(generation));
  w->set_stream("doris.selectdb.com/v1/dorisclusters");
  w->set_object_json(translator::Canonical(Cluster(c, generation)));
  return r;
}

log::v1::ReconcileRecord ReconcileOf(int c, int generation, uint64_t trigger) {
  log::v1::ReconcileRecord rec;
  auto parsed = translator::ModelFromJson(Cluster(c, generation));
  auto desired = translator::Translate(parsed.cluster, {});
  rec.set_trigger_seq_begin(trigger);
  rec.set_trigger_seq_end(trigger);
  if (desired.ok()) {
    rec.set_desired_set_hash(desired->hash);
    reconcile::RecordDesiredObjects(*desired, &rec);
  }
  for (int i = 0; i < 3; ++i) {
    auto* a = rec.add_actions();
    a->set_verb("apply");
    a->mutable_object()->set_kind("StatefulSet");
    a->mutable_object()->set_name(absl::StrCat("dc-", c, "-be"));
    a->set_ok(true);
    a->set_caused_by_seq(trigger);
  }
  rec.set_outcome(log::v1::ReconcileRecord::APPLIED);
  rec.set_duration_micros(1500);
  return rec;
}

void Fill(store::EventLog* log, uint64_t n) {
  std::mt19937_64 rng(7);
  const char* hex = "0123456789abcdef";
  std::vector<int> generation(kClusters, 1);
  std::vector<uint64_t> per_cluster(kClusters, 0);
  std::vector<log::v1::LogRecord> batch;
  const auto start = Clock::now();
  uint64_t appended = 0;
  auto flush = [&] {
    auto r = log->Append(std::move(batch));
    if (!r.ok()) {
      std::fprintf(stderr, "append: %s\n", std::string(r.status().message()).c_str());
      std::exit(1);
    }
    appended = r->last_seq;
    batch.clear();
  };
  for (int c = 0; c < kClusters; ++c) batch.push_back(ClusterRecord(c, 1));
  flush();
  while (appended + batch.size() < n) {
    const uint64_t i = appended + batch.size() + 1;
    const int c = static_cast<int>(rng() % kClusters);
    ++per_cluster[c];
    log::v1::LogRecord r;
    if (per_cluster[c] % 10000 == 0) {
      r = ClusterRecord(c, ++generation[c]);
    } else if (per_cluster[c] % 20 == 0) {
      r.mutable_cluster()->set_namespace_("prod");
      r.mutable_cluster()->set_name(absl::StrCat("dc-", c));
      *r.mutable_reconcile() = ReconcileOf(c, generation[c], i - 1);
    } else {
      const int object = static_cast<int>(rng() % 20);
      r.mutable_cluster()->set_namespace_("prod");
      r.mutable_cluster()->set_name(absl::StrCat("dc-", c));
      auto* w = r.mutable_watch();
      w->set_type(log::v1::MODIFIED);
      w->mutable_object()->set_api_version(object < 2 ? "apps/v1" : "v1");
      w->mutable_object()->set_kind(object < 2 ? "StatefulSet" : "Pod");
      w->mutable_object()->set_namespace_("prod");
      w->mutable_object()->set_name(absl::StrCat("dc-", c, object < 2 ? "-sts-" : "-pod-", object));
      w->set_resource_version(absl::StrCat(i));
      w->set_stream(object < 2 ? "apps/v1/statefulsets" : "v1/pods");
      std::string body = absl::StrCat("{\"kind\":\"Pod\",\"status\":\"");
      while (body.size() < 1000) body.push_back(hex[rng() % 16]);
      body += "\"}";
      w->set_object_json(body);
    }
    r.mutable_observed_at()->set_seconds(1700000000 + static_cast<int64_t>(i / 10));
    batch.push_back(std::move(r));
    if (batch.size() == 1000) flush();
  }
  if (!batch.empty()) flush();
  std::printf("filled %llu records in %.1f s\n", static_cast<unsigned long long>(appended),
              Ms(start, Clock::now()) / 1000);
}

int Main(int argc, char** argv) {
  uint64_t records = 1000000;
  std::string dir = "/tmp/admin_bench";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--records=", 0) == 0) absl::SimpleAtoi(a.substr(10), &records);
    if (a.rfind("--dir=", 0) == 0) dir = a.substr(6);
  }
  fs::remove_all(dir);
  auto log = store::EventLog::Open(dir, {});
  if (!log.ok()) return 1;
  Fill(log->get(), records);
  const uint64_t last = (*log)->last_seq();
  AdminService service(log->get());
  std::mt19937_64 rng(11);

  std::vector<double> history;
  for (int i = 0; i < 1000; ++i) {
    v1::HistoryRequest req;
    req.mutable_cluster()->set_namespace_("prod");
    req.mutable_cluster()->set_name(absl::StrCat("dc-", rng() % kClusters));
    req.mutable_range()->set_to_seq(1 + rng() % last);  // a page somewhere in the past
    req.set_page_size(100);
    const auto t0 = Clock::now();
    auto r = service.History(req);
    history.push_back(Ms(t0, Clock::now()));
    if (!r.ok()) {
      std::fprintf(stderr, "history: %s\n", std::string(r.status().message()).c_str());
      return 1;
    }
  }
  std::vector<double> list;
  for (int i = 0; i < 300; ++i) {
    v1::ListReconcilesRequest req;
    req.mutable_cluster()->set_namespace_("prod");
    req.mutable_cluster()->set_name(absl::StrCat("dc-", rng() % kClusters));
    req.mutable_range()->set_to_seq(1 + rng() % last);
    req.set_page_size(20);
    const auto t0 = Clock::now();
    auto r = service.ListReconciles(req);
    list.push_back(Ms(t0, Clock::now()));
    if (!r.ok()) return 1;
  }
  std::vector<double> replay, what_if;
  for (int i = 0; i < 300; ++i) {
    v1::ReplayRequest req;
    req.mutable_cluster()->set_namespace_("prod");
    req.mutable_cluster()->set_name(absl::StrCat("dc-", rng() % kClusters));
    req.set_at_seq(kClusters + rng() % (last - kClusters));
    auto t0 = Clock::now();
    auto r = service.Replay(req);
    replay.push_back(Ms(t0, Clock::now()));
    if (!r.ok() || r->desired_size() == 0) {
      std::fprintf(stderr, "replay: %s\n", std::string(r.status().message()).c_str());
      return 1;
    }
    req.set_what_if(true);
    t0 = Clock::now();
    r = service.Replay(req);
    what_if.push_back(Ms(t0, Clock::now()));
    if (!r.ok()) return 1;
  }

  // Tail over gRPC on loopback: every record of the log, with objects.
  AdminServerOptions o;
  o.address = "127.0.0.1:0";
  auto server = AdminServer::Start(log->get(), o);
  if (!server.ok()) return 1;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto stub = v1::Admin::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext ctx;
  v1::TailRequest treq;
  treq.set_from_seq(1);
  const auto t0 = Clock::now();
  auto reader = stub->Tail(&ctx, treq);
  v1::TailResponse piece;
  uint64_t got = 0;
  while (reader->Read(&piece)) {
    got += piece.records_size();
    if (piece.through_seq() >= last) break;
  }
  const double tail_ms = Ms(t0, Clock::now());
  ctx.TryCancel();
  reader->Finish();
  (*server)->Shutdown();

  const Percentiles h = Of(history), l = Of(list), r = Of(replay), w = Of(what_if);
  std::printf("log: %llu records, %.0f MB\n", static_cast<unsigned long long>(last),
              (*log)->ApproximateBytes() / 1e6);
  std::printf("History page of 100, one cluster:        p50 %.2f ms  p99 %.2f ms\n", h.p50, h.p99);
  std::printf("ListReconciles page of 20, one cluster:  p50 %.2f ms  p99 %.2f ms\n", l.p50, l.p99);
  std::printf("Replay at a random seq:                  p50 %.2f ms  p99 %.2f ms\n", r.p50, r.p99);
  std::printf("Replay what-if at a random seq:          p50 %.2f ms  p99 %.2f ms\n", w.p50, w.p99);
  std::printf("Tail over gRPC (loopback), from seq 1:   %llu records in %.2f s = %.0f records/s\n",
              static_cast<unsigned long long>(got), tail_ms / 1000, got / (tail_ms / 1000));
  (*log)->Close();
  fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace doris_operator::admin

int main(int argc, char** argv) { return doris_operator::admin::Main(argc, argv); }
