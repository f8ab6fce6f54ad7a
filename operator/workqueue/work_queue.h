#ifndef DORIS_OPERATOR_OPERATOR_WORKQUEUE_WORK_QUEUE_H_
#define DORIS_OPERATOR_OPERATOR_WORKQUEUE_WORK_QUEUE_H_

// Keys (one per DorisCluster) waiting for a reconcile worker. A key is queued
// once however often it is added, is never handed to two workers at once, and
// after a failure comes back only after an exponential, capped backoff, so
// one broken cluster cannot starve the others.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace doris_operator::workqueue {

struct WorkQueueOptions {
  absl::Duration base_delay = absl::Milliseconds(200);
  absl::Duration max_delay = absl::Minutes(5);
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});

  void Add(const std::string& key);
  // Adds `key` once `delay` has passed (an earlier pending time wins).
  void AddAfter(const std::string& key, absl::Duration delay);
  // After a failed reconcile: AddAfter with this key's next backoff.
  void AddRateLimited(const std::string& key);
  // After a successful reconcile: the key's backoff starts over.
  void Forget(const std::string& key);
  int Failures(const std::string& key) const;
  // base_delay * 2^failures, capped at max_delay.
  absl::Duration Backoff(int failures) const;

  // Blocks until a key is ready; nullopt once shut down. The caller must call
  // Done(key) when finished with it.
  std::optional<std::string> Get();
  // A key added while it was being processed is queued again now.
  void Done(const std::string& key);
  void ShutDown();

  size_t ready() const;    // keys waiting for a worker
  size_t delayed() const;  // keys waiting for their time

 private:
  void AddLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PromoteDueLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const WorkQueueOptions options_;
  mutable absl::Mutex mu_;
  absl::CondVar changed_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> dirty_ ABSL_GUARDED_BY(mu_);       // queued or re-added while processing
  std::set<std::string> processing_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> delayed_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> failures_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace doris_operator::workqueue

#endif  // DORIS_OPERATOR_OPERATOR_WORKQUEUE_WORK_QUEUE_H_
