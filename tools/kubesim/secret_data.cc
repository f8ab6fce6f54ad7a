#include "tools/kubesim/secret_data.h"

#include "absl/strings/escaping.h"

namespace doris_operator::kubesim {

Json SecretStringData(const ResourceType& t, Json obj) {
  if (t.kind != "Secret" || t.group != "" || !obj.is_object() || !obj.contains("stringData")) return obj;
  const Json string_data = obj["stringData"];
  obj.erase("stringData");
  if (!string_data.is_object()) return obj;  // left for validation to refuse as typed
  if (!obj.contains("data") || !obj["data"].is_object()) obj["data"] = Json::object();
  for (const auto& [key, value] : string_data.items()) {
    if (value.is_string()) obj["data"][key] = absl::Base64Escape(value.get<std::string>());
  }
  return obj;
}

}  // namespace doris_operator::kubesim
