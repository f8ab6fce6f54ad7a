#include "operator/ingest/normalize.h"

#include "absl/strings/str_cat.h"
#include "operator/kube/object_fields.h"
#include "translator/canonical_json.h"

namespace doris_operator::ingest {

namespace {

using Json = nlohmann::json;

constexpr char kDorisGroupPrefix[] = "doris.selectdb.com/";
constexpr char kClusterLabel[] = "app.doris.cluster";
// A DorisDisaggregatedCluster (ddc) and what it owns are filed under the ddc
// like a DorisCluster's (docs/disaggregated-contract.md §4.2).
constexpr char kDdcGroupPrefix[] = "disaggregated.cluster.doris.com/";
constexpr char kDdcKind[] = "DorisDisaggregatedCluster";
constexpr char kDdcClusterLabel[] = "app.doris.disaggregated.cluster";
constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

using kube::FieldAt;
using kube::StringAt;

log::v1::ObjectRef RefOf(const Json& object) {
  log::v1::ObjectRef ref;
  ref.set_api_version(StringAt(object, {"apiVersion"}));
  ref.set_kind(StringAt(object, {"kind"}));
  ref.set_namespace_(StringAt(object, {"metadata", "namespace"}));
  ref.set_name(StringAt(object, {"metadata", "name"}));
  ref.set_uid(StringAt(object, {"metadata", "uid"}));
  return ref;
}

}  // namespace

Json Sanitize(Json object) {
  if (!object.is_object()) return object;
  if (object.contains("metadata") && object["metadata"].is_object()) {
    Json& meta = object["metadata"];
    meta.erase("managedFields");
    if (StringAt(object, {"kind"}) == "Secret" && meta.contains("annotations") &&
        meta["annotations"].is_object()) {
      meta["annotations"].erase(kLastApplied);
      if (meta["annotations"].empty()) meta.erase("annotations");
    }
  }
  if (StringAt(object, {"kind"}) == "Secret") {
    object.erase("data");
    object.erase("stringData");
  }
  // The deprecated spec.adminUser.password is a credential in clear; it and
  // the last-applied copy of it stay out of the log. The operator reads it
  // from the live object when it needs it.
  const std::string kind = StringAt(object, {"kind"});
  if ((kind == "DorisCluster" || kind == kDdcKind) &&
      FieldAt(object, {"spec", "adminUser"}).contains("password")) {
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
  // A ddc's records name its kind; a DorisCluster's name none (as before
  // kinds: store::ClusterKey).
  auto cluster = [&](const std::string& name, bool ddc = false) {
    log::v1::ClusterRef c;
    c.set_namespace_(ref.namespace_());
    c.set_name(name);
    if (ddc) c.set_kind(kDdcKind);
    return c;
  };
  if (ref.kind() == "DorisCluster" && ref.api_version().rfind(kDorisGroupPrefix, 0) == 0) {
    return cluster(ref.name());
  }
  if (ref.kind() == kDdcKind && ref.api_version().rfind(kDdcGroupPrefix, 0) == 0) {
    return cluster(ref.name(), true);
  }
  const Json& owners = FieldAt(object, {"metadata", "ownerReferences"});
  if (owners.is_array()) {
    for (const Json& owner : owners) {
      const std::string owner_kind = StringAt(owner, {"kind"});
      const std::string owner_api = StringAt(owner, {"apiVersion"});
      if (StringAt(owner, {"name"}).empty()) continue;
      if (owner_kind == "DorisCluster" && owner_api.rfind(kDorisGroupPrefix, 0) == 0) {
        return cluster(StringAt(owner, {"name"}));
      }
      if (owner_kind == kDdcKind && owner_api.rfind(kDdcGroupPrefix, 0) == 0) {
        return cluster(StringAt(owner, {"name"}), true);
      }
    }
  }
  if (const std::string* label = kube::LabelOf(object, kClusterLabel); label != nullptr && !label->empty()) {
    return cluster(*label);
  }
  if (const std::string* label = kube::LabelOf(object, kDdcClusterLabel); label != nullptr && !label->empty()) {
    return cluster(*label, true);
  }
  // A claim made from a StatefulSet's volumeClaimTemplates carries only the
  // set's selector: `app.doris.ownerreference/name: <cluster>-<component>`
  // and `app.kubernetes.io/component: <component>`. Filed under the cluster
  // so that its resizes are in the cluster's history and wake it.
  if (ref.kind() == "PersistentVolumeClaim") {
    const std::string* set = kube::LabelOf(object, "app.doris.ownerreference/name");
    const std::string* component = kube::LabelOf(object, "app.kubernetes.io/component");
    if (set != nullptr && component != nullptr && !component->empty() &&
        set->size() > component->size() + 1 &&
        set->compare(set->size() - component->size() - 1, std::string::npos, "-" + *component) == 0) {
      return cluster(set->substr(0, set->size() - component->size() - 1));
    }
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
  ev->set_resource_version(StringAt(object, {"metadata", "resourceVersion"}));
  ev->set_stream(input.stream);
  ev->set_from_relist(input.from_relist);
  ev->set_object_json(translator::Canonical(Sanitize(object)));
  return record;
}

}  // namespace doris_operator::ingest
