#include "tools/kubesim/structural_schema.h"

#include <cmath>
#include <cstdio>
#include <regex>
#include <string>

namespace doris_operator::kubesim {

namespace {

using Json = nlohmann::json;

std::string Child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

bool Flag(const Json& schema, const char* key) {
  return schema.is_object() && schema.contains(key) && schema[key].is_boolean() && schema[key].get<bool>();
}

bool IntOrString(const Json& schema) {
  return Flag(schema, "x-kubernetes-int-or-string") ||
         (schema.is_object() && schema.value("format", "") == "int-or-string");
}

const Json* Sub(const Json& schema, const char* key) {
  if (!schema.is_object() || !schema.contains(key) || !schema[key].is_object()) return nullptr;
  return &schema[key];
}

// The schema for the value under `key` of an object: a declared property,
// else an additionalProperties schema; nullptr for an undeclared field.
const Json* PropertySchema(const Json& schema, const std::string& key) {
  if (const Json* props = Sub(schema, "properties"); props != nullptr && props->contains(key)) {
    return &(*props)[key];
  }
  return Sub(schema, "additionalProperties");
}

// Go's %v of a float64 (the API server formats numbers with it).
std::string GoFloat(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e6) {
    return std::to_string(static_cast<long long>(d));
  }
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof(buf), "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

// The bad value as field.Error prints it: strings quoted, numbers and
// booleans bare.
std::string GoValue(const Json& v) {
  if (v.is_number_float()) return GoFloat(v.get<double>());
  return v.dump();
}

std::string Quote(const std::string& s) { return Json(s).dump(); }

// The JSON type of a value, as the OpenAPI validator names it.
std::string TypeName(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

bool HasType(const Json& v, const std::string& type) {
  if (type == "integer") {
    return v.is_number_integer() || v.is_number_unsigned() ||
           (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()));
  }
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  return true;  // unknown types are the CRD validator's business, not ours
}

bool IsDateTime(const std::string& s) {
  // RFC 3339 as strfmt.DateTime accepts it (also with a space or lower-case
  // t/z, and with or without fractional seconds).
  static const std::regex re(
      R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  return std::regex_match(s, re);
}

void PruneAt(const Json& schema, Json& value, const std::string& path, bool root,
             std::vector<std::string>& unknown) {
  if (!schema.is_object()) return;
  if (value.is_object()) {
    const bool preserve = Flag(schema, "x-kubernetes-preserve-unknown-fields");
    const bool embedded = root || Flag(schema, "x-kubernetes-embedded-resource");
    const bool any_additional =
        schema.contains("additionalProperties") && schema["additionalProperties"].is_boolean() &&
        schema["additionalProperties"].get<bool>();
    for (auto it = value.begin(); it != value.end();) {
      const std::string key = it.key();
      if (embedded && (key == "apiVersion" || key == "kind" || key == "metadata")) {
        ++it;
        continue;
      }
      const Json* sub = PropertySchema(schema, key);
      if (sub == nullptr && !preserve && !any_additional) {
        unknown.push_back(Child(path, key));
        it = value.erase(it);
        continue;
      }
      if (sub != nullptr && it.value().is_null() && !Flag(*sub, "nullable") && !sub->contains("default")) {
        // Nulls of non-nullable fields without a default are dropped before
        // defaulting (the API server's PruneNonNullableNullsWithoutDefaults).
        it = value.erase(it);
        continue;
      }
      if (sub != nullptr) PruneAt(*sub, it.value(), Child(path, key), false, unknown);
      ++it;
    }
  } else if (value.is_array()) {
    if (const Json* items = Sub(schema, "items"); items != nullptr) {
      for (size_t i = 0; i < value.size(); ++i) PruneAt(*items, value[i], Index(path, i), false, unknown);
    }
  }
}

class Validator {
 public:
  explicit Validator(std::vector<FieldError>& out) : out_(out) {}

  void At(const Json& schema, const Json& v, const std::string& p) {
    if (!schema.is_object()) return;
    if (v.is_null()) {
      if (Flag(schema, "nullable")) return;
      if (IntOrString(schema)) {
        TypeError(p, "integer,string", v);
      } else if (schema.contains("type")) {
        TypeError(p, schema.value("type", ""), v);
      }
      return;
    }
    // anyOf (the CRD generators' spelling of int-or-string): when no
    // alternative holds, the validator reports that at the root ("<nil>"),
    // then the first alternative's errors after the node's own.
    std::vector<FieldError> any_of_failure;
    if (const auto any = schema.find("anyOf"); any != schema.end() && any->is_array() && !any->empty()) {
      bool matched = false;
      for (const Json& alternative : *any) {
        std::vector<FieldError> errs;
        Validator(errs).At(alternative, v, p);
        if (errs.empty()) {
          matched = true;
          break;
        }
        if (any_of_failure.empty()) any_of_failure = std::move(errs);
      }
      if (matched) {
        any_of_failure.clear();
      } else {
        Add("FieldValueInvalid", "<nil>", "Invalid value: \"\": " + Quote(p) + " must validate at least one schema (anyOf)");
      }
    }
    // A type mismatch does not stop the other checks (enum still reports).
    if (IntOrString(schema)) {
      if (!v.is_string() && !HasType(v, "integer")) TypeError(p, "integer,string", v);
    } else if (schema.contains("type") && schema["type"].is_string() &&
               !HasType(v, schema["type"].get<std::string>())) {
      TypeError(p, schema["type"].get<std::string>(), v);
    }
    for (FieldError& e : any_of_failure) out_.push_back(std::move(e));
    if (const auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      bool found = false;
      for (const Json& allowed : *e) found = found || Equal(allowed, v);
      if (!found) {
        std::string supported;
        for (const Json& allowed : *e) {
          if (!supported.empty()) supported += ", ";
          supported += Quote(allowed.is_string() ? allowed.get<std::string>() : allowed.dump());
        }
        Add("FieldValueNotSupported", p,
            "Unsupported value: " + GoValue(v) + (supported.empty() ? "" : ": supported values: " + supported));
      }
    }
    if (v.is_number()) Numbers(schema, v, p);
    if (v.is_string()) Strings(schema, v.get<std::string>(), v, p);
    if (v.is_array() || v.is_object()) {
      const char* key = v.is_array() ? "maxItems" : "maxProperties";
      if (const auto m = schema.find(key); m != schema.end() && m->is_number_integer() &&
                                           v.size() > m->get<size_t>()) {
        Add("FieldValueTooMany", p,
            "Too many: " + std::to_string(v.size()) + ": must have at most " +
                std::to_string(m->get<size_t>()) + " items");
      }
    }
    if (v.is_array()) {
      if (const Json* items = Sub(schema, "items"); items != nullptr) {
        for (size_t i = 0; i < v.size(); ++i) At(*items, v[i], Index(p, i));
      }
    }
    if (v.is_object()) {
      if (const auto req = schema.find("required"); req != schema.end() && req->is_array()) {
        for (const Json& k : *req) {
          if (k.is_string() && !v.contains(k.get<std::string>())) {
            Add("FieldValueRequired", Child(p, k.get<std::string>()), "Required value");
          }
        }
      }
      for (const auto& [k, child] : v.items()) {
        if (const Json* sub = PropertySchema(schema, k); sub != nullptr) At(*sub, child, Child(p, k));
      }
    }
  }

 private:
  static bool Equal(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
    return a == b;
  }

  void Add(const std::string& reason, const std::string& field, const std::string& message) {
    out_.push_back({reason, field, message});
  }

  void TypeError(const std::string& p, const std::string& want, const Json& v) {
    const std::string got = TypeName(v);
    Add("FieldValueTypeInvalid", p,
        "Invalid value: " + Quote(got) + ": " + p + " in body must be of type " + want + ": " + Quote(got));
  }

  void Invalid(const std::string& p, const Json& v, const std::string& detail) {
    Add("FieldValueInvalid", p, "Invalid value: " + GoValue(v) + ": " + p + " in body " + detail);
  }

  void Numbers(const Json& schema, const Json& v, const std::string& p) {
    const double d = v.get<double>();
    if (const auto m = schema.find("minimum"); m != schema.end() && m->is_number()) {
      const double min = m->get<double>();
      if (Flag(schema, "exclusiveMinimum") ? d <= min : d < min) {
        Invalid(p, v, std::string("should be greater than ") +
                          (Flag(schema, "exclusiveMinimum") ? "" : "or equal to ") + GoFloat(min));
      }
    }
    if (const auto m = schema.find("maximum"); m != schema.end() && m->is_number()) {
      const double max = m->get<double>();
      if (Flag(schema, "exclusiveMaximum") ? d >= max : d > max) {
        Invalid(p, v, std::string("should be less than ") +
                          (Flag(schema, "exclusiveMaximum") ? "" : "or equal to ") + GoFloat(max));
      }
    }
  }

  void Strings(const Json& schema, const std::string& s, const Json& v, const std::string& p) {
    // Lengths count characters (runes), as the validator does.
    size_t runes = 0;
    for (unsigned char c : s) runes += (c & 0xC0) != 0x80;
    if (const auto m = schema.find("maxLength"); m != schema.end() && m->is_number_integer() &&
                                                 runes > m->get<size_t>()) {
      const size_t max = m->get<size_t>();
      Add("FieldValueTooLong", p,
          "Too long: may not be more than " + std::to_string(max) + (max == 1 ? " byte" : " bytes"));
    }
    if (const auto m = schema.find("minLength"); m != schema.end() && m->is_number_integer() &&
                                                 runes < m->get<size_t>()) {
      Invalid(p, v, "should be at least " + std::to_string(m->get<size_t>()) + " chars long");
    }
    if (const auto m = schema.find("pattern"); m != schema.end() && m->is_string()) {
      try {
        if (!std::regex_search(s, std::regex(m->get<std::string>()))) {
          Invalid(p, v, "should match '" + m->get<std::string>() + "'");
        }
      } catch (const std::regex_error&) {
        // A pattern std::regex cannot read is not checked.
      }
    }
    if (schema.value("format", "") == "date-time" && !IsDateTime(s)) {
      Add("FieldValueTypeInvalid", p,
          "Invalid value: " + Quote(s) + ": " + p + " in body must be of type date-time: " + Quote(s));
    }
  }

  std::vector<FieldError>& out_;
};

}  // namespace

std::vector<std::string> PruneUnknownFields(const Json& schema, Json& value) {
  std::vector<std::string> unknown;
  PruneAt(schema, value, "", true, unknown);
  return unknown;
}

void ApplySchemaDefaults(const Json& schema, Json& value) {
  if (!schema.is_object()) return;
  if (value.is_object()) {
    if (const Json* props = Sub(schema, "properties"); props != nullptr) {
      for (const auto& [k, prop] : props->items()) {
        if (!prop.is_object() || !prop.contains("default")) continue;
        if (!value.contains(k) || (value[k].is_null() && !Flag(prop, "nullable"))) value[k] = prop["default"];
      }
    }
    for (auto& [k, child] : value.items()) {
      if (const Json* sub = PropertySchema(schema, k); sub != nullptr) ApplySchemaDefaults(*sub, child);
    }
  } else if (value.is_array()) {
    if (const Json* items = Sub(schema, "items"); items != nullptr) {
      for (Json& item : value) ApplySchemaDefaults(*items, item);
    }
  }
}

std::vector<FieldError> ValidateAgainstSchema(const Json& schema, const Json& value, const std::string& path) {
  std::vector<FieldError> out;
  Validator(out).At(schema, value, path);
  return out;
}

}  // namespace doris_operator::kubesim
