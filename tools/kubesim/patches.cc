#include "tools/kubesim/patches.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/kubesim/field_shapes.h"

namespace doris_operator::kubesim {

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

namespace {

// k8s.io/apimachinery/pkg/util/strategicpatch (patch.go): lists with a
// patchMergeKey merge item by item, primitive lists with patchStrategy merge
// (finalizers) as sets, every other list is replaced; directives `$patch`
// (replace, delete), `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
// `$setElementOrder/<field>`.
bool IsDirective(const std::string& k) {
  return k == "$patch" || k == "$retainKeys" || k.rfind("$setElementOrder/", 0) == 0 ||
         k.rfind("$deleteFromPrimitiveList/", 0) == 0;
}

Json WithoutDirectives(Json v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      it = IsDirective(it.key()) ? v.erase(it) : std::next(it);
    }
    for (auto& [k, child] : v.items()) child = WithoutDirectives(child);
  } else if (v.is_array()) {
    for (Json& child : v) child = WithoutDirectives(child);
  }
  return v;
}

Json Smp(Json target, const Json& patch, const FieldType& type);

Json MergeKeyedList(Json live, const Json& patch, const std::string& key, const FieldType& type) {
  if (!live.is_array()) live = Json::array();
  const FieldType item_type = type.Item();
  for (const Json& item : patch) {
    if (!item.is_object()) continue;
    const std::string directive = item.value("$patch", "");
    if (directive == "replace") {
      // [{"$patch":"replace"}, ...]: the rest of the patch list is the list.
      Json out = Json::array();
      for (const Json& other : patch) {
        if (other.value("$patch", "") != "replace") out.push_back(WithoutDirectives(other));
      }
      return out;
    }
    auto match = live.end();
    for (auto it = live.begin(); it != live.end(); ++it) {
      if (it->is_object() && it->contains(key) && item.contains(key) && (*it)[key] == item[key]) {
        match = it;
        break;
      }
    }
    if (directive == "delete") {
      if (match != live.end()) live.erase(match);
    } else if (match != live.end()) {
      *match = Smp(*match, item, item_type);
    } else {
      live.push_back(WithoutDirectives(item));
    }
  }
  return live;
}

// `$setElementOrder/<field>`: the patch's order first, items only the live
// list has after them, in their order.
Json Reorder(const Json& list, const Json& order, const std::string& key) {
  if (!list.is_array() || !order.is_array()) return list;
  Json out = Json::array();
  std::vector<bool> used(list.size(), false);
  for (const Json& want : order) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (used[i]) continue;
      const bool same = key.empty() ? list[i] == want
                                    : list[i].is_object() && want.is_object() && list[i].contains(key) &&
                                          want.contains(key) && list[i][key] == want[key];
      if (same) {
        out.push_back(list[i]);
        used[i] = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (!used[i]) out.push_back(list[i]);
  }
  return out;
}

Json Smp(Json target, const Json& patch, const FieldType& type) {
  if (!patch.is_object()) return patch;
  const std::string directive = patch.value("$patch", "");
  if (directive == "replace") return WithoutDirectives(patch);
  if (directive == "delete") return Json();
  if (!target.is_object()) target = Json::object();
  if (patch.contains("$retainKeys") && patch["$retainKeys"].is_array()) {
    std::set<std::string> retain;
    for (const Json& k : patch["$retainKeys"]) {
      if (k.is_string()) retain.insert(k.get<std::string>());
    }
    for (auto it = target.begin(); it != target.end();) {
      it = retain.count(it.key()) ? std::next(it) : target.erase(it);
    }
  }
  for (const auto& [k, v] : patch.items()) {
    const std::string delete_prefix = "$deleteFromPrimitiveList/";
    if (k.rfind(delete_prefix, 0) == 0) {
      const std::string field = k.substr(delete_prefix.size());
      if (target.contains(field) && target[field].is_array() && v.is_array()) {
        Json kept = Json::array();
        for (const Json& item : target[field]) {
          if (std::find(v.begin(), v.end(), item) == v.end()) kept.push_back(item);
        }
        target[field] = kept;
      }
      continue;
    }
    if (IsDirective(k)) continue;
    if (v.is_null()) {
      target.erase(k);
      continue;
    }
    const FieldType child = type.Field(k);
    if (v.is_array()) {
      const std::string key = child.patch_merge_key();
      if (!key.empty()) {
        target[k] = MergeKeyedList(target.contains(k) ? target[k] : Json(), v, key, child);
      } else if (child.patch_merges_primitives()) {
        Json merged = target.contains(k) && target[k].is_array() ? target[k] : Json::array();
        for (const Json& item : v) {
          if (std::find(merged.begin(), merged.end(), item) == merged.end()) merged.push_back(item);
        }
        target[k] = merged;
      } else {
        target[k] = WithoutDirectives(v);
      }
      const std::string order_key = "$setElementOrder/" + k;
      if (patch.contains(order_key)) target[k] = Reorder(target[k], patch[order_key], key);
      // The typed object the real server re-encodes omits an empty list.
      if (target[k].empty()) target.erase(k);
      continue;
    }
    Json merged = Smp(target.contains(k) ? target[k] : Json(), v, child);
    if (merged.is_null() && v.is_object()) {
      target.erase(k);  // $patch: delete
    } else {
      target[k] = merged;
    }
  }
  return target;
}

}  // namespace

Json StrategicMerge(const ResourceType& t, Json target, const Json& patch) {
  return Smp(std::move(target), patch, FieldType::Root(t));
}

// add, remove, replace, test, copy, move via nlohmann.
std::variant<Json, ApiError> JsonPatch(const Json& target, const Json& patch) {
  try {
    return target.patch(patch);
  } catch (const Json::exception& e) {
    return ApiError{422, "Invalid", absl::StrCat("the JSON patch could not be applied: ", e.what())};
  }
}

namespace {

// encoding/json's name for the JSON value that did not fit (UnmarshalTypeError.Value).
std::string GoJsonKind(const Json& v) {
  if (v.is_array()) return "array";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_number()) return "number";
  return "object";
}

}  // namespace

std::optional<ApiError> RefuseNonObjectPatch(const Json& patch, bool strategic, const std::string& directive) {
  if (patch.is_object()) return std::nullopt;
  const bool strict_decode = directive == "Strict" || directive == "Warn";
  const std::string type_error =
      absl::StrCat("json: cannot unmarshal ", GoJsonKind(patch), " into Go value of type map[string]interface {}");
  if (strategic) {
    // strategicPatchObject decodes the body into a map under every directive;
    // `null` decodes to an empty map and changes nothing.
    if (patch.is_null()) return std::nullopt;
    return ApiError{400, "BadRequest", type_error};
  }
  // jsonPatcher.applyJSPatch, merge patch: the strict decode refuses a
  // non-object; `null` passes it and json-patch's MergePatch refuses it
  // (ErrBadJSONPatch); under Ignore an array becomes the document (refused
  // when decoded, UndecodablePatchResult) and a scalar is ErrBadJSONPatch.
  if (strict_decode && !patch.is_null()) return ApiError{400, "BadRequest", "error decoding patch: " + type_error};
  if (patch.is_array()) return std::nullopt;
  return ApiError{400, "BadRequest", "Invalid JSON Patch"};
}

ApiError UndecodablePatchResult(const Json& patched) {
  // The serializer first reads apiVersion and kind into a small struct
  // (apimachinery runtime/serializer/json/meta.go, SimpleMetaFactory.Interpret).
  const std::string message = absl::StrCat(
      "couldn't get version/kind; json parse error: json: cannot unmarshal ", GoJsonKind(patched),
      " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
      "\"json:\\\"kind,omitempty\\\"\" }");
  const std::string value = Json(patched.dump(-1, ' ', false, Json::error_handler_t::replace)).dump();
  ApiError err{422, "Invalid", absl::StrCat(" \"\" is invalid: patch: Invalid value: ", value, ": ", message)};
  err.details = {{"causes", Json::array({{{"reason", "FieldValueInvalid"},
                                          {"message", absl::StrCat("Invalid value: ", value, ": ", message)},
                                          {"field", "patch"}}})}};
  return err;
}

}  // namespace doris_operator::kubesim
