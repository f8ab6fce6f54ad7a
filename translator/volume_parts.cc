#include "translator/volume_parts.h"

namespace doris_operator::translator::internal {

// {"name": name, <kind>: {<ref_key>: ref}}, e.g. a Secret or ConfigMap volume.
void WriteVolume(JsonWriter& w, std::string_view name, const char* kind, const char* ref_key,
                 std::string_view ref) {
  w.BeginObject();
  w.Field("name", name);
  w.Key(kind);
  w.BeginObject();
  w.Field(ref_key, ref);
  w.EndObject();
  w.EndObject();
}

void WriteMount(JsonWriter& w, std::string_view name, std::string_view path) {
  w.BeginObject();
  w.Field("mountPath", path);
  w.Field("name", name);
  w.EndObject();
}

void WriteEmptyDir(JsonWriter& w, std::string_view name) {
  w.BeginObject();
  w.Key("emptyDir");
  w.BeginObject();
  w.EndObject();
  w.Field("name", name);
  w.EndObject();
}

void WritePodInfoVolume(JsonWriter& w) {
  w.Raw(
      R"({"downwardAPI":{"items":[{"fieldRef":{"fieldPath":"metadata.labels"},"path":"labels"},)"
      R"({"fieldRef":{"fieldPath":"metadata.annotations"},"path":"annotations"}]},"name":"podinfo"})");
}

}  // namespace doris_operator::translator::internal
