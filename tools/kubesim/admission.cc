#include "tools/kubesim/admission.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/kubesim/invalid_error.h"
#include "tools/kubesim/quantity_fields.h"
#include "tools/kubesim/service_allocation.h"
#include "tools/kubesim/statefulset_validation.h"
#include "tools/kubesim/storage_admission.h"
#include "tools/kubesim/list_type_validation.h"
#include "tools/kubesim/structural_schema.h"

namespace doris_operator::kubesim {

namespace {

// pkg/apis/autoscaling/v2/defaults.go: GenerateHPAScaleUpRules /
// GenerateHPAScaleDownRules fill what a given rule set leaves out. The
// scale-down window stays unset: the controller's
// --horizontal-pod-autoscaler-downscale-stabilization (5m) applies then.
Json ScalingRules(const Json& given, bool up) {
  Json rules = given.is_object() ? given : Json::object();
  if (up && !rules.contains("stabilizationWindowSeconds")) rules["stabilizationWindowSeconds"] = 0;
  if (!rules.contains("selectPolicy")) rules["selectPolicy"] = "Max";
  if (!rules.contains("policies") || !rules["policies"].is_array() || rules["policies"].empty()) {
    rules["policies"] = up ? Json::array({{{"type", "Pods"}, {"value", 4}, {"periodSeconds", 15}},
                                          {{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}})
                           : Json::array({{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}});
  }
  return rules;
}

// SetDefaults_HorizontalPodAutoscaler of autoscaling/v1 and v2
// (pkg/apis/autoscaling/{v1,v2}/defaults.go); a new object's status is the
// empty one the create strategy writes (currentMetrics null, desiredReplicas 0).
void HpaDefaults(const ResourceType& t, Json& obj) {
  Json& spec = obj["spec"];
  if (!spec.contains("minReplicas")) spec["minReplicas"] = 1;
  if (t.version == "v2") {
    if (!spec.contains("metrics") || !spec["metrics"].is_array() || spec["metrics"].empty()) {
      spec["metrics"] = Json::array(
          {{{"type", "Resource"},
            {"resource", {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", 80}}}}}}});
    }
    if (spec.contains("behavior") && spec["behavior"].is_object()) {
      Json& b = spec["behavior"];
      b["scaleUp"] = ScalingRules(b.value("scaleUp", Json()), true);
      b["scaleDown"] = ScalingRules(b.value("scaleDown", Json()), false);
    }
    if (!obj.contains("status")) obj["status"] = {{"currentMetrics", nullptr}, {"desiredReplicas", 0}};
  } else if (!obj.contains("status")) {
    obj["status"] = {{"currentReplicas", 0}, {"desiredReplicas", 0}};
  }
}

}  // namespace

Json WithDefaults(const ResourceType& t, Json obj) {
  // SetDefaults_Secret (pkg/apis/core/v1/defaults.go).
  if (t.kind == "Secret" && t.group.empty() && obj.is_object() &&
      (!obj.contains("type") || obj["type"] == "")) {
    obj["type"] = "Opaque";
  }
  if (t.kind == "StorageClass" && t.group == "storage.k8s.io") StorageClassDefaults(obj);
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
  } else if (t.kind == "HorizontalPodAutoscaler") {
    HpaDefaults(t, obj);
  } else if (t.kind == "Service") {
    // pkg/apis/core/v1/defaults.go SetDefaults_Service.
    if (!spec.contains("type")) spec["type"] = "ClusterIP";
    if (!spec.contains("sessionAffinity")) spec["sessionAffinity"] = "None";
    if (spec["sessionAffinity"] == "None") spec.erase("sessionAffinityConfig");
    if (spec["sessionAffinity"] == "ClientIP" &&
        !(spec.contains("sessionAffinityConfig") && spec["sessionAffinityConfig"].is_object() &&
          spec["sessionAffinityConfig"].contains("clientIP") &&
          spec["sessionAffinityConfig"]["clientIP"].contains("timeoutSeconds"))) {
      spec["sessionAffinityConfig"] = {{"clientIP", {{"timeoutSeconds", 10800}}}};
    }
    if (spec.contains("ports") && spec["ports"].is_array()) {
      for (Json& p : spec["ports"]) {
        if (!p.contains("protocol")) p["protocol"] = "TCP";
        if (!p.contains("targetPort") && p.contains("port")) p["targetPort"] = p["port"];
      }
    }
    const std::string type = spec.value("type", "");
    const bool external = type == "NodePort" || type == "LoadBalancer" ||
                          (type == "ClusterIP" && spec.contains("externalIPs") && !spec["externalIPs"].empty());
    if (external && !spec.contains("externalTrafficPolicy")) spec["externalTrafficPolicy"] = "Cluster";
    if ((type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP") &&
        !spec.contains("internalTrafficPolicy")) {
      spec["internalTrafficPolicy"] = "Cluster";
    }
    if (type == "LoadBalancer" && !spec.contains("allocateLoadBalancerNodePorts")) {
      spec["allocateLoadBalancerNodePorts"] = true;
    }
  } else if (t.kind == "CustomResourceDefinition") {
    // apiextensions/v1 SetDefaults_CustomResourceDefinitionSpec.
    if (spec.contains("names") && spec["names"].is_object()) {
      Json& names = spec["names"];
      const std::string kind = names.value("kind", "");
      if (names.value("singular", "").empty()) names["singular"] = absl::AsciiStrToLower(kind);
      if (names.value("listKind", "").empty() && !kind.empty()) names["listKind"] = kind + "List";
    }
    if (!spec.contains("conversion") || spec["conversion"].is_null()) spec["conversion"] = {{"strategy", "None"}};
  }
  return obj;
}

std::optional<ApiError> ValidateBuiltIn(const ResourceType& t, const Json& obj, bool status_only) {
  if (status_only || t.kind != "HorizontalPodAutoscaler" || !obj.is_object()) return std::nullopt;
  // pkg/apis/autoscaling/validation/validation.go, validateHorizontalPodAutoscalerSpec
  // and ValidateCrossVersionObjectReference (minReplicas >= 1 without the
  // HPAScaleToZero alpha gate).
  struct Cause {
    std::string reason, field, text;
  };
  std::vector<Cause> causes;
  const Json spec = obj.value("spec", Json::object());
  const Json ref = spec.is_object() ? spec.value("scaleTargetRef", Json::object()) : Json::object();
  for (const char* k : {"kind", "name"}) {
    if (!ref.is_object() || !ref.contains(k) || !ref[k].is_string() || ref[k].get<std::string>().empty()) {
      const std::string field = absl::StrCat("spec.scaleTargetRef.", k);
      causes.push_back({"FieldValueRequired", field, "Required value"});
    }
  }
  const Json min = spec.is_object() ? spec.value("minReplicas", Json()) : Json();
  const Json max = spec.is_object() ? spec.value("maxReplicas", Json(0)) : Json(0);
  const int64_t max_n = max.is_number_integer() ? max.get<int64_t>() : 0;
  if (min.is_number_integer() && min.get<int64_t>() < 1) {
    causes.push_back({"FieldValueInvalid", "spec.minReplicas",
                      absl::StrCat("Invalid value: ", min.get<int64_t>(), ": must be greater than or equal to 1")});
  }
  if (max_n < 1) {
    causes.push_back({"FieldValueInvalid", "spec.maxReplicas",
                      absl::StrCat("Invalid value: ", max_n, ": must be greater than 0")});
  }
  if (min.is_number_integer() && max_n < min.get<int64_t>()) {
    causes.push_back({"FieldValueInvalid", "spec.maxReplicas",
                      absl::StrCat("Invalid value: ", max_n, ": must be greater than or equal to `minReplicas`")});
  }
  if (causes.empty()) return std::nullopt;
  const std::string name =
      obj.contains("metadata") && obj["metadata"].is_object() ? obj["metadata"].value("name", "") : "";
  Json details = Json::array();
  std::vector<std::string> texts;
  for (const Cause& c : causes) {
    details.push_back({{"reason", c.reason}, {"message", c.text}, {"field", c.field}});
    texts.push_back(absl::StrCat(c.field, ": ", c.text));
  }
  ApiError err{422, "Invalid",
               absl::StrCat("HorizontalPodAutoscaler.autoscaling \"", name, "\" is invalid: ",
                            texts.size() == 1 ? texts[0] : absl::StrCat("[", absl::StrJoin(texts, ", "), "]"))};
  err.details = {{"name", name}, {"group", t.group}, {"kind", t.kind}, {"causes", details}};
  return err;
}

std::optional<ApiError> AdmitCustomResource(const HttpRequest& req, const ResourceType& t,
                                            bool create, bool status_only, CelEvaluator* cel,
                                            Json& obj, std::vector<std::string>& warnings) {
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
      for (FieldError& e : ValidateListSetsAndMaps(schema, Json{{"status", obj["status"]}}, "")) {
        errors.push_back(std::move(e));
      }
    }
  } else {
    // metadata is ObjectMeta's to validate; with a status subresource the
    // status of a main-resource write is not what gets stored.
    Json body = obj;
    body.erase("metadata");
    if (t.status_subresource) body.erase("status");
    errors = ValidateAgainstSchema(schema, body, "");
    // Then the list-type set/map uniqueness, which does not keep the CEL
    // rules from running (registry/customresource/strategy.go).
    for (FieldError& e : ValidateListSetsAndMaps(schema, body, "")) errors.push_back(std::move(e));
  }
  if (cel != nullptr && cel->HasRules(t.schema)) {
    // apiextensions-apiserver's hasBlockingErr (registry/customresource/
    // strategy.go): these schema errors skip every rule.
    bool blocking = false;
    for (const FieldError& e : errors) {
      blocking |= e.reason == "FieldValueNotSupported" || e.reason == "FieldValueRequired" ||
                  e.reason == "FieldValueTooLong" || e.reason == "FieldValueTooMany" ||
                  e.reason == "FieldValueTypeInvalid";
    }
    if (blocking) {
      errors.push_back({"FieldValueInvalid", "<nil>",
                        "Invalid value: \"null\": some validation rules were not checked because the "
                        "object was invalid; correct the existing errors to complete validation"});
    } else {
      // Rules see the object with its metadata; a main-resource write
      // without the status a status subresource owns, a status write
      // only its status.
      Json subject = obj;
      if (status_only) {
        subject = Json::object();
        if (obj.contains("status")) subject["status"] = obj["status"];
      } else if (t.status_subresource) {
        subject.erase("status");
      }
      auto cel_errors = cel->Validate(t.schema, subject);
      if (auto* why = std::get_if<std::string>(&cel_errors)) {
        return ApiError{500, "InternalError",
                        absl::StrCat("kubesim cannot evaluate the x-kubernetes-validations rules of ",
                                     t.resource, ".", t.group, ": ", *why)};
      }
      for (FieldError& e : std::get<std::vector<FieldError>>(cel_errors)) errors.push_back(std::move(e));
    }
  }
  if (errors.empty()) return std::nullopt;
  const std::string name =
      obj.contains("metadata") && obj["metadata"].is_object() ? obj["metadata"].value("name", "") : "";
  return InvalidError(t, name, errors);
}

namespace {

// Go's %+v of a decoded JSON value (map[string]interface{} with sorted
// keys; integers as int64 after apimachinery's number conversion), which
// is how a strategic merge patch appears in its decoding error.
std::string GoValue(const Json& v) {
  if (v.is_object()) {
    std::vector<std::string> parts;
    for (const auto& [k, e] : v.items()) parts.push_back(absl::StrCat(k, ":", GoValue(e)));
    return absl::StrCat("map[", absl::StrJoin(parts, " "), "]");
  }
  if (v.is_array()) {
    std::vector<std::string> parts;
    for (const Json& e : v) parts.push_back(GoValue(e));
    return absl::StrCat("[", absl::StrJoin(parts, " "), "]");
  }
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "<nil>";
  return v.dump();
}

// A malformed quantity fails decoding; where the request came from decides
// the answer (apiserver pkg/endpoints/handlers: create.go and update.go via
// transformDecodeError, patch.go for the patch types).
ApiError QuantityDecodeError(const HttpRequest& req, const ResourceType& t, const Json& obj,
                             const std::string& message) {
  const std::string ct = req.Header("content-type");
  if (req.method == "PATCH" && ct.find("apply-patch") == std::string::npos) {
    std::string value;
    if (ct.find("strategic-merge") != std::string::npos) {
      Json patch;
      try {
        patch = Json::parse(req.body);
      } catch (const Json::exception&) {
      }
      value = GoValue(patch);
    } else {
      value = obj.dump();
    }
    ApiError err{422, "Invalid",
                 absl::StrCat(" \"\" is invalid: patch: Invalid value: ", Json(value).dump(), ": ", message)};
    err.details = {{"causes", Json::array({{{"reason", "FieldValueInvalid"},
                                            {"message", absl::StrCat("Invalid value: ", Json(value).dump(), ": ",
                                                                     message)},
                                            {"field", "patch"}}})}};
    return err;
  }
  // Create, update and (wording not verified against a real server)
  // server-side apply.
  return ApiError{400, "BadRequest",
                  absl::StrCat(t.kind, " in version \"", t.version, "\" cannot be handled as a ", t.kind, ": ",
                               message)};
}

}  // namespace

std::optional<ApiError> AdmitBuiltIn(const HttpRequest& req, const ResourceType& t, const ObjectStore& store,
                                     const std::string& ns, const Json* old, bool status_only, bool dry_run,
                                     Json& obj) {
  if (t.custom || !obj.is_object()) return std::nullopt;
  const Json decoded = obj;
  if (std::optional<std::string> bad = CanonicalizeQuantities(t, obj)) {
    return QuantityDecodeError(req, t, decoded, *bad);
  }
  if (status_only) return std::nullopt;
  if (old == nullptr && t.group == "autoscaling" && t.resource == "horizontalpodautoscalers") {
    // PrepareForCreate: "create cannot set status"; the empty status prints
    // the fields Go's JSON never omits (k8s.io/api autoscaling/v1, v2 types.go).
    obj["status"] = t.version == "v1" ? Json{{"currentReplicas", 0}, {"desiredReplicas", 0}}
                                      : Json{{"desiredReplicas", 0}, {"currentMetrics", nullptr}};
  }
  if (t.group.empty() && t.resource == "services") return AdmitService(store, t, ns, old, dry_run, obj);
  if (t.group == "apps" && t.resource == "statefulsets" && old != nullptr) {
    return ValidateStatefulSetUpdate(t, *old, obj);
  }
  return AdmitStorage(store, t, old, obj);
}

}  // namespace doris_operator::kubesim
