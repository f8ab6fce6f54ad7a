#include "operator/ingest/sync_gate.h"

#include <algorithm>

namespace doris_operator::ingest {

SyncGate::SyncGate(std::set<std::string> streams) : streams_(std::move(streams)) {}

void SyncGate::Listed(const std::string& stream, uint64_t seq, absl::Time at) {
  if (!streams_.count(stream)) return;
  absl::MutexLock lock(&mu_);
  if (!listed_.insert(stream).second) return;  // only the first list of this process counts
  seq_ = std::max(seq_, seq);
  at_ = std::max(at_, at);
}

std::optional<SyncGate::Opened> SyncGate::opened() const {
  absl::MutexLock lock(&mu_);
  if (streams_.empty() || listed_.size() < streams_.size()) return std::nullopt;
  return Opened{seq_, at_};
}

bool SyncGate::Fresh(uint64_t state_seq) const {
  const std::optional<Opened> o = opened();
  return o.has_value() && state_seq >= o->seq;
}

bool SyncGate::Wait(const std::atomic<bool>& stop, absl::Duration timeout) const {
  const absl::Time until = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  auto open = [&] {
    mu_.AssertReaderHeld();
    return !streams_.empty() && listed_.size() >= streams_.size();
  };
  // `stop` is set without this lock: look at it now and then.
  while (!open() && !stop.load() && absl::Now() < until) {
    mu_.AwaitWithDeadline(absl::Condition(&open), std::min(until, absl::Now() + absl::Milliseconds(50)));
  }
  return open();
}

size_t SyncGate::listed() const {
  absl::MutexLock lock(&mu_);
  return listed_.size();
}

}  // namespace doris_operator::ingest
