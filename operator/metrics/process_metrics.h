#ifndef DORIS_OPERATOR_OPERATOR_METRICS_PROCESS_METRICS_H_
#define DORIS_OPERATOR_OPERATOR_METRICS_PROCESS_METRICS_H_

// The operator process's own series (reconciles, work queue, event log,
// retention, leadership), read at each scrape from the parts that keep
// them as atomics: the reader fills ProcessFigures, this turns them into
// metric families. Names and help as docs/metrics.md has them.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace doris_operator::metrics {

struct ProcessFigures {
  // doris_operator_reconciles_total, by outcome (no_change, applied,
  // requeued, failed, invalid_spec).
  std::map<std::string, int64_t> reconciles;
  // doris_operator_reconcile_duration_seconds: upper bounds (seconds) and
  // the cumulative count at or below each; count and sum over all.
  std::vector<double> duration_bounds;
  std::vector<uint64_t> duration_cumulative;
  uint64_t duration_count = 0;
  double duration_sum_seconds = 0;
  int64_t queue_depth = 0;
  int64_t events_ingested = 0;
  int64_t write_calls = 0;
  uint64_t log_last_seq = 0;
  uint64_t log_bytes = 0;
  int64_t log_oldest_retained_unix = 0;
  int64_t log_retention_dropped_records = 0;
  int64_t log_retention_failures = 0;
  bool log_writable = true;
  int64_t log_write_failures = 0;
  int64_t log_recoveries = 0;
  int64_t reconciles_paused = 0;
  int64_t log_damaged_snapshots = 0;
  bool leader = true;
};

class ProcessMetrics : public prometheus::Collectable {
 public:
  explicit ProcessMetrics(std::function<ProcessFigures()> read) : read_(std::move(read)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::function<ProcessFigures()> read_;
};

}  // namespace doris_operator::metrics

#endif  // DORIS_OPERATOR_OPERATOR_METRICS_PROCESS_METRICS_H_
