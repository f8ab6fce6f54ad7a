#include "tools/kubesim/field_manager.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/kubesim/patches.h"

namespace doris_operator::kubesim {

namespace {

// Server-side apply bookkeeping, in the API server's managedFields format:
// {"f:spec":{"f:replicas":{}}}. Lists are owned whole (atomic), which is
// coarser than the real merge keys but keeps the semantics that matter:
// a field an applier stops sending is removed, unless someone else owns it.
using FieldPath = std::vector<std::string>;

void CollectFields(const Json& v, FieldPath& prefix, std::set<FieldPath>& out) {
  if (!v.is_object() || v.empty()) {
    out.insert(prefix);
    return;
  }
  for (const auto& [k, child] : v.items()) {
    prefix.push_back(k);
    CollectFields(child, prefix, out);
    prefix.pop_back();
  }
}

std::set<FieldPath> AppliedFields(const Json& body) {
  std::set<FieldPath> out;
  FieldPath prefix;
  for (const auto& [k, v] : body.items()) {
    if (k == "apiVersion" || k == "kind" || k == "status") continue;
    if (k == "metadata") {
      for (const auto& [mk, mv] : v.items()) {
        if (mk != "labels" && mk != "annotations" && mk != "finalizers" && mk != "ownerReferences") continue;
        prefix = {"metadata", mk};
        CollectFields(mv, prefix, out);
      }
      continue;
    }
    prefix = {k};
    CollectFields(v, prefix, out);
  }
  return out;
}

Json FieldsToJson(const std::set<FieldPath>& fields) {
  Json out = Json::object();
  for (const FieldPath& p : fields) {
    Json* cur = &out;
    for (const std::string& k : p) cur = &(*cur)["f:" + k];
    if (cur->is_null()) *cur = Json::object();
  }
  return out;
}

void JsonToFields(const Json& j, FieldPath& prefix, std::set<FieldPath>& out) {
  if (!j.is_object() || j.empty()) {
    if (!prefix.empty()) out.insert(prefix);
    return;
  }
  for (const auto& [k, v] : j.items()) {
    if (k.rfind("f:", 0) != 0) continue;
    prefix.push_back(k.substr(2));
    JsonToFields(v, prefix, out);
    prefix.pop_back();
  }
}

const Json* AtPath(const Json& obj, const FieldPath& p) {
  const Json* cur = &obj;
  for (const std::string& k : p) {
    if (!cur->is_object() || !cur->contains(k)) return nullptr;
    cur = &(*cur)[k];
  }
  return cur;
}

void RemovePath(Json& obj, const FieldPath& p) {
  Json* cur = &obj;
  std::vector<Json*> chain;
  for (size_t i = 0; i + 1 < p.size(); ++i) {
    if (!cur->is_object() || !cur->contains(p[i])) return;
    chain.push_back(cur);
    cur = &(*cur)[p[i]];
  }
  if (!cur->is_object()) return;
  cur->erase(p.back());
  // Drop parents the removal left empty.
  for (size_t i = chain.size(); i-- > 0;) {
    Json& parent = *chain[i];
    if (parent[p[i]].is_object() && parent[p[i]].empty()) parent.erase(p[i]);
  }
}


}  // namespace

std::variant<Json, ApiError> ServerSideApply(Json cur, const Json& body, const std::string& manager,
                                             bool force) {
  const std::set<FieldPath> applied = AppliedFields(body);
  Json managed = cur["metadata"].value("managedFields", Json::array());
  std::set<FieldPath> previous;
  std::map<FieldPath, std::string> others;  // path -> another applier
  Json kept = Json::array();
  for (const Json& entry : managed) {
    std::set<FieldPath> fields;
    FieldPath prefix;
    JsonToFields(entry.value("fieldsV1", Json::object()), prefix, fields);
    if (entry.value("manager", "") == manager) {
      previous = fields;
      continue;
    }
    for (const FieldPath& f : fields) others.emplace(f, entry.value("manager", ""));
    kept.push_back(entry);
  }
  std::vector<std::string> conflicts;
  for (const FieldPath& f : applied) {
    auto o = others.find(f);
    if (o == others.end()) continue;
    const Json* have = AtPath(cur, f);
    const Json* want = AtPath(body, f);
    if (have != nullptr && want != nullptr && *have != *want) {
      conflicts.push_back(absl::StrCat(".", absl::StrJoin(f, "."), " (owned by \"", o->second, "\")"));
    }
  }
  if (!conflicts.empty() && !force) {
    return ApiError{409, "Conflict",
                    absl::StrCat("Apply failed with ", conflicts.size(), " conflict(s): ",
                                 absl::StrJoin(conflicts, ", "))};
  }
  if (force) {
    // Forcing takes the conflicting fields over.
    for (Json& entry : kept) {
      std::set<FieldPath> fields;
      FieldPath prefix;
      JsonToFields(entry.value("fieldsV1", Json::object()), prefix, fields);
      bool changed = false;
      for (const FieldPath& f : applied) changed |= fields.erase(f) > 0;
      if (changed) entry["fieldsV1"] = FieldsToJson(fields);
    }
  }
  for (const FieldPath& f : previous) {
    if (applied.count(f) || others.count(f)) continue;
    RemovePath(cur, f);
  }
  Json merged = MergePatch(cur, body);
  kept.push_back({{"manager", manager}, {"operation", "Apply"}, {"apiVersion", body.value("apiVersion", "")},
                  {"fieldsType", "FieldsV1"}, {"fieldsV1", FieldsToJson(applied)}});
  merged["metadata"]["managedFields"] = kept;
  return merged;
}

}  // namespace doris_operator::kubesim
