#include "tools/kubesim/api_server.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"

namespace doris_operator::kubesim {

namespace {


// What apiextensions-apiserver's controllers write into a CRD's status once
// it is stored: the naming controller accepts the names (NamesAccepted,
// reason NoConflicts) and the establishing controller marks it Established
// (InitialNamesAccepted); the strategy records every storage version in
// storedVersions (pkg/controller/status/naming_controller.go,
// pkg/controller/establish/establishing_controller.go,
// pkg/registry/customresourcedefinition/strategy.go). Kubesim has no other
// CRD claiming the same names, so they are always accepted, at once.
Json CrdStatus(const Json& crd) {
  const Json& spec = crd["spec"];
  Json status = crd.contains("status") && crd["status"].is_object() ? crd["status"] : Json::object();
  status["acceptedNames"] = spec.value("names", Json::object());
  Json stored = status.value("storedVersions", Json::array());
  for (const Json& v : spec.value("versions", Json::array())) {
    if (v.value("storage", false) && std::find(stored.begin(), stored.end(), v.value("name", "")) == stored.end()) {
      stored.push_back(v.value("name", ""));
    }
  }
  status["storedVersions"] = stored;
  const Json old_conditions = status.value("conditions", Json::array());
  Json conditions = Json::array();
  for (const auto& [type, reason, message] :
       {std::tuple<const char*, const char*, const char*>{"NamesAccepted", "NoConflicts", "no conflicts found"},
        {"Established", "InitialNamesAccepted", "the initial names have been accepted"}}) {
    Json c = {{"type", type}, {"status", "True"}, {"reason", reason}, {"message", message},
              {"lastTransitionTime", NowRfc3339()}};
    for (const Json& old : old_conditions) {
      if (old.value("type", "") == type && old.value("status", "") == "True") c = old;
    }
    conditions.push_back(c);
  }
  status["conditions"] = conditions;
  return status;
}

}  // namespace

void ApiServer::AfterWrite(const ResourceType& t, const Json& obj, bool deleted) {
  if (t.resource != "customresourcedefinitions" || !obj.contains("spec")) return;
  const Json& spec = obj["spec"];
  const std::string group = spec.value("group", "");
  const Json names = spec.value("names", Json::object());
  if (deleted) {
    store_.Unregister(group, names.value("plural", ""));
    return;
  }
  for (const Json& v : spec.value("versions", Json::array())) {
    if (!v.value("served", false)) continue;
    ResourceType rt;
    rt.group = group;
    rt.version = v.value("name", "");
    rt.resource = names.value("plural", "");
    rt.singular = names.value("singular", absl::AsciiStrToLower(names.value("kind", "")));
    rt.kind = names.value("kind", "");
    rt.namespaced = spec.value("scope", "Namespaced") == "Namespaced";
    rt.custom = true;
    for (const Json& s : names.value("shortNames", Json::array())) rt.short_names.push_back(s);
    const Json subs = v.value("subresources", Json::object());
    rt.status_subresource = subs.contains("status");
    rt.scale_subresource = subs.contains("scale");
    rt.printer_columns = v.value("additionalPrinterColumns", Json::array());
    if (v.contains("schema") && v["schema"].is_object() && v["schema"].contains("openAPIV3Schema")) {
      rt.schema = std::make_shared<const Json>(v["schema"]["openAPIV3Schema"]);
    }
    store_.Register(rt);
  }
  // The resource is served now: the controllers' status write follows (a
  // no-op when nothing changed, so status writes do not loop).
  if (obj.contains("metadata") && !obj["metadata"].contains("deletionTimestamp")) {
    Json next = obj;
    next["status"] = CrdStatus(obj);
    next["metadata"].erase("resourceVersion");
    store_.Update(t, "", next, /*status_only=*/true);
  }
}

}  // namespace doris_operator::kubesim
