#ifndef DORIS_OPERATOR_TESTS_BENCH_HISTORY_RECORDS_H_
#define DORIS_OPERATOR_TESTS_BENCH_HISTORY_RECORDS_H_

// The records history_bench appends for one simulated DorisCluster (1 FE +
// 3 BE pods, a BE StatefulSet, a ConfigMap): watch events with objects of
// the size and shape the watchers log, and reconcile records as the
// reconciler writes them. Deterministic for a given sequence of calls.

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "proto/log.pb.h"

namespace doris_operator::bench {

// What the schedule changes about one cluster; the records are made from it.
struct ClusterSim {
  int index = 0;
  std::string name;
  absl::Time created;
  int generation = 1;
  int replicas = 3;
  int config_rev = 1;
  int restarted = 0;
  int partition = 0;
  int input = 0;    // bumped by every watch record of the cluster
  int desired = 0;  // bumped by every change of what the translator makes
  int ready = 3;
  std::vector<int> restarts = std::vector<int>(8, 0);
  std::string phase = "available";
};

class Sim {
 public:
  log::v1::LogRecord Pod(ClusterSim& c, absl::Time now, int ordinal, bool ready,
                         log::v1::WatchEventType type = log::v1::MODIFIED);

  log::v1::LogRecord Sts(ClusterSim& c, absl::Time now);

  log::v1::LogRecord Dcr(ClusterSim& c, absl::Time now);

  log::v1::LogRecord ConfigMap(ClusterSim& c, absl::Time now);

  // A reconcile record as the reconciler writes it: hashes of its input and
  // output, the translator's objects by hash, its decisions and actions.
  log::v1::LogRecord Reconcile(const ClusterSim& c, absl::Time now,
                               log::v1::ReconcileRecord::Outcome outcome,
                               const std::vector<std::string>& actions, uint64_t last_seq);

  std::mt19937_64& rng() { return rng_; }

 private:
  std::string Fill(const char* templ, const ClusterSim& c, absl::Time now,
                   std::vector<std::pair<std::string, std::string>> extra);

  log::v1::LogRecord Watch(ClusterSim& c, absl::Time now, log::v1::WatchEventType type,
                           const std::string& api_version, const std::string& kind,
                           const std::string& name, const std::string& stream, std::string json);

  uint64_t rv_ = 1000;
  std::mt19937_64 rng_{7};
};

}  // namespace doris_operator::bench

#endif  // DORIS_OPERATOR_TESTS_BENCH_HISTORY_RECORDS_H_
