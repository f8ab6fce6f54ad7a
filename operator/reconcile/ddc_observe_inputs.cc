#include "operator/reconcile/ddc_observe_inputs.h"

#include <string>
#include <utility>
#include <vector>

#include "operator/reconcile/observe.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;

void Index(const store::ClusterKey& key, const DisaggregatedInputs& in, ingest::ReferenceIndex* references) {
  references->Set(key, in.config_maps);
  if (in.fdb_config_map) {
    references->SetElsewhere(key, {{in.fdb_config_map->ns, in.fdb_config_map->name}});
  } else {
    references->SetElsewhere(key, {});
  }
}

}  // namespace

void IndexDisaggregatedReferences(const store::ClusterKey& key, const store::ClusterObjects& objects,
                                  ingest::ReferenceIndex* references) {
  const DisaggregatedInputs in = DisaggregatedInputsFromObjects(key, objects);
  if (in.present && in.problems.empty()) Index(key, in, references);
}

DisaggregatedInputs ObserveDisaggregatedInputs(Run& run, ingest::ReferenceIndex* references) {
  DisaggregatedInputs in = DisaggregatedInputsFromObjects(run.key, run.objects);
  if (!in.present || !in.problems.empty()) return in;
  Index(run.key, in, references);
  std::vector<store::ObjectId> fetch;
  for (const std::string& name : in.missing_config_maps) fetch.push_back({"", "ConfigMap", run.key.ns, name});
  if (in.fdb_config_map_missing) fetch.push_back(*in.fdb_config_map);
  for (const store::ObjectId& id : fetch) {
    absl::StatusOr<Json> got = FetchAndLogConfigMap(run, id.ns, id.name);
    if (!got.ok()) continue;  // missing: defaults (no cluster file: none)
    AddDisaggregatedConfigMap(id, *got, &in);
  }
  return in;
}

}  // namespace doris_operator::reconcile
