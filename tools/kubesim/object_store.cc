#include "tools/kubesim/object_store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/kubesim/conversion.h"
#include "tools/kubesim/go_encoding.h"

namespace doris_operator::kubesim {

namespace {

std::string NameOf(const Json& obj) {
  const Json* m = obj.contains("metadata") ? &obj["metadata"] : nullptr;
  return m && m->contains("name") && (*m)["name"].is_string() ? (*m)["name"].get<std::string>() : "";
}

ApiError NotFound(const ResourceType& t, const std::string& name) {
  const std::string what = t.group.empty() ? t.resource : absl::StrCat(t.resource, ".", t.group);
  return {404, "NotFound", absl::StrCat(what, " \"", name, "\" not found")};
}

// The kinds whose registry strategy keeps metadata.generation (1 on create,
// +1 on every spec change), in kube-apiserver 1.32: StatefulSet
// (pkg/registry/apps/statefulset/strategy.go), PodDisruptionBudget
// (pkg/registry/policy/poddisruptionbudget/strategy.go), CRDs
// (apiextensions-apiserver pkg/registry/customresourcedefinition) and custom
// resources (pkg/registry/customresource/strategy.go). Every other kind
// keeps whatever generation a create carried (none, normally) and never
// changes it (BeforeUpdate copies the old one).
bool KeepsGeneration(const ResourceType& t) {
  return t.custom || (t.group == "apps" && t.resource == "statefulsets") ||
         (t.group == "policy" && t.resource == "poddisruptionbudgets") ||
         (t.group == "apiextensions.k8s.io" && t.resource == "customresourcedefinitions");
}

// What a generation-keeping strategy compares: the spec, or for a custom
// resource everything but metadata (and status, when it has a status
// subresource).
Json SpecOf(const ResourceType& t, const Json& obj) {
  if (t.custom) {
    Json out = obj;
    out.erase("metadata");
    if (t.status_subresource) out.erase("status");
    out.erase("apiVersion");
    out.erase("kind");
    return out;
  }
  return obj.contains("spec") ? obj["spec"] : Json();
}

}  // namespace

ObjectStore::ObjectStore(size_t history_window) : history_window_(history_window) {}

void ObjectStore::Register(const ResourceType& type) {
  std::lock_guard<std::mutex> l(mu_);
  types_[absl::StrCat(type.group, "/", type.resource, "/", type.version)] = type;
}

void ObjectStore::Unregister(const std::string& group, const std::string& resource) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string prefix = absl::StrCat(group, "/", resource, "/");
  for (auto it = types_.begin(); it != types_.end();) {
    it = it->first.rfind(prefix, 0) == 0 ? types_.erase(it) : std::next(it);
  }
  const std::string objects_prefix = absl::StrCat(group, "/", resource, "/");
  for (auto it = objects_.begin(); it != objects_.end();) {
    it = it->first.rfind(objects_prefix, 0) == 0 ? objects_.erase(it) : std::next(it);
  }
}

std::vector<ResourceType> ObjectStore::Types() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ResourceType> out;
  for (const auto& [k, t] : types_) out.push_back(t);
  return out;
}

std::optional<ResourceType> ObjectStore::Find(const std::string& group, const std::string& version,
                                              const std::string& resource) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = types_.find(absl::StrCat(group, "/", resource, "/", version));
  if (it == types_.end()) return std::nullopt;
  return it->second;
}

std::string ObjectStore::Key(const ResourceType& t, const std::string& ns,
                             const std::string& name) const {
  return absl::StrCat(t.key(), "/", t.namespaced ? ns : "", "/", name);
}

void ObjectStore::Record(const std::string& type, const ResourceType& t, const std::string& ns,
                         const Json& obj) {
  history_.push_back({rv_, type, t.key(), ns, obj});
  while (history_.size() > history_window_) {
    oldest_watchable_rv_ = history_.front().rv;
    history_.pop_front();
  }
  changed_.notify_all();
}

std::variant<Json, ApiError> ObjectStore::Create(const ResourceType& t, const std::string& ns,
                                                 Json obj, bool dry_run) {
  if (!obj.is_object()) return ApiError{400, "BadRequest", "the body is not a JSON object"};
  std::lock_guard<std::mutex> l(mu_);
  Json& meta = obj["metadata"];
  if (!meta.is_object()) meta = Json::object();
  std::string name = NameOf(obj);
  if (name.empty() && meta.contains("generateName") && meta["generateName"].is_string() &&
      !meta["generateName"].get<std::string>().empty()) {
    name = absl::StrCat(meta["generateName"].get<std::string>(), absl::Hex(++uid_counter_ * 7919));
    meta["name"] = name;
  }
  if (name.empty()) {
    return ApiError{422, "Invalid", "metadata.name: Required value: name or generateName is required"};
  }
  if (t.namespaced && !objects_.count(absl::StrCat("/namespaces//", ns))) {
    return ApiError{404, "NotFound", absl::StrCat("namespaces \"", ns, "\" not found")};
  }
  const std::string key = Key(t, ns, name);
  if (objects_.count(key)) {
    const std::string what = t.group.empty() ? t.resource : absl::StrCat(t.resource, ".", t.group);
    return ApiError{409, "AlreadyExists", absl::StrCat(what, " \"", name, "\" already exists")};
  }
  // Kept in the resource's storage version; answered in the one asked for.
  obj = ToStorageVersion(t, std::move(obj));
  if (!ConvertsToStorage(t)) obj["apiVersion"] = t.api_version();
  obj["kind"] = t.kind;
  Json& stored_meta = obj["metadata"];
  if (t.namespaced) stored_meta["namespace"] = ns;
  stored_meta["uid"] = absl::StrCat("00000000-0000-4000-8000-", absl::Hex(++uid_counter_, absl::kZeroPad12));
  stored_meta["creationTimestamp"] = NowRfc3339();
  if (KeepsGeneration(t)) stored_meta["generation"] = 1;
  if (dry_run) {
    // The resourceVersion is etcd's, and etcd never saw the object.
    stored_meta.erase("resourceVersion");
    NormalizeAsGoEncodes(t, obj);
    return FromStorageVersion(t, obj);
  }
  ++rv_;
  stored_meta["resourceVersion"] = std::to_string(rv_);
  NormalizeAsGoEncodes(t, obj);
  objects_[key] = obj;
  Record("ADDED", t, ns, obj);
  return FromStorageVersion(t, obj);
}

std::variant<Json, ApiError> ObjectStore::Get(const ResourceType& t, const std::string& ns,
                                              const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = objects_.find(Key(t, ns, name));
  if (it == objects_.end()) return NotFound(t, name);
  return FromStorageVersion(t, it->second);
}

std::variant<Json, ApiError> ObjectStore::Update(const ResourceType& t, const std::string& ns,
                                                 Json obj, bool status_only, bool dry_run) {
  if (!obj.is_object()) return ApiError{400, "BadRequest", "the body is not a JSON object"};
  std::lock_guard<std::mutex> l(mu_);
  const std::string name = NameOf(obj);
  auto it = objects_.find(Key(t, ns, name));
  if (it == objects_.end()) return NotFound(t, name);
  Json& cur = it->second;
  obj = ToStorageVersion(t, std::move(obj));
  const Json& meta = obj["metadata"];
  if (meta.contains("resourceVersion") && meta["resourceVersion"].is_string() &&
      !meta["resourceVersion"].get<std::string>().empty() &&
      meta["resourceVersion"] != cur["metadata"]["resourceVersion"]) {
    const std::string what = t.group.empty() ? t.resource : absl::StrCat(t.resource, ".", t.group);
    return ApiError{409, "Conflict",
                    absl::StrCat("Operation cannot be fulfilled on ", what, " \"", name,
                                 "\": the object has been modified; please apply your changes to "
                                 "the latest version and try again")};
  }
  Json next = cur;
  if (status_only) {
    if (obj.contains("status")) next["status"] = obj["status"];
    // The API server's field manager records /status writes too.
    if (meta.is_object() && meta.contains("managedFields")) next["metadata"]["managedFields"] = meta["managedFields"];
  } else {
    const Json status = cur.contains("status") ? cur["status"] : Json();
    next = obj;
    if (!ConvertsToStorage(t)) next["apiVersion"] = t.api_version();
    next["kind"] = t.kind;
    // Bookkeeping is the server's.
    for (const char* k : {"uid", "creationTimestamp", "namespace", "generation", "deletionTimestamp",
                          "resourceVersion"}) {
      if (cur["metadata"].contains(k)) {
        next["metadata"][k] = cur["metadata"][k];
      } else {
        next["metadata"].erase(k);
      }
    }
    if (t.status_subresource) {
      if (status.is_null()) next.erase("status"); else next["status"] = status;
    }
    if (KeepsGeneration(t) && SpecOf(t, next) != SpecOf(t, cur)) {
      next["metadata"]["generation"] = cur["metadata"].value("generation", 1) + 1;
    }
  }
  NormalizeAsGoEncodes(t, next);
  if (next == cur) return FromStorageVersion(t, cur);  // no-op writes keep the resourceVersion
  if (dry_run) return FromStorageVersion(t, next);
  ++rv_;
  next["metadata"]["resourceVersion"] = std::to_string(rv_);
  // A deleting object whose last finalizer went is gone now.
  if (next["metadata"].contains("deletionTimestamp") &&
      (!next["metadata"].contains("finalizers") || next["metadata"]["finalizers"].empty())) {
    objects_.erase(it);
    Record("DELETED", t, ns, next);
    return FromStorageVersion(t, next);
  }
  cur = next;
  Record("MODIFIED", t, ns, next);
  return FromStorageVersion(t, next);
}

std::variant<Json, ApiError> ObjectStore::Delete(const ResourceType& t, const std::string& ns,
                                                 const std::string& name, bool dry_run) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = objects_.find(Key(t, ns, name));
  if (it == objects_.end()) return NotFound(t, name);
  Json obj = it->second;
  // A pod with a grace period terminates first, as the kubelet does: it gets
  // a deletionTimestamp, stops being Ready (so Endpoints and Doris stop
  // sending it work) and goes once the simulated kubelet finishes it.
  const bool graceful = t.group.empty() && t.resource == "pods" && obj.contains("spec") &&
                        obj["spec"].value("terminationGracePeriodSeconds", 30) > 0;
  if (graceful && obj["metadata"].contains("deletionTimestamp")) return obj;  // already going
  const bool finalizing = obj["metadata"].contains("finalizers") && !obj["metadata"]["finalizers"].empty();
  // Already being deleted: nothing changes (store.go, errAlreadyDeleting).
  if (finalizing && obj["metadata"].contains("deletionTimestamp")) return FromStorageVersion(t, obj);
  if (dry_run) {
    // The object as the deletion would leave it, with the stored
    // resourceVersion (store.go Delete returns the dry-run update's object).
    if (graceful) {
      obj["metadata"]["deletionTimestamp"] = NowRfc3339();
      obj["metadata"]["deletionGracePeriodSeconds"] = obj["spec"].value("terminationGracePeriodSeconds", 30);
    } else if (finalizing) {
      obj["metadata"]["deletionTimestamp"] = NowRfc3339();
    }
    return FromStorageVersion(t, obj);
  }
  ++rv_;
  obj["metadata"]["resourceVersion"] = std::to_string(rv_);
  if (graceful) {
    obj["metadata"]["deletionTimestamp"] = NowRfc3339();
    obj["metadata"]["deletionGracePeriodSeconds"] = obj["spec"].value("terminationGracePeriodSeconds", 30);
    if (obj.contains("status") && obj["status"].contains("conditions")) {
      for (Json& c : obj["status"]["conditions"]) {
        if (c.value("type", "") == "Ready" || c.value("type", "") == "ContainersReady") c["status"] = "False";
      }
    }
    if (obj.contains("status") && obj["status"].contains("containerStatuses")) {
      for (Json& c : obj["status"]["containerStatuses"]) c["ready"] = false;
    }
    it->second = obj;
    Record("MODIFIED", t, ns, obj);
    return FromStorageVersion(t, obj);
  }
  if (finalizing) {
    obj["metadata"]["deletionTimestamp"] = NowRfc3339();
    it->second = obj;
    Record("MODIFIED", t, ns, obj);
    return FromStorageVersion(t, obj);
  }
  objects_.erase(it);
  Record("DELETED", t, ns, obj);
  return FromStorageVersion(t, obj);
}

std::variant<Json, ApiError> ObjectStore::Erase(const ResourceType& t, const std::string& ns,
                                                const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = objects_.find(Key(t, ns, name));
  if (it == objects_.end()) return NotFound(t, name);
  Json obj = it->second;
  ++rv_;
  obj["metadata"]["resourceVersion"] = std::to_string(rv_);
  objects_.erase(it);
  Record("DELETED", t, ns, obj);
  return FromStorageVersion(t, obj);
}

std::string NowRfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const Json& JsonAt(const Json& j, std::initializer_list<const char*> path) {
  static const Json kNull;
  const Json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(k);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

std::string LabelSelectorString(const Json& selector) {
  std::vector<std::pair<std::string, std::string>> reqs;  // key, requirement
  if (!selector.is_object()) return "";
  if (selector.contains("matchLabels") && selector["matchLabels"].is_object()) {
    for (const auto& [k, v] : selector["matchLabels"].items()) {
      if (v.is_string()) reqs.emplace_back(k, absl::StrCat(k, "=", v.get<std::string>()));
    }
  }
  if (selector.contains("matchExpressions") && selector["matchExpressions"].is_array()) {
    for (const Json& e : selector["matchExpressions"]) {
      const std::string key = e.value("key", "");
      const std::string op = e.value("operator", "");
      std::vector<std::string> values;
      for (const Json& v : e.value("values", Json::array())) {
        if (v.is_string()) values.push_back(v.get<std::string>());
      }
      std::sort(values.begin(), values.end());
      if (op == "In" || op == "NotIn") {
        reqs.emplace_back(key, absl::StrCat(key, op == "In" ? " in (" : " notin (", absl::StrJoin(values, ","), ")"));
      } else if (op == "Exists") {
        reqs.emplace_back(key, key);
      } else if (op == "DoesNotExist") {
        reqs.emplace_back(key, absl::StrCat("!", key));
      }
    }
  }
  std::stable_sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (const auto& r : reqs) parts.push_back(r.second);
  return absl::StrJoin(parts, ",");
}

bool MatchesLabels(const Json& obj, const std::string& selector) {
  if (selector.empty()) return true;
  Json labels = Json::object();
  if (obj.contains("metadata") && obj["metadata"].contains("labels") &&
      obj["metadata"]["labels"].is_object()) {
    labels = obj["metadata"]["labels"];
  }
  auto value = [&](const std::string& k) -> std::optional<std::string> {
    if (!labels.contains(k) || !labels[k].is_string()) return std::nullopt;
    return labels[k].get<std::string>();
  };
  // Split on commas outside parentheses.
  std::vector<std::string> terms;
  int depth = 0;
  std::string cur;
  for (char c : selector) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      terms.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  terms.push_back(cur);
  for (std::string term : terms) {
    term = std::string(absl::StripAsciiWhitespace(term));
    if (term.empty()) continue;
    size_t at;
    if ((at = term.find(" notin ")) != std::string::npos || (at = term.find(" in ")) != std::string::npos) {
      const bool notin = term.find(" notin ") != std::string::npos;
      const std::string key(absl::StripAsciiWhitespace(term.substr(0, at)));
      std::string set = term.substr(term.find('(') + 1);
      set = set.substr(0, set.find(')'));
      bool found = false;
      for (absl::string_view v : absl::StrSplit(set, ',')) {
        if (value(key) == std::string(absl::StripAsciiWhitespace(v))) found = true;
      }
      if (found == notin) return false;
    } else if ((at = term.find("!=")) != std::string::npos) {
      if (value(term.substr(0, at)) == term.substr(at + 2)) return false;
    } else if ((at = term.find("==")) != std::string::npos) {
      if (value(term.substr(0, at)) != term.substr(at + 2)) return false;
    } else if ((at = term.find('=')) != std::string::npos) {
      if (value(term.substr(0, at)) != term.substr(at + 1)) return false;
    } else if (term[0] == '!') {
      if (value(term.substr(1))) return false;
    } else if (!value(term)) {
      return false;
    }
  }
  return true;
}

namespace {

bool MatchesFields(const Json& obj, const std::string& selector) {
  for (absl::string_view term : absl::StrSplit(selector, ',', absl::SkipEmpty())) {
    const bool neq = term.find("!=") != absl::string_view::npos;
    const size_t at = neq ? term.find("!=") : term.find('=');
    if (at == absl::string_view::npos) continue;
    const std::string field(term.substr(0, at));
    std::string want(term.substr(at + (neq ? 2 : (term.substr(at, 2) == "==" ? 2 : 1))));
    std::string got;
    if (field == "metadata.name") got = NameOf(obj);
    if (field == "metadata.namespace") got = obj["metadata"].value("namespace", "");
    if (field == "status.phase" && obj.contains("status")) got = obj["status"].value("phase", "");
    if (field == "spec.nodeName" && obj.contains("spec")) got = obj["spec"].value("nodeName", "");
    // core/v1 Events (pkg/registry/core/event/strategy.go ToSelectableFields),
    // which `kubectl describe` selects by involvedObject.
    if (field.rfind("involvedObject.", 0) == 0) {
      const Json& v = JsonAt(obj, {"involvedObject", field.c_str() + sizeof("involvedObject.") - 1});
      if (v.is_string()) got = v.get<std::string>();
    }
    if (field == "reason" || field == "type" || field == "reportingComponent") {
      if (obj.contains(field) && obj[field].is_string()) got = obj[field].get<std::string>();
    }
    if (field == "source" && JsonAt(obj, {"source", "component"}).is_string()) {
      got = JsonAt(obj, {"source", "component"}).get<std::string>();
    }
    if ((got == want) == neq) return false;
  }
  return true;
}

}  // namespace

ObjectStore::ListResult ObjectStore::List(const ResourceType& t, const std::string& ns,
                                          const std::string& label_selector,
                                          const std::string& field_selector, size_t limit,
                                          const std::string& continue_from) const {
  std::lock_guard<std::mutex> l(mu_);
  ListResult out;
  out.rv = rv_;
  const std::string prefix = absl::StrCat(t.key(), "/", t.namespaced ? ns : "", t.namespaced && ns.empty() ? "" : "/");
  auto it = continue_from.empty() ? objects_.lower_bound(prefix) : objects_.upper_bound(continue_from);
  for (; it != objects_.end() && it->first.rfind(t.key() + "/", 0) == 0; ++it) {
    if (it->first.rfind(prefix, 0) != 0) continue;
    if (!MatchesLabels(it->second, label_selector) || !MatchesFields(it->second, field_selector)) {
      continue;
    }
    if (limit > 0 && out.items.size() == limit) {
      out.continue_token = std::prev(it)->first;
      break;
    }
    out.items.push_back(FromStorageVersion(t, it->second));
  }
  return out;
}

int64_t ObjectStore::CurrentRv() const {
  std::lock_guard<std::mutex> l(mu_);
  return rv_;
}

void ObjectStore::ExpireHistory() {
  std::lock_guard<std::mutex> l(mu_);
  history_.clear();
  oldest_watchable_rv_ = rv_;
}

std::variant<std::vector<WatchEvent>, ApiError> ObjectStore::EventsSince(
    const ResourceType& t, const std::string& ns, int64_t rv, int wait_ms) const {
  std::unique_lock<std::mutex> l(mu_);
  if (rv < oldest_watchable_rv_) {
    return ApiError{410, "Expired",
                    absl::StrCat("too old resource version: ", rv, " (", oldest_watchable_rv_, ")")};
  }
  auto collect = [&] {
    std::vector<WatchEvent> out;
    // History is in resourceVersion order: start after `rv` instead of
    // scanning the whole window on every wake-up of every watch.
    auto it = std::upper_bound(history_.begin(), history_.end(), rv,
                               [](int64_t v, const WatchEvent& e) { return v < e.rv; });
    const std::string key = t.key();
    for (; it != history_.end(); ++it) {
      const WatchEvent& e = *it;
      if (e.resource_key != key) continue;
      if (t.namespaced && !ns.empty() && e.ns != ns) continue;
      out.push_back(e);
      if (ConvertsToStorage(t)) out.back().object = FromStorageVersion(t, e.object);
    }
    return out;
  };
  std::vector<WatchEvent> out = collect();
  if (out.empty() && wait_ms > 0) {
    changed_.wait_for(l, std::chrono::milliseconds(wait_ms));
    out = collect();
  }
  return out;
}

}  // namespace doris_operator::kubesim
