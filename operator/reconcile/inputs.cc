#include "operator/reconcile/inputs.h"

#include "absl/strings/str_cat.h"
#include "operator/ingest/reference_index.h"
#include "operator/kube/object_fields.h"
#include "translator/component.h"
#include "translator/hash.h"
#include "translator/model_json.h"
#include "translator/validate.h"

namespace doris_operator::reconcile {

namespace {

constexpr char kGroup[] = "doris.selectdb.com";

}  // namespace

std::string InputStateHash(const store::ClusterObjects& objects) {
  std::string state_bytes;
  for (const auto& [id, obj] : objects) {
    absl::StrAppend(&state_bytes, id.group, "/", id.kind, "/", id.name, "\n", obj.object_json(),
                    "\n");
  }
  return translator::Sha256Hex(state_bytes);
}

void AddConfigMapData(const std::string& name, const nlohmann::json& data,
                      translator::TranslateInputs* inputs) {
  if (!data.is_object()) return;
  for (const auto& [k, v] : data.items()) {
    if (v.is_string()) inputs->config_maps[name][k] = v.get<std::string>();
  }
}

ClusterInputs InputsFromObjects(const store::ClusterKey& key,
                                const store::ClusterObjects& objects) {
  ClusterInputs out;
  const log::v1::StoredObject* stored = nullptr;
  for (const auto& [id, obj] : objects) {
    if (id.group == kGroup && id.kind == "DorisCluster" && id.name == key.name) stored = &obj;
  }
  if (stored == nullptr) return out;
  out.present = true;
  out.cluster_json = nlohmann::json::parse(stored->object_json(), nullptr, false);
  translator::ModelFromJsonResult parsed = translator::ModelFromJson(out.cluster_json);
  out.cluster = std::move(parsed.cluster);
  for (const auto& p : parsed.errors) out.problems.push_back(absl::StrCat(p.path, ": ", p.message));
  for (const auto& p : translator::Validate(out.cluster)) {
    out.problems.push_back(absl::StrCat(p.path, ": ", p.message));
  }
  if (!out.problems.empty()) return out;
  out.config_maps = ingest::ReferencedConfigMaps(out.cluster.spec());
  for (const std::string& cm : out.config_maps) {
    auto it = objects.find(store::ObjectId{"", "ConfigMap", key.ns, cm});
    if (it == objects.end()) {
      out.missing_config_maps.insert(cm);
      continue;
    }
    const nlohmann::json j = nlohmann::json::parse(it->second.object_json(), nullptr, false);
    AddConfigMapData(cm, kube::FieldAt(j, {"data"}), &out.inputs);
  }
  return out;
}

void ApplyRecordedDecisions(const log::v1::ReconcileRecord& record,
                            model::v1::DorisCluster* cluster,
                            translator::TranslateInputs* inputs) {
  for (const auto& o : record.replica_overrides()) {
    const std::optional<translator::Component> c = translator::ComponentNamed(o.component());
    model::v1::BaseSpec* base = c ? translator::BaseOf(cluster->mutable_spec(), *c) : nullptr;
    if (base != nullptr) base->set_replicas(o.replicas());
  }
  for (const auto& p : record.partitions()) {
    if (const auto c = translator::ComponentNamed(p.component())) inputs->partitions[*c] = p.partition();
  }
  for (const auto& r : record.restart_stamps()) {
    if (const auto c = translator::ComponentNamed(r.component())) inputs->restarted_at[*c] = r.restarted_at();
  }
}

void RecordDesiredObjects(const translator::DesiredSet& desired,
                          log::v1::ReconcileRecord* record) {
  record->clear_desired_objects();
  for (const translator::DesiredObject& o : desired.objects) {
    log::v1::ReconcileRecord::DesiredObject* d = record->add_desired_objects();
    d->set_api_version(o.api_version);
    d->set_kind(o.kind);
    d->set_name(o.name);
    d->set_hash(o.hash);
  }
}

}  // namespace doris_operator::reconcile
