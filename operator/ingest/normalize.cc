#include "operator/ingest/normalize.h"

#include "absl/strings/str_cat.h"
#include "translator/canonical_json.h"

namespace doris_operator::ingest {

namespace {

using Json = nlohmann::json;

constexpr char kDorisGroupPrefix[] = "doris.selectdb.com/";
constexpr char kClusterLabel[] = "app.doris.cluster";
constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

std::string StringAt(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// The object's metadata, or an empty object; never throws on odd input.
const Json& Meta(const Json& object) {
  static const Json* const kEmpty = new Json(Json::object());
  if (object.is_object() && object.contains("metadata") && object["metadata"].is_object()) {
    return object["metadata"];
  }
  return *kEmpty;
}

log::v1::ObjectRef RefOf(const Json& object) {
  log::v1::ObjectRef ref;
  ref.set_api_version(StringAt(object, "apiVersion"));
  ref.set_kind(StringAt(object, "kind"));
  const Json& meta = Meta(object);
  ref.set_namespace_(StringAt(meta, "namespace"));
  ref.set_name(StringAt(meta, "name"));
  ref.set_uid(StringAt(meta, "uid"));
  return ref;
}

}  // namespace

Json Sanitize(Json object) {
  if (!object.is_object()) return object;
  if (object.contains("metadata") && object["metadata"].is_object()) {
    Json& meta = object["metadata"];
    meta.erase("managedFields");
    if (StringAt(object, "kind") == "Secret" && meta.contains("annotations") &&
        meta["annotations"].is_object()) {
      meta["annotations"].erase(kLastApplied);
      if (meta["annotations"].empty()) meta.erase("annotations");
    }
  }
  if (StringAt(object, "kind") == "Secret") {
    object.erase("data");
    object.erase("stringData");
  }
  // The deprecated spec.adminUser.password is a credential in clear; it and
  // the last-applied copy of it stay out of the log. The operator reads it
  // from the live object when it needs it.
  if (StringAt(object, "kind") == "DorisCluster" && object.contains("spec") &&
      object["spec"].is_object() && object["spec"].contains("adminUser") &&
      object["spec"]["adminUser"].is_object() &&
      object["spec"]["adminUser"].contains("password")) {
    object["spec"]["adminUser"].erase("password");
    if (object["metadata"].is_object() && object["metadata"].contains("annotations") &&
        object["metadata"]["annotations"].is_object()) {
      object["metadata"]["annotations"].erase(kLastApplied);
      if (object["metadata"]["annotations"].empty()) object["metadata"].erase("annotations");
    }
  }
  return object;
}

std::optional<log::v1::ClusterRef> OwningCluster(const Json& object,
                                                 const ClusterResolver& resolve) {
  const log::v1::ObjectRef ref = RefOf(object);
  auto cluster = [&](const std::string& name) {
    log::v1::ClusterRef c;
    c.set_namespace_(ref.namespace_());
    c.set_name(name);
    return c;
  };
  if (ref.kind() == "DorisCluster" && ref.api_version().rfind(kDorisGroupPrefix, 0) == 0) {
    return cluster(ref.name());
  }
  const Json& meta = Meta(object);
  if (meta.contains("ownerReferences") && meta["ownerReferences"].is_array()) {
    for (const Json& owner : meta["ownerReferences"]) {
      if (StringAt(owner, "kind") == "DorisCluster" &&
          StringAt(owner, "apiVersion").rfind(kDorisGroupPrefix, 0) == 0 &&
          !StringAt(owner, "name").empty()) {
        return cluster(StringAt(owner, "name"));
      }
    }
  }
  if (meta.contains("labels") && meta["labels"].is_object()) {
    const std::string label = StringAt(meta["labels"], kClusterLabel);
    if (!label.empty()) return cluster(label);
  }
  if (resolve) return resolve(ref);
  return std::nullopt;
}

absl::StatusOr<log::v1::LogRecord> RecordForObject(const Json& object, const EventInput& input,
                                                   const ClusterResolver& resolve) {
  const log::v1::ObjectRef ref = RefOf(object);
  if (ref.api_version().empty() || ref.kind().empty() || ref.name().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "watch object on stream ", input.stream, " lacks apiVersion, kind or metadata.name"));
  }
  log::v1::LogRecord record;
  if (std::optional<log::v1::ClusterRef> c = OwningCluster(object, resolve)) {
    *record.mutable_cluster() = *c;
  }
  log::v1::WatchEvent* ev = record.mutable_watch();
  ev->set_type(input.type);
  *ev->mutable_object() = ref;
  ev->set_resource_version(StringAt(Meta(object), "resourceVersion"));
  ev->set_stream(input.stream);
  ev->set_from_relist(input.from_relist);
  ev->set_object_json(translator::Canonical(Sanitize(object)));
  return record;
}

}  // namespace doris_operator::ingest
