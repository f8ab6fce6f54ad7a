#include "tools/kubesim/field_manager.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/kubesim/field_set.h"
#include "tools/kubesim/field_shapes.h"

namespace doris_operator::kubesim {

namespace {

// Rules from k8s.io/apimachinery/pkg/util/managedfields/internal (the
// apiserver's field manager chain) over sigs.k8s.io/structured-merge-diff's
// merge.Updater; the file names below are theirs.

constexpr size_t kFieldManagerMaxLength = 128;  // meta/v1/validation FieldManagerMaxLength

struct Entry {
  std::string manager, operation, api_version, subresource;
  Json time;  // RFC 3339 string, or null
  FieldSet set;
};

// managedfields.go BuildManagerIdentifier: the entry without fieldsType,
// fieldsV1 and time, and without apiVersion for Apply, as JSON in
// ManagedFieldsEntry's field order. Entries with the same identifier merge.
std::string Identifier(const std::string& manager, const std::string& operation,
                       const std::string& api_version, const std::string& subresource) {
  std::string out = absl::StrCat("{\"manager\":", Json(manager).dump(), ",\"operation\":",
                                 Json(operation).dump());
  if (operation == "Update" && !api_version.empty()) {
    absl::StrAppend(&out, ",\"apiVersion\":", Json(api_version).dump());
  }
  if (!subresource.empty()) absl::StrAppend(&out, ",\"subresource\":", Json(subresource).dump());
  return out + "}";
}

using Managers = std::map<std::string, Entry>;  // by identifier

// managedfields.go DecodeManagedFields; nullopt for entries it refuses.
std::optional<Managers> Decode(const Json& entries) {
  Managers out;
  if (entries.is_null()) return out;
  if (!entries.is_array()) return std::nullopt;
  for (const Json& e : entries) {
    if (!e.is_object()) return std::nullopt;
    Entry entry;
    entry.manager = e.value("manager", "");
    entry.operation = e.value("operation", "");
    entry.api_version = e.value("apiVersion", "");
    entry.subresource = e.value("subresource", "");
    entry.time = e.contains("time") ? e["time"] : Json();
    if (entry.operation != "Apply" && entry.operation != "Update") return std::nullopt;
    if (entry.api_version.empty() || e.value("fieldsType", "") != "FieldsV1") return std::nullopt;
    std::optional<FieldSet> set = FieldSet::FromJson(e.value("fieldsV1", Json::object()));
    if (!set) return std::nullopt;
    entry.set = std::move(*set);
    out[Identifier(entry.manager, entry.operation, entry.api_version, entry.subresource)] = std::move(entry);
  }
  return out;
}

// managedfields.go sortEncodedManagedFields: operation, time, manager,
// apiVersion, subresource.
Json Encode(const Managers& managers) {
  std::vector<const Entry*> entries;
  for (const auto& [id, e] : managers) entries.push_back(&e);
  auto time_of = [](const Entry* e) { return e->time.is_string() ? e->time.get<std::string>() : ""; };
  std::stable_sort(entries.begin(), entries.end(), [&](const Entry* p, const Entry* q) {
    return std::make_tuple(p->operation, time_of(p), p->manager, p->api_version, p->subresource) <
           std::make_tuple(q->operation, time_of(q), q->manager, q->api_version, q->subresource);
  });
  Json out = Json::array();
  for (const Entry* e : entries) {
    Json j = {{"manager", e->manager},
              {"operation", e->operation},
              {"apiVersion", e->api_version},
              {"fieldsType", "FieldsV1"},
              {"fieldsV1", e->set.ToJson()}};
    if (!e->time.is_null()) j["time"] = e->time;
    if (!e->subresource.empty()) j["subresource"] = e->subresource;
    out.push_back(std::move(j));
  }
  return out;
}

// stripmeta.go: fields no manager owns.
bool Stripped(const FieldPath& p) {
  if (p.size() == 1) return p[0] == "f:apiVersion" || p[0] == "f:kind" || p[0] == "f:metadata";
  if (p.size() == 2 && p[0] == "f:metadata") {
    static const char* kServerOwned[] = {"f:name",         "f:namespace",     "f:creationTimestamp",
                                         "f:selfLink",     "f:uid",           "f:clusterName",
                                         "f:generation",   "f:managedFields", "f:resourceVersion"};
    for (const char* s : kServerOwned) {
      if (p[1] == s) return true;
    }
  }
  return false;
}

// The strategies' reset fields (GetResetFields): a write to the main resource
// of a kind with a status subresource owns no status, a /status write owns
// status only, a /scale write spec.replicas only.
bool Kept(const ResourceType& t, const std::string& subresource, const FieldPath& p) {
  if (Stripped(p)) return false;
  if (subresource == "status") return !p.empty() && p[0] == "f:status";
  if (subresource == "scale") return p.size() >= 2 && p[0] == "f:spec" && p[1] == "f:replicas";
  if (t.status_subresource) return p.empty() || p[0] != "f:status";
  return true;
}

Json WithoutManagedFields(const Json& obj) {
  if (!obj.is_object()) return Json::object();
  Json out = obj;
  if (out.contains("metadata") && out["metadata"].is_object()) out["metadata"].erase("managedFields");
  return out;
}

const Json& ManagedFieldsOf(const Json& obj) {
  static const Json kNull;
  if (!obj.is_object() || !obj.contains("metadata") || !obj["metadata"].is_object() ||
      !obj["metadata"].contains("managedFields")) {
    return kNull;
  }
  return obj["metadata"]["managedFields"];
}

void SetManagedFields(Json& obj, const Managers& managers) {
  if (managers.empty()) {
    obj["metadata"].erase("managedFields");
  } else {
    obj["metadata"]["managedFields"] = Encode(managers);
  }
}

// conflict.go printManager.
std::string PrintManager(const Entry& e) {
  std::string out = Json(e.manager).dump();
  if (!e.subresource.empty()) absl::StrAppend(&out, " with subresource ", Json(e.subresource).dump());
  if (e.operation == "Update") absl::StrAppend(&out, " using ", e.api_version);
  return out;
}

// conflict.go NewConflictError / getConflictMessage.
ApiError ConflictError(const std::vector<std::pair<const Entry*, FieldPath>>& conflicts) {
  Json causes = Json::array();
  for (const auto& [e, p] : conflicts) {
    causes.push_back({{"reason", "FieldManagerConflict"},
                      {"message", absl::StrCat("conflict with ", PrintManager(*e))},
                      {"field", PathString(p)}});
  }
  std::string message;
  if (conflicts.size() == 1) {
    message = absl::StrCat("Apply failed with 1 conflict: conflict with ", PrintManager(*conflicts[0].first),
                           ": ", PathString(conflicts[0].second));
  } else {
    std::vector<std::string> lines;
    const Entry* last = nullptr;
    for (const auto& [e, p] : conflicts) {
      if (e != last) lines.push_back(absl::StrCat("conflicts with ", PrintManager(*e), ":"));
      last = e;
      lines.push_back(absl::StrCat("- ", PathString(p)));
    }
    message = absl::StrCat("Apply failed with ", conflicts.size(), " conflicts: ", absl::StrJoin(lines, "\n"));
  }
  return ApiError{409, "Conflict", message, {{"causes", causes}}};
}

}  // namespace

std::string ManagerName(const std::string& field_manager, const std::string& user_agent) {
  if (!field_manager.empty()) return field_manager;
  // handlers/create.go prefixFromUserAgent.
  const std::string prefix = user_agent.substr(0, user_agent.find('/'));
  std::string out;
  for (unsigned char c : prefix) {
    if (c < 0x20 || c == 0x7f) continue;  // not printable
    if (out.size() + 1 > kFieldManagerMaxLength) break;
    out.push_back(static_cast<char>(c));
  }
  return out.empty() ? "unknown" : out;  // buildmanagerinfo.go: "" is "unknown"
}

std::optional<ApiError> ValidateFieldManager(const std::string& field_manager, bool apply) {
  // meta/v1/validation ValidatePatchOptions and ValidateFieldManager.
  std::string cause_reason, detail;
  if (apply && field_manager.empty()) {
    cause_reason = "FieldValueRequired";
    detail = "Required value: is required for apply patch";
  } else if (field_manager.size() > kFieldManagerMaxLength) {
    cause_reason = "FieldValueTooLong";
    detail = absl::StrCat("Too long: may not be more than ", kFieldManagerMaxLength, " bytes");
  } else {
    for (unsigned char c : field_manager) {
      if (c < 0x20 || c == 0x7f) {
        cause_reason = "FieldValueInvalid";
        detail = absl::StrCat("Invalid value: ", Json(field_manager).dump(), ": invalid character");
        break;
      }
    }
  }
  if (cause_reason.empty()) return std::nullopt;
  const std::string kind = apply ? "PatchOptions" : "CreateOptions";
  return ApiError{422, "Invalid",
                  absl::StrCat(kind, ".meta.k8s.io \"\" is invalid: fieldManager: ", detail),
                  {{"group", "meta.k8s.io"},
                   {"kind", kind},
                   {"name", ""},
                   {"causes", Json::array({{{"reason", cause_reason}, {"message", detail}, {"field", "fieldManager"}}})}}};
}

Json RecordUpdate(const ResourceType& t, const Json& live, Json next, const FieldManagerWrite& w) {
  auto kept = [&](const FieldPath& p) { return Kept(t, w.subresource, p); };
  // fieldmanager.go decodeLiveOrNew: a main-resource write may carry
  // managedFields of its own; an empty list or [{}] resets them.
  std::optional<Managers> managers;
  const Json& requested = ManagedFieldsOf(next);
  if (w.subresource.empty() && requested.is_array()) {
    if (requested.empty() || (requested.size() == 1 && requested[0] == Json::object())) {
      managers = Managers{};
    } else if (auto decoded = Decode(requested); decoded && !decoded->empty()) {
      managers = std::move(decoded);
    }
  }
  if (!managers) managers = Decode(ManagedFieldsOf(live));
  if (!managers) managers = Managers{};
  next = WithoutManagedFields(next);
  if (!next.contains("metadata") || !next["metadata"].is_object()) next["metadata"] = Json::object();
  // merge/update.go Updater.Update: what this write added or changed is the
  // writer's (and no longer anybody else's), what it removed is nobody's.
  const FieldType root = FieldType::Root(t);
  Comparison c = Compare(live.is_null() ? Json::object() : WithoutManagedFields(live), next, root);
  const FieldSet changed = c.added.Union(c.modified).Filter(kept);
  const FieldSet removed = c.removed.Filter(kept);
  for (auto it = managers->begin(); it != managers->end();) {
    it->second.set = it->second.set.Difference(changed).Difference(removed);
    it = it->second.set.empty() ? managers->erase(it) : std::next(it);
  }
  if (!changed.empty()) {
    // managedfieldsupdater.go: the entry's time is the last write that changed something.
    Entry& self = (*managers)[Identifier(w.manager, "Update", w.api_version, w.subresource)];
    self.manager = w.manager;
    self.operation = "Update";
    self.api_version = w.api_version;
    self.subresource = w.subresource;
    self.set = self.set.Union(changed);
    self.time = NowRfc3339();
  }
  SetManagedFields(next, *managers);
  return next;
}

std::variant<Json, ApiError> ServerSideApply(const ResourceType& t, const Json& live, const Json& config,
                                             const FieldManagerWrite& w, bool force) {
  if (!config.is_object()) return ApiError{400, "BadRequest", "the body is not a JSON object"};
  if (!ManagedFieldsOf(config).is_null()) {
    return ApiError{400, "BadRequest", "metadata.managedFields must be nil"};  // structuredmerge.go
  }
  auto kept = [&](const FieldPath& p) { return Kept(t, w.subresource, p); };
  Managers managers = Decode(ManagedFieldsOf(live)).value_or(Managers{});
  const Json before = live.is_null() ? Json::object() : WithoutManagedFields(live);
  const FieldType root = FieldType::Root(t);
  Json merged = MergeApplied(before, config, root);

  const std::string self_id = Identifier(w.manager, "Apply", "", w.subresource);
  std::optional<FieldSet> last;
  if (auto it = managers.find(self_id); it != managers.end()) last = it->second.set;
  Entry& self = managers[self_id];
  self.manager = w.manager;
  self.operation = "Apply";
  self.api_version = w.api_version;
  self.subresource = w.subresource;
  self.set = FieldsOf(config, root).Filter(kept);

  // merge/update.go prune: what this manager applied last time and not now
  // goes, unless another manager (applier or updater) owns it, or it was
  // not there because of this manager (addBackDanglingItems).
  if (last && !last->empty()) {
    const FieldSet last_members = NamedFieldsAsMembers(*last, root);
    Json pruned = RemoveItems(merged, last_members, root);
    FieldSet owned;
    for (const auto& [id, e] : managers) owned = owned.Union(e.set);
    const FieldSet merged_set = NamedFieldsAsMembers(FieldsOf(merged, root), root);
    FieldSet pruned_set = NamedFieldsAsMembers(FieldsOf(pruned, root), root);
    pruned = RemoveItems(merged, merged_set.Difference(pruned_set.Union(NamedFieldsAsMembers(owned, root))), root);
    pruned_set = NamedFieldsAsMembers(FieldsOf(pruned, root), root);
    merged = RemoveItems(merged, merged_set.Difference(pruned_set).Intersection(last_members), root);
  }

  // merge/update.go update: changing what another manager owns is a
  // conflict; forced, the field changes hands. Removed fields are nobody's.
  Comparison c = Compare(before, merged, root);
  const FieldSet changed = c.added.Union(c.modified).Filter(kept);
  const FieldSet removed = c.removed.Filter(kept);
  std::vector<std::pair<const Entry*, FieldPath>> conflicts;
  for (const auto& [id, e] : managers) {
    if (id == self_id) continue;
    // A pointer of its own: clang 14 cannot capture a structured binding.
    const Entry* owner = &e;
    e.set.Intersection(changed).ForEach([&](const FieldPath& p) { conflicts.emplace_back(owner, p); });
  }
  if (!conflicts.empty() && !force) return ConflictError(conflicts);
  for (auto it = managers.begin(); it != managers.end();) {
    if (it->first != self_id) it->second.set = it->second.set.Difference(changed).Difference(removed);
    it = it->second.set.empty() ? managers.erase(it) : std::next(it);
  }
  // managedfieldsupdater.go: the time moves only when the object changed.
  if (auto it = managers.find(self_id); it != managers.end() && merged != before) {
    it->second.time = NowRfc3339();
  }
  if (!merged.contains("metadata") || !merged["metadata"].is_object()) merged["metadata"] = Json::object();
  SetManagedFields(merged, managers);
  return merged;
}

}  // namespace doris_operator::kubesim
