#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_EVENT_RECORDER_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_EVENT_RECORDER_H_

// Kubernetes Events about DorisClusters, correlated as client-go's event
// recorder does (tools/record/events_cache.go): a repeat of the same event
// PATCHes the existing Event's count and lastTimestamp instead of creating
// a new object; more than 10 variants of one reason in 10 minutes are
// combined into one Event; each object may burst 25 Events, then 1 per 5 min.

#include <cstdint>
#include <list>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "operator/kube/client.h"

namespace doris_operator::reconcile {

struct EventSpec {
  std::string ns;
  // The involved object.
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::string type;  // Normal | Warning
  std::string reason;
  std::string message;
};

struct EventCorrelatorOptions {
  std::string source_component = "doris-operator";
  size_t cache_entries = 4096;  // per cache, least recently used evicted
  int aggregate_max_events = 10;
  absl::Duration aggregate_interval = absl::Minutes(10);
  int spam_burst = 25;
  double spam_qps = 1.0 / 300;
};

// What to write for one event.
struct CorrelatedEvent {
  bool skip = false;    // over the object's rate: write nothing
  std::string key;      // the cache key, for Recorded()
  std::string name;     // the Event to PATCH; empty: create a new one
  std::string message;  // possibly "(combined from similar events): ..."
  int64_t count = 1;
  absl::Time first_timestamp;
  absl::Time last_timestamp;
};

// Pure bookkeeping (the clock is an argument); not thread-safe.
class EventCorrelator {
 public:
  explicit EventCorrelator(EventCorrelatorOptions options = {});
  CorrelatedEvent Correlate(const EventSpec& e, absl::Time now);
  // The Event object that now stands for `c` (its name as the API server
  // gave it); empty `name`: it was not written, start afresh next time.
  void Recorded(const CorrelatedEvent& c, const std::string& name);
  const EventCorrelatorOptions& options() const { return options_; }

 private:
  template <typename V>
  struct Lru {
    std::list<std::string> order;  // most recent first
    std::map<std::string, std::pair<V, std::list<std::string>::iterator>> entries;
    V* Get(const std::string& k);
    V& Put(const std::string& k, V v, size_t max);
  };
  struct Aggregate {
    std::map<std::string, bool> messages;  // distinct messages seen
    absl::Time last;
  };
  struct Logged {
    int64_t count = 0;
    absl::Time first;
    std::string name;
  };
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };

  const EventCorrelatorOptions options_;
  Lru<Aggregate> aggregates_;
  Lru<Logged> logged_;
  Lru<Bucket> spam_;
};

// Writes correlated Events through the API server. Thread-safe.
class EventRecorder {
 public:
  EventRecorder(kube::Client* kube, EventCorrelatorOptions options = {});
  // Creates or patches the Event: true when written, false when the rate
  // limit skipped it; the API server's error otherwise.
  absl::StatusOr<bool> Record(const EventSpec& e, absl::Time now);

 private:
  kube::Client* const kube_;
  absl::Mutex mu_;
  EventCorrelator correlator_ ABSL_GUARDED_BY(mu_);
};

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_EVENT_RECORDER_H_
