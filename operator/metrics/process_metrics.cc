#include "operator/metrics/process_metrics.h"

#include <limits>
#include <utility>

namespace doris_operator::metrics {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily One(const std::string& name, const std::string& help, MetricType type, double value) {
  MetricFamily f{name, help, type, {}};
  ClientMetric m;
  if (type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

// A series without labels: one sample.
struct Scalar {
  const char* name;
  const char* help;
  MetricType type;
  double value;
};

}  // namespace

std::vector<MetricFamily> ProcessMetrics::Collect() const {
  const ProcessFigures p = read_();
  std::vector<MetricFamily> out;
  MetricFamily reconciles{"doris_operator_reconciles_total", "Reconciles by outcome.",
                          MetricType::Counter, {}};
  for (const char* outcome : {"no_change", "applied", "requeued", "failed", "invalid_spec"}) {
    ClientMetric m;
    m.label.push_back({"outcome", outcome});
    auto it = p.reconciles.find(outcome);
    m.counter.value = it == p.reconciles.end() ? 0 : static_cast<double>(it->second);
    reconciles.metric.push_back(std::move(m));
  }
  out.push_back(std::move(reconciles));
  MetricFamily duration{"doris_operator_reconcile_duration_seconds", "Time spent reconciling.",
                        MetricType::Histogram, {}};
  ClientMetric h;
  h.histogram.sample_count = p.duration_count;
  h.histogram.sample_sum = p.duration_sum_seconds;
  for (size_t b = 0; b < p.duration_bounds.size() && b < p.duration_cumulative.size(); ++b) {
    h.histogram.bucket.push_back({p.duration_cumulative[b], p.duration_bounds[b]});
  }
  h.histogram.bucket.push_back({p.duration_count, std::numeric_limits<double>::infinity()});
  duration.metric.push_back(std::move(h));
  out.push_back(std::move(duration));
  const Scalar scalars[] = {
      {"doris_operator_queue_depth", "DorisClusters waiting for a reconcile.",
       MetricType::Gauge, static_cast<double>(p.queue_depth)},
      {"doris_operator_events_ingested_total", "Appends made by the watchers.",
       MetricType::Counter, static_cast<double>(p.events_ingested)},
      {"doris_operator_write_calls_total", "API and Doris write calls made by reconciles.",
       MetricType::Counter, static_cast<double>(p.write_calls)},
      {"doris_operator_log_last_seq", "Sequence number of the newest log record.",
       MetricType::Gauge, static_cast<double>(p.log_last_seq)},
      {"doris_operator_log_bytes", "Bytes of the event log on disk.",
       MetricType::Gauge, static_cast<double>(p.log_bytes)},
      {"doris_operator_log_oldest_retained_timestamp_seconds",
       "When the oldest record the event log keeps was observed (Unix time).",
       MetricType::Gauge, static_cast<double>(p.log_oldest_retained_unix)},
      {"doris_operator_log_retention_dropped_records_total",
       "Event log records removed by retention.",
       MetricType::Counter, static_cast<double>(p.log_retention_dropped_records)},
      {"doris_operator_log_retention_failures_total", "Retention passes that failed.",
       MetricType::Counter, static_cast<double>(p.log_retention_failures)},
      {"doris_operator_log_writable",
       "1 while the event log accepts appends; 0 while reconciles and cluster writes are "
       "stopped because it cannot be written.",
       MetricType::Gauge, p.log_writable ? 1 : 0},
      {"doris_operator_log_write_failures_total",
       "Event log writes that failed (disk full, I/O error).",
       MetricType::Counter, static_cast<double>(p.log_write_failures)},
      {"doris_operator_log_recoveries_total", "Times the event log became writable again.",
       MetricType::Counter, static_cast<double>(p.log_recoveries)},
      {"doris_operator_reconciles_paused_total",
       "Reconciles not started because the event log could not be written.",
       MetricType::Counter, static_cast<double>(p.reconciles_paused)},
      {"doris_operator_log_damaged_snapshots",
       "Snapshots found damaged (and refolded from the records) since start.",
       MetricType::Gauge, static_cast<double>(p.log_damaged_snapshots)},
      {"doris_operator_leader", "1 while this replica may write (always 1 without --leader-elect).",
       MetricType::Gauge, p.leader ? 1.0 : 0.0},
  };
  for (const Scalar& s : scalars) out.push_back(One(s.name, s.help, s.type, s.value));
  return out;
}

}  // namespace doris_operator::metrics
