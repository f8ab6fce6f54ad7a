#include "translator/object_parts.h"

#include "translator/desired_object.h"

namespace doris_operator::translator::internal {

void BeginObjectMeta(JsonWriter& w, const char* api_version, const char* kind) {
  w.BeginObject();
  w.Field("apiVersion", api_version);
  w.Field("kind", kind);
  w.Key("metadata");
  w.BeginObject();
}

void WriteMetaTail(JsonWriter& w, const std::string& name, const std::string& ns,
                   const std::string& owner_refs) {
  w.Field("name", name);
  w.Field("namespace", ns);
  w.Key("ownerReferences");
  w.Raw(owner_refs);
}

void WriteServiceAnnotations(JsonWriter& w,
                             const google::protobuf::Map<std::string, std::string>& annotations,
                             const std::string* hash) {
  if (annotations.empty() && hash == nullptr) return;
  // A user's value for the hash annotation never survives: it is replaced.
  w.Key("annotations");
  w.BeginObject();
  for (const auto& [k, v] : annotations) {
    if (k != kHashAnnotation) w.Field(k, v);
  }
  if (hash != nullptr) w.Field(kHashAnnotation, *hash);
  w.EndObject();
}

void WriteServiceAffinityAndType(JsonWriter& w, const std::string& type) {
  if (type != "ExternalName") {
    w.Field("sessionAffinity", type == "LoadBalancer" ? "None" : "ClientIP");
  }
  w.Field("type", type);
}

}  // namespace doris_operator::translator::internal
