#include "operator/reconcile/diff.h"

#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/field_compare.h"
#include "store/object_id.h"
#include "translator/canonical_json.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;

// Objects are matched by group, kind and name: an HPA read as autoscaling/v1
// is the one desired as autoscaling/v2.
using Key = std::tuple<std::string, std::string, std::string>;

Key KeyOf(const std::string& api_version, const std::string& kind, const std::string& name) {
  return {std::string(store::GroupOf(api_version)), kind, name};
}

std::string LiveHash(const Json& object) {
  return kube::StringAt(object, {"metadata", "annotations", translator::kHashAnnotation});
}

const Json& VolumeClaimTemplates(const Json& sts) {
  return kube::FieldAt(sts, {"spec", "volumeClaimTemplates"});
}

// Whether the desired and live volumeClaimTemplates differ in what the user
// controls (not server-filled status and defaults).
bool StorageDiffers(const Json& want, const Json& live) {
  auto strip = [](Json v) {
    if (v.is_array()) {
      for (Json& t : v) {
        t.erase("status");
        if (t.contains("metadata")) t["metadata"].erase("creationTimestamp");
        if (t.contains("spec")) t["spec"].erase("volumeMode");
      }
    }
    return v;
  };
  const Json w = strip(VolumeClaimTemplates(want)), l = strip(VolumeClaimTemplates(live));
  if (w.is_null() && l.is_null()) return false;
  // Both ways, quantities by value: a template the user dropped a field
  // from is a change too (server-side apply would remove it, which is
  // forbidden), a canonical "10Gi" for "10240Mi" is not.
  const std::string path = "/spec/volumeClaimTemplates";
  return !SameAsStored(path, w, l) || !SameAsStored(path, l, w);
}

}  // namespace

DiffResult Diff(const translator::DesiredSet& desired, const std::vector<LiveObject>& live) {
  DiffResult out;
  std::map<Key, const LiveObject*> by_key;
  for (const LiveObject& l : live) by_key[KeyOf(l.api_version, l.kind, l.name)] = &l;

  std::set<Key> wanted;
  for (const translator::DesiredObject& d : desired.objects) {
    const Key key = KeyOf(d.api_version, d.kind, d.name);
    wanted.insert(key);
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      out.writes.push_back({Verb::kCreate, d.api_version, d.kind, d.name, d.json,
                            absl::StrCat(d.kind, " ", d.name, " does not exist")});
      continue;
    }
    const std::string live_hash = LiveHash(it->second->object);
    // volumeClaimTemplates cannot change after creation: the live ones stay
    // (below), and the difference is noted on every reconcile, also once
    // the rest of the change is applied, until the spec or the live object
    // changes again.
    const bool storage_kept = d.kind == "StatefulSet" && StorageDiffers(Json::parse(d.json), it->second->object);
    if (storage_kept) {
      out.notes.push_back(absl::StrCat(
          "StatefulSet ", d.name,
          ": volumeClaimTemplates cannot be changed on an existing StatefulSet; kept the live "
          "ones (resize PVCs or recreate the StatefulSet to change storage)"));
    }
    std::string changed_by_hand;
    if (live_hash == d.hash) {
      // Ours, and our fields as we wrote them: leave it be. Fields someone
      // changed by hand (the hash annotation stays) are put back.
      const Json want = Json::parse(d.json, nullptr, false);
      for (const FieldDifference& f :
           CompareOwnedFields(want, it->second->object, {"metadata", "spec", "data"})) {
        if (f.as_stored || f.path.rfind("/spec/volumeClaimTemplates", 0) == 0) continue;
        changed_by_hand = f.path;
        break;
      }
      if (changed_by_hand.empty()) continue;
    }
    std::string body = d.json;
    if (storage_kept) {
      // Keep the live templates so the rest of the change can be applied.
      const Json& live_obj = it->second->object;
      Json want = Json::parse(d.json);
      const Json live_vct = VolumeClaimTemplates(live_obj);
      if (live_vct.is_null()) {
        want["spec"].erase("volumeClaimTemplates");
      } else {
        want["spec"]["volumeClaimTemplates"] = live_vct;
      }
      body = translator::Canonical(want);
    }
    out.writes.push_back(
        {Verb::kApply, d.api_version, d.kind, d.name, std::move(body),
         !changed_by_hand.empty()
             ? absl::StrCat(d.kind, " ", d.name, ": ", changed_by_hand, " was changed outside the operator")
         : live_hash.empty() ? absl::StrCat(d.kind, " ", d.name, " has no content hash (not written by us)")
                           : absl::StrCat(d.kind, " ", d.name, " content hash ",
                                          live_hash.substr(0, 12), " != desired ",
                                          d.hash.substr(0, 12))});
  }
  for (const LiveObject& l : live) {
    if (wanted.count(KeyOf(l.api_version, l.kind, l.name)) || !l.owned) continue;
    out.writes.push_back({Verb::kDelete, l.api_version, l.kind, l.name, "",
                          absl::StrCat(l.kind, " ", l.name, " is no longer desired")});
  }
  return out;
}

}  // namespace doris_operator::reconcile
