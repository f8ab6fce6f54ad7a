// An operator restarted on the log of an earlier run decides nothing before
// every watch has listed (docs/operator.md, "Initial sync"): a change made
// while it was down to one kind (the spec) is not read beside a stale
// picture of another (the StatefulSet) as a scale-in to carry out, and a
// StatefulSet shrunk by hand is restored to the spec, its node kept. A hold
// fault keeps the operator's StatefulSet list and watch waiting, so the
// order in which the streams catch up is the test's, not the machine's.

#include "absl/strings/str_cat.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

constexpr char kBe2[] = "stale-be-2.stale-be-internal.default.svc.cluster.local:9050";
constexpr char kHoldStatefulSets[] =
    R"({"hold":[{"verb":"list","resource":"statefulsets","userAgent":"doris-operator"},
                {"verb":"watch","resource":"statefulsets","userAgent":"doris-operator"}]})";

class InitialSyncE2eTest : public OperatorE2eTest {
 protected:
  bool HeldStatefulSetRequest() {
    for (const Json& h : Held()) {
      if (h.value("resource", "") == "statefulsets") return true;
    }
    return false;
  }

  static std::function<bool(const Json&)> GhostListed(const std::string& host_port) {
    return [host_port](const Json& dcr) {
      const Json& list = At(dcr, "/status/ghostNodes");
      if (!list.is_array()) return false;
      for (const Json& g : list) {
        if (g.value("hostPort", "") == host_port) return true;
      }
      return false;
    };
  }

  std::string Describe() {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "stale"));
    return absl::StrCat("\nstatus: ", At(dcr, "/status").dump(), "\nFE nodes: ",
                        FeGet("stale", "/api/_sim/nodes").dump(), "\nmembership log: ",
                        MembershipLog("stale").dump(), "\nheld: ", Held().dump(), "\n", operator_->Output());
  }

  // A cluster of 1 FE and 3 BEs (each BE with its tablets), then the
  // operator stopped with its log kept.
  void RunThreeBackendsThenStop(const ClusterOptions& o = {}) {
    Apply(Cluster("stale", 1, 3, o));
    ASSERT_TRUE(Eventually([&] { return Available("stale") && BackendCount("stale") == 3; })) << Describe();
    operator_.reset();  // SIGTERM, waited for; dir_/data stays
  }
};

// While the operator was down, someone shrank the BE StatefulSet by hand
// (no decommission) and then the spec to match. The restarted operator's
// log still says 3 and 3; the new spec reaches it first, the StatefulSet
// is not listed yet. Before the initial-sync gate it read that as a scale
// from 3 to 2 and decommissioned stale-be-2 on its first reconcile.
TEST_F(InitialSyncE2eTest, ANewSpecIsNeverReadBesideAStatefulSetNotListedYet) {
  RunThreeBackendsThenStop();
  if (HasFatalFailure()) return;
  ASSERT_EQ(Kubectl({"scale", "statefulset", "stale-be", "--replicas=2"}).exit_code, 0);
  ASSERT_EQ(Kubectl({"patch", "dcr", "stale", "--type=merge", "-p", R"({"spec":{"beSpec":{"replicas":2}}})"}).exit_code,
            0);
  ASSERT_TRUE(Eventually([&] { return Pods("stale", "be").size() == 2; })) << Describe();

  SetFaults(kHoldStatefulSets);
  StartOperator();
  // The operator holds the new spec, its StatefulSet request waits; then
  // either it is not ready (it waits for the list: the fix) or it has
  // reconciled with the spec it holds (what it did before).
  const auto spec_two = [](const Json& dcr) { return At(dcr, "/spec/beSpec/replicas") == 2; };
  uint64_t spec_seq = 0;
  ASSERT_TRUE(Eventually([&] {
    if (!HeldStatefulSetRequest()) return false;
    spec_seq = LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "stale", spec_two);
    return spec_seq != 0 && (Probe("/readyz") == 503 || !ReconcilesThrough("stale", spec_seq).empty());
  })) << Describe();
  SetFaults("{}");

  // A reconcile that saw the StatefulSet at 2, as it is.
  ASSERT_TRUE(ReconcileThatSaw("stale", "apps/v1", "StatefulSet", "stale-be",
                               [](const Json& sts) { return At(sts, "/spec/replicas") == 2; })
                  .has_value());
  EXPECT_TRUE(OperatorWrites("stale", kBe2).empty()) << Describe();
  const auto backends = Backends("stale");
  ASSERT_TRUE(backends.has_value());
  ASSERT_EQ(backends->count(kBe2), 1u) << Describe();
  EXPECT_GT(backends->at(kBe2), 0) << "stale-be-2 was drained" << Describe();
  // What is left to say about it: a node no pod backs, in its grace period.
  EXPECT_TRUE(Eventually([&] {
    return GhostListed(kBe2)(Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "stale")));
  })) << Describe();
}

// The spec still says 3; the StatefulSet was shrunk to 2 by hand while the
// operator was down, and the FE still lists stale-be-2 with its tablets.
// The operator restores the StatefulSet and the node comes back; it is
// never decommissioned, dropped, nor reported as a ghost (a grace period
// of 0s would act at once on one), also when the pod's deletion reaches
// the log before the StatefulSet does.
TEST_F(InitialSyncE2eTest, AStatefulSetShrunkByHandWhileTheOperatorWasDownIsRestored) {
  ClusterOptions o;
  o.annotations = "    doris-operator.io/ghost-node-grace-period: 0s\n";
  RunThreeBackendsThenStop(o);
  if (HasFatalFailure()) return;
  ASSERT_EQ(Kubectl({"scale", "statefulset", "stale-be", "--replicas=2"}).exit_code, 0);
  ASSERT_TRUE(Eventually([&] { return Pods("stale", "be").size() == 2; })) << Describe();
  const int64_t shrunk_generation =
      At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "stale-be")), "/metadata/generation")
          .get<int64_t>();

  SetFaults(kHoldStatefulSets);
  StartOperator();
  // The pod's deletion is in the operator's log; its StatefulSet request waits.
  ASSERT_TRUE(Eventually([&] {
    if (!HeldStatefulSetRequest()) return false;
    for (const log::v1::LogRecord& r : WatchRecords("stale", "Pod")) {
      if (r.watch().type() == log::v1::DELETED && r.watch().object().name() == "stale-be-2") return true;
    }
    return false;
  })) << Describe();
  SetFaults("{}");

  // Restored, and a reconcile saw it serving again.
  ASSERT_TRUE(ReconcileThatSaw("stale", "apps/v1", "StatefulSet", "stale-be",
                               [&](const Json& sts) {
                                 return At(sts, "/metadata/generation").is_number() &&
                                        At(sts, "/metadata/generation").get<int64_t>() > shrunk_generation &&
                                        At(sts, "/spec/replicas") == 3 && At(sts, "/status/readyReplicas") == 3;
                               })
                  .has_value());
  EXPECT_TRUE(Eventually([&] { return Pods("stale", "be").size() == 3 && Available("stale"); })) << Describe();
  EXPECT_TRUE(OperatorWrites("stale", kBe2).empty()) << Describe();
  const auto backends = Backends("stale");
  ASSERT_TRUE(backends.has_value());
  ASSERT_EQ(backends->count(kBe2), 1u) << Describe();
  EXPECT_GT(backends->at(kBe2), 0) << Describe();
  EXPECT_EQ(LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "stale", GhostListed(kBe2)), 0u)
      << "stale-be-2 was reported as a ghost" << Describe();
}

}  // namespace
}  // namespace doris_operator
