// What a ddc reconcile tells /metrics (DisaggregatedSampleOf), from a run
// as the reconcile leaves it: the status it computed, the StatefulSets it
// saw, its compute groups' scale-ins and its ghosts.

#include "operator/reconcile/ddc_metrics_sample.h"

#include <map>
#include <string>

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

using Json = nlohmann::json;

Run DrainingRun() {
  Run run(RunServices{});
  run.key = {"ns", "d", "DorisDisaggregatedCluster"};
  run.cluster_json = Json::parse(R"({
    "apiVersion": "disaggregated.cluster.doris.com/v1", "kind": "DorisDisaggregatedCluster",
    "metadata": {"name": "d", "namespace": "ns"},
    "spec": {"metaService": {"image": "ms", "fdb": {"address": "a"}},
             "feSpec": {"image": "fe", "replicas": 3},
             "computeGroups": [{"uniqueId": "cg1", "image": "be", "replicas": 2},
                               {"uniqueId": "cg2", "image": "be"}]}})");
  run.ddc_status = Json::parse(R"({
    "clusterHealth": {"health": "yellow"},
    "metaServiceStatus": {"phase": "Ready"}, "feStatus": {"phase": "Ready"},
    "computeGroupStatuses": [{"uniqueId": "cg1", "phase": "Decommissioning"},
                             {"uniqueId": "cg2", "phase": "Ready"}]})");
  ComponentState& cg1 = run.ddc_groups["d-cg1"];
  cg1.statefulset = Json::parse(R"({"spec": {"replicas": 3}, "status": {"readyReplicas": 3, "updatedReplicas": 3}})");
  cg1.scaling_in = true;
  cg1.scale_in_tablets = 42;
  model::v1::GhostNode ghost;
  ghost.set_host_port("10.7.7.7:9050");
  ghost.set_component("cg/cg2");
  ghost.set_state("InGracePeriod");
  run.ghosts.push_back(ghost);
  return run;
}

std::map<std::string, metrics::ComponentSample> ByComponent(const metrics::ClusterSample& s) {
  std::map<std::string, metrics::ComponentSample> out;
  for (const metrics::ComponentSample& c : s.components) out[c.component] = c;
  return out;
}

TEST(DisaggregatedSampleOf, ADrainingGroupReportsItsTabletsAndGhostsTheirGroup) {
  const reconcile::Run run = DrainingRun();
  const std::optional<metrics::ClusterSample> sample = DisaggregatedSampleOf(run);
  ASSERT_TRUE(sample.has_value());
  EXPECT_FALSE(sample->available);
  auto c = ByComponent(*sample);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c["cg/cg1"].phase, "decommissioning");
  EXPECT_TRUE(c["cg/cg1"].scale_in_in_progress);
  EXPECT_EQ(c["cg/cg1"].scale_in_tablets_remaining, 42);
  EXPECT_EQ(c["cg/cg1"].desired_replicas, 2);  // the spec's, not what the StatefulSet keeps meanwhile
  EXPECT_EQ(c["cg/cg1"].ready_replicas, 3);
  EXPECT_FALSE(c["cg/cg2"].scale_in_in_progress);
  EXPECT_EQ(c["cg/cg2"].scale_in_tablets_remaining, 0);
  // The defaults of the spec (translator/disaggregated/defaults.h).
  EXPECT_EQ(c["cg/cg2"].desired_replicas, 1);
  EXPECT_EQ(c["ms"].desired_replicas, 2);
  EXPECT_EQ(c["fe"].desired_replicas, 3);
  ASSERT_EQ(sample->ghosts.size(), 1u);
  EXPECT_EQ(sample->ghosts[0].component, "cg/cg2");
  EXPECT_EQ(sample->ghosts[0].state, "InGracePeriod");
}

TEST(DisaggregatedSampleOf, NothingWithoutAComputedStatus) {
  reconcile::Run run = DrainingRun();
  run.ddc_status = Json();
  EXPECT_FALSE(DisaggregatedSampleOf(run).has_value());
}

}  // namespace
}  // namespace doris_operator::reconcile
