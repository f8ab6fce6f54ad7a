#include <map>
#include <set>
#include <vector>

#include "tools/kubesim/api_server.h"
#include "tools/kubesim/wire.h"

namespace doris_operator::kubesim {

namespace {

bool HasFinalizer(const Json& obj, const std::string& finalizer) {
  const Json& meta = obj["metadata"];
  if (!meta.contains("finalizers") || !meta["finalizers"].is_array()) return false;
  for (const Json& f : meta["finalizers"]) {
    if (f == finalizer) return true;
  }
  return false;
}

bool BeingDeleted(const Json& obj) { return obj["metadata"].contains("deletionTimestamp"); }

// Waiting for its dependents: deleted in the foreground.
bool DeletingDependents(const Json& obj) { return BeingDeleted(obj) && HasFinalizer(obj, "foregroundDeletion"); }

std::string GroupOf(const std::string& api_version) {
  const size_t slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

Json OwnerRefs(const Json& obj) {
  const Json& meta = obj["metadata"];
  return meta.contains("ownerReferences") && meta["ownerReferences"].is_array() ? meta["ownerReferences"]
                                                                                  : Json::array();
}

}  // namespace

bool ApiServer::CollectDependents(const std::string& owner_uid, bool orphan) {
  if (owner_uid.empty()) return true;
  bool all_released = true;
  for (const ResourceType& t : store_.Types()) {
    for (const Json& obj : store_.List(t, "", "", "", 0, "").items) {
      const Json refs = obj["metadata"].value("ownerReferences", Json::array());
      bool owned = false;
      Json kept = Json::array();
      for (const Json& r : refs) {
        if (r.value("uid", "") == owner_uid) {
          owned = true;
        } else {
          kept.push_back(r);
        }
      }
      if (!owned) continue;
      const std::string ns = obj["metadata"].value("namespace", "");
      const std::string name = obj["metadata"].value("name", "");
      if (orphan || !kept.empty()) {
        // Released (or still owned by someone else): drop our reference.
        // The collector patches without a resourceVersion precondition
        // (garbagecollector.go deleteOwnerRefJSONMergePatch), so a kubelet
        // status write between the list and this update must not keep the
        // reference: read again and retry on a conflict.
        Json next = obj;
        bool released = false;
        for (int attempt = 0; attempt < 16 && !released; ++attempt) {
          Json stripped = Json::array();
          for (const Json& r : OwnerRefs(next)) {
            if (r.value("uid", "") != owner_uid) stripped.push_back(r);
          }
          if (stripped.empty()) {
            next["metadata"].erase("ownerReferences");
          } else {
            next["metadata"]["ownerReferences"] = stripped;
          }
          if (std::holds_alternative<Json>(store_.Update(t, ns, next, false))) {
            released = true;
            break;
          }
          auto cur = store_.Get(t, ns, name);
          if (!std::holds_alternative<Json>(cur)) {
            released = true;  // gone: nothing names the owner
            break;
          }
          next = std::get<Json>(cur);
        }
        all_released &= released;
        continue;
      }
      auto deleted = store_.Delete(t, ns, name);
      if (auto* d = std::get_if<Json>(&deleted); d != nullptr && !(*d)["metadata"].contains("deletionTimestamp")) {
        AfterWrite(t, *d, true);
        CollectDependents((*d)["metadata"].value("uid", ""), false);
      }
    }
  }
  return all_released;
}

void ApiServer::CollectGarbage() {
  std::lock_guard<std::mutex> collecting(collector_mu_);
  // One look at every object (each resource once, whatever its versions).
  struct Item {
    ResourceType type;
    Json object;
  };
  std::vector<Item> items;
  std::map<std::string, size_t> by_uid;
  std::map<std::string, std::vector<size_t>> dependents;  // owner uid -> items naming it
  std::set<std::string> seen_types;
  std::set<std::pair<std::string, std::string>> served;  // group, kind
  for (const ResourceType& t : store_.Types()) {
    served.insert({t.group, t.kind});
    if (!seen_types.insert(t.key()).second) continue;
    for (Json& obj : store_.List(t, "", "", "", 0, "").items) {
      const std::string uid = obj["metadata"].value("uid", "");
      if (uid.empty()) continue;
      by_uid[uid] = items.size();
      for (const Json& r : OwnerRefs(obj)) dependents[r.value("uid", "")].push_back(items.size());
      items.push_back({t, std::move(obj)});
    }
  }
  // The owner an ownerReference names, as the collector looks it up (by
  // kind, name and the dependent's namespace, then the uid must match;
  // isDangling), or null when it is absent.
  auto owner_of = [&](const Json& ref, const Json& dependent) -> const Item* {
    auto it = by_uid.find(ref.value("uid", ""));
    if (it == by_uid.end()) return nullptr;
    const Item& o = items[it->second];
    if (o.type.kind != ref.value("kind", "") || o.type.group != GroupOf(ref.value("apiVersion", "")) ||
        o.object["metadata"].value("name", "") != ref.value("name", "")) {
      return nullptr;
    }
    if (o.type.namespaced &&
        o.object["metadata"].value("namespace", "") != dependent["metadata"].value("namespace", "")) {
      return nullptr;
    }
    return &o;
  };
  // Acts on an object only while it is still the one looked at, unchanged:
  // the collector classifies the latest object's ownerReferences and
  // deletes with its resourceVersion as a precondition (attemptToDeleteItem,
  // deleteObject), so a dependent orphaned after this pass looked at it (an
  // orphan delete of its owner, served meanwhile) is not collected on the
  // stale view; the next pass sees it as it is.
  auto current = [&](const Item& i) {
    const std::string ns = i.object["metadata"].value("namespace", "");
    auto live = store_.Get(i.type, ns, i.object["metadata"].value("name", ""));
    const Json* obj = std::get_if<Json>(&live);
    return obj != nullptr && (*obj)["metadata"].value("uid", "") == i.object["metadata"].value("uid", "") &&
           (*obj)["metadata"].value("resourceVersion", "") == i.object["metadata"].value("resourceVersion", "");
  };

  for (const Item& i : items) {
    const Json& meta = i.object["metadata"];
    const std::string ns = meta.value("namespace", "");
    const std::string name = meta.value("name", "");
    const std::string uid = meta.value("uid", "");
    if (DeletingDependents(i.object)) {
      // processDeletingDependentsItem: the owner goes once no dependent
      // blocks it (blockOwnerDeletion: true); the others are collected as
      // dangling afterwards.
      bool blocked = false;
      for (size_t d : dependents[uid]) {
        for (const Json& r : OwnerRefs(items[d].object)) {
          blocked |= r.value("uid", "") == uid && r.value("blockOwnerDeletion", false) == true;
        }
      }
      if (blocked || !current(i)) continue;
      Json next = i.object;
      Json kept = Json::array();
      for (const Json& f : meta["finalizers"]) {
        if (f != "foregroundDeletion") kept.push_back(f);
      }
      next["metadata"]["finalizers"] = kept;
      store_.Update(i.type, ns, next, false);
      continue;
    }
    if (BeingDeleted(i.object) && HasFinalizer(i.object, "orphan")) {
      // attemptToOrphanWorker: an owner whose orphan delete could not
      // release every dependent yet keeps its finalizer; try again, and let
      // it go once they are all released.
      if (!current(i) || !CollectDependents(uid, /*orphan=*/true)) continue;
      Json next = i.object;
      Json kept = Json::array();
      for (const Json& f : meta["finalizers"]) {
        if (f != "orphan") kept.push_back(f);
      }
      next["metadata"]["finalizers"] = kept;
      store_.Update(i.type, ns, next, false);
      continue;
    }
    // attemptToDeleteItem: "being deleted" is a one-way trip; an object
    // without owners is not the collector's.
    if (BeingDeleted(i.object)) continue;
    const Json refs = OwnerRefs(i.object);
    if (refs.empty()) continue;
    // An owner of a kind the server does not know cannot be looked up: the
    // collector retries that item later and does nothing to it.
    bool unknown_kind = false;
    for (const Json& r : refs) {
      unknown_kind |= !served.count({GroupOf(r.value("apiVersion", "")), r.value("kind", "")});
    }
    if (unknown_kind) continue;
    Json solid = Json::array();
    std::set<std::string> dangling, waiting;  // uids
    for (const Json& r : refs) {
      const Item* owner = owner_of(r, i.object);
      if (owner == nullptr) {
        dangling.insert(r.value("uid", ""));
      } else if (DeletingDependents(owner->object)) {
        waiting.insert(r.value("uid", ""));
      } else {
        solid.push_back(r);
      }
    }
    if (dangling.empty() && waiting.empty()) continue;
    if (!current(i)) continue;
    if (!solid.empty()) {
      // Still owned: the references to absent owners, and to owners
      // waiting for their dependents, are removed (else those owners would
      // wait for ever).
      Json next = i.object;
      next["metadata"]["ownerReferences"] = solid;
      store_.Update(i.type, ns, next, false);
      continue;
    }
    // No owner is left to keep it: deleted. An owner waits for it and it
    // has dependents itself: in the foreground, so the owner's wait
    // covers them too. Otherwise as its finalizers say, else background.
    const bool has_dependents = !dependents[uid].empty();
    std::string policy = "Background";
    if (!waiting.empty() && has_dependents) {
      policy = "Foreground";
    } else if (HasFinalizer(i.object, "orphan")) {
      policy = "Orphan";
    } else if (HasFinalizer(i.object, "foregroundDeletion")) {
      policy = "Foreground";
    }
    if (policy == "Foreground") {
      Json marked = i.object;
      if (!HasFinalizer(marked, "foregroundDeletion")) {
        Json finalizers = marked["metadata"].value("finalizers", Json::array());
        finalizers.push_back("foregroundDeletion");
        marked["metadata"]["finalizers"] = finalizers;
        store_.Update(i.type, ns, marked, false);
      }
    }
    auto deleted = store_.Delete(i.type, ns, name);
    if (auto* d = std::get_if<Json>(&deleted); d != nullptr && !(*d)["metadata"].contains("deletionTimestamp")) {
      AfterWrite(i.type, *d, true);
      CollectDependents(uid, policy == "Orphan");
    }
  }
}

}  // namespace doris_operator::kubesim
