#include "operator/reconcile/ddc_inputs.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "operator/kube/object_fields.h"
#include "translator/disaggregated/model_json.h"
#include "translator/disaggregated/names.h"
#include "translator/disaggregated/validate.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;
namespace dv1 = model::disaggregated::v1;
namespace tdd = translator::disaggregated;

constexpr char kGroup[] = "disaggregated.cluster.doris.com";
constexpr char kClusterFileKey[] = "cluster-file";

void AddData(const std::string& name, const Json& data, tdd::TranslateInputs* inputs) {
  auto& files = inputs->config_maps[name];
  if (!data.is_object()) return;
  for (auto it = data.begin(); it != data.end(); ++it) {
    if (it.value().is_string()) files[it.key()] = it.value().get<std::string>();
  }
}

}  // namespace

DisaggregatedInputs DisaggregatedInputsFromObjects(const store::ClusterKey& cluster,
                                                   const store::ClusterObjects& objects) {
  DisaggregatedInputs in;
  auto it = objects.find(store::ObjectId{kGroup, kDisaggregatedKind, cluster.ns, cluster.name});
  if (it == objects.end()) return in;
  in.present = true;
  in.cluster_json = Json::parse(it->second.object_json(), nullptr, false);
  tdd::ModelFromJsonResult parsed = tdd::ModelFromJson(in.cluster_json);
  for (const auto& p : parsed.errors) in.problems.push_back(absl::StrCat(p.path, ": ", p.message));
  if (!in.problems.empty()) return in;
  in.ddc = std::move(parsed.ddc);
  for (const auto& p : tdd::Validate(in.ddc)) in.problems.push_back(absl::StrCat(p.path, ": ", p.message));
  const dv1::DorisDisaggregatedClusterSpec& spec = in.ddc.spec();
  auto add = [&](const dv1::CommonSpec& base) {
    for (const dv1::ConfigMap& cm : base.config_maps()) {
      if (!cm.name().empty()) in.config_maps.insert(cm.name());
    }
  };
  add(spec.meta_service().base());
  add(spec.fe_spec().base());
  for (const dv1::ComputeGroup& g : spec.compute_groups()) add(g.base());
  for (const std::string& name : in.config_maps) {
    auto cm = objects.find(store::ObjectId{"", "ConfigMap", cluster.ns, name});
    if (cm == objects.end()) {
      in.missing_config_maps.insert(name);
      continue;
    }
    AddData(name, kube::FieldAt(Json::parse(cm->second.object_json(), nullptr, false), {"data"}), &in.inputs);
  }
  const dv1::Fdb& fdb = spec.meta_service().fdb();
  if (fdb.address().empty() && !fdb.config_map_namespace_name().name().empty()) {
    const std::string& ns = fdb.config_map_namespace_name().namespace_();
    in.fdb_config_map = store::ObjectId{"", "ConfigMap", ns.empty() ? cluster.ns : ns,
                                        fdb.config_map_namespace_name().name()};
    auto cm = objects.find(*in.fdb_config_map);
    if (cm == objects.end()) {
      in.fdb_config_map_missing = true;
    } else {
      AddDisaggregatedConfigMap(*in.fdb_config_map, Json::parse(cm->second.object_json(), nullptr, false), &in);
    }
  }
  return in;
}

void AddDisaggregatedConfigMap(const store::ObjectId& id, const Json& config_map, DisaggregatedInputs* in) {
  if (in->fdb_config_map && id == *in->fdb_config_map) {
    const Json& file = kube::FieldAt(config_map, {"data", kClusterFileKey});
    if (file.is_string()) in->inputs.fdb_cluster_file = file.get<std::string>();
  }
  if (in->config_maps.count(id.name) && id.ns == kube::StringAt(in->cluster_json, {"metadata", "namespace"})) {
    AddData(id.name, kube::FieldAt(config_map, {"data"}), &in->inputs);
  }
}

void ApplyRecordedDisaggregatedDecisions(const log::v1::ReconcileRecord& record, DisaggregatedInputs* in) {
  for (const auto& o : record.replica_overrides()) {
    const std::optional<std::string> uid = tdd::ComputeGroupOfPart(o.component());
    if (!uid) continue;
    for (dv1::ComputeGroup& g : *in->ddc.mutable_spec()->mutable_compute_groups()) {
      if (g.unique_id() == *uid) g.mutable_base()->set_replicas(o.replicas());
    }
  }
  // A rollout records its part (ddc_rollout_step); the translator takes
  // partitions by StatefulSet name.
  const std::string& name = in->ddc.metadata().name();
  for (const auto& p : record.partitions()) {
    const std::string sts = tdd::PartStatefulSet(name, p.component());
    if (!sts.empty()) in->inputs.partitions[sts] = p.partition();
  }
}

}  // namespace doris_operator::reconcile
