#include "tools/kubesim/api_server.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/kubesim/protobuf_body.h"
#include "tools/kubesim/structural_schema.h"

namespace doris_operator::kubesim {

namespace {

const char* const kVerbs[] = {"create", "delete", "deletecollection", "get",
                              "list",   "patch",  "update",           "watch"};

std::vector<ResourceType> BuiltIns() {
  auto t = [](std::string g, std::string v, std::string r, std::string s, std::string k, bool ns,
              std::vector<std::string> shorts = {}, bool status = false, bool scale = false) {
    ResourceType rt;
    rt.group = std::move(g);
    rt.version = std::move(v);
    rt.resource = std::move(r);
    rt.singular = std::move(s);
    rt.kind = std::move(k);
    rt.namespaced = ns;
    rt.short_names = std::move(shorts);
    rt.status_subresource = status;
    rt.scale_subresource = scale;
    return rt;
  };
  return {
      t("", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, true),
      t("", "v1", "pods", "pod", "Pod", true, {"po"}, true),
      t("", "v1", "services", "service", "Service", true, {"svc"}, true),
      t("", "v1", "endpoints", "endpoints", "Endpoints", true, {"ep"}),
      t("", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}),
      t("", "v1", "secrets", "secret", "Secret", true),
      t("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true,
        {"pvc"}, true),
      t("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, {"pv"}, true),
      t("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}),
      t("", "v1", "events", "event", "Event", true, {"ev"}),
      t("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, {"sts"}, true, true),
      t("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", true),
      t("coordination.k8s.io", "v1", "leases", "lease", "Lease", true),
      t("events.k8s.io", "v1", "events", "event", "Event", true, {"ev"}),
      t("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true,
        {"pdb"}, true),
      t("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler",
        "HorizontalPodAutoscaler", true, {"hpa"}, true),
      t("autoscaling", "v1", "horizontalpodautoscalers", "horizontalpodautoscaler",
        "HorizontalPodAutoscaler", true, {"hpa"}, true),
      // RBAC objects are stored and served (kubectl apply -k of the operator's
      // manifests needs them) but not enforced.
      t("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false),
      t("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding",
        "ClusterRoleBinding", false),
      t("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true),
      t("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true),
      t("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
        "CustomResourceDefinition", false, {"crd", "crds"}, true),
  };
}

HttpResponse JsonResponse(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

HttpResponse StatusResponse(const ApiError& e, const ResourceType* t = nullptr,
                            const std::string& name = "") {
  Json details = e.details.is_null() ? Json::object() : e.details;
  if (!name.empty() && e.details.is_null()) details["name"] = name;
  if (t != nullptr && e.details.is_null()) {
    details["kind"] = t->resource;
    if (!t->group.empty()) details["group"] = t->group;
  }
  return JsonResponse(e.code, {{"kind", "Status"},
                               {"apiVersion", "v1"},
                               {"metadata", Json::object()},
                               {"status", "Failure"},
                               {"message", e.message},
                               {"reason", e.reason},
                               {"details", details},
                               {"code", e.code}});
}

// RFC 7386.
Json MergePatch(Json target, const Json& patch) {
  if (!patch.is_object()) return patch;
  if (!target.is_object()) target = Json::object();
  for (const auto& [k, v] : patch.items()) {
    if (v.is_null()) {
      target.erase(k);
    } else {
      target[k] = MergePatch(target.contains(k) ? target[k] : Json(), v);
    }
  }
  return target;
}

// Strategic merge for the common built-in case: lists of objects with a
// `name` (containers, env, ports, volumes) merge by name; other lists
// replace. `$patch: delete` entries remove by name.
Json StrategicMerge(Json target, const Json& patch) {
  if (!patch.is_object()) return patch;
  if (!target.is_object()) target = Json::object();
  for (const auto& [k, v] : patch.items()) {
    if (k.rfind("$setElementOrder/", 0) == 0 || k == "$patch" || k == "$retainKeys") continue;
    if (v.is_null()) {
      target.erase(k);
    } else if (v.is_array() && target.contains(k) && target[k].is_array() && !v.empty() &&
               v[0].is_object() && v[0].contains("name")) {
      Json merged = target[k];
      for (const Json& item : v) {
        bool found = false;
        for (size_t i = 0; i < merged.size(); ++i) {
          if (merged[i].is_object() && merged[i].value("name", Json()) == item["name"]) {
            found = true;
            if (item.value("$patch", "") == "delete") {
              merged.erase(merged.begin() + static_cast<long>(i));
            } else {
              merged[i] = StrategicMerge(merged[i], item);
            }
            break;
          }
        }
        if (!found && item.value("$patch", "") != "delete") merged.push_back(item);
      }
      target[k] = merged;
    } else {
      target[k] = StrategicMerge(target.contains(k) ? target[k] : Json(), v);
    }
  }
  return target;
}

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

// Applies `body` for `manager` to `cur`: removes what the manager applied
// before and no longer does (unless another applier owns it), merges the
// body, and records ownership. Conflicts with other appliers' values fail
// unless forced.
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

// RFC 6902 (add, remove, replace, test, copy, move) via nlohmann.
std::variant<Json, ApiError> JsonPatch(const Json& target, const Json& patch) {
  try {
    return target.patch(patch);
  } catch (const Json::exception& e) {
    return ApiError{422, "Invalid", absl::StrCat("the JSON patch could not be applied: ", e.what())};
  }
}

std::variant<Json, ApiError> ParseBody(const HttpRequest& req) {
  if (req.Header("content-type").find("protobuf") != std::string::npos) {
    // `kubectl create configmap|secret|namespace` send their typed objects
    // as protobuf; answers stay JSON, which kubectl accepts.
    return DecodeProtobufBody(req.body);
  }
  try {
    return Json::parse(req.body);
  } catch (const Json::exception& e) {
    return ApiError{400, "BadRequest", absl::StrCat("the request body is not JSON: ", e.what())};
  }
}

// The defaults the real API server fills in for the kinds the operator
// writes, so clients see the same objects back.
Json WithDefaults(const ResourceType& t, Json obj) {
  if (!obj.is_object() || !obj.contains("spec") || !obj["spec"].is_object()) return obj;
  Json& spec = obj["spec"];
  if (t.kind == "StatefulSet") {
    if (!spec.contains("replicas")) spec["replicas"] = 1;
    if (!spec.contains("podManagementPolicy")) spec["podManagementPolicy"] = "OrderedReady";
    if (!spec.contains("revisionHistoryLimit")) spec["revisionHistoryLimit"] = 10;
    // Defaulted since 1.27 (StatefulSetAutoDeletePVC on by default).
    if (!spec.contains("persistentVolumeClaimRetentionPolicy")) {
      spec["persistentVolumeClaimRetentionPolicy"] = Json::object();
    }
    Json& retention = spec["persistentVolumeClaimRetentionPolicy"];
    if (retention.is_object()) {
      if (!retention.contains("whenDeleted")) retention["whenDeleted"] = "Retain";
      if (!retention.contains("whenScaled")) retention["whenScaled"] = "Retain";
    }
    if (!spec.contains("updateStrategy")) spec["updateStrategy"] = {{"type", "RollingUpdate"}};
    Json& us = spec["updateStrategy"];
    if (us.value("type", "RollingUpdate") == "RollingUpdate") {
      us["type"] = "RollingUpdate";
      if (!us.contains("rollingUpdate")) us["rollingUpdate"] = Json::object();
      if (!us["rollingUpdate"].contains("partition")) us["rollingUpdate"]["partition"] = 0;
    }
  } else if (t.kind == "Service") {
    if (!spec.contains("type")) spec["type"] = "ClusterIP";
    if (!spec.contains("sessionAffinity")) spec["sessionAffinity"] = "None";
    if (spec.contains("ports") && spec["ports"].is_array()) {
      for (Json& p : spec["ports"]) {
        if (!p.contains("protocol")) p["protocol"] = "TCP";
        if (!p.contains("targetPort") && p.contains("port")) p["targetPort"] = p["port"];
      }
    }
  }
  return obj;
}

// The structural-schema step a custom resource goes through between
// decoding and storage: undeclared fields are pruned (refused with
// fieldValidation=Strict, as kubectl sends, and reported as warnings with
// the default Warn), defaults applied, then the object validated, or only
// its status for the status subresource. `obj` is changed in place.
std::optional<ApiError> AdmitCustomResource(const HttpRequest& req, const ResourceType& t,
                                            bool create, bool status_only, Json& obj,
                                            std::vector<std::string>& warnings) {
  if (!t.schema || !obj.is_object()) return std::nullopt;
  const Json& schema = *t.schema;
  const std::vector<std::string> unknown = PruneUnknownFields(schema, obj);
  const std::string directive =
      req.query.count("fieldValidation") ? req.query.at("fieldValidation") : "Warn";
  if (!unknown.empty() && directive == "Strict") {
    std::vector<std::string> parts;
    for (const std::string& f : unknown) parts.push_back(absl::StrCat("unknown field \"", f, "\""));
    return ApiError{400, "BadRequest",
                    absl::StrCat(t.kind, " in version \"", t.version, "\" cannot be handled as a ", t.kind,
                                 ": strict decoding error: ", absl::StrJoin(parts, ", "))};
  }
  if (directive != "Ignore") {
    for (const std::string& f : unknown) warnings.push_back(absl::StrCat("unknown field \"", f, "\""));
  }
  ApplySchemaDefaults(schema, obj);
  // With a status subresource, status is written through it only (the
  // create strategy drops what a create carries).
  if (create && t.status_subresource) obj.erase("status");
  std::vector<FieldError> errors;
  if (status_only) {
    const Json* status_schema = nullptr;
    if (schema.contains("properties") && schema["properties"].contains("status")) {
      status_schema = &schema["properties"]["status"];
    }
    if (status_schema != nullptr && obj.contains("status")) {
      errors = ValidateAgainstSchema(*status_schema, obj["status"], "status");
    }
  } else {
    // metadata is ObjectMeta's to validate; with a status subresource the
    // status of a main-resource write is not what gets stored.
    Json body = obj;
    body.erase("metadata");
    if (t.status_subresource) body.erase("status");
    errors = ValidateAgainstSchema(schema, body, "");
  }
  if (errors.empty()) return std::nullopt;
  const std::string name =
      obj.contains("metadata") && obj["metadata"].is_object() ? obj["metadata"].value("name", "") : "";
  Json causes = Json::array();
  std::vector<std::string> texts;
  for (const FieldError& e : errors) {
    causes.push_back({{"reason", e.reason}, {"message", e.message}, {"field", e.field}});
    texts.push_back(e.ToString());
  }
  const std::string qualified = t.group.empty() ? t.kind : absl::StrCat(t.kind, ".", t.group);
  ApiError err{422, "Invalid",
               absl::StrCat(qualified, " \"", name, "\" is invalid: ",
                            texts.size() == 1 ? texts[0] : absl::StrCat("[", absl::StrJoin(texts, ", "), "]"))};
  err.details = {{"name", name}, {"group", t.group}, {"kind", t.kind}, {"causes", causes}};
  return err;
}

// Go's net/http Warning header: 299 - "text", comma-separated.
std::string WarningHeader(const std::vector<std::string>& warnings) {
  std::vector<std::string> parts;
  for (const std::string& w : warnings) parts.push_back(absl::StrCat("299 - ", Json(w).dump()));
  return absl::StrJoin(parts, ", ");
}

// A simple JSONPath of dotted fields (".status.phase"), as CRD printer
// columns use; anything fancier yields "".
Json Lookup(const Json& obj, const std::string& path) {
  const Json* cur = &obj;
  for (absl::string_view part : absl::StrSplit(path, '.', absl::SkipEmpty())) {
    const std::string key(part);
    if (!cur->is_object() || !cur->contains(key)) return Json();
    cur = &(*cur)[key];
  }
  return *cur;
}

std::string Age(const Json& timestamp) {
  if (!timestamp.is_string()) return "<unknown>";
  std::tm tm{};
  const std::string ts = timestamp.get<std::string>();
  if (strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) return "<unknown>";
  const long secs = static_cast<long>(std::time(nullptr) - timegm(&tm));
  if (secs < 120) return absl::StrCat(std::max(0L, secs), "s");
  if (secs < 7200) return absl::StrCat(secs / 60, "m");
  if (secs < 172800) return absl::StrCat(secs / 3600, "h");
  return absl::StrCat(secs / 86400, "d");
}

std::string Cell(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// `kubectl get` asks for a meta.k8s.io Table; columns as the API server
// prints them (a few built-ins, CRD printer columns, always Name and Age).
HttpResponse TableResponse(const ResourceType& t, const std::vector<Json>& items,
                           const std::string& rv) {
  Json columns = Json::array({{{"name", "Name"}, {"type", "string"}, {"format", "name"},
                               {"description", "Name"}, {"priority", 0}}});
  std::vector<std::function<std::string(const Json&)>> cells;
  auto add = [&](const std::string& name, std::function<std::string(const Json&)> f) {
    columns.push_back({{"name", name}, {"type", "string"}, {"format", ""}, {"description", name},
                       {"priority", 0}});
    cells.push_back(std::move(f));
  };
  if (t.kind == "Pod") {
    add("Ready", [](const Json& o) {
      int ready = 0, total = 0;
      for (const Json& c : Lookup(o, ".status.containerStatuses").is_array()
                               ? Lookup(o, ".status.containerStatuses") : Json::array()) {
        ++total;
        ready += c.value("ready", false);
      }
      return absl::StrCat(ready, "/", std::max(total, 1));
    });
    add("Status", [](const Json& o) { return Cell(Lookup(o, ".status.phase")); });
  } else if (t.kind == "StatefulSet") {
    add("Ready", [](const Json& o) {
      return absl::StrCat(Lookup(o, ".status.readyReplicas").is_number() ? Cell(Lookup(o, ".status.readyReplicas")) : "0",
                          "/", Cell(Lookup(o, ".spec.replicas")));
    });
  } else if (t.kind == "Service") {
    add("Type", [](const Json& o) { return Cell(Lookup(o, ".spec.type")); });
  }
  bool has_age = false;
  for (const Json& col : t.printer_columns) {
    const std::string path = col.value("jsonPath", "");
    if (col.value("type", "") == "date") {
      has_age = has_age || col.value("name", "") == "Age";
      add(col.value("name", ""), [path](const Json& o) { return Age(Lookup(o, path)); });
    } else {
      add(col.value("name", ""), [path](const Json& o) { return Cell(Lookup(o, path)); });
    }
  }
  if (!has_age) add("Age", [](const Json& o) { return Age(Lookup(o, ".metadata.creationTimestamp")); });
  Json rows = Json::array();
  for (const Json& item : items) {
    Json row = Json::array({item["metadata"].value("name", "")});
    for (const auto& f : cells) row.push_back(f(item));
    rows.push_back({{"cells", row},
                    {"object", {{"kind", "PartialObjectMetadata"},
                                {"apiVersion", "meta.k8s.io/v1"},
                                {"metadata", item["metadata"]}}}});
  }
  HttpResponse r = JsonResponse(200, {{"kind", "Table"},
                                      {"apiVersion", "meta.k8s.io/v1"},
                                      {"metadata", {{"resourceVersion", rv}}},
                                      {"columnDefinitions", columns},
                                      {"rows", rows}});
  r.content_type = "application/json;as=Table;v=v1;g=meta.k8s.io";
  return r;
}

bool WantsTable(const HttpRequest& req) {
  return req.Header("accept").find("as=Table") != std::string::npos;
}

// Go's strconv.ParseBool, which the API server uses for query flags
// (the python client sends "True").
bool QueryFlag(const HttpRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return false;
  const std::string& v = it->second;
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

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

ApiServer::ApiServer() {
  for (const ResourceType& t : BuiltIns()) store_.Register(t);
  ResourceType ns;
  for (const ResourceType& t : store_.Types()) {
    if (t.resource == "namespaces") ns = t;
  }
  for (const char* name : {"default", "kube-system", "kube-public"}) {
    store_.Create(ns, "", Json{{"metadata", {{"name", name}}}, {"status", {{"phase", "Active"}}}});
  }
}

HttpResponse ApiServer::Control(const HttpRequest& req) {
  if (req.method == "POST" && req.path == "/kubesim/expire-history") {
    // Every watch from an earlier resourceVersion now gets 410 Gone.
    store_.ExpireHistory();
    return JsonResponse(200, {{"expired", true}, {"resourceVersion", std::to_string(store_.CurrentRv())}});
  }
  if (req.method == "GET" && req.path == "/kubesim/requests") {
    // Which verbs on which resources a client (by User-Agent prefix) used.
    const std::string agent = req.query.count("userAgent") ? req.query.at("userAgent") : "";
    Json out = Json::array();
    std::lock_guard<std::mutex> l(access_mu_);
    for (const auto& [key, count] : access_) {
      std::vector<std::string> f = absl::StrSplit(key, '\t');
      if (f.size() != 4 || f[0].rfind(agent, 0) != 0) continue;
      out.push_back({{"userAgent", f[0]}, {"verb", f[1]}, {"group", f[2]}, {"resource", f[3]},
                     {"count", count}});
    }
    return JsonResponse(200, {{"requests", out}});
  }
  if (req.method == "POST" && req.path == "/kubesim/drop-watches") {
    // Every open watch ends now, as when a connection or an API server
    // instance goes away; clients must resume from their last version.
    const int64_t epoch = ++watch_epoch_;
    return JsonResponse(200, {{"dropped", true}, {"epoch", epoch}});
  }
  if (req.method == "POST" && req.path == "/kubesim/faults") {
    Json body;
    try {
      body = Json::parse(req.body.empty() ? "{}" : req.body);
    } catch (const Json::exception&) {
      return StatusResponse({400, "BadRequest", "faults: body must be JSON"});
    }
    Faults f;
    f.error_rate = body.value("errorRate", 0.0);
    f.error_code = body.value("errorCode", 500);
    f.retry_after_seconds = body.value("retryAfterSeconds", 1);
    f.delay_ms = body.value("delayMs", 0);
    f.seed = body.value("seed", 1);
    if (f.error_rate < 0 || f.error_rate > 1 || (f.error_code != 500 && f.error_code != 429)) {
      return StatusResponse({400, "BadRequest", "faults: errorRate in [0,1], errorCode 500 or 429"});
    }
    std::lock_guard<std::mutex> l(faults_mu_);
    faults_ = f;
    rng_.seed(f.seed);
    return JsonResponse(200, body);
  }
  if (req.method == "POST" &&
      (req.path == "/kubesim/crash-pod" || req.path == "/kubesim/node-not-ready" ||
       req.path == "/kubesim/pvc-provisioning")) {
    Json body;
    try {
      body = Json::parse(req.body.empty() ? "{}" : req.body);
    } catch (const Json::exception&) {
      return StatusResponse({400, "BadRequest", "kubesim: body must be JSON"});
    }
    if (!body.is_object()) return StatusResponse({400, "BadRequest", "kubesim: body must be a JSON object"});
    if (req.path == "/kubesim/crash-pod") {
      const Json ns = body.value("namespace", Json("default"));
      const Json name = body.value("name", Json());
      if (!ns.is_string() || !name.is_string() || name.get<std::string>().empty()) {
        return StatusResponse({400, "BadRequest", "crash-pod: {\"namespace\",\"name\"} required"});
      }
      ResourceType pods = *store_.Find("", "v1", "pods");
      if (std::holds_alternative<ApiError>(store_.Get(pods, ns.get<std::string>(), name.get<std::string>()))) {
        return StatusResponse({404, "NotFound", "pods \"" + name.get<std::string>() + "\" not found"});
      }
      sim_faults_.CrashPod(ns.get<std::string>(), name.get<std::string>());
      return JsonResponse(200, {{"crashed", body}});
    }
    if (req.path == "/kubesim/node-not-ready") {
      const Json node = body.value("node", Json());
      const Json ready = body.value("ready", Json(false));
      if (!node.is_string() || node.get<std::string>().empty() || !ready.is_boolean()) {
        return StatusResponse({400, "BadRequest", "node-not-ready: {\"node\":NAME[,\"ready\":BOOL]} required"});
      }
      sim_faults_.SetNodeReady(node.get<std::string>(), ready.get<bool>());
      return JsonResponse(200, {{"node", node}, {"ready", ready}});
    }
    const Json fail = body.value("fail", Json(false));
    if (!fail.is_boolean()) return StatusResponse({400, "BadRequest", "pvc-provisioning: {\"fail\":BOOL}"});
    sim_faults_.SetProvisioningFails(fail.get<bool>());
    return JsonResponse(200, {{"fail", fail}});
  }
  return StatusResponse({404, "NotFound", "unknown kubesim control endpoint"});
}

bool ApiServer::Authenticated(const HttpRequest& req) const {
  // Parsed as the API server's bearer token authenticator does: scheme
  // case-insensitive, the token is the second space-separated word.
  const std::string header(absl::StripAsciiWhitespace(req.Header("authorization")));
  std::vector<std::string> parts = absl::StrSplit(header, absl::MaxSplits(' ', 2));
  if (parts.size() < 2 || absl::AsciiStrToLower(parts[0]) != "bearer") return false;
  const std::string& presented = parts[1];
  // Compare in time independent of where the first difference is.
  unsigned char diff = presented.size() != token_.size();
  for (size_t i = 0; i < presented.size(); ++i) {
    diff |= static_cast<unsigned char>(presented[i] ^ token_[i % token_.size()]);
  }
  return diff == 0;
}

HttpResponse ApiServer::Handle(const HttpRequest& req) {
  const std::string& p = req.path;
  if (!token_.empty() && !Authenticated(req)) {
    return StatusResponse({401, "Unauthorized", "Unauthorized"});
  }
  if (p.rfind("/kubesim/", 0) == 0) return Control(req);
  {
    int delay = 0;
    bool fail = false;
    Faults f;
    {
      std::lock_guard<std::mutex> l(faults_mu_);
      f = faults_;
      delay = f.delay_ms;
      fail = f.error_rate > 0 &&
             std::uniform_real_distribution<double>(0, 1)(rng_) < f.error_rate;
    }
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    if (fail) {
      HttpResponse r = f.error_code == 429
                           ? StatusResponse({429, "TooManyRequests", "kubesim: injected throttling"})
                           : StatusResponse({500, "InternalError", "kubesim: injected failure"});
      if (f.error_code == 429) r.headers["Retry-After"] = std::to_string(f.retry_after_seconds);
      return r;
    }
  }
  if (p == "/version") {
    return JsonResponse(200, {{"major", "1"},
                              {"minor", "32"},
                              {"gitVersion", "v1.32.0-kubesim"},
                              {"platform", "linux/amd64"}});
  }
  if (p == "/healthz" || p == "/readyz" || p == "/livez") {
    HttpResponse r;
    r.content_type = "text/plain";
    r.body = "ok";
    return r;
  }
  if (p.rfind("/openapi/", 0) == 0) return OpenApi(req);
  std::vector<std::string> seg = absl::StrSplit(p, '/', absl::SkipEmpty());
  if (seg.empty()) return StatusResponse({404, "NotFound", "the server could not find the requested resource"});
  std::string group, version;
  size_t i;
  if (seg[0] == "api") {
    if (seg.size() <= 2) return Discovery(req);
    version = seg[1];
    i = 2;
  } else if (seg[0] == "apis") {
    if (seg.size() <= 3) return Discovery(req);
    group = seg[1];
    version = seg[2];
    i = 3;
  } else {
    return StatusResponse({404, "NotFound", "the server could not find the requested resource"});
  }
  std::string ns;
  if (seg.size() > i + 2 && seg[i] == "namespaces") {
    if (store_.Find(group, version, seg[i + 2]).has_value() &&
        store_.Find(group, version, seg[i + 2])->namespaced) {
      ns = seg[i + 1];
      i += 2;
    }
  }
  const std::optional<ResourceType> t = store_.Find(group, version, seg[i]);
  if (!t) {
    return StatusResponse({404, "NotFound", "the server could not find the requested resource"});
  }
  const std::string name = seg.size() > i + 1 ? seg[i + 1] : "";
  const std::string sub = seg.size() > i + 2 ? seg[i + 2] : "";
  RecordAccess(req, *t, name, sub);
  return Resource(req, *t, ns, name, sub);
}

void ApiServer::RecordAccess(const HttpRequest& req, const ResourceType& t, const std::string& name,
                             const std::string& sub) {
  // The RBAC verb the request needs, as the real authorizer derives it.
  std::string verb;
  const std::string& m = req.method;
  if (m == "GET") {
    verb = QueryFlag(req, "watch") ? "watch" : name.empty() ? "list" : "get";
  } else if (m == "POST") {
    verb = "create";
  } else if (m == "PUT") {
    verb = "update";
  } else if (m == "PATCH") {
    verb = "patch";
  } else if (m == "DELETE") {
    verb = name.empty() ? "deletecollection" : "delete";
  } else {
    return;
  }
  const std::string key = absl::StrCat(req.Header("user-agent"), "\t", verb, "\t", t.group, "\t",
                                       t.resource, sub.empty() ? "" : "/", sub);
  std::lock_guard<std::mutex> l(access_mu_);
  ++access_[key];
}

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
  // Schemas for `kubectl explain`: a CRD's own openAPIV3Schema, a bare
  // object for built-in kinds.
  Json schemas = Json::object();
  std::optional<ResourceType> crds = store_.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  for (const ResourceType& t : types) {
    const std::string mine = t.group.empty() ? "api/" + t.version : "apis/" + t.api_version();
    if (mine != gv) continue;
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
  return JsonResponse(200, {{"openapi", "3.0.0"}, {"info", {{"title", "kubesim"}, {"version", "v1.32"}}},
                            {"paths", paths}, {"components", {{"schemas", schemas}}}});
}

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

HttpResponse ApiServer::Resource(const HttpRequest& req, const ResourceType& t,
                                 const std::string& ns, const std::string& name,
                                 const std::string& sub) {
  const std::string& m = req.method;
  std::vector<std::string> warnings;  // unknown fields pruned from a custom resource
  auto result = [&](std::variant<Json, ApiError> r, int ok_status, bool deleted = false) {
    if (auto* e = std::get_if<ApiError>(&r)) return StatusResponse(*e, &t, name);
    const Json& obj = std::get<Json>(r);
    AfterWrite(t, obj, deleted);
    HttpResponse resp = JsonResponse(ok_status, obj);
    if (!warnings.empty()) resp.headers["Warning"] = WarningHeader(warnings);
    return resp;
  };
  // Custom resources: pruned, defaulted and validated against their schema.
  auto admit = [&](Json& obj, bool status) {
    return AdmitCustomResource(req, t, /*create=*/false, status, obj, warnings);
  };
  auto admit_create = [&](Json& obj) {
    return AdmitCustomResource(req, t, /*create=*/true, false, obj, warnings);
  };
  if ((t.resource == "services" || t.resource == "pods") && sub == "proxy") {
    const ServiceProxy& target = t.resource == "pods" ? pod_proxy_ : proxy_;
    if (!target) return StatusResponse({503, "ServiceUnavailable", "no proxy"}, &t, name);
    const std::string marker = "/proxy";
    const size_t at = req.path.find(marker, req.path.find("/" + t.resource + "/"));
    std::string rest = req.path.substr(at + marker.size());
    if (rest.empty()) rest = "/";
    if (token_.empty()) return target(ns, name, rest, req);
    // The API server consumes the credential it authenticated with; the
    // backend behind the proxy never sees the cluster token.
    HttpRequest forwarded = req;
    forwarded.headers.erase("authorization");
    return target(ns, name, rest, forwarded);
  }
  if (!sub.empty() && sub != "status" && sub != "scale") {
    return StatusResponse({404, "NotFound", "the server could not find the requested resource"}, &t, name);
  }
  if (name.empty()) {
    if (m == "GET") {
      if (QueryFlag(req, "watch")) return Watch(req, t, ns);
      size_t limit = 0;
      if (req.query.count("limit")) absl::SimpleAtoi(req.query.at("limit"), &limit);
      ObjectStore::ListResult list = store_.List(
          t, ns, req.query.count("labelSelector") ? req.query.at("labelSelector") : "",
          req.query.count("fieldSelector") ? req.query.at("fieldSelector") : "", limit,
          req.query.count("continue") ? req.query.at("continue") : "");
      if (WantsTable(req) && list.continue_token.empty()) {
        return TableResponse(t, list.items, std::to_string(list.rv));
      }
      Json meta = {{"resourceVersion", std::to_string(list.rv)}};
      if (!list.continue_token.empty()) meta["continue"] = list.continue_token;
      return JsonResponse(200, {{"apiVersion", t.api_version()},
                                {"kind", t.kind + "List"},
                                {"metadata", meta},
                                {"items", list.items}});
    }
    if (m == "POST") {
      auto body = ParseBody(req);
      if (auto* e = std::get_if<ApiError>(&body)) return StatusResponse(*e, &t);
      Json obj = WithDefaults(t, std::get<Json>(body));
      if (auto e = admit_create(obj)) return StatusResponse(*e, &t);
      return result(store_.Create(t, ns, std::move(obj)), 201);
    }
    if (m == "DELETE") {
      // deletecollection: every object the selectors match, each with its
      // dependents collected; the answer lists what was deleted.
      ObjectStore::ListResult list = store_.List(
          t, ns, req.query.count("labelSelector") ? req.query.at("labelSelector") : "",
          req.query.count("fieldSelector") ? req.query.at("fieldSelector") : "", 0, "");
      Json deleted = Json::array();
      for (const Json& item : list.items) {
        auto gone = store_.Delete(t, item["metadata"].value("namespace", ""),
                                  item["metadata"].value("name", ""));
        if (auto* obj = std::get_if<Json>(&gone)) {
          if (!(*obj)["metadata"].contains("deletionTimestamp")) {
            AfterWrite(t, *obj, true);
            CollectDependents((*obj)["metadata"].value("uid", ""), false);
          }
          deleted.push_back(*obj);
        }
      }
      return JsonResponse(200, {{"apiVersion", t.api_version()},
                                {"kind", t.kind + "List"},
                                {"metadata", {{"resourceVersion", std::to_string(store_.CurrentRv())}}},
                                {"items", deleted}});
    }
    return StatusResponse({405, "MethodNotAllowed", "the server does not allow this method"}, &t);
  }
  const bool status_only = sub == "status";
  if (sub == "scale") {
    auto cur = store_.Get(t, ns, name);
    if (auto* e = std::get_if<ApiError>(&cur)) return StatusResponse(*e, &t, name);
    Json obj = std::get<Json>(cur);
    auto to_scale = [&](const Json& o) {
      return Json{{"apiVersion", "autoscaling/v1"},
                  {"kind", "Scale"},
                  {"metadata", {{"name", name}, {"namespace", ns},
                                {"resourceVersion", o["metadata"]["resourceVersion"]}}},
                  {"spec", {{"replicas", o.contains("spec") ? o["spec"].value("replicas", 1) : 1}}},
                  {"status", {{"replicas", o.contains("status") ? o["status"].value("replicas", 0) : 0}}}};
    };
    if (m == "GET") return JsonResponse(200, to_scale(obj));
    auto body = ParseBody(req);
    if (auto* e = std::get_if<ApiError>(&body)) return StatusResponse(*e, &t, name);
    Json scale = m == "PUT" ? std::get<Json>(body) : MergePatch(to_scale(obj), std::get<Json>(body));
    obj["spec"]["replicas"] = scale["spec"].value("replicas", 1);
    if (auto e = admit(obj, false)) return StatusResponse(*e, &t, name);
    auto r = store_.Update(t, ns, obj, false);
    if (auto* e = std::get_if<ApiError>(&r)) return StatusResponse(*e, &t, name);
    return JsonResponse(200, to_scale(std::get<Json>(r)));
  }
  if (m == "GET") {
    auto got = store_.Get(t, ns, name);
    if (WantsTable(req) && std::holds_alternative<Json>(got)) {
      return TableResponse(t, {std::get<Json>(got)},
                           std::get<Json>(got)["metadata"].value("resourceVersion", ""));
    }
    return result(std::move(got), 200);
  }
  if (m == "DELETE") {
    std::string policy = req.query.count("propagationPolicy") ? req.query.at("propagationPolicy") : "";
    if (!req.body.empty()) {
      try {
        policy = Json::parse(req.body).value("propagationPolicy", policy);
      } catch (const Json::exception&) {
      }
    }
    if (policy == "Foreground") {
      // The owner stays (deletionTimestamp + the foregroundDeletion
      // finalizer) until its dependents are gone; the simulated controllers
      // remove the finalizer then (ObjectStore::FinishForegroundDeletions).
      auto cur = store_.Get(t, ns, name);
      if (auto* obj = std::get_if<Json>(&cur); obj != nullptr &&
                                              !(*obj)["metadata"].contains("deletionTimestamp")) {
        Json marked = *obj;
        Json finalizers = marked["metadata"].value("finalizers", Json::array());
        finalizers.push_back("foregroundDeletion");
        marked["metadata"]["finalizers"] = finalizers;
        marked["metadata"].erase("resourceVersion");
        store_.Update(t, ns, marked, false);
        auto deleting = store_.Delete(t, ns, name);
        CollectDependents((*obj)["metadata"].value("uid", ""), false);
        return result(std::move(deleting), 200, /*deleted=*/true);
      }
    }
    auto deleted = store_.Delete(t, ns, name);
    if (auto* obj = std::get_if<Json>(&deleted);
        obj != nullptr && !(*obj)["metadata"].contains("deletionTimestamp")) {
      CollectDependents((*obj)["metadata"].value("uid", ""), policy == "Orphan");
    }
    return result(std::move(deleted), 200, /*deleted=*/true);
  }
  if (m == "PUT") {
    auto body = ParseBody(req);
    if (auto* e = std::get_if<ApiError>(&body)) return StatusResponse(*e, &t, name);
    Json obj = std::get<Json>(body);
    if (!obj.is_object()) return StatusResponse({400, "BadRequest", "the body is not a JSON object"}, &t, name);
    obj["metadata"]["name"] = name;
    obj = WithDefaults(t, obj);
    if (auto e = admit(obj, status_only)) return StatusResponse(*e, &t, name);
    return result(store_.Update(t, ns, std::move(obj), status_only), 200);
  }
  if (m == "PATCH") {
    auto body = ParseBody(req);
    const std::string ct = req.Header("content-type");
    if (ct.find("apply-patch") != std::string::npos) {
      // Server-side apply: the body is YAML, which kubectl sends as JSON.
      if (auto* e = std::get_if<ApiError>(&body)) return StatusResponse(*e, &t, name);
      const std::string manager = req.query.count("fieldManager") ? req.query.at("fieldManager") : "";
      if (manager.empty()) {
        return StatusResponse({422, "Invalid", "PATCH with apply-patch requires a fieldManager"}, &t, name);
      }
      const bool force = QueryFlag(req, "force");
      auto cur = store_.Get(t, ns, name);
      if (!std::get<Json>(body).is_object()) {
        return StatusResponse({400, "BadRequest", "the body is not a JSON object"}, &t, name);
      }
      Json base = std::holds_alternative<ApiError>(cur) ? Json{{"metadata", Json::object()}} : std::get<Json>(cur);
      auto applied = ServerSideApply(base, std::get<Json>(body), manager, force);
      if (auto* e = std::get_if<ApiError>(&applied)) return StatusResponse(*e, &t, name);
      if (std::holds_alternative<ApiError>(cur)) {
        Json obj = std::get<Json>(applied);
        obj["metadata"]["name"] = name;
        obj = WithDefaults(t, obj);
        if (auto e = admit_create(obj)) return StatusResponse(*e, &t, name);
        return result(store_.Create(t, ns, std::move(obj)), 201);
      }
      Json merged = std::get<Json>(applied);
      merged["metadata"].erase("resourceVersion");
      merged = WithDefaults(t, merged);
      if (auto e = admit(merged, status_only)) return StatusResponse(*e, &t, name);
      return result(store_.Update(t, ns, std::move(merged), status_only), 200);
    }
    if (auto* e = std::get_if<ApiError>(&body)) return StatusResponse(*e, &t, name);
    auto cur = store_.Get(t, ns, name);
    if (auto* e = std::get_if<ApiError>(&cur)) return StatusResponse(*e, &t, name);
    Json next;
    if (ct.find("json-patch") != std::string::npos) {
      auto patched = JsonPatch(std::get<Json>(cur), std::get<Json>(body));
      if (auto* e = std::get_if<ApiError>(&patched)) return StatusResponse(*e, &t, name);
      next = std::get<Json>(patched);
    } else if (ct.find("strategic-merge") != std::string::npos) {
      next = StrategicMerge(std::get<Json>(cur), std::get<Json>(body));
    } else {
      next = MergePatch(std::get<Json>(cur), std::get<Json>(body));
    }
    // A patch carrying no resourceVersion applies to whatever is current.
    if (!std::get<Json>(body).contains("metadata") ||
        !std::get<Json>(body)["metadata"].contains("resourceVersion")) {
      next["metadata"].erase("resourceVersion");
    }
    next = WithDefaults(t, next);
    if (auto e = admit(next, status_only)) return StatusResponse(*e, &t, name);
    return result(store_.Update(t, ns, std::move(next), status_only), 200);
  }
  return StatusResponse({405, "MethodNotAllowed", "the server does not allow this method"}, &t, name);
}

HttpResponse ApiServer::Watch(const HttpRequest& req, const ResourceType& t, const std::string& ns) {
  const std::string rv_text = req.query.count("resourceVersion") ? req.query.at("resourceVersion") : "";
  int64_t rv = 0;
  absl::SimpleAtoi(rv_text, &rv);
  const std::string fields = req.query.count("fieldSelector") ? req.query.at("fieldSelector") : "";
  const std::string labels = req.query.count("labelSelector") ? req.query.at("labelSelector") : "";
  const bool bookmarks = QueryFlag(req, "allowWatchBookmarks");
  int timeout_s = 1800;
  if (req.query.count("timeoutSeconds")) absl::SimpleAtoi(req.query.at("timeoutSeconds"), &timeout_s);
  HttpResponse r;
  const int64_t epoch = watch_epoch_.load();
  r.stream = [this, t, ns, rv, rv_text, fields, labels, bookmarks, timeout_s, epoch](ChunkWriter& out) {
    int64_t from = rv;
    std::string name_filter;
    if (fields.rfind("metadata.name=", 0) == 0) name_filter = fields.substr(14);
    auto wanted = [&](const Json& obj) {
      if (!name_filter.empty() && obj["metadata"].value("name", "") != name_filter) return false;
      return MatchesLabels(obj, labels);
    };
    if (rv_text.empty() || rv_text == "0") {
      // Start with the current state as ADDED events, as the API server does.
      ObjectStore::ListResult list = store_.List(t, ns, labels, fields, 0, "");
      for (const Json& obj : list.items) {
        if (!wanted(obj)) continue;
        if (!out.Write(Json{{"type", "ADDED"}, {"object", obj}}.dump() + "\n")) return;
      }
      from = list.rv;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    auto last_bookmark = std::chrono::steady_clock::now();
    while (!out.Stopping() && std::chrono::steady_clock::now() < deadline &&
           watch_epoch_.load() == epoch) {
      auto events = store_.EventsSince(t, ns, from, 200);
      if (auto* e = std::get_if<ApiError>(&events)) {
        out.Write(Json{{"type", "ERROR"},
                       {"object", {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                                   {"message", e->message}, {"reason", e->reason}, {"code", e->code}}}}
                      .dump() + "\n");
        return;
      }
      for (const WatchEvent& ev : std::get<std::vector<WatchEvent>>(events)) {
        from = ev.rv;
        if (!wanted(ev.object)) continue;
        if (!out.Write(Json{{"type", ev.type}, {"object", ev.object}}.dump() + "\n")) return;
      }
      if (bookmarks && std::chrono::steady_clock::now() - last_bookmark > std::chrono::seconds(1)) {
        last_bookmark = std::chrono::steady_clock::now();
        if (!out.Write(Json{{"type", "BOOKMARK"},
                            {"object", {{"apiVersion", t.api_version()}, {"kind", t.kind},
                                        {"metadata", {{"resourceVersion", std::to_string(from)}}}}}}
                           .dump() + "\n")) {
          return;
        }
      }
    }
  };
  return r;
}

}  // namespace doris_operator::kubesim
