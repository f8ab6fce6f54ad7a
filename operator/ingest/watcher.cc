#include "operator/ingest/watcher.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "operator/ingest/relist.h"
#include "operator/kube/object_fields.h"
#include "store/object_id.h"

namespace doris_operator::ingest {

using Json = nlohmann::json;

namespace {

// Whether a logged object is one the stream's selector lists. The operator's
// streams select by the existence of one label key; any other selector
// counts every object of the kind, as before there were two streams.
bool SelectedBy(const std::string& selector, const std::string& object_json) {
  if (selector.empty() || selector.find_first_of("=!,() ") != std::string::npos) return true;
  const Json object = Json::parse(object_json, nullptr, false);
  return kube::LabelOf(object, selector) != nullptr;
}

}  // namespace

std::string StreamSpec::Name() const {
  std::string name = absl::StrCat(api_version, "/", resource);
  if (!tag.empty()) absl::StrAppend(&name, "#", tag);
  if (!ns.empty()) absl::StrAppend(&name, "@", ns);
  return name;
}

Watcher::Watcher(StreamSpec spec, kube::Client* client, store::EventLog* log,
                 WatcherOptions options)
    : spec_(std::move(spec)), client_(client), log_(log), options_(std::move(options)) {}

absl::Status Watcher::AppendAndNotify(std::vector<log::v1::LogRecord> records) {
  if (records.empty()) return absl::OkStatus();
  std::set<store::ClusterKey> touched;
  for (const auto& r : records) {
    if (!r.cluster().name().empty()) touched.insert(store::ClusterKey::From(r.cluster()));
  }
  absl::StatusOr<store::AppendResult> appended = log_->Append(std::move(records));
  if (!appended.ok()) return appended.status();
  last_cursor_append_ = absl::Now();
  last_appended_seq_ = appended->last_seq;
  if (options_.on_append) options_.on_append({touched.begin(), touched.end()});
  return absl::OkStatus();
}

absl::Status Watcher::Relist() {
  const std::string collection = kube::CollectionPath(spec_.api_version, spec_.ns, spec_.resource);
  absl::StatusOr<kube::ListResult> listed =
      client_->List(collection, spec_.api_version, spec_.kind, spec_.label_selector);
  if (!listed.ok()) return listed.status();

  RelistInput input;
  input.stream = spec_.Name();
  input.list_resource_version = listed->resource_version;
  input.resolve = options_.resolve;
  for (Json& item : listed->items) {
    if (spec_.only_owned && !OwningCluster(item, options_.resolve)) continue;
    input.listed.push_back(std::move(item));
  }
  const std::string group(store::GroupOf(spec_.api_version));
  for (auto& [cluster, object] : log_->CurrentObjectsOfKind(group, spec_.kind, spec_.ns)) {
    // What another stream of this kind (another selector) saw is not this
    // list's to call deleted.
    if (!SelectedBy(spec_.label_selector, object.object_json())) continue;
    input.known.push_back({cluster.ToRef(), std::move(object)});
  }
  absl::StatusOr<std::vector<log::v1::LogRecord>> records = RelistRecords(input);
  if (!records.ok()) return records.status();
  return AppendAndNotify(*std::move(records));
}

absl::Status Watcher::WatchOnce(const std::atomic<bool>& stop, const std::string& from) {
  kube::WatchOptions options;
  options.resource_version = from;
  options.timeout_seconds = options_.watch_timeout_seconds;
  options.label_selector = spec_.label_selector;
  options.stop = &stop;
  absl::Status append_error;
  absl::Status s;
  try {
    s = client_->Watch(
      kube::CollectionPath(spec_.api_version, spec_.ns, spec_.resource), options,
      [&](Json event) {
        const std::string type = kube::StringAt(event, {"type"});
        Json& object = event["object"];
        if (!object.is_object()) return true;
        if (type == "BOOKMARK") {
          const std::string rv = kube::StringAt(object, {"metadata", "resourceVersion"});
          if (rv.empty() || absl::Now() - last_cursor_append_ < options_.bookmark_interval) {
            return true;
          }
          log::v1::LogRecord r;
          r.mutable_watch()->set_type(log::v1::BOOKMARK);
          r.mutable_watch()->set_stream(spec_.Name());
          r.mutable_watch()->set_resource_version(rv);
          std::vector<log::v1::LogRecord> one;
          one.push_back(std::move(r));
          append_error = AppendAndNotify(std::move(one));
          return append_error.ok();
        }
        log::v1::WatchEventType t;
        if (type == "ADDED") {
          t = log::v1::ADDED;
        } else if (type == "MODIFIED") {
          t = log::v1::MODIFIED;
        } else if (type == "DELETED") {
          t = log::v1::DELETED;
        } else {
          return true;
        }
        if (!object.contains("apiVersion")) object["apiVersion"] = spec_.api_version;
        if (!object.contains("kind")) object["kind"] = spec_.kind;
        absl::StatusOr<log::v1::LogRecord> r =
            RecordForObject(object, {.type = t, .stream = spec_.Name()}, options_.resolve);
        if (!r.ok()) {
          if (options_.on_error) options_.on_error(spec_.Name(), r.status());
          return true;
        }
        if (spec_.only_owned && r->cluster().name().empty()) {
          // Not ours: advance nothing, log nothing. The cursor catches up
          // with the next owned event or bookmark.
          return true;
        }
        std::vector<log::v1::LogRecord> one;
        one.push_back(*std::move(r));
        append_error = AppendAndNotify(std::move(one));
        return append_error.ok();
      });
  } catch (const std::exception& e) {
    // A malformed event costs a re-watch, never the process.
    return absl::InternalError(absl::StrCat("watch ", spec_.Name(), ": malformed event: ", e.what()));
  }
  if (!append_error.ok()) return append_error;
  return s;
}

void Watcher::Run(const std::atomic<bool>& stop) {
  // Lists first in every Run, even with a cursor stored by an earlier
  // process: resuming the watch from it would replay the changes made
  // while no operator ran one by one, stream by stream, and a reconcile
  // between two of them would decide on a cluster that never existed (the
  // new spec with the old StatefulSet). The list records the differences.
  bool listed = false;
  while (!stop) {
    absl::StatusOr<std::map<std::string, std::string>> cursors = log_->WatchCursors();
    std::string from;
    if (cursors.ok()) {
      auto it = cursors->find(spec_.Name());
      if (it != cursors->end()) from = it->second;
    }
    absl::Status s;
    if (!listed || from.empty()) {
      // Start, or the cursor was reset after 410 Gone: a list tells the log
      // what changed while nobody was watching (differences only).
      s = Relist();
      if (s.ok()) {
        if (!listed && options_.on_synced) options_.on_synced(spec_.Name(), last_appended_seq_);
        listed = true;
        continue;
      }
    } else {
      s = WatchOnce(stop, from);
      if (s.code() == absl::StatusCode::kOutOfRange) {
        log::v1::LogRecord reset;
        reset.mutable_lifecycle()->set_kind(log::v1::Lifecycle::WATCH_CURSOR_RESET);
        reset.mutable_lifecycle()->set_stream(spec_.Name());
        reset.mutable_lifecycle()->set_detail(std::string(s.message()));
        std::vector<log::v1::LogRecord> one;
        one.push_back(std::move(reset));
        s = AppendAndNotify(std::move(one));
        if (s.ok()) continue;
      } else if (s.ok()) {
        continue;  // the server ended the watch; resume from the cursor
      }
    }
    if (options_.on_error) options_.on_error(spec_.Name(), s);
    for (absl::Time until = absl::Now() + options_.error_backoff; !stop && absl::Now() < until;) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
}

}  // namespace doris_operator::ingest
