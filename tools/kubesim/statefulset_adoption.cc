#include "tools/kubesim/statefulset_adoption.h"

#include <string>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::kubesim {

namespace {

// The selector's matchLabels as a label selector string.
std::string SelectorOf(const Json& sts) {
  std::string out;
  const Json labels = sts["spec"].value("selector", Json::object()).value("matchLabels", Json::object());
  if (!labels.is_object() || labels.empty()) return out;
  for (const auto& [k, v] : labels.items()) {
    if (!out.empty()) out += ",";
    out += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

// stateful_set_utils.go isMemberOf: the pod's parent name (its name
// without the trailing -ordinal) is the set's.
bool MemberOf(const std::string& pod, const std::string& sts) {
  const size_t dash = pod.rfind('-');
  int ordinal = 0;
  return dash != std::string::npos && pod.substr(0, dash) == sts &&
         absl::SimpleAtoi(pod.substr(dash + 1), &ordinal) && ordinal >= 0;
}

}  // namespace

std::vector<Json> AdoptOrphans(ObjectStore* store, const ResourceType& t, const Json& sts,
                               const std::vector<Json>& orphans, bool pods) {
  std::vector<Json> out;
  const std::string selector = SelectorOf(sts);
  // An empty selector selects nothing (the API server refuses one anyway).
  if (selector.empty() || sts["metadata"].contains("deletionTimestamp")) return out;
  const std::string name = sts["metadata"].value("name", "");
  const std::string ns = sts["metadata"].value("namespace", "");
  for (const Json& o : orphans) {
    if (o["metadata"].value("namespace", "") != ns || o["metadata"].contains("deletionTimestamp")) continue;
    if (!MatchesLabels(o, selector)) continue;
    if (pods && !MemberOf(o["metadata"].value("name", ""), name)) continue;
    Json next = o;
    Json refs = next["metadata"].value("ownerReferences", Json::array());
    refs.push_back({{"apiVersion", "apps/v1"},
                    {"kind", "StatefulSet"},
                    {"name", name},
                    {"uid", sts["metadata"]["uid"]},
                    {"controller", true},
                    {"blockOwnerDeletion", true}});
    next["metadata"]["ownerReferences"] = refs;
    auto updated = store->Update(t, ns, next, /*status_only=*/false);
    if (auto* u = std::get_if<Json>(&updated)) out.push_back(*u);
  }
  return out;
}

}  // namespace doris_operator::kubesim
