// The per-cluster series: they appear with a cluster's first reconcile,
// follow what each reconcile saw (the old phase's series goes), and every
// series of a cluster goes when it is deleted; other clusters keep theirs.

#include "operator/metrics/cluster_metrics.h"

#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "operator/metrics/registry.h"
#include "tests/testing/metrics_text.h"

namespace doris_operator::metrics {
namespace {

using testing::MetricValue;

bool Has(const std::string& text, const std::string& name, const std::string& label = "") {
  for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
    const size_t eol = text.find('\n', at);
    const std::string line = text.substr(at, eol - at);
    if ((at == 0 || text[at - 1] == '\n') && (line.size() == name.size() || line[name.size()] == '{' ||
                                              line[name.size()] == ' ') &&
        line.find(label) != std::string::npos) {
      return true;
    }
  }
  return false;
}

ClusterSample Sample(const std::string& be_phase, int64_t be_desired, bool scaling_in, int64_t tablets) {
  ClusterSample s;
  s.available = be_phase == "available";
  s.drift_fields = 2;
  ComponentSample fe{.component = "fe", .phase = "available", .desired_replicas = 3, .ready_replicas = 3,
                     .updated_replicas = 3};
  ComponentSample be{.component = "be", .phase = be_phase, .desired_replicas = be_desired,
                     .ready_replicas = 3, .updated_replicas = 2, .rollout_partition = 1,
                     .rollout_in_progress = true, .scale_in_in_progress = scaling_in,
                     .scale_in_tablets_remaining = tablets};
  s.components = {fe, be};
  return s;
}

TEST(ClusterMetricsTest, SeriesAppearChangeAndGoWithTheCluster) {
  Registry registry;
  ClusterMetrics m(&registry);
  const store::ClusterKey demo{"prod", "demo"}, other{"prod", "other"};
  EXPECT_FALSE(Has(registry.Render(), "doris_operator_cluster_available"));

  m.Reconciled(demo, /*failed=*/false, absl::FromUnixSeconds(1700000000));
  m.Observe(demo, Sample("available", 3, false, 0));
  m.Reconciled(other, /*failed=*/true, absl::FromUnixSeconds(1700000001));
  m.Observe(other, Sample("available", 1, false, 0));
  std::string t = registry.Render();
  const std::string d = R"(cluster="demo")";
  EXPECT_EQ(MetricValue(t, "doris_operator_cluster_available", d), 1);
  EXPECT_EQ(MetricValue(t, "doris_operator_component_desired_replicas", d + R"(,component="be")"), 3);
  EXPECT_EQ(MetricValue(t, "doris_operator_component_ready_replicas", d + R"(,component="be")"), 3);
  EXPECT_EQ(MetricValue(t, "doris_operator_component_updated_replicas", d + R"(,component="be")"), 2);
  EXPECT_EQ(MetricValue(t, "doris_operator_rollout_partition", d + R"(,component="be")"), 1);
  EXPECT_EQ(MetricValue(t, "doris_operator_rollout_in_progress", d + R"(,component="be")"), 1);
  EXPECT_EQ(MetricValue(t, "doris_operator_drift_fields", d), 2);
  EXPECT_TRUE(Has(t, "doris_operator_component_phase", R"(component="be",namespace="prod",phase="available")"));
  EXPECT_EQ(MetricValue(t, "doris_operator_last_successful_reconcile_timestamp_seconds", d), 1700000000);
  EXPECT_EQ(MetricValue(t, "doris_operator_reconcile_failures_total", d), 0);
  EXPECT_TRUE(Has(t, "doris_operator_reconcile_failures_total", d)) << "a counter from the first reconcile";
  EXPECT_EQ(MetricValue(t, "doris_operator_reconcile_failures_total", R"(cluster="other")"), 1);
  EXPECT_FALSE(Has(t, "doris_operator_last_successful_reconcile_timestamp_seconds", R"(cluster="other")"));

  // Scale-in: the phase changes, the old phase's series goes.
  m.Reconciled(demo, /*failed=*/true, absl::FromUnixSeconds(1700000100));
  ClusterSample scaling = Sample("scaling", 2, true, 120);
  scaling.ghosts = {{"be", "Kept"}, {"be", "Kept"}, {"cn", "Dropping"}};
  m.Observe(demo, scaling);
  t = registry.Render();
  EXPECT_EQ(MetricValue(t, "doris_operator_cluster_available", d), 0);
  EXPECT_TRUE(Has(t, "doris_operator_component_phase", R"(component="be",namespace="prod",phase="scaling")"));
  EXPECT_FALSE(Has(t, "doris_operator_component_phase", R"(cluster="demo",component="be",namespace="prod",phase="available")"));
  EXPECT_EQ(MetricValue(t, "doris_operator_component_phase", d), 2) << "one series per component";
  EXPECT_EQ(MetricValue(t, "doris_operator_scale_in_in_progress", d + R"(,component="be")"), 1);
  EXPECT_EQ(MetricValue(t, "doris_operator_scale_in_tablets_remaining", d + R"(,component="be")"), 120);
  EXPECT_EQ(MetricValue(t, "doris_operator_component_desired_replicas", d + R"(,component="be")"), 2);
  EXPECT_EQ(MetricValue(t, "doris_operator_ghost_nodes", d + R"(,component="be",namespace="prod",state="Kept")"), 2);
  EXPECT_EQ(MetricValue(t, "doris_operator_ghost_nodes", d + R"(,component="cn",namespace="prod",state="Dropping")"), 1);
  EXPECT_EQ(MetricValue(t, "doris_operator_reconcile_failures_total", d), 1);
  EXPECT_EQ(MetricValue(t, "doris_operator_last_successful_reconcile_timestamp_seconds", d), 1700000000)
      << "a failed reconcile keeps the last success";

  // The ghosts are gone: so are their series.
  m.Observe(demo, Sample("available", 2, false, 0));
  t = registry.Render();
  EXPECT_FALSE(Has(t, "doris_operator_ghost_nodes", d));
  EXPECT_EQ(MetricValue(t, "doris_operator_scale_in_in_progress", d + R"(,component="be")"), 0);

  // Deleted: nothing of demo is left; other keeps its series.
  m.Remove(demo);
  t = registry.Render();
  EXPECT_EQ(t.find(d), std::string::npos) << t;
  EXPECT_EQ(MetricValue(t, "doris_operator_cluster_available", R"(cluster="other")"), 1);
  m.Remove(demo);  // twice is harmless

  // Re-created under the same name: its series start afresh.
  m.Reconciled(demo, /*failed=*/false, absl::FromUnixSeconds(1700000200));
  t = registry.Render();
  EXPECT_EQ(MetricValue(t, "doris_operator_reconcile_failures_total", d), 0);
}

// Workers reconcile different clusters (and delete them) while scrapes
// render the page: run under --config=tsan for the races.
TEST(ClusterMetricsTest, ConcurrentReconcilesDeletesAndScrapes) {
  Registry registry;
  ClusterMetrics m(&registry);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 200; ++i) {
        const store::ClusterKey key{"ns", absl::StrCat("c", w, "-", i % 5)};
        m.Reconciled(key, i % 3 == 0, absl::FromUnixSeconds(i));
        m.Observe(key, Sample(i % 2 ? "available" : "scaling", i % 4, i % 2 == 0, i));
        if (i % 7 == 0) m.Remove(key);
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 100; ++i) {
      // Each series of a page is whole: a value on every sample line.
      for (absl::string_view line : absl::StrSplit(registry.Render(), '\n', absl::SkipEmpty())) {
        EXPECT_TRUE(line[0] == '#' || line.rfind(' ') != absl::string_view::npos) << line;
      }
    }
  });
  for (std::thread& t : threads) t.join();
  for (int w = 0; w < 4; ++w) {
    for (int c = 0; c < 5; ++c) m.Remove({"ns", absl::StrCat("c", w, "-", c)});
  }
  EXPECT_EQ(registry.Render().find(R"(namespace="ns")"), std::string::npos);
}

// A ddc's series carry kind="DorisDisaggregatedCluster"; a DorisCluster of
// the same name keeps its own series (without the label, as before kinds),
// and each goes with its own cluster.
TEST(ClusterMetricsTest, ADdcAndADorisClusterOfOneNameHaveTheirOwnSeries) {
  Registry registry;
  ClusterMetrics m(&registry);
  const store::ClusterKey dc{"prod", "demo"};
  const store::ClusterKey ddc = store::ClusterKey::Of("DorisDisaggregatedCluster", "prod", "demo");
  m.Reconciled(dc, /*failed=*/false, absl::FromUnixSeconds(1700000000));
  m.Observe(dc, Sample("available", 3, false, 0));
  ClusterSample d;
  d.components = {ComponentSample{.component = "cg/cg1", .phase = "ready", .desired_replicas = 5}};
  m.Reconciled(ddc, /*failed=*/true, absl::FromUnixSeconds(1700000001));
  m.Observe(ddc, d);
  std::string t = registry.Render();
  const std::string kind = R"(kind="DorisDisaggregatedCluster")";
  EXPECT_EQ(MetricValue(t, "doris_operator_component_desired_replicas", "component=\"cg/cg1\""), 5);
  EXPECT_TRUE(Has(t, "doris_operator_component_desired_replicas", kind));
  EXPECT_EQ(MetricValue(t, "doris_operator_reconcile_failures_total", kind), 1);
  EXPECT_EQ(MetricValue(t, "doris_operator_component_desired_replicas", "component=\"be\""), 3);
  // The DorisCluster's failures series has no kind label and did not count the ddc's failure.
  for (const std::string& line : std::vector<std::string>(absl::StrSplit(t, '\n'))) {
    if (line.rfind("doris_operator_component_desired_replicas{", 0) == 0 && line.find("component=\"be\"") != std::string::npos) {
      EXPECT_EQ(line.find("kind="), std::string::npos) << line;
    }
    if (line.rfind("doris_operator_reconcile_failures_total{", 0) == 0 && line.find("kind=") == std::string::npos) {
      EXPECT_EQ(line.substr(line.rfind(' ') + 1), "0") << line;
    }
  }
  m.Remove(ddc);
  t = registry.Render();
  EXPECT_FALSE(Has(t, "doris_operator_component_desired_replicas", kind));
  EXPECT_FALSE(Has(t, "doris_operator_reconcile_failures_total", kind));
  EXPECT_EQ(MetricValue(t, "doris_operator_component_desired_replicas", "component=\"be\""), 3);
}

}  // namespace
}  // namespace doris_operator::metrics
