#include "tools/kubesim/list_type_validation.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace doris_operator::kubesim {

namespace {

using Json = nlohmann::json;

std::string Child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

const Json* Sub(const Json& schema, const char* key) {
  if (!schema.is_object() || !schema.contains(key) || !schema[key].is_object()) return nullptr;
  return &schema[key];
}

// Go's %v of a float64 (strconv 'g' with the shortest representation, and
// an exponent from 1e21 on).
std::string GoFloat(double d) {
  if (d == std::floor(d) && std::fabs(d) < 1e21) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

// Go's %#v of a decoded JSON value held in an interface{} (unstructured:
// integers are int64, maps sorted by key).
std::string GoSyntax(const Json& v) {
  if (v.is_object()) {
    std::string out = "map[string]interface {}{";
    bool first = true;
    for (const auto& [k, e] : v.items()) {
      if (!first) out += ", ";
      first = false;
      out += Json(k).dump() + ":" + GoSyntax(e);
    }
    return out + "}";
  }
  if (v.is_array()) {
    std::string out = "[]interface {}{";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + GoSyntax(v[i]);
    return out + "}";
  }
  if (v.is_null()) return "interface {}(nil)";
  if (v.is_number_float()) return GoFloat(v.get<double>());
  return v.dump();  // strings quoted as %#v quotes them, integers, booleans
}

// field.Duplicate's ErrorBody: scalars with %v (strings %q), nil as "null",
// anything else with %#v (apimachinery pkg/util/validation/field/errors.go).
std::string DuplicateBody(const Json& v) {
  std::string shown;
  if (v.is_null()) {
    shown = "\"null\"";
  } else if (v.is_string() || v.is_boolean() || v.is_number_integer()) {
    shown = v.dump();
  } else if (v.is_number_float()) {
    shown = GoFloat(v.get<double>());
  } else {
    shown = GoSyntax(v);
  }
  return "Duplicate value: " + shown;
}

// Indices of items equal to an earlier one, each distinct value's second
// appearance only.
std::vector<size_t> NonUnique(const std::vector<Json>& items) {
  std::map<std::string, int> seen;
  std::vector<size_t> out;
  for (size_t i = 0; i < items.size(); ++i) {
    // Integral floats and integers are one Go value only if decoded alike;
    // JSON decoding gives int64 for both, so compare canonical dumps.
    if (++seen[items[i].dump()] == 2) out.push_back(i);
  }
  return out;
}

void Walk(const Json& schema, const Json& value, const std::string& path, std::vector<FieldError>& out);

void WalkObject(const Json& schema, const Json& value, const std::string& path,
                std::vector<FieldError>& out) {
  if (const Json* additional = Sub(schema, "additionalProperties"); additional != nullptr) {
    for (const auto& [k, v] : value.items()) Walk(*additional, v, path + "[" + k + "]", out);
  }
  if (const Json* props = Sub(schema, "properties"); props != nullptr) {
    for (const auto& [k, v] : value.items()) {
      if (props->contains(k)) Walk((*props)[k], v, Child(path, k), out);
    }
  }
}

void WalkArray(const Json& schema, const Json& value, const std::string& path, std::vector<FieldError>& out) {
  const std::string type = schema.is_object() ? schema.value("x-kubernetes-list-type", "") : "";
  if (type == "set") {
    std::vector<Json> items(value.begin(), value.end());
    for (size_t i : NonUnique(items)) {
      out.push_back({"FieldValueDuplicate", Index(path, i), DuplicateBody(value[i])});
    }
  } else if (type == "map") {
    bool objects = true;
    for (size_t i = 0; i < value.size() && objects; ++i) {
      if (!value[i].is_null() && !value[i].is_object()) {
        out.push_back({"FieldValueInvalid", Index(path, i),
                       "Invalid value: " + GoSyntax(value[i]) +
                           ": must be an object for an array of list-type map"});
        objects = false;
      }
    }
    const Json keys = schema.value("x-kubernetes-list-map-keys", Json::array());
    if (objects && value.size() > 1 && keys.is_array()) {
      std::vector<Json> key_values;
      for (const Json& item : value) {
        Json key = Json::object();
        for (const Json& k : keys) {
          if (k.is_string() && item.is_object() && item.contains(k.get<std::string>())) {
            key[k.get<std::string>()] = item[k.get<std::string>()];
          }
        }
        key_values.push_back(std::move(key));
      }
      for (size_t i : NonUnique(key_values)) {
        out.push_back({"FieldValueDuplicate", Index(path, i), DuplicateBody(key_values[i])});
      }
    }
  }
  if (const Json* items = Sub(schema, "items"); items != nullptr) {
    for (size_t i = 0; i < value.size(); ++i) Walk(*items, value[i], Index(path, i), out);
  }
}

void Walk(const Json& schema, const Json& value, const std::string& path, std::vector<FieldError>& out) {
  if (value.is_array()) WalkArray(schema, value, path, out);
  if (value.is_object()) WalkObject(schema, value, path, out);
}

}  // namespace

std::vector<FieldError> ValidateListSetsAndMaps(const Json& schema, const Json& value, const std::string& path) {
  std::vector<FieldError> out;
  if (value.is_object()) WalkObject(schema, value, path, out);
  return out;
}

}  // namespace doris_operator::kubesim
