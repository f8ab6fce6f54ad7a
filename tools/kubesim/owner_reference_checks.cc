#include "tools/kubesim/owner_reference_checks.h"

#include <map>

#include "absl/strings/str_cat.h"

namespace doris_operator::kubesim {

namespace {

Json OwnerRefs(const Json* obj) {
  if (obj == nullptr || !obj->is_object() || !obj->contains("metadata")) return Json::array();
  const Json& meta = (*obj)["metadata"];
  if (!meta.is_object()) return Json::array();
  const Json refs = meta.value("ownerReferences", Json::array());
  return refs.is_array() ? refs : Json::array();
}

bool Blocking(const Json& ref) {
  return ref.is_object() && ref.value("blockOwnerDeletion", Json()) == Json(true);
}

}  // namespace

std::vector<AuthorizationCheck> OwnerReferenceChecks(const ResourceType& t, const std::string& sub,
                                                     const std::string& ns, const Json* old,
                                                     const Json& obj,
                                                     const std::vector<ResourceType>& types) {
  std::vector<AuthorizationCheck> out;
  if (t.group.empty() && t.resource == "pods" && sub == "status") return out;
  const Json now = OwnerRefs(&obj);
  const Json before = OwnerRefs(old);
  // isChangingOwnerReference: a create with any reference, or an update
  // whose list differs (the Go code compares element by element; JSON
  // equality of the decoded references is the same here).
  const bool changing = old == nullptr ? !now.empty() : now != before;
  if (!changing) return out;
  const std::string self = sub.empty() ? t.resource : absl::StrCat(t.resource, "/", sub);
  if (old != nullptr) out.push_back({"delete", t.group, self, t.namespaced ? ns : ""});
  // newBlockingOwnerDeletionRefs: blocking now, and new (by uid) or not
  // blocking before.
  std::map<std::string, bool> was_blocking;
  for (const Json& r : before) {
    if (r.is_object()) was_blocking[r.value("uid", "")] = Blocking(r);
  }
  for (const Json& r : now) {
    if (!Blocking(r)) continue;
    auto it = was_blocking.find(r.value("uid", ""));
    if (it != was_blocking.end() && it->second) continue;
    const std::string api_version = r.value("apiVersion", "");
    const size_t slash = api_version.find('/');
    const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    const std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
    for (const ResourceType& owner : types) {
      if (owner.group != group || owner.version != version || owner.kind != r.value("kind", "")) continue;
      out.push_back({"update", owner.group, absl::StrCat(owner.resource, "/finalizers"),
                     owner.namespaced ? ns : ""});
    }
  }
  return out;
}

}  // namespace doris_operator::kubesim
