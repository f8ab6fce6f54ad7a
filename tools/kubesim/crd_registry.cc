#include "tools/kubesim/api_server.h"

#include "absl/strings/ascii.h"

namespace doris_operator::kubesim {

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
}

}  // namespace doris_operator::kubesim
