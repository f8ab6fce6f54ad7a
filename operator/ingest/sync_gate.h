#ifndef DORIS_OPERATOR_OPERATOR_INGEST_SYNC_GATE_H_
#define DORIS_OPERATOR_OPERATOR_INGEST_SYNC_GATE_H_

// The initial-sync gate of one operator process: it opens once every watch
// stream has put its first LIST of this process into the log (as client-go's
// WaitForCacheSync). Until then nothing reconciles; afterwards the log
// position and time at which it opened say how fresh a folded picture must
// be before a decision that removes a Doris node may act on it.

#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace doris_operator::ingest {

class SyncGate {
 public:
  struct Opened {
    uint64_t seq = 0;  // the log holds every stream's first list through here
    absl::Time at;     // when the last of them was appended
  };

  // Stream names are StreamSpec::Name(); a gate with no streams never opens.
  explicit SyncGate(std::set<std::string> streams);

  // `stream` has listed in this process; its records are in the log through
  // `seq`. A stream that lists again (410 Gone) changes nothing; a name not
  // given at construction is ignored.
  void Listed(const std::string& stream, uint64_t seq, absl::Time at);

  // Where and when the gate opened; nullopt while some stream has not listed.
  std::optional<Opened> opened() const;
  bool open() const { return opened().has_value(); }
  // A picture folded from the log through `state_seq` holds every stream's
  // first list: false while the gate is closed.
  bool Fresh(uint64_t state_seq) const;

  // Blocks until the gate opens, `stop` is set or `timeout` has passed;
  // whether it is open.
  bool Wait(const std::atomic<bool>& stop, absl::Duration timeout) const;

  size_t listed() const;
  size_t streams() const { return streams_.size(); }

 private:
  const std::set<std::string> streams_;
  mutable absl::Mutex mu_;
  std::set<std::string> listed_ ABSL_GUARDED_BY(mu_);
  uint64_t seq_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace doris_operator::ingest

#endif  // DORIS_OPERATOR_OPERATOR_INGEST_SYNC_GATE_H_
