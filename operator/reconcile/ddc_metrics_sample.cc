#include "operator/reconcile/ddc_metrics_sample.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/ddc_decide.h"
#include "translator/disaggregated/defaults.h"
#include "translator/disaggregated/model_json.h"
#include "translator/disaggregated/names.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;
using kube::FieldAt;
using kube::IntAt;
using kube::StringAt;
namespace dv1 = model::disaggregated::v1;
namespace tdd = translator::disaggregated;

metrics::ComponentSample Sample(const std::string& component, const std::string& phase, int64_t desired,
                                const ComponentState& state) {
  metrics::ComponentSample c;
  c.component = component;
  c.phase = absl::AsciiStrToLower(phase.empty() ? "Unknown" : phase);
  c.desired_replicas = desired;
  if (state.statefulset) {
    const Json& sts = *state.statefulset;
    c.ready_replicas = IntAt(sts, {"status", "readyReplicas"}, 0);
    c.updated_replicas = IntAt(sts, {"status", "updatedReplicas"}, 0);
    c.rollout_partition = IntAt(sts, {"spec", "updateStrategy", "rollingUpdate", "partition"}, 0);
    const std::string current = StringAt(sts, {"status", "currentRevision"});
    const std::string update = StringAt(sts, {"status", "updateRevision"});
    c.rollout_in_progress = !update.empty() && update != current;
  }
  return c;
}

}  // namespace

std::optional<metrics::ClusterSample> DisaggregatedSampleOf(const Run& run) {
  if (!run.ddc_status.is_object()) return std::nullopt;
  const Json& status = run.ddc_status;
  tdd::ModelFromJsonResult parsed = tdd::ModelFromJson(run.cluster_json);
  if (!parsed.errors.empty()) return std::nullopt;
  const dv1::DorisDisaggregatedClusterSpec& spec = parsed.ddc.spec();
  metrics::ClusterSample sample;
  sample.available = StringAt(status, {"clusterHealth", "health"}) == "green";
  sample.drift_fields = run.ddc_drift_fields;
  sample.components.push_back(Sample("ms", StringAt(status, {"metaServiceStatus", "phase"}),
                                     tdd::MetaServiceReplicas(spec),
                                     run.ddc_parts[static_cast<size_t>(ddc::Part::kMetaService)]));
  sample.components.push_back(Sample("fe", StringAt(status, {"feStatus", "phase"}),
                                     tdd::FeReplicas(spec),
                                     run.ddc_parts[static_cast<size_t>(ddc::Part::kFe)]));
  const Json& groups = FieldAt(status, {"computeGroupStatuses"});
  for (const dv1::ComputeGroup& g : spec.compute_groups()) {
    const std::string sts = tdd::ComputeGroupStatefulSetName(run.key.name, g.unique_id());
    auto state = run.ddc_groups.find(sts);
    std::string phase;
    bool scaling_in = false;
    if (groups.is_array()) {
      for (const Json& gs : groups) {
        if (StringAt(gs, {"uniqueId"}) != g.unique_id()) continue;
        phase = StringAt(gs, {"phase"});
        const std::string action = StringAt(gs, {"gracefulAction", "type"});
        const std::string step = StringAt(gs, {"gracefulAction", "phase"});
        scaling_in = action == "ScaleDown" && step != "Done" && step != "Failed";
      }
    }
    metrics::ComponentSample c = Sample(absl::StrCat("cg/", g.unique_id()), phase, tdd::GroupReplicas(g),
                                        state == run.ddc_groups.end() ? ComponentState() : state->second);
    c.scale_in_in_progress = scaling_in;
    sample.components.push_back(std::move(c));
  }
  return sample;
}

}  // namespace doris_operator::reconcile
