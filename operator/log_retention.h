#ifndef DORIS_OPERATOR_OPERATOR_LOG_RETENTION_H_
#define DORIS_OPERATOR_OPERATOR_LOG_RETENTION_H_

// Keeps the running operator's event log within its volume: applies
// store::RetentionPolicy every `interval`, and sooner when the log has grown
// by `growth_trigger` bytes since the last pass (a burst of appends), or is
// over its size limit. Retention itself keeps the state rebuildable.

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/event_log.h"

namespace doris_operator {

struct LogRetentionOptions {
  store::RetentionPolicy policy;
  absl::Duration interval = absl::Minutes(10);
  // How often the log's size is looked at between passes.
  absl::Duration poll = absl::Seconds(10);
  // A pass runs early once the log grew this much since the last one
  // (0: a tenth of policy.max_bytes, or 256 MiB without a size limit).
  uint64_t growth_trigger = 0;
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

struct LogRetentionStats {
  std::atomic<int64_t> passes{0};
  std::atomic<int64_t> records_dropped{0};
  std::atomic<int64_t> failures{0};
  // observed_at of the oldest record kept, as Unix seconds (0: none yet).
  std::atomic<int64_t> oldest_retained_unix{0};
};

class LogRetention {
 public:
  LogRetention(store::EventLog* log, LogRetentionOptions options);
  ~LogRetention();

  void Start();
  void Stop();

  // Runs a pass if one is due (interval passed, size over the limit or
  // grown by growth_trigger); true when it ran.
  bool MaybeRun();
  // Runs a pass now.
  absl::Status RunOnce();
  const LogRetentionStats& stats() const { return stats_; }

 private:
  void Loop();
  void UpdateOldest();

  store::EventLog* const log_;
  const LogRetentionOptions options_;
  LogRetentionStats stats_;
  absl::Time last_pass_ = absl::InfinitePast();
  uint64_t bytes_after_last_pass_ = 0;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace doris_operator

#endif  // DORIS_OPERATOR_OPERATOR_LOG_RETENTION_H_
