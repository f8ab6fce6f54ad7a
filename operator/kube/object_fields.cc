#include "operator/kube/object_fields.h"

namespace doris_operator::kube {

using Json = nlohmann::json;

const Json& FieldAt(const Json& j, std::initializer_list<const char*> path) {
  static const Json* const kNull = new Json();
  const Json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return *kNull;
    auto it = cur->find(k);
    if (it == cur->end()) return *kNull;
    cur = &*it;
  }
  return *cur;
}

std::string StringAt(const Json& j, std::initializer_list<const char*> path) {
  const Json& v = FieldAt(j, path);
  return v.is_string() ? v.get<std::string>() : "";
}

int64_t IntAt(const Json& j, std::initializer_list<const char*> path, int64_t fallback) {
  const Json& v = FieldAt(j, path);
  return v.is_number_integer() ? v.get<int64_t>() : fallback;
}

bool BoolAt(const Json& j, std::initializer_list<const char*> path) {
  const Json& v = FieldAt(j, path);
  return v.is_boolean() && v.get<bool>();
}

const std::string* LabelOf(const Json& object, const std::string& key) {
  const Json& labels = FieldAt(object, {"metadata", "labels"});
  if (!labels.is_object()) return nullptr;
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

}  // namespace doris_operator::kube
