#ifndef DORIS_OPERATOR_OPERATOR_LOG_GUARD_H_
#define DORIS_OPERATOR_OPERATOR_LOG_GUARD_H_

// Watches whether the event log can be written. While it cannot, the
// operator must not act (readiness, reconciles and cluster writes check
// writable()); the guard says why in a Warning Event on every DorisCluster
// the log knows, retries Recover() until the log is writable again (then a
// Normal Event and a callback to reconcile everything), and calls
// on_unrecoverable when only a restart can help.

#include <atomic>
#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "operator/reconcile/event_recorder.h"
#include "store/event_log.h"

namespace doris_operator {

struct LogGuardOptions {
  // How often a log that refuses appends is asked to recover.
  absl::Duration recovery_interval = absl::Seconds(5);
  // A Recover() that has not returned after this long counts as one that
  // cannot succeed in this process.
  absl::Duration recover_timeout = absl::Seconds(60);
  // How often the log's health is looked at.
  absl::Duration poll = absl::Milliseconds(200);
  // Called once the log accepts appends again (e.g. to reconcile everything).
  std::function<void()> on_recovered;
  // Called once when the log cannot recover in this process.
  std::function<void(const absl::Status&)> on_unrecoverable;
};

struct LogGuardStats {
  std::atomic<int64_t> outages{0};     // times the log stopped accepting appends
  std::atomic<int64_t> recoveries{0};  // times it became writable again
};

class LogGuard {
 public:
  // `events` writes the Events; it must be allowed to write while the log
  // is not (its client's may_write must not depend on the log).
  LogGuard(store::EventLog* log, reconcile::EventRecorder* events, LogGuardOptions options);
  ~LogGuard();

  void Start();
  void Stop();

  // Whether the log accepts appends now. Cheap; asked before every write.
  bool writable() const { return log_->write_health().status.ok(); }
  const LogGuardStats& stats() const { return stats_; }

 private:
  void Run();
  absl::Status RecoverWithin(absl::Duration timeout);
  // A Warning or Normal Event on every DorisCluster the log knows.
  void EventOnEveryCluster(const std::string& type, const std::string& reason,
                           const std::string& message);

  store::EventLog* const log_;
  reconcile::EventRecorder* const events_;
  const LogGuardOptions options_;
  LogGuardStats stats_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace doris_operator

#endif  // DORIS_OPERATOR_OPERATOR_LOG_GUARD_H_
