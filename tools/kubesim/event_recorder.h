#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_EVENT_RECORDER_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_EVENT_RECORDER_H_

// core/v1 Events about an object, written the way a controller's client-go
// EventRecorder and EventCorrelator write them (tools/record/event.go,
// events_cache.go): a repeated event raises the count of the one already
// written, more than 10 different messages for one reason within 10 minutes
// become one "(combined from similar events): ..." event, and a source may
// write 25 events about an object at once, then one per 5 minutes.

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

class EventRecorder {
 public:
  // `component` is the source (and reporting component) of every event.
  EventRecorder(ObjectStore* store, std::string component);

  // Records an event of `type` ("Normal" or "Warning") about `object` (as
  // stored, answered in its apiVersion) at simulated time `now_ms`.
  void Event(const Json& object, const std::string& type, const std::string& reason, const std::string& message,
             int64_t now_ms);

 private:
  struct Observed {  // eventLogger's cache entry
    int32_t count = 0;
    std::string first_timestamp;
    std::string name;
  };
  struct Similar {  // EventAggregator's cache entry
    std::set<std::string> messages;
    int64_t last_ms = 0;
  };
  struct Bucket {  // the spam filter's token bucket
    double tokens = 0;
    int64_t last_ms = 0;
  };
  std::string NewName(const std::string& involved);

  ObjectStore* store_;
  const std::string component_;
  ResourceType events_;
  std::map<std::string, Observed> observed_;
  std::map<std::string, Similar> similar_;
  std::map<std::string, Bucket> buckets_;
  int64_t last_nanos_ = 0;
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_EVENT_RECORDER_H_
