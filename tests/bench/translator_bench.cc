// translator_bench: DorisClusters translated per second on one core (3 FE,
// 3 BE, 2 CN, 1 broker each) and bytes allocated per translation.
//
//   bazel run -c opt //tests/bench:translator_bench

#include <atomic>
#include <cstdlib>
#include <new>

#include "benchmark/benchmark.h"
#include "translator/model_json.h"
#include "translator/translator.h"

namespace {

std::atomic<uint64_t> g_bytes{0};
std::atomic<uint64_t> g_allocs{0};

}  // namespace

// Counts every C++ allocation in the process (the translator allocates only
// through new: nlohmann::json, std::string, protobuf).
void* operator new(size_t n) {
  g_bytes.fetch_add(n, std::memory_order_relaxed);
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace doris_operator::translator {
namespace {

model::v1::DorisCluster Sample() {
  nlohmann::json j = nlohmann::json::parse(R"({
    "apiVersion": "doris.selectdb.com/v1", "kind": "DorisCluster",
    "metadata": {"name": "bench", "namespace": "prod", "uid": "u"},
    "spec": {
      "authSecret": "doris-admin",
      "feSpec": {"replicas": 3, "image": "apache/doris:fe-2.1.8",
                 "configMapInfo": {"configMapName": "fe-conf"},
                 "requests": {"cpu": 4, "memory": "8Gi"}, "limits": {"cpu": 4, "memory": "8Gi"},
                 "persistentVolumes": [{"name": "meta", "mountPath": "/opt/apache-doris/fe/doris-meta",
                   "persistentVolumeClaimSpec": {"accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": "100Gi"}}}}]},
      "beSpec": {"replicas": 3, "image": "apache/doris:be-2.1.8",
                 "configMapInfo": {"configMapName": "be-conf"},
                 "persistentVolumes": [{"name": "storage",
                   "persistentVolumeClaimSpec": {"accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": "500Gi"}}}}]},
      "cnSpec": {"replicas": 2, "image": "apache/doris:be-2.1.8"},
      "brokerSpec": {"replicas": 1, "image": "apache/doris:broker-2.1.8"}
    }})");
  return ModelFromJson(j).cluster;
}

TranslateInputs Inputs() {
  TranslateInputs in;
  in.config_maps["fe-conf"]["fe.conf"] = "query_port = 9030\nhttp_port = 8030\nenable_fqdn_mode = true\n";
  in.config_maps["be-conf"]["be.conf"] =
      "storage_root_path = /opt/apache-doris/be/storage/a;/opt/apache-doris/be/storage/b\n";
  return in;
}

void BM_Translate(benchmark::State& state) {
  const model::v1::DorisCluster cluster = Sample();
  const TranslateInputs in = Inputs();
  const uint64_t bytes0 = g_bytes.load(), allocs0 = g_allocs.load();
  size_t objects = 0;
  for (auto _ : state) {
    absl::StatusOr<DesiredSet> set = Translate(cluster, in);
    if (!set.ok()) state.SkipWithError("translate failed");
    objects = set->objects.size();
    benchmark::DoNotOptimize(set);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["clusters/s"] = benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
  state.counters["bytes_alloc/cluster"] =
      static_cast<double>(g_bytes.load() - bytes0) / state.iterations();
  state.counters["allocs/cluster"] = static_cast<double>(g_allocs.load() - allocs0) / state.iterations();
  state.counters["objects"] = objects;
}
BENCHMARK(BM_Translate)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace doris_operator::translator

BENCHMARK_MAIN();
