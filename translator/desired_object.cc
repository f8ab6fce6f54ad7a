#include "translator/desired_object.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "translator/hash.h"

namespace doris_operator::translator::internal {

DesiredObject BuildDesired(WriteObject write, size_t reserve, std::string* all_hashes) {
  DesiredObject d;
  std::string text;
  text.reserve(reserve);
  Written info;
  {
    JsonWriter w(&text);
    info = write(w, nullptr);
  }
  std::string hash = Sha256Hex(text);
  static constexpr char kMeta[] = "\"metadata\":{";
  const size_t at = text.find(kMeta);
  if (!info.has_annotations && at != std::string::npos) {
    // "annotations" sorts first among metadata's keys, so the canonical
    // form with the annotation is a splice, not a second serialisation.
    text.insert(at + sizeof(kMeta) - 1,
                absl::StrCat("\"annotations\":{\"", kHashAnnotation, "\":\"", hash, "\"},"));
  } else {
    text.clear();
    JsonWriter w(&text);
    write(w, &hash);
  }
  d.api_version = info.api_version;
  d.kind = info.kind;
  d.name = std::move(info.name);
  d.json = std::move(text);
  absl::StrAppend(all_hashes, hash, "\n");
  d.hash = std::move(hash);
  return d;
}

}  // namespace doris_operator::translator::internal
