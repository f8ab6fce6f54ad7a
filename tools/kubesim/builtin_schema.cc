#include "tools/kubesim/builtin_schema.h"

#include <cstdint>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

// The schemas document, embedded by the :builtin_schemas_json genrule.
extern const char kBuiltinSchemasJson[];

namespace doris_operator::kubesim {

namespace {

using Json = nlohmann::json;

constexpr char kRefPrefix[] = "#/components/schemas/";
constexpr char kQuantity[] = "io.k8s.apimachinery.pkg.api.resource.Quantity";
constexpr char kIntOrString[] = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

const Json& Definitions() { return BuiltinSchemas()["components"]["schemas"]; }

// Follows $ref (and the allOf: [$ref] a described reference is wrapped in);
// `name` receives the definition reached, if any.
const Json& Resolve(const Json& node, std::string* name) {
  const Json* cur = &node;
  for (int hops = 0; hops < 4; ++hops) {
    if (cur->contains("allOf") && (*cur)["allOf"].is_array() && (*cur)["allOf"].size() == 1) {
      cur = &(*cur)["allOf"][0];
      continue;
    }
    if (cur->contains("$ref")) {
      const std::string ref = (*cur)["$ref"].get<std::string>().substr(sizeof(kRefPrefix) - 1);
      if (name != nullptr) *name = ref;
      cur = &Definitions()[ref];
      continue;
    }
    break;
  }
  return *cur;
}

// "io.k8s.api.apps.v1.StatefulSetSpec" -> {"v1", "StatefulSetSpec"}.
std::pair<std::string, std::string> GoName(const std::string& definition) {
  const size_t dot = definition.rfind('.');
  const std::string type = definition.substr(dot + 1);
  const std::string rest = definition.substr(0, dot);
  return {rest.substr(rest.rfind('.') + 1), type};
}

// The Go type the decoder names in its error.
std::string GoType(const Json& node) {
  std::string def;
  const Json& s = Resolve(node, &def);
  if (def == kQuantity) return "resource.Quantity";
  if (def == kIntOrString) return "intstr.IntOrString";
  if (!def.empty() && s.value("type", "") == "object" && s.contains("properties")) {
    auto [pkg, type] = GoName(def);
    return absl::StrCat(pkg, ".", type);
  }
  const std::string type = s.value("type", "");
  if (type == "integer") return s.value("format", "int64");
  if (type == "number") return "float64";
  if (type == "boolean") return "bool";
  if (type == "string")
    return def.empty() ? "string" : absl::StrCat(GoName(def).first, ".", GoName(def).second);
  if (type == "array") return absl::StrCat("[]", s.contains("items") ? GoType(s["items"]) : "interface {}");
  if (type == "object" && s.contains("additionalProperties")) {
    return absl::StrCat("map[string]", GoType(s["additionalProperties"]));
  }
  return "struct";
}

// How encoding/json names a JSON value it cannot store.
std::string JsonKind(const Json& v) {
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_number()) return "number";
  if (v.is_array()) return "array";
  return "object";
}

struct Walker {
  bool status_only;
  DecodeResult result;

  void TypeError(const Json& v, const std::string& what, const std::string& owner, const std::string& go_path,
                 const Json& node) {
    if (!result.type_error.empty()) return;  // the decoder reports the first
    result.type_error =
        absl::StrCat("json: cannot unmarshal ", what.empty() ? JsonKind(v) : what, " into Go struct field ",
                     owner, ".", go_path, " of type ", GoType(node));
  }

  // `path` is the field path with list indices (field.Path), `go_path` the
  // decoder's (names only), `owner` the Go struct holding the field.
  void Walk(const Json& node, Json& v, const std::string& path, const std::string& go_path,
            const std::string& owner, bool semantic) {
    if (v.is_null()) return;  // null leaves the Go zero value
    std::string def;
    const Json& s = Resolve(node, &def);
    if (def == kQuantity) {
      if (!v.is_string() && !v.is_number()) TypeError(v, "", owner, go_path, node);
      return;
    }
    if (def == kIntOrString) {
      if (!v.is_string() && !v.is_number_integer()) TypeError(v, "", owner, go_path, node);
      return;
    }
    if (s.value("x-kubernetes-preserve-unknown-fields", false) && !s.contains("properties")) return;
    const std::string type = s.value("type", "");
    if (type == "string") {
      if (!v.is_string()) return TypeError(v, "", owner, go_path, node);
      if (semantic && s.contains("enum") && !v.get<std::string>().empty()) Enum(s, v, path);
      return;
    }
    if (type == "boolean") {
      if (!v.is_boolean()) TypeError(v, "", owner, go_path, node);
      return;
    }
    if (type == "number") {
      if (!v.is_number()) TypeError(v, "", owner, go_path, node);
      return;
    }
    if (type == "integer") {
      if (!v.is_number()) return TypeError(v, "", owner, go_path, node);
      const bool int32 = s.value("format", "") == "int32";
      bool fits = !v.is_number_float();
      if (fits && v.is_number_unsigned()) fits = v.get<uint64_t>() <= (int32 ? INT32_MAX : INT64_MAX);
      if (fits && v.is_number_integer() && int32) {
        const int64_t n = v.get<int64_t>();
        fits = n >= INT32_MIN && n <= INT32_MAX;
      }
      if (!fits) TypeError(v, absl::StrCat("number ", v.dump()), owner, go_path, node);
      return;
    }
    if (type == "array") {
      if (!v.is_array()) return TypeError(v, "", owner, go_path, node);
      if (!s.contains("items")) return;
      for (size_t i = 0; i < v.size(); ++i) {
        Walk(s["items"], v[i], absl::StrCat(path, "[", i, "]"), go_path, owner, semantic);
      }
      return;
    }
    if (type != "object") return;
    if (!v.is_object()) return TypeError(v, "", owner, go_path, node);
    if (s.contains("additionalProperties") && !s.contains("properties")) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        Walk(s["additionalProperties"], it.value(), Child(path, it.key()), go_path, owner, semantic);
      }
      return;
    }
    const std::string me = def.empty() ? owner : GoName(def).second;
    const Json& props = s.contains("properties") ? s["properties"] : Json::object();
    for (auto it = v.begin(); it != v.end();) {
      const std::string key = it.key();
      if (!props.contains(key)) {
        result.unknown_fields.push_back(Child(path, key));
        it = v.erase(it);
        continue;
      }
      // A main-resource write keeps the stored status; a status write only
      // validates its status.
      bool sub_semantic = semantic;
      if (path.empty() && key == "status") sub_semantic = !semantic || status_only;
      Walk(props[key], it.value(), Child(path, key), Child(go_path, key), me, sub_semantic);
      ++it;
    }
    if (!semantic || !s.contains("required")) return;
    for (const Json& r : s["required"]) {
      const std::string key = r.get<std::string>();
      if (!v.contains(key) || v[key].is_null()) {
        result.errors.push_back({"FieldValueRequired", Child(path, key), "Required value"});
      }
    }
  }

  void Enum(const Json& s, const Json& v, const std::string& path) {
    std::vector<std::string> quoted;
    for (const Json& e : s["enum"]) {
      if (e == v) return;
      quoted.push_back(e.dump());
    }
    result.errors.push_back(
        {"FieldValueNotSupported", path,
         absl::StrCat("Unsupported value: ", v.dump(), ": supported values: ", absl::StrJoin(quoted, ", "))});
  }

  static std::string Child(const std::string& path, const std::string& key) {
    return path.empty() ? key : absl::StrCat(path, ".", key);
  }
};

}  // namespace

const Json& BuiltinSchemas() {
  static const Json* const doc = new Json(Json::parse(kBuiltinSchemasJson));
  return *doc;
}

std::string BuiltinDefinition(const std::string& group, const std::string& version, const std::string& kind) {
  static const auto* const index = [] {
    auto* m = new std::map<std::tuple<std::string, std::string, std::string>, std::string>();
    for (auto it = Definitions().begin(); it != Definitions().end(); ++it) {
      for (const Json& gvk : it.value().value("x-kubernetes-group-version-kind", Json::array())) {
        (*m)[{gvk.value("group", ""), gvk.value("version", ""), gvk.value("kind", "")}] = it.key();
      }
    }
    return m;
  }();
  auto it = index->find({group, version, kind});
  return it == index->end() ? "" : it->second;
}

std::vector<std::string> ReachableDefinitions(const std::string& definition) {
  std::set<std::string> seen;
  std::vector<std::string> todo = {definition};
  while (!todo.empty()) {
    const std::string def = todo.back();
    todo.pop_back();
    if (!seen.insert(def).second || !Definitions().contains(def)) continue;
    std::vector<const Json*> stack = {&Definitions()[def]};
    while (!stack.empty()) {
      const Json* n = stack.back();
      stack.pop_back();
      if (n->is_object()) {
        if (n->contains("$ref") && (*n)["$ref"].is_string()) {
          todo.push_back((*n)["$ref"].get<std::string>().substr(sizeof(kRefPrefix) - 1));
        }
        for (auto it = n->begin(); it != n->end(); ++it) {
          if (it.key() != "description") stack.push_back(&it.value());
        }
      } else if (n->is_array()) {
        for (const Json& e : *n) stack.push_back(&e);
      }
    }
  }
  return {seen.begin(), seen.end()};
}

DecodeResult DecodeBuiltin(const std::string& definition, Json& obj, bool status_only) {
  Walker w{status_only, {}};
  const Json ref = {{"$ref", absl::StrCat(kRefPrefix, definition)}};
  w.Walk(ref, obj, "", "", GoName(definition).second, !status_only);
  return std::move(w.result);
}

}  // namespace doris_operator::kubesim
