#ifndef DORIS_OPERATOR_TRANSLATOR_VOLUME_PARTS_H_
#define DORIS_OPERATOR_TRANSLATOR_VOLUME_PARTS_H_

// Writers for the entries of a pod's `volumes` and a container's
// `volumeMounts`, shared by every resource's storage builder.

#include <string_view>

#include "translator/json_writer.h"

namespace doris_operator::translator::internal {

// {"name": name, <kind>: {<ref_key>: ref}}, e.g. a Secret or ConfigMap volume.
void WriteVolume(JsonWriter& w, std::string_view name, const char* kind, const char* ref_key,
                 std::string_view ref);
void WriteMount(JsonWriter& w, std::string_view name, std::string_view path);
void WriteEmptyDir(JsonWriter& w, std::string_view name);
// The `podinfo` downward-API volume: the pod's labels and annotations as
// files under /etc/podinfo (debug mode, hooks).
void WritePodInfoVolume(JsonWriter& w);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_VOLUME_PARTS_H_
