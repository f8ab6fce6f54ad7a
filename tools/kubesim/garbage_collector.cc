#include "tools/kubesim/api_server.h"

#include "tools/kubesim/wire.h"

namespace doris_operator::kubesim {

void ApiServer::CollectDependents(const std::string& owner_uid, bool orphan) {
  if (owner_uid.empty()) return;
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
        Json next = obj;
        if (kept.empty()) {
          next["metadata"].erase("ownerReferences");
        } else {
          next["metadata"]["ownerReferences"] = kept;
        }
        store_.Update(t, ns, next, false);
        continue;
      }
      auto deleted = store_.Delete(t, ns, name);
      if (auto* d = std::get_if<Json>(&deleted); d != nullptr && !(*d)["metadata"].contains("deletionTimestamp")) {
        AfterWrite(t, *d, true);
        CollectDependents((*d)["metadata"].value("uid", ""), false);
      }
    }
  }
}

}  // namespace doris_operator::kubesim
