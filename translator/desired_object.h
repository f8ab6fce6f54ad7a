#ifndef DORIS_OPERATOR_TRANSLATOR_DESIRED_OBJECT_H_
#define DORIS_OPERATOR_TRANSLATOR_DESIRED_OBJECT_H_

// A desired object as every translator (DorisCluster, ddc) hands it to the
// reconciler: canonical JSON carrying its own content hash, and the set of
// them with one hash over all. BuildDesired writes and hashes one object.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "translator/field_problem.h"
#include "translator/json_writer.h"

namespace doris_operator::translator {

// One object as canonical JSON, carrying annotation
// `app.doris.components/hash` = `hash` (SHA-256 of the object without it).
struct DesiredObject {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string json;
  std::string hash;
};

struct DesiredSet {
  std::vector<DesiredObject> objects;  // in apply order
  std::string hash;                    // over every object's hash, in order
  FieldProblems warnings;              // e.g. a referenced ConfigMap lacks its key
};

// The annotation that carries each object's content hash.
inline constexpr char kHashAnnotation[] = "app.doris.components/hash";

namespace internal {

// What a builder reports about the object it wrote.
struct Written {
  const char* api_version;
  const char* kind;
  std::string name;
  bool has_annotations;  // metadata.annotations present without the hash
};

// Writes one whole object into the writer; `hash` is null on the first pass
// (the hash is of the object without its hash annotation) and set on the
// second, which happens only when the object has annotations of its own.
using WriteObject = absl::FunctionRef<Written(JsonWriter&, const std::string* hash)>;

// Writes the object, hashes it without its hash annotation, adds the
// annotation and appends the hash and a newline to `all_hashes`. `reserve`:
// enough for the usual object, so the text is allocated once.
DesiredObject BuildDesired(WriteObject write, size_t reserve, std::string* all_hashes);

}  // namespace internal

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_DESIRED_OBJECT_H_
