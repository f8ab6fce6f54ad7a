#include "operator/reconcile/event_recorder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "operator/kube/object_fields.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// client-go's keys, joined with a separator so that fields cannot run into
// each other (client-go joins with "").
std::string ObjectKey(const std::string& source, const EventSpec& e) {
  return absl::StrJoin({source, e.kind, e.ns, e.name, e.uid, e.api_version}, "\x1f");
}
std::string AggregateKey(const std::string& source, const EventSpec& e) {
  return absl::StrJoin({ObjectKey(source, e), e.type, e.reason}, "\x1f");
}

}  // namespace

template <typename V>
V* EventCorrelator::Lru<V>::Get(const std::string& k) {
  auto it = entries.find(k);
  if (it == entries.end()) return nullptr;
  order.splice(order.begin(), order, it->second.second);
  return &it->second.first;
}

template <typename V>
V& EventCorrelator::Lru<V>::Put(const std::string& k, V v, size_t max) {
  if (V* existing = Get(k)) {
    *existing = std::move(v);
    return *existing;
  }
  while (!order.empty() && entries.size() >= std::max<size_t>(1, max)) {
    entries.erase(order.back());
    order.pop_back();
  }
  order.push_front(k);
  return entries.emplace(k, std::make_pair(std::move(v), order.begin())).first->second.first;
}

EventCorrelator::EventCorrelator(EventCorrelatorOptions options) : options_(std::move(options)) {}

CorrelatedEvent EventCorrelator::Correlate(const EventSpec& e, absl::Time now) {
  const std::string& source = options_.source_component;
  CorrelatedEvent out;
  out.message = e.message;
  out.key = absl::StrJoin({AggregateKey(source, e), e.message}, "\x1f");

  // Aggregation: variants of one reason (messages differing) beyond the
  // limit within the interval become one combined Event.
  const std::string aggregate_key = AggregateKey(source, e);
  Aggregate* a = aggregates_.Get(aggregate_key);
  Aggregate record = a != nullptr ? *a : Aggregate{};
  if (a == nullptr || now - record.last > options_.aggregate_interval) record = Aggregate{};
  record.messages[e.message] = true;
  record.last = now;
  if (static_cast<int>(record.messages.size()) >= options_.aggregate_max_events) {
    record.messages.erase(record.messages.begin());  // do not grow past the limit
    out.message = absl::StrCat("(combined from similar events): ", e.message);
    out.key = aggregate_key;
  }
  aggregates_.Put(aggregate_key, std::move(record), options_.cache_entries);

  // Deduplication: the same event again counts on the Event already written.
  Logged* last = logged_.Get(out.key);
  Logged next;
  if (last != nullptr && last->count > 0) {
    next = *last;
    next.count = last->count + 1;
  } else {
    next.count = 1;
    next.first = now;
  }
  out.name = next.name;
  out.count = next.count;
  out.first_timestamp = next.first;
  out.last_timestamp = now;
  logged_.Put(out.key, next, options_.cache_entries);

  // Spam filter: a token bucket per source and object.
  const std::string object_key = ObjectKey(source, e);
  Bucket* b = spam_.Get(object_key);
  Bucket bucket = b != nullptr ? *b : Bucket{static_cast<double>(options_.spam_burst), now};
  bucket.tokens = std::min<double>(options_.spam_burst,
                                   bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) *
                                                       options_.spam_qps);
  bucket.refilled = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
  } else {
    out.skip = true;
  }
  spam_.Put(object_key, bucket, options_.cache_entries);
  return out;
}

void EventCorrelator::Recorded(const CorrelatedEvent& c, const std::string& name) {
  Logged* l = logged_.Get(c.key);
  if (l == nullptr) return;
  if (name.empty()) {
    *l = Logged{};  // not written: the next one creates afresh
  } else {
    l->name = name;
  }
}

EventRecorder::EventRecorder(kube::Client* kube, EventCorrelatorOptions options)
    : kube_(kube), correlator_(std::move(options)) {}

absl::StatusOr<bool> EventRecorder::Record(const EventSpec& e, absl::Time now) {
  // One event at a time: a patch must see the name its create got.
  absl::MutexLock lock(&mu_);
  CorrelatedEvent c = correlator_.Correlate(e, now);
  if (c.skip) return false;
  if (!c.name.empty()) {
    // What client-go's recorder patches: count, lastTimestamp, message.
    absl::StatusOr<Json> patched = kube_->MergePatch(
        kube::ObjectPath("v1", e.ns, "events", c.name),
        Json{{"count", c.count}, {"lastTimestamp", Rfc3339(c.last_timestamp)}, {"message", c.message}}
            .dump());
    if (patched.ok()) return true;
    // Expired or deleted (Events have a TTL): create it anew.
    if (patched.status().code() != absl::StatusCode::kNotFound) {
      correlator_.Recorded(c, "");
      return patched.status();
    }
  }
  Json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"generateName", absl::StrCat(e.name, ".")}, {"namespace", e.ns}}},
      {"involvedObject",
       {{"apiVersion", e.api_version}, {"kind", e.kind}, {"namespace", e.ns}, {"name", e.name},
        {"uid", e.uid}}},
      {"type", e.type},
      {"reason", e.reason},
      {"message", c.message},
      {"source", {{"component", correlator_.options().source_component}}},
      {"firstTimestamp", Rfc3339(c.first_timestamp)},
      {"lastTimestamp", Rfc3339(c.last_timestamp)},
      {"count", c.count}};
  absl::StatusOr<Json> created = kube_->Create(kube::CollectionPath("v1", e.ns, "events"), event.dump());
  if (!created.ok()) {
    correlator_.Recorded(c, "");
    return created.status();
  }
  correlator_.Recorded(c, kube::StringAt(*created, {"metadata", "name"}));
  return true;
}

}  // namespace doris_operator::reconcile
