#include "tools/kubesim/event_recorder.h"

#include <algorithm>
#include <chrono>
#include <variant>

#include "absl/strings/str_cat.h"

namespace doris_operator::kubesim {

namespace {

// client-go tools/record/events_cache.go.
constexpr size_t kMaxSimilarEvents = 10;       // defaultAggregateMaxEvents
constexpr int64_t kSimilarWindowMs = 600000;   // defaultAggregateIntervalInSeconds
constexpr double kSpamBurst = 25;              // defaultSpamBurst
constexpr double kSpamRefillPerMs = 1.0 / 300000;  // defaultSpamQPS

std::string Str(const Json& v) { return v.is_string() ? v.get<std::string>() : ""; }

}  // namespace

EventRecorder::EventRecorder(ObjectStore* store, std::string component)
    : store_(store), component_(std::move(component)), events_(*store->Find("", "v1", "events")) {}

std::string EventRecorder::NewName(const std::string& involved) {
  // makeEvent: "<object name>.<UnixNano in hex>"; two events never share one.
  const int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  last_nanos_ = std::max(last_nanos_ + 1, nanos);
  return absl::StrCat(involved, ".", absl::Hex(last_nanos_));
}

void EventRecorder::Event(const Json& object, const std::string& type, const std::string& reason,
                          const std::string& message, int64_t now_ms) {
  const Json& meta = JsonAt(object, {"metadata"});
  // ref.GetReference.
  const Json involved = {{"kind", Str(object["kind"])},
                         {"namespace", Str(meta["namespace"])},
                         {"name", Str(meta["name"])},
                         {"uid", Str(meta["uid"])},
                         {"apiVersion", Str(object["apiVersion"])},
                         {"resourceVersion", Str(meta["resourceVersion"])}};
  const std::string ns = Str(meta["namespace"]).empty() ? "default" : Str(meta["namespace"]);
  const std::string object_key = absl::StrCat(component_, "\x1f", Str(involved["kind"]), "\x1f", ns, "\x1f",
                                              Str(involved["name"]), "\x1f", Str(involved["uid"]), "\x1f",
                                              Str(involved["apiVersion"]));
  const std::string similar_key = absl::StrCat(object_key, "\x1f", type, "\x1f", reason, "\x1f", component_);

  // EventAggregate: the 10th different message for a reason within 10
  // minutes, and every later one, goes into one combined event.
  Similar& similar = similar_[similar_key];
  if (now_ms - similar.last_ms > kSimilarWindowMs) similar = Similar{};
  similar.messages.insert(message);
  similar.last_ms = now_ms;
  std::string key = absl::StrCat(similar_key, "\x1f", message);
  std::string text = message;
  if (similar.messages.size() >= kMaxSimilarEvents) {
    similar.messages.erase(similar.messages.begin());
    key = similar_key;
    text = "(combined from similar events): " + message;
  }

  // eventObserve: a repeat takes the first event's name and counts on; the
  // count goes up even when the spam filter then drops the write.
  const std::string now = NowRfc3339();
  Observed& seen = observed_[key];
  const bool repeat = seen.count > 0;
  if (!repeat) seen = {0, now, NewName(Str(involved["name"]))};
  ++seen.count;

  // EventSourceObjectSpamFilter: a token bucket per source and object.
  auto [bucket, fresh] = buckets_.try_emplace(object_key, Bucket{kSpamBurst, now_ms});
  bucket->second.tokens =
      std::min(kSpamBurst, bucket->second.tokens + (now_ms - bucket->second.last_ms) * kSpamRefillPerMs);
  bucket->second.last_ms = now_ms;
  if (bucket->second.tokens < 1) return;
  bucket->second.tokens -= 1;

  Json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", seen.name}, {"namespace", ns}}},
                {"involvedObject", involved},
                {"reason", reason},
                {"message", text},
                {"source", {{"component", component_}}},
                {"firstTimestamp", seen.first_timestamp},
                {"lastTimestamp", now},
                {"count", seen.count},
                {"type", type},
                {"eventTime", nullptr},
                {"reportingComponent", component_},
                {"reportingInstance", ""}};
  if (repeat) {
    // recordToSink: the repeat is a patch of count, lastTimestamp and
    // message; a patch of an event that is gone becomes a create.
    auto live = store_->Get(events_, ns, seen.name);
    if (auto* current = std::get_if<Json>(&live)) {
      Json next = *current;
      next["count"] = seen.count;
      next["lastTimestamp"] = now;
      next["message"] = text;
      next["metadata"].erase("resourceVersion");
      store_->Update(events_, ns, next, /*status_only=*/false);
      return;
    }
  }
  store_->Create(events_, ns, event);
}

}  // namespace doris_operator::kubesim
