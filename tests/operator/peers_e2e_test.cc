// What users of other Doris and StarRocks operators do by hand, done by the
// operator (issue 15): BE restarts wait for healthy tablets (and warn past
// a deadline), scaling back out cancels a decommission (tried again when
// the FE refuses), and a paused cluster is left alone. The
// operator binary against kubesim and its fake Doris, as processes.

#include "proto/admin.grpc.pb.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

constexpr char kPaused[] = "doris-operator.io/paused";

class PeersE2eTest : public OperatorE2eTest {
 protected:
  Json Dcr(const std::string& name) {
    return Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", name));
  }
  std::string BeMessage(const std::string& name) {
    const Json m = At(Dcr(name), "/status/beStatus/componentCondition/message");
    return m.is_string() ? m.get<std::string>() : "";
  }
  int Partition(const std::string& sts) {
    const Json p = At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", sts)),
                      "/spec/updateStrategy/rollingUpdate/partition");
    return p.is_number_integer() ? p.get<int>() : 0;
  }
  // Events about `cluster` with `reason`.
  int EventCount(const std::string& cluster, const std::string& reason) {
    int n = 0;
    for (const Json& e : Get("/api/v1/namespaces/default/events").value("items", Json::array())) {
      n += e.value("reason", "") == reason && e["involvedObject"].value("name", "") == cluster;
    }
    return n;
  }
  // Pods of the BE running `image`.
  int BePodsOn(const std::string& cluster, const std::string& image) {
    int n = 0;
    for (const auto& [name, p] : Pods(cluster, "be")) n += p.image == image;
    return n;
  }
  // A cluster of 1 FE and 3 BEs, then a BE upgrade while Doris reports 5
  // tablets short of a replica: the rollout has to wait.
  void UpgradeWhileTabletsMissReplicas(const std::string& name) {
    Apply(Cluster(name, 1, 3));
    ASSERT_TRUE(Eventually([&] { return Available(name) && BackendCount(name) == 3; })) << operator_->Output();
    Knobs(name, {{"replicaMissingTablets", 5}});
    Apply(Cluster(name, 1, 3, {.be_version = "2.1.9"}));
  }
  // Doris healthy again: the rollout goes through, one pod at a time.
  void HealAndFinishTheRollout(const std::string& name) {
    Knobs(name, {{"replicaMissingTablets", 0}});
    ASSERT_TRUE(Eventually([&] {
      return BePodsOn(name, "apache/doris:be-2.1.9") == 3 && Available(name) && Partition(name + "-be") == 0;
    })) << BeMessage(name) << "\n" << operator_->Output();
  }
  // The fake FE's backends that are decommissioning.
  int Decommissioning(const std::string& cluster) {
    const Json nodes = FeGet(cluster, "/api/_sim/nodes");
    if (!nodes.is_object()) return -1;
    int n = 0;
    for (const auto& [hp, node] : nodes.items()) n += node.value("decommissioned", false);
    return n;
  }
};

// Item 2: a BE restart waits while Doris reports a tablet short of a healthy
// replica, says so in status and an Event, and goes on once Doris is healthy.
TEST_F(PeersE2eTest, ABeRestartWaitsForHealthyTablets) {
  UpgradeWhileTabletsMissReplicas("hg");
  if (HasFatalFailure()) return;
  // The rollout holds every BE pod and names what it waits for.
  ASSERT_TRUE(Eventually([&] {
    return BeMessage("hg").find("healthy tablets before the next be pod restarts") != std::string::npos &&
           Partition("hg-be") == 3;
  })) << BeMessage("hg") << "\n" << operator_->Output();
  EXPECT_NE(BeMessage("hg").find("5 ReplicaMissing"), std::string::npos) << BeMessage("hg");
  EXPECT_EQ(Phase("hg", "be"), "upgrading");
  EXPECT_TRUE(Eventually([&] { return EventCount("hg", "RolloutWaitingForTabletHealth") == 1; }));
  // A later reconcile (one that saw this unrelated change) still holds it.
  ASSERT_EQ(Kubectl({"annotate", "dcr", "hg", "note=poke"}).exit_code, 0);
  auto saw = ReconcileThatSaw("hg", "doris.selectdb.com/v1", "DorisCluster", "hg",
                              [](const Json& o) { return At(o, "/metadata/annotations/note") == "poke"; });
  ASSERT_TRUE(saw.has_value());
  EXPECT_EQ(Partition("hg-be"), 3);
  EXPECT_EQ(BePodsOn("hg", "apache/doris:be-2.1.9"), 0);
  // Still one Event for the one wait (a repeat adds to its count): the
  // wait above can be met before a second Event appears; this cannot.
  EXPECT_EQ(EventCount("hg", "RolloutWaitingForTabletHealth"), 1);

  HealAndFinishTheRollout("hg");
}

// Item 2, the deadline: a wait past --tablet-health-deadline says so (a
// Warning Event, once, and "past the deadline" in status) and still holds
// the restart, since going on could take away the last good replica.
class HealthDeadlineE2eTest : public PeersE2eTest {
 public:
  std::vector<std::string> ExtraOperatorArgs() const override { return {"--tablet-health-deadline", "1s"}; }
};

TEST_F(HealthDeadlineE2eTest, AWaitPastTheDeadlineWarnsAndStillHoldsTheRestart) {
  UpgradeWhileTabletsMissReplicas("hd");
  if (HasFatalFailure()) return;
  ASSERT_TRUE(Eventually([&] {
    return EventCount("hd", "RolloutHealthDeadlineExceeded") == 1 &&
           BeMessage("hd").find("past the deadline of 1s") != std::string::npos;
  })) << BeMessage("hd") << "\n" << operator_->Output();
  EXPECT_NE(BeMessage("hd").find("5 ReplicaMissing"), std::string::npos) << BeMessage("hd");
  EXPECT_EQ(Partition("hd-be"), 3);
  EXPECT_EQ(BePodsOn("hd", "apache/doris:be-2.1.9"), 0);
  EXPECT_EQ(Phase("hd", "be"), "upgrading");
  // A later reconcile still holds it and warns no more.
  ASSERT_EQ(Kubectl({"annotate", "dcr", "hd", "note=poke"}).exit_code, 0);
  ASSERT_TRUE(ReconcileThatSaw("hd", "doris.selectdb.com/v1", "DorisCluster", "hd", [](const Json& o) {
                return At(o, "/metadata/annotations/note") == "poke";
              }).has_value());
  EXPECT_EQ(Partition("hd-be"), 3);
  EXPECT_EQ(EventCount("hd", "RolloutHealthDeadlineExceeded"), 1);

  HealAndFinishTheRollout("hd");
}

// Item 6: scaling back out while nodes decommission cancels their
// decommission through the Statement Execution Action; nothing is lost and
// no manual step is needed.
TEST_F(PeersE2eTest, ScalingBackOutCancelsTheDecommission) {
  Apply(Cluster("cd", 1, 4));
  ASSERT_TRUE(Eventually([&] { return Available("cd") && BackendCount("cd") == 4; })) << operator_->Output();
  const std::optional<int64_t> tablets = Tablets("cd");
  ASSERT_TRUE(tablets.has_value());
  Knobs("cd", {{"tabletsMovedPerSecond", 0}});  // the decommission cannot finish
  Apply(Cluster("cd", 1, 2));
  ASSERT_TRUE(Eventually([&] { return Decommissioning("cd") == 2; })) << operator_->Output();
  EXPECT_EQ(StsReplicas("cd-be"), 4);
  Apply(Cluster("cd", 1, 4));
  ASSERT_TRUE(Eventually([&] {
    return Decommissioning("cd") == 0 && BackendCount("cd") == 4 && Available("cd");
  })) << FeGet("cd", "/api/_sim/nodes").dump() << "\n" << operator_->Output();
  EXPECT_EQ(StsReplicas("cd-be"), 4);
  EXPECT_EQ(Tablets("cd"), tablets);
  int cancels = 0;
  for (const Json& e : MembershipLog("cd")) {
    if (e.value("op", "") == "CANCEL_DECOMMISSION/be") {
      ++cancels;
      EXPECT_EQ(e.value("code", -1), 0) << e.dump();
      EXPECT_EQ(e["hostPorts"].size(), 2u) << e.dump();
      EXPECT_EQ(e.value("by", "").rfind("doris-operator", 0), 0u) << e.dump();
    }
  }
  EXPECT_EQ(cancels, 1) << MembershipLog("cd").dump();
  EXPECT_GE(EventCount("cd", "DecommissionCancelled"), 1);
  EXPECT_EQ(EventCount("cd", "DecommissionNotCancelled"), 0);
}

// Item 6, refused: when the FE refuses the cancel, the component says what
// it waits for and why, a Warning Event says so, and a later reconcile
// cancels once the FE accepts.
TEST_F(PeersE2eTest, ARefusedCancelIsSaidAndTriedAgain) {
  Apply(Cluster("cr", 1, 4));
  ASSERT_TRUE(Eventually([&] { return Available("cr") && BackendCount("cr") == 4; })) << operator_->Output();
  Knobs("cr", {{"tabletsMovedPerSecond", 0}});
  Apply(Cluster("cr", 1, 2));
  ASSERT_TRUE(Eventually([&] { return Decommissioning("cr") == 2; })) << operator_->Output();
  Knobs("cr", {{"refuse", {{"CANCEL_DECOMMISSION/be", true}}}});
  Apply(Cluster("cr", 1, 4));
  ASSERT_TRUE(Eventually([&] {
    const std::string m = BeMessage("cr");
    return EventCount("cr", "CancelDecommissionFailed") >= 1 &&
           m.find("to stop decommissioning (the FE refused") != std::string::npos;
  })) << BeMessage("cr") << "\n" << operator_->Output();
  EXPECT_EQ(Phase("cr", "be"), "scaling");
  EXPECT_EQ(Decommissioning("cr"), 2);
  EXPECT_EQ(EventCount("cr", "DecommissionCancelled"), 0);

  Knobs("cr", {{"refuse", {{"CANCEL_DECOMMISSION/be", false}}}});
  ASSERT_TRUE(Eventually([&] {
    return Decommissioning("cr") == 0 && BackendCount("cr") == 4 && Available("cr");
  })) << FeGet("cr", "/api/_sim/nodes").dump() << "\n" << operator_->Output();
  EXPECT_GE(EventCount("cr", "DecommissionCancelled"), 1);
  int accepted = 0;
  for (const Json& e : MembershipLog("cr")) {
    accepted += e.value("op", "") == "CANCEL_DECOMMISSION/be" && e.value("code", -1) == 0;
  }
  EXPECT_EQ(accepted, 1) << MembershipLog("cr").dump();
}

// Item 3: while paused the operator records what it sees and writes nothing
// (not to the API server, not to Doris); drift shows what is pending; the
// resume applies it.
TEST_F(PeersE2eTest, APausedClusterIsRecordedButNotWrittenAndResumeAppliesWhatAccumulated) {
  const ClusterOptions paused = {.annotations = absl::StrCat("    ", kPaused, ": \"true\"\n")};
  Apply(Cluster("pz", 1, 3));
  ASSERT_TRUE(Eventually([&] { return Available("pz") && BackendCount("pz") == 3; })) << operator_->Output();
  Apply(Cluster("pz", 1, 3, paused));
  ASSERT_TRUE(ReconcileThatSaw("pz", "doris.selectdb.com/v1", "DorisCluster", "pz", [](const Json& o) {
                return At(o, std::string("/metadata/annotations/") + "doris-operator.io~1paused") == "true";
              }).has_value());
  ASSERT_TRUE(Eventually([&] {
    for (const Json& c : At(Dcr("pz"), "/status/conditions")) {
      if (c.value("type", "") == "Paused") return c.value("status", "") == "True";
    }
    return false;
  })) << Dcr("pz").dump();
  // The reconcile that wrote the condition is recorded, with its Event;
  // from here on nothing may be written.
  ASSERT_TRUE(Eventually([&] { return EventCount("pz", "Paused") == 1; }));
  const int64_t writes = WritesBy("doris-operator");
  ASSERT_GT(writes, 0);
  const size_t doris_writes = MembershipLog("pz").size();
  const std::string sts_rv = At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "pz-be")),
                                "/metadata/resourceVersion");

  // A scale-in would decommission in Doris and shrink the StatefulSet.
  Apply(Cluster("pz", 1, 2, paused));
  auto saw = ReconcileThatSaw("pz", "doris.selectdb.com/v1", "DorisCluster", "pz",
                              [](const Json& o) { return At(o, "/spec/beSpec/replicas") == 2; });
  ASSERT_TRUE(saw.has_value());
  EXPECT_EQ(saw->outcome(), log::v1::ReconcileRecord::NO_CHANGE) << saw->DebugString();
  EXPECT_EQ(WritesBy("doris-operator"), writes);
  EXPECT_EQ(MembershipLog("pz").size(), doris_writes);
  EXPECT_EQ(At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "pz-be")), "/metadata/resourceVersion"),
            sts_rv);
  EXPECT_EQ(Decommissioning("pz"), 0);
  // Drift still works and shows what waits.
  {
    admin::v1::DriftRequest req;
    req.mutable_cluster()->set_namespace_("default");
    req.mutable_cluster()->set_name("pz");
    admin::v1::DriftResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(AdminStub()->Drift(&ctx, req, &resp).ok());
    bool replicas = false;
    for (const auto& d : resp.drift()) replicas |= d.name() == "pz-be" && d.path() == "/spec/replicas";
    EXPECT_TRUE(replicas) << resp.DebugString();
  }

  // Resumed: the scale-in happens, the FE way (decommission, drop, shrink).
  Apply(Cluster("pz", 1, 2));
  ASSERT_TRUE(Eventually([&] {
    bool paused_condition = false;
    for (const Json& c : At(Dcr("pz"), "/status/conditions")) paused_condition |= c.value("type", "") == "Paused";
    return !paused_condition && StsReplicas("pz-be") == 2 && BackendCount("pz") == 2 && Available("pz");
  })) << Dcr("pz").dump() << "\n" << operator_->Output();
  bool decommissioned = false;
  for (const Json& e : MembershipLog("pz")) decommissioned |= e.value("op", "") == "DECOMMISSION/be";
  EXPECT_TRUE(decommissioned);
}

}  // namespace
}  // namespace doris_operator
