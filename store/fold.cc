#include "store/fold.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace doris_operator::store {

// Shared by both overloads; `take_json` moves the object's bytes out of the
// record when the caller gave the record away.
class Folder {
 public:
  static State Apply(State state, const log::v1::LogRecord& record, std::string* take_json);
  static std::string SerializeFolded(State& state,
                                     const std::vector<const log::v1::LogRecord*>& records);
};

State Folder::Apply(State state, const log::v1::LogRecord& record, std::string* take_json) {
  if (record.seq() != 0 && record.seq() <= state.last_seq_) return state;
  state.last_seq_ = record.seq();
  if (record.body_case() == log::v1::LogRecord::kLifecycle) {
    if (record.lifecycle().kind() == log::v1::Lifecycle::WATCH_CURSOR_RESET) {
      state.cursors_.erase(record.lifecycle().stream());
    }
    return state;
  }
  if (record.body_case() != log::v1::LogRecord::kWatch) return state;

  const log::v1::WatchEvent& ev = record.watch();
  if (!ev.stream().empty() && !ev.resource_version().empty()) {
    std::string& cursor = state.cursors_[ev.stream()];
    if (cursor != ev.resource_version()) cursor = ev.resource_version();
  }
  if (ev.object().name().empty()) return state;  // bookmarks, re-list markers
  const ObjectId id = ObjectId::From(ev.object());
  const bool live = ev.type() == log::v1::ADDED || ev.type() == log::v1::MODIFIED;

  // The common case, a new version of an object filed under the same
  // cluster: update it where it is instead of unfiling and refiling it.
  if (auto it = state.owner_.find(id); live && it != state.owner_.end() &&
                                       it->second == ClusterKey::From(record.cluster())) {
    auto cit = state.clusters_.find(it->second);
    if (cit != state.clusters_.end()) {
      if (auto oit = cit->second.find(id); oit != cit->second.end()) {
        log::v1::StoredObject& obj = oit->second;
        *obj.mutable_ref() = ev.object();
        obj.set_resource_version(ev.resource_version());
        if (take_json != nullptr) {
          obj.set_object_json(std::move(*take_json));
        } else {
          obj.set_object_json(ev.object_json());
        }
        obj.set_seq(record.seq());
        return state;
      }
    }
  }

  // Remove the previous version wherever it was filed.
  if (auto it = state.owner_.find(id); it != state.owner_.end()) {
    auto cit = state.clusters_.find(it->second);
    if (cit != state.clusters_.end()) {
      cit->second.erase(id);
      if (cit->second.empty()) state.clusters_.erase(cit);
    }
    state.owner_.erase(it);
  }

  switch (ev.type()) {
    case log::v1::ADDED:
    case log::v1::MODIFIED: {
      ClusterKey cluster = ClusterKey::From(record.cluster());
      log::v1::StoredObject& obj = state.clusters_[cluster][id];
      *obj.mutable_ref() = ev.object();
      obj.set_resource_version(ev.resource_version());
      if (take_json != nullptr) {
        obj.set_object_json(std::move(*take_json));
      } else {
        obj.set_object_json(ev.object_json());
      }
      obj.set_seq(record.seq());
      state.owner_.emplace(id, std::move(cluster));
      break;
    }
    default:  // DELETED, and types this binary does not know: not live.
      break;
  }
  return state;
}

// Folds in place, serialises, then puts back what the records touched: each
// object they name (where it was filed, its version) and each watch cursor.
std::string Folder::SerializeFolded(State& state,
                                    const std::vector<const log::v1::LogRecord*>& records) {
  struct SavedObject {
    std::optional<ClusterKey> owner;
    log::v1::StoredObject object;
  };
  std::map<ObjectId, SavedObject> objects;
  std::map<std::string, std::optional<std::string>> cursors;
  const uint64_t last_seq = state.last_seq_;
  auto save_cursor = [&](const std::string& stream) {
    if (cursors.count(stream) != 0) return;
    auto it = state.cursors_.find(stream);
    cursors[stream] = it == state.cursors_.end() ? std::nullopt
                                                 : std::optional<std::string>(it->second);
  };
  for (const log::v1::LogRecord* r : records) {
    if (r->body_case() == log::v1::LogRecord::kLifecycle) {
      save_cursor(r->lifecycle().stream());
      continue;
    }
    if (r->body_case() != log::v1::LogRecord::kWatch) continue;
    save_cursor(r->watch().stream());
    if (r->watch().object().name().empty()) continue;
    const ObjectId id = ObjectId::From(r->watch().object());
    if (objects.count(id) != 0) continue;
    SavedObject& saved = objects[id];
    if (auto it = state.owner_.find(id); it != state.owner_.end()) {
      saved.owner = it->second;
      saved.object = state.clusters_.at(it->second).at(id);
    }
  }
  for (const log::v1::LogRecord* r : records) state = Apply(std::move(state), *r, nullptr);
  std::string bytes = state.Serialize();

  state.last_seq_ = last_seq;
  for (auto& [stream, value] : cursors) {
    if (value) {
      state.cursors_[stream] = std::move(*value);
    } else {
      state.cursors_.erase(stream);
    }
  }
  for (auto& [id, saved] : objects) {
    if (auto it = state.owner_.find(id); it != state.owner_.end()) {
      auto cit = state.clusters_.find(it->second);
      cit->second.erase(id);
      if (cit->second.empty()) state.clusters_.erase(cit);
      state.owner_.erase(it);
    }
    if (saved.owner) {
      state.clusters_[*saved.owner].emplace(id, std::move(saved.object));
      state.owner_.emplace(id, *saved.owner);
    }
  }
  return bytes;
}

std::string SerializeFolded(State& state, const std::vector<const log::v1::LogRecord*>& records) {
  return Folder::SerializeFolded(state, records);
}

State Fold(State state, const log::v1::LogRecord& record) {
  return Folder::Apply(std::move(state), record, nullptr);
}

State Fold(State state, log::v1::LogRecord&& record) {
  std::string* json = record.has_watch() ? record.mutable_watch()->mutable_object_json() : nullptr;
  return Folder::Apply(std::move(state), record, json);
}

}  // namespace doris_operator::store
