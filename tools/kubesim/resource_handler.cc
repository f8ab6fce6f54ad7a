#include "tools/kubesim/api_server.h"

#include <algorithm>
#include <variant>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/kubesim/admission.h"
#include "tools/kubesim/builtin_validation.h"
#include "tools/kubesim/builtin_types.h"
#include "tools/kubesim/dry_run.h"
#include "tools/kubesim/secret_data.h"
#include "tools/kubesim/field_manager.h"
#include "tools/kubesim/owner_reference_checks.h"
#include "tools/kubesim/patches.h"
#include "tools/kubesim/tables.h"
#include "tools/kubesim/wire.h"

namespace doris_operator::kubesim {

namespace {

// Two 422 Invalid answers about one object as one: causes concatenated, the
// message rebuilt as the API server writes it (`... is invalid: [a, b]`).
std::optional<ApiError> CombineInvalid(std::optional<ApiError> a, std::optional<ApiError> b) {
  if (!a) return b;
  if (!b || a->code != 422 || b->code != 422) return a;
  Json causes = a->details.is_object() ? a->details.value("causes", Json::array()) : Json::array();
  for (const Json& c : b->details.is_object() ? b->details.value("causes", Json::array()) : Json::array()) {
    // Both steps may check the same rule (a required field): one error.
    bool seen = false;
    for (const Json& have : causes) {
      seen |= have.value("field", "") == c.value("field", "") && have.value("message", "") == c.value("message", "");
    }
    if (!seen) causes.push_back(c);
  }
  std::vector<std::string> texts;
  for (const Json& c : causes) texts.push_back(absl::StrCat(c.value("field", ""), ": ", c.value("message", "")));
  const std::string marker = " is invalid: ";
  const size_t at = a->message.find(marker);
  if (at == std::string::npos || texts.empty()) return a;
  a->details["causes"] = causes;
  a->message = absl::StrCat(a->message.substr(0, at + marker.size()),
                            texts.size() == 1 ? texts[0] : absl::StrCat("[", absl::StrJoin(texts, ", "), "]"));
  return a;
}

bool IsCustomResource(const ResourceType& t) {
  for (const ResourceType& b : BuiltInTypes()) {
    if (b.group == t.group && b.resource == t.resource) return false;
  }
  return true;
}

}  // namespace

HttpResponse ApiServer::Resource(const HttpRequest& req, const ResourceType& t,
                                 const std::string& ns, const std::string& name,
                                 const std::string& sub) {
  const std::string& m = req.method;
  std::vector<std::string> warnings;  // unknown fields pruned from a custom resource
  // dryRun=All: everything as for a real write but storing (dry_run.h).
  bool dry_run = false;
  auto result = [&](std::variant<Json, ApiError> r, int ok_status, bool deleted = false) {
    if (auto* e = std::get_if<ApiError>(&r)) return StatusResponse(*e, &t, name);
    const Json& obj = std::get<Json>(r);
    if (!dry_run) AfterWrite(t, obj, deleted);
    HttpResponse resp = JsonResponse(ok_status, obj);
    if (!warnings.empty()) resp.headers["Warning"] = WarningHeader(warnings);
    return resp;
  };
  // Built-in kinds: decoded and validated against Kubernetes' schemas
  // (builtin_validation.h), then quantities, Service allocations and
  // immutable fields (admission.h); custom resources: pruned, defaulted and
  // validated against their schema, CEL rules included.
  // Decoding errors (400) end a request at once; field errors (422) of the
  // steps are reported together, as the API server's one validation pass
  // reports every field error of an object.
  auto built_in = [&](Json& obj, bool status, const Json* old) -> std::optional<ApiError> {
    std::optional<ApiError> invalid = DecodeAndValidateBuiltIn(req, t, status, obj, warnings);
    if (invalid && invalid->code != 422) return invalid;
    std::optional<ApiError> admitted = AdmitBuiltIn(req, t, store_, ns, old, status, dry_run, obj);
    if (admitted && admitted->code != 422) return admitted;
    return CombineInvalid(CombineInvalid(std::move(invalid), std::move(admitted)), ValidateBuiltIn(t, obj, status));
  };
  // OwnerReferencesPermissionEnforcement's checks, recorded (kubesim
  // authorizes everything).
  auto owner_checks = [&](const Json* old, const Json& obj) {
    for (const AuthorizationCheck& c : OwnerReferenceChecks(t, sub, ns, old, obj, store_.Types())) {
      RecordAuthorization(req, c.verb, c.group, c.resource, c.ns, "owner-references");
    }
  };
  auto admit = [&](Json& obj, bool status) -> std::optional<ApiError> {
    auto cur = store_.Get(t, ns, name);
    owner_checks(std::get_if<Json>(&cur), obj);
    if (auto e = built_in(obj, status, std::get_if<Json>(&cur))) return e;
    return AdmitCustomResource(req, t, /*create=*/false, status, cel_.get(), obj, warnings);
  };
  auto admit_create = [&](Json& obj) -> std::optional<ApiError> {
    owner_checks(nullptr, obj);
    if (auto e = built_in(obj, false, nullptr)) return e;
    return AdmitCustomResource(req, t, /*create=*/true, false, cel_.get(), obj, warnings);
  };
  // metadata.managedFields: who wrote what (field_manager.h).
  const std::string field_manager = req.query.count("fieldManager") ? req.query.at("fieldManager") : "";
  auto writer = [&](const std::string& subresource) {
    return FieldManagerWrite{ManagerName(field_manager, req.Header("user-agent")), t.api_version(), subresource};
  };
  if ((t.resource == "services" || t.resource == "pods") && sub == "proxy") {
    // A connect request cannot be a dry run (handlers/rest.go ConnectResource).
    if (req.query.count("dryRun")) return StatusResponse({400, "BadRequest", "dryRun is not supported"}, &t, name);
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
  // Service IPs and node ports are allocated against the stored Services:
  // one Service write at a time, from admission until it is stored.
  std::unique_lock<std::mutex> allocating;
  if (t.group.empty() && t.resource == "services" && m != "GET") {
    allocating = std::unique_lock<std::mutex>(service_allocation_mu_);
  }
  if (!sub.empty() && sub != "status" && sub != "scale") {
    return StatusResponse({404, "NotFound", "the server could not find the requested resource"}, &t, name);
  }
  {
    std::variant<bool, ApiError> dry = DryRunOf(req);
    if (auto* e = std::get_if<ApiError>(&dry)) return StatusResponse(*e);
    dry_run = std::get<bool>(dry);
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
      if (auto e = ValidateFieldManager(field_manager, false)) return StatusResponse(*e, &t);
      Json obj = WithDefaults(t, SecretStringData(t, std::get<Json>(body)));
      if (auto e = admit_create(obj)) return StatusResponse(*e, &t);
      obj = RecordUpdate(t, Json(), std::move(obj), writer(""));
      return result(store_.Create(t, ns, std::move(obj), dry_run), 201);
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
                                  item["metadata"].value("name", ""), dry_run);
        if (auto* obj = std::get_if<Json>(&gone)) {
          if (!dry_run && !(*obj)["metadata"].contains("deletionTimestamp")) {
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
      Json scale{{"apiVersion", "autoscaling/v1"},
                 {"kind", "Scale"},
                 {"metadata", {{"name", name}, {"namespace", ns},
                               {"resourceVersion", o["metadata"]["resourceVersion"]}}},
                 {"spec", {{"replicas", o.contains("spec") ? o["spec"].value("replicas", 1) : 1}}},
                 {"status", {{"replicas", o.contains("status") ? o["status"].value("replicas", 0) : 0}}}};
      // The pods the target counts, which the HPA controller reads
      // (pkg/registry/apps/statefulset/storage/storage.go, scaleFromStatefulSet).
      if (t.kind == "StatefulSet" && o.contains("spec") && o["spec"].contains("selector")) {
        scale["status"]["selector"] = LabelSelectorString(o["spec"]["selector"]);
      }
      return scale;
    };
    if (m == "GET") return JsonResponse(200, to_scale(obj));
    auto body = ParseBody(req);
    if (auto* e = std::get_if<ApiError>(&body)) return StatusResponse(*e, &t, name);
    Json scale = m == "PUT" ? std::get<Json>(body) : MergePatch(to_scale(obj), std::get<Json>(body));
    const Json before = obj;
    obj["spec"]["replicas"] = scale["spec"].value("replicas", 1);
    if (auto e = admit(obj, false)) return StatusResponse(*e, &t, name);
    obj = RecordUpdate(t, before, std::move(obj), writer("scale"));
    auto r = store_.Update(t, ns, obj, false, dry_run);
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
      // finalizer) until its blocking dependents are gone; the garbage
      // collector deletes them and then removes the finalizer
      // (CollectGarbage, on the simulated controllers' beat).
      auto cur = store_.Get(t, ns, name);
      if (auto* obj = std::get_if<Json>(&cur); obj != nullptr &&
                                              !(*obj)["metadata"].contains("deletionTimestamp")) {
        Json marked = *obj;
        Json finalizers = marked["metadata"].value("finalizers", Json::array());
        finalizers.push_back("foregroundDeletion");
        marked["metadata"]["finalizers"] = finalizers;
        if (dry_run) {
          // What the dry-run update of the deletion leaves (store.go
          // updateForGracefulDeletionAndFinalizers): marked, not stored.
          marked["metadata"]["deletionTimestamp"] = NowRfc3339();
          return result(std::move(marked), 200, /*deleted=*/true);
        }
        marked["metadata"].erase("resourceVersion");
        store_.Update(t, ns, marked, false);
        return result(store_.Delete(t, ns, name), 200, /*deleted=*/true);
      }
    }
    if (policy == "Orphan" && !dry_run && !(t.group.empty() && t.resource == "pods")) {
      // kube-apiserver keeps the owner, marked with a deletionTimestamp and
      // the `orphan` finalizer, until the collector has released every
      // dependent, and only then lets it go (store.go
      // updateForGracefulDeletionAndFinalizers; garbagecollector.go
      // attemptToOrphanWorker, removeFinalizer). The mark comes first, so no
      // controller adopts a released dependent back into the going owner (a
      // StatefulSet being deleted adopts nothing), and no dependent ever
      // names an absent owner, which the collector would take for garbage.
      std::unique_lock<std::mutex> orphaning(collector_mu_);
      auto cur = store_.Get(t, ns, name);
      if (auto* obj = std::get_if<Json>(&cur); obj != nullptr && !(*obj)["metadata"].contains("deletionTimestamp")) {
        const std::string uid = (*obj)["metadata"].value("uid", "");
        Json marked = *obj;
        Json finalizers = marked["metadata"].value("finalizers", Json::array());
        if (std::find(finalizers.begin(), finalizers.end(), "orphan") == finalizers.end()) {
          finalizers.push_back("orphan");
        }
        marked["metadata"]["finalizers"] = finalizers;
        marked["metadata"].erase("resourceVersion");
        store_.Update(t, ns, marked, false);
        auto deleted = store_.Delete(t, ns, name);
        // The collector's last step: the finalizer goes, and with it the
        // owner unless another finalizer keeps it. A dependent that could
        // not be released keeps the owner marked for the collector's pass.
        const bool released = CollectDependents(uid, /*orphan=*/true);
        auto now = store_.Get(t, ns, name);
        if (auto* o = std::get_if<Json>(&now);
            released && o != nullptr && (*o)["metadata"].value("uid", "") == uid) {
          Json released = *o;
          Json kept = Json::array();
          for (const Json& f : released["metadata"].value("finalizers", Json::array())) {
            if (f != "orphan") kept.push_back(f);
          }
          released["metadata"]["finalizers"] = kept;
          store_.Update(t, ns, released, false);
        }
        return result(std::move(deleted), 200, /*deleted=*/true);
      }
    }
    auto deleted = store_.Delete(t, ns, name, dry_run);
    if (auto* obj = std::get_if<Json>(&deleted);
        !dry_run && obj != nullptr && !(*obj)["metadata"].contains("deletionTimestamp")) {
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
    obj = WithDefaults(t, SecretStringData(t, obj));
    if (auto e = admit(obj, status_only)) return StatusResponse(*e, &t, name);
    if (auto live = store_.Get(t, ns, name); std::holds_alternative<Json>(live)) {
      obj = RecordUpdate(t, std::get<Json>(live), std::move(obj), writer(sub));
    }
    return result(store_.Update(t, ns, std::move(obj), status_only, dry_run), 200);
  }
  if (m == "PATCH") {
    auto body = ParseBody(req);
    const std::string ct = req.Header("content-type");
    if (ct.find("apply-patch") != std::string::npos) {
      // Server-side apply: the body is YAML, which kubectl sends as JSON.
      if (auto* e = std::get_if<ApiError>(&body)) return StatusResponse(*e, &t, name);
      if (auto e = ValidateFieldManager(field_manager, true)) return StatusResponse(*e);
      const bool force = QueryFlag(req, "force");
      auto cur = store_.Get(t, ns, name);
      if (!std::get<Json>(body).is_object()) {
        return StatusResponse({400, "BadRequest", "the body is not a JSON object"}, &t, name);
      }
      const bool exists = std::holds_alternative<Json>(cur);
      auto applied = ServerSideApply(t, exists ? std::get<Json>(cur) : Json(), std::get<Json>(body),
                                     writer(sub), force);
      if (auto* e = std::get_if<ApiError>(&applied)) return StatusResponse(*e, &t, name);
      Json obj = std::get<Json>(std::move(applied));
      obj["metadata"]["name"] = name;
      obj = WithDefaults(t, SecretStringData(t, obj));
      if (!exists) {
        // apiserver handlers/patch.go: creating through apply is also
        // authorized as a create (withAuthorization, createAuthorizerAttributes).
        RecordAccess(req, t, ns, name, sub, "create", "apply-create");
        if (auto e = admit_create(obj)) return StatusResponse(*e, &t, name);
        return result(store_.Create(t, ns, std::move(obj), dry_run), 201);
      }
      obj["metadata"].erase("resourceVersion");
      if (auto e = admit(obj, status_only)) return StatusResponse(*e, &t, name);
      return result(store_.Update(t, ns, std::move(obj), status_only, dry_run), 200);
    }
    if (req.query.count("force")) {
      // meta/v1/validation ValidatePatchOptions.
      return StatusResponse({422, "Invalid",
                             "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for "
                             "non-apply patch",
                             {{"group", "meta.k8s.io"}, {"kind", "PatchOptions"}, {"name", ""},
                              {"causes", Json::array({{{"reason", "FieldValueForbidden"},
                                                       {"message", "Forbidden: may not be specified for non-apply patch"},
                                                       {"field", "force"}}})}}});
    }
    if (auto* e = std::get_if<ApiError>(&body)) return StatusResponse(*e, &t, name);
    auto cur = store_.Get(t, ns, name);
    if (auto* e = std::get_if<ApiError>(&cur)) return StatusResponse(*e, &t, name);
    Json next;
    const bool strategic = ct.find("strategic-merge") != std::string::npos;
    if (ct.find("json-patch") == std::string::npos && !(strategic && IsCustomResource(t))) {
      const std::string directive =
          req.query.count("fieldValidation") ? req.query.at("fieldValidation") : "Warn";
      if (auto e = RefuseNonObjectPatch(std::get<Json>(body), strategic, directive)) {
        return StatusResponse(*e, &t, name);
      }
    }
    if (ct.find("json-patch") != std::string::npos) {
      auto patched = JsonPatch(std::get<Json>(cur), std::get<Json>(body));
      if (auto* e = std::get_if<ApiError>(&patched)) return StatusResponse(*e, &t, name);
      next = std::get<Json>(patched);
    } else if (strategic) {
      if (IsCustomResource(t)) {
        // Custom resources have no Go types to carry patch strategies
        // (apiserver handlers/patch.go: strategic merge is for built-in kinds).
        return StatusResponse({415, "UnsupportedMediaType",
                               "the body of the request was in an unknown format - accepted media types include: "
                               "application/json-patch+json, application/merge-patch+json, "
                               "application/apply-patch+yaml"},
                              &t, name);
      }
      next = StrategicMerge(t, std::get<Json>(cur), std::get<Json>(body).is_null() ? Json::object()
                                                                                 : std::get<Json>(body));
    } else {
      next = MergePatch(std::get<Json>(cur), std::get<Json>(body));
    }
    // A document that does not decode into the object (found by
    // tests/fuzz/kubesim_request_fuzzer; it threw here).
    if (!next.is_object()) return StatusResponse(UndecodablePatchResult(next), &t, name);
    // A patch carrying no resourceVersion applies to whatever is current.
    if (!std::get<Json>(body).contains("metadata") ||
        !std::get<Json>(body)["metadata"].contains("resourceVersion")) {
      next["metadata"].erase("resourceVersion");
    }
    next = WithDefaults(t, SecretStringData(t, next));
    if (auto e = admit(next, status_only)) return StatusResponse(*e, &t, name);
    next = RecordUpdate(t, std::get<Json>(cur), std::move(next), writer(sub));
    return result(store_.Update(t, ns, std::move(next), status_only, dry_run), 200);
  }
  return StatusResponse({405, "MethodNotAllowed", "the server does not allow this method"}, &t, name);
}

}  // namespace doris_operator::kubesim
