#include "operator/admin/cluster_translation.h"

#include "nlohmann/json.hpp"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/ddc_inputs.h"
#include "operator/reconcile/inputs.h"
#include "translator/disaggregated/translator.h"

namespace doris_operator::admin {

namespace {

using Json = nlohmann::json;

Json ObjectJson(const log::v1::StoredObject& o) { return Json::parse(o.object_json(), nullptr, false); }

// The objects the reconcile fetched, read once; null when there are none.
class Fetched {
 public:
  explicit Fetched(const TranslationOptions& options) : options_(options) {}
  const log::v1::StoredObject* Find(const store::ObjectId& id) {
    if (!read_ && options_.fetched_by_reconcile) {
      read_ = true;
      objects_ = options_.fetched_by_reconcile();
    }
    if (!objects_.ok()) return nullptr;
    auto it = objects_->find(id);
    return it == objects_->end() ? nullptr : &it->second;
  }

 private:
  const TranslationOptions& options_;
  bool read_ = false;
  absl::StatusOr<store::ClusterObjects> objects_ = absl::NotFoundError("none");
};

ClusterTranslation DorisCluster(const store::ClusterKey& key, const store::ClusterObjects& objects,
                                const TranslationOptions& options) {
  ClusterTranslation out;
  reconcile::ClusterInputs in = reconcile::InputsFromObjects(key, objects);
  out.present = in.present;
  out.problems = in.problems;
  if (!in.present || !in.problems.empty()) return out;
  Fetched fetched(options);
  for (const std::string& cm : in.missing_config_maps) {
    const log::v1::StoredObject* found = fetched.Find(store::ObjectId{"", "ConfigMap", key.ns, cm});
    if (found == nullptr) {
      out.missing_config_maps.push_back(cm);
      continue;
    }
    reconcile::AddConfigMapData(cm, kube::FieldAt(ObjectJson(*found), {"data"}), &in.inputs);
  }
  if (options.recorded != nullptr) reconcile::ApplyRecordedDecisions(*options.recorded, &in.cluster, &in.inputs);
  out.desired = translator::Translate(in.cluster, in.inputs);
  return out;
}

ClusterTranslation Disaggregated(const store::ClusterKey& key, const store::ClusterObjects& objects,
                                 const TranslationOptions& options) {
  ClusterTranslation out;
  reconcile::DisaggregatedInputs in = reconcile::DisaggregatedInputsFromObjects(key, objects);
  out.present = in.present;
  out.problems = in.problems;
  if (!in.present || !in.problems.empty()) return out;
  std::vector<store::ObjectId> missing;
  for (const std::string& cm : in.missing_config_maps) missing.push_back({"", "ConfigMap", key.ns, cm});
  if (in.fdb_config_map_missing) missing.push_back(*in.fdb_config_map);
  Fetched fetched(options);
  for (const store::ObjectId& id : missing) {
    const log::v1::StoredObject* found = fetched.Find(id);
    if (found == nullptr) {
      out.missing_config_maps.push_back(id.ns == key.ns ? id.name : id.ns + "/" + id.name);
      continue;
    }
    reconcile::AddDisaggregatedConfigMap(id, ObjectJson(*found), &in);
  }
  if (options.recorded != nullptr) reconcile::ApplyRecordedDisaggregatedDecisions(*options.recorded, &in);
  out.desired = translator::disaggregated::Translate(in.ddc, in.inputs);
  return out;
}

}  // namespace

ClusterTranslation TranslateCluster(const store::ClusterKey& key, const store::ClusterObjects& objects,
                                    const TranslationOptions& options) {
  if (key.kind == reconcile::kDisaggregatedKind) return Disaggregated(key, objects, options);
  return DorisCluster(key, objects, options);
}

}  // namespace doris_operator::admin
