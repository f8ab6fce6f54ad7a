#include "translator/env_list.h"

#include <set>

namespace doris_operator::translator::internal {

void WriteEnvList(JsonWriter& w, const Json& user, const std::vector<EnvVar>& ours) {
  std::set<std::string> user_names;
  for (const Json& e : user) {
    if (e.is_object() && e.contains("name") && e["name"].is_string()) {
      user_names.insert(e["name"].get<std::string>());
    }
  }
  w.BeginArray();
  for (const Json& e : user) w.Value(e);  // user variables first, and they win
  for (const EnvVar& e : ours) {
    if (!user_names.empty() && user_names.count(std::string(e.name))) continue;
    w.BeginObject();
    w.Field("name", e.name);
    if (e.field_path != nullptr) {
      w.Key("valueFrom");
      w.BeginObject();
      w.Key("fieldRef");
      w.BeginObject();
      w.Field("fieldPath", e.field_path);
      w.EndObject();
      w.EndObject();
    } else if (e.secret_key != nullptr) {
      w.Key("valueFrom");
      w.BeginObject();
      w.Key("secretKeyRef");
      w.BeginObject();
      w.Field("key", e.secret_key);
      w.Field("name", e.value);
      w.EndObject();
      w.EndObject();
    } else {
      w.Field("value", e.value);
    }
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace doris_operator::translator::internal
