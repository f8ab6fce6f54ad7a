#include "tools/kubesim/api_server.h"

#include <map>
#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/kubesim/builtin_schema.h"
#include "tools/kubesim/wire.h"

namespace doris_operator::kubesim {

namespace {

const char* const kVerbs[] = {"create", "delete", "deletecollection", "get",
                              "list",   "patch",  "update",           "watch"};

Json ResourceEntry(const ResourceType& t, const std::string& name_suffix = "") {
  Json e = {{"name", t.resource + name_suffix},
            {"singularName", name_suffix.empty() ? t.singular : ""},
            {"namespaced", t.namespaced},
            {"kind", t.kind},
            {"verbs", name_suffix.empty() ? Json(kVerbs) : Json::array({"get", "patch", "update"})}};
  if (name_suffix.empty() && !t.short_names.empty()) e["shortNames"] = t.short_names;
  return e;
}

}  // namespace

HttpResponse ApiServer::Discovery(const HttpRequest& req) {
  std::vector<std::string> seg = absl::StrSplit(req.path, '/', absl::SkipEmpty());
  const std::vector<ResourceType> types = store_.Types();
  if (seg.size() == 1 && seg[0] == "api") {
    return JsonResponse(200, {{"kind", "APIVersions"},
                              {"versions", Json::array({"v1"})},
                              {"serverAddressByClientCIDRs",
                               Json::array({{{"clientCIDR", "0.0.0.0/0"},
                                             {"serverAddress", "127.0.0.1"}}})}});
  }
  if (seg.size() == 1) {  // /apis
    std::map<std::string, std::set<std::string>> groups;
    for (const ResourceType& t : types) {
      if (!t.group.empty()) groups[t.group].insert(t.version);
    }
    Json list = Json::array();
    for (const auto& [g, versions] : groups) {
      Json vs = Json::array();
      // Highest version first is the preferred one (v2 over v1, v1 over v1beta1).
      std::vector<std::string> ordered(versions.rbegin(), versions.rend());
      for (const std::string& v : ordered) vs.push_back({{"groupVersion", g + "/" + v}, {"version", v}});
      list.push_back({{"name", g}, {"versions", vs}, {"preferredVersion", vs[0]}});
    }
    return JsonResponse(200, {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", list}});
  }
  const std::string group = seg[0] == "api" ? "" : seg[1];
  const std::string version = seg[0] == "api" ? seg[1] : seg[2];
  Json resources = Json::array();
  bool any = false;
  for (const ResourceType& t : types) {
    if (t.group != group || t.version != version) continue;
    any = true;
    resources.push_back(ResourceEntry(t));
    if (t.status_subresource) resources.push_back(ResourceEntry(t, "/status"));
    if (t.scale_subresource) {
      Json scale = ResourceEntry(t, "/scale");
      scale["kind"] = "Scale";
      scale["group"] = "autoscaling";
      scale["version"] = "v1";
      resources.push_back(scale);
    }
  }
  if (!any) return StatusResponse({404, "NotFound", "the server could not find the requested resource"});
  return JsonResponse(200, {{"kind", "APIResourceList"},
                            {"apiVersion", "v1"},
                            {"groupVersion", group.empty() ? version : group + "/" + version},
                            {"resources", resources}});
}

HttpResponse ApiServer::OpenApi(const HttpRequest& req) {
  // Just enough for kubectl: every PATCH operation declares the
  // fieldValidation parameter, so kubectl leaves validation to the server.
  const std::vector<ResourceType> types = store_.Types();
  if (req.path == "/openapi/v3" || req.path == "/openapi/v3/") {
    Json paths = Json::object();
    for (const ResourceType& t : types) {
      const std::string gv = t.group.empty() ? "api/" + t.version : "apis/" + t.api_version();
      paths[gv] = {{"serverRelativeURL", "/openapi/v3/" + gv + "?hash=" + std::to_string(store_.CurrentRv())}};
    }
    return JsonResponse(200, {{"paths", paths}});
  }
  if (req.path.rfind("/openapi/v3/", 0) != 0) {
    return StatusResponse({404, "NotFound", "the server could not find the requested resource"});
  }
  const std::string gv = req.path.substr(std::string("/openapi/v3/").size());
  Json paths = Json::object();
  for (const ResourceType& t : types) {
    const std::string mine = t.group.empty() ? "api/" + t.version : "apis/" + t.api_version();
    if (mine != gv) continue;
    const std::string base = "/" + mine + (t.namespaced ? "/namespaces/{namespace}/" : "/") + t.resource + "/{name}";
    paths[base] = {{"patch",
                    {{"x-kubernetes-group-version-kind",
                      {{"group", t.group}, {"version", t.version}, {"kind", t.kind}}},
                     {"parameters", Json::array({{{"name", "fieldValidation"}, {"in", "query"}},
                                                 {{"name", "fieldManager"}, {"in", "query"}}})}}}};
  }
  if (paths.empty()) return StatusResponse({404, "NotFound", "the server could not find the requested resource"});
  // A group-version of built-in kinds only always yields the same document
  // (hundreds of KB for v1, which kubectl fetches for every apply): build it
  // once per set of kinds.
  std::string signature = gv;
  bool builtin_only = true;
  for (const ResourceType& t : types) {
    const std::string mine = t.group.empty() ? "api/" + t.version : "apis/" + t.api_version();
    if (mine != gv) continue;
    absl::StrAppend(&signature, "\n", t.kind, "/", t.resource, t.namespaced ? "/ns" : "");
    builtin_only = builtin_only && !t.schema && !BuiltinDefinition(t.group, t.version, t.kind).empty();
  }
  static std::mutex* const cache_mu = new std::mutex;
  static auto* const cache = new std::map<std::string, std::string>;
  if (builtin_only) {
    std::lock_guard<std::mutex> lock(*cache_mu);
    if (auto it = cache->find(signature); it != cache->end()) {
      HttpResponse r;
      r.body = it->second;
      return r;
    }
  }
  // Schemas for `kubectl explain`: Kubernetes' own for built-in kinds (with
  // every definition they refer to), a CRD's own openAPIV3Schema.
  Json schemas = Json::object();
  std::optional<ResourceType> crds = store_.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  for (const ResourceType& t : types) {
    const std::string mine = t.group.empty() ? "api/" + t.version : "apis/" + t.api_version();
    if (mine != gv) continue;
    if (const std::string def = BuiltinDefinition(t.group, t.version, t.kind); !def.empty() && !t.schema) {
      const Json& all = BuiltinSchemas()["components"]["schemas"];
      for (const std::string& d : ReachableDefinitions(def)) schemas[d] = all[d];
      continue;
    }
    Json schema = {{"type", "object"},
                   {"description", absl::StrCat(t.kind, " (served by kubesim)")},
                   {"properties", {{"apiVersion", {{"type", "string"}}},
                                   {"kind", {{"type", "string"}}},
                                   {"metadata", {{"type", "object"}}},
                                   {"spec", {{"type", "object"}}},
                                   {"status", {{"type", "object"}}}}}};
    if (crds && !t.group.empty()) {
      for (const Json& crd : store_.List(*crds, "", "", "", 0, "").items) {
        const Json spec = crd.value("spec", Json::object());
        if (spec.value("group", "") != t.group) continue;
        if (spec.value("names", Json::object()).value("kind", "") != t.kind) continue;
        for (const Json& v : spec.value("versions", Json::array())) {
          if (v.value("name", "") != t.version) continue;
          const Json s = v.value("schema", Json::object()).value("openAPIV3Schema", Json());
          if (s.is_object()) schema = s;
        }
      }
    }
    schema["x-kubernetes-group-version-kind"] =
        Json::array({{{"group", t.group}, {"version", t.version}, {"kind", t.kind}}});
    const std::string group_prefix = t.group.empty() ? "io.k8s.api.core" : t.group;
    schemas[absl::StrCat(group_prefix, ".", t.version, ".", t.kind)] = schema;
  }
  HttpResponse r = JsonResponse(200, {{"openapi", "3.0.0"}, {"info", {{"title", "kubesim"}, {"version", "v1.32"}}},
                                      {"paths", paths}, {"components", {{"schemas", schemas}}}});
  if (builtin_only) {
    std::lock_guard<std::mutex> lock(*cache_mu);
    (*cache)[signature] = r.body;
  }
  return r;
}

}  // namespace doris_operator::kubesim
