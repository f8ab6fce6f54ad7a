#include "operator/reconcile/ddc_metrics_sample.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/ddc_decide.h"
#include "operator/reconcile/ddc_membership.h"
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
  // What the reconcile decided: nodes leaving Doris before the StatefulSet shrinks.
  c.scale_in_in_progress = state.scaling_in;
  c.scale_in_tablets_remaining = state.scale_in_tablets;
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
    if (groups.is_array()) {
      for (const Json& gs : groups) {
        if (StringAt(gs, {"uniqueId"}) == g.unique_id()) phase = StringAt(gs, {"phase"});
      }
    }
    sample.components.push_back(Sample(tdd::ComputeGroupPart(g.unique_id()), phase, tdd::GroupReplicas(g),
                                       state == run.ddc_groups.end() ? ComponentState() : state->second));
  }
  for (const model::v1::GhostNode& g : run.ghosts) sample.ghosts.push_back({g.component(), g.state()});
  return sample;
}

}  // namespace doris_operator::reconcile
