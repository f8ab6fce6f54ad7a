#include "tools/kubesim/patches.h"

#include <string>

#include "absl/strings/str_cat.h"

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

// add, remove, replace, test, copy, move via nlohmann.
std::variant<Json, ApiError> JsonPatch(const Json& target, const Json& patch) {
  try {
    return target.patch(patch);
  } catch (const Json::exception& e) {
    return ApiError{422, "Invalid", absl::StrCat("the JSON patch could not be applied: ", e.what())};
  }
}

}  // namespace doris_operator::kubesim
