#include "operator/workqueue/work_queue.h"

#include <algorithm>

namespace doris_operator::workqueue {

WorkQueue::WorkQueue(WorkQueueOptions options) : options_(options) {}

void WorkQueue::AddLocked(const std::string& key) {
  if (shut_down_ || !dirty_.insert(key).second) return;  // already waiting
  if (processing_.count(key)) return;  // Done() queues it again
  queue_.push_back(key);
  changed_.Signal();
}

void WorkQueue::Add(const std::string& key) {
  absl::MutexLock l(&mu_);
  delayed_.erase(key);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, absl::Duration delay) {
  if (delay <= absl::ZeroDuration()) return Add(key);
  absl::MutexLock l(&mu_);
  if (shut_down_ || dirty_.count(key)) return;  // it will run sooner anyway
  const absl::Time at = absl::Now() + delay;
  auto [it, inserted] = delayed_.emplace(key, at);
  if (!inserted) it->second = std::min(it->second, at);
  changed_.SignalAll();
}

absl::Duration WorkQueue::Backoff(int failures) const {
  absl::Duration d = options_.base_delay;
  for (int i = 0; i < failures && d < options_.max_delay; ++i) d *= 2;
  return std::min(d, options_.max_delay);
}

void WorkQueue::AddRateLimited(const std::string& key) {
  int failures;
  {
    absl::MutexLock l(&mu_);
    failures = failures_[key]++;
  }
  AddAfter(key, Backoff(failures));
}

void WorkQueue::Forget(const std::string& key) {
  absl::MutexLock l(&mu_);
  failures_.erase(key);
}

int WorkQueue::Failures(const std::string& key) const {
  absl::MutexLock l(&mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::PromoteDueLocked(absl::Time now) {
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    if (it->second <= now) {
      const std::string key = it->first;
      it = delayed_.erase(it);
      AddLocked(key);
    } else {
      ++it;
    }
  }
}

std::optional<std::string> WorkQueue::Get() {
  absl::MutexLock l(&mu_);
  while (true) {
    if (shut_down_) return std::nullopt;
    PromoteDueLocked(absl::Now());
    if (!queue_.empty()) break;
    absl::Time next = absl::InfiniteFuture();
    for (const auto& [key, at] : delayed_) next = std::min(next, at);
    changed_.WaitWithDeadline(&mu_, next);
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  absl::MutexLock l(&mu_);
  processing_.erase(key);
  if (dirty_.count(key) && !shut_down_) {
    queue_.push_back(key);
    changed_.Signal();
  }
}

void WorkQueue::ShutDown() {
  absl::MutexLock l(&mu_);
  shut_down_ = true;
  changed_.SignalAll();
}

size_t WorkQueue::ready() const {
  absl::MutexLock l(&mu_);
  return queue_.size();
}

size_t WorkQueue::delayed() const {
  absl::MutexLock l(&mu_);
  return delayed_.size();
}

}  // namespace doris_operator::workqueue
