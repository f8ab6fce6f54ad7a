#ifndef DORIS_OPERATOR_TRANSLATOR_OBJECT_PARTS_H_
#define DORIS_OPERATOR_TRANSLATOR_OBJECT_PARTS_H_

// Writers for the envelope every generated object shares, whatever the
// resource: its head (apiVersion, kind, open metadata), the metadata tail
// (name, namespace, ownerReferences) and a Service's user annotations.

#include <string>

#include "google/protobuf/map.h"
#include "translator/json_writer.h"

namespace doris_operator::translator::internal {

// `{"apiVersion":…,"kind":…,"metadata":{` — the caller writes metadata's
// annotations and labels next (keys in sorted order), then the tail.
void BeginObjectMeta(JsonWriter& w, const char* api_version, const char* kind);

// metadata's name, namespace and ownerReferences (after annotations, labels);
// `owner_refs` is the finished JSON array. Leaves metadata open.
void WriteMetaTail(JsonWriter& w, const std::string& name, const std::string& ns,
                   const std::string& owner_refs);

// A user-shaped Service's metadata.annotations: the user's, with the hash
// annotation (when `hash` is set) replacing any user value of it; nothing
// when both are absent.
void WriteServiceAnnotations(JsonWriter& w,
                             const google::protobuf::Map<std::string, std::string>& annotations,
                             const std::string* hash);

// An access Service's `sessionAffinity` (ClientIP, None for a LoadBalancer,
// absent for ExternalName) and `type`.
void WriteServiceAffinityAndType(JsonWriter& w, const std::string& type);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_OBJECT_PARTS_H_
