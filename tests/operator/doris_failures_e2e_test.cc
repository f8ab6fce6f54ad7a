// When Doris fails the operator: a membership write the FE refuses, node
// lists it cannot read, credentials it refuses, answers that come too late.
// Each test drives the operator binary into the failure against kubesim's
// fake Doris (its /api/_sim/config fault knobs), waits for the reconcile
// that met it (its record in the operator's log: a failed Doris action or
// the Warning Event it recorded), then checks that nothing was lost while
// it lasted (no StatefulSet version ever shrank past the node, its pod was
// never deleted, every tablet is still there), that status and an Event say
// why, and that the change completes once the fault is lifted.

#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

class DorisFailuresE2eTest : public OperatorE2eTest {
 protected:
  // Simulator knobs of the cluster's fake FE (its own endpoint keeps the
  // Secret's credentials and answers at once, whatever the faults).
  void Knobs(const std::string& cluster, const Json& knobs) {
    kube::Request r;
    r.method = "POST";
    r.path = absl::StrCat("/api/v1/namespaces/default/services/", cluster, "-fe-service:", fe_http_port_,
                          "/proxy/api/_sim/config");
    r.headers.push_back(absl::StrCat("Authorization: Basic ", absl::Base64Escape(fe_user_)));
    r.body = knobs.dump();
    bool ok = false;
    std::string last;
    Eventually([&] {
      auto resp = client_->Do(r);
      last = resp.ok() ? resp->body : resp.status().ToString();
      return ok = resp.ok() && resp->body.find("\"code\":0") != std::string::npos;
    }, 20);
    ASSERT_TRUE(ok) << last;
  }

  Json Dcr(const std::string& name) {
    return Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", name));
  }
  std::string ComponentMessage(const std::string& cluster, const std::string& component) {
    const Json m = At(Dcr(cluster), "/status/" + component + "Status/componentCondition/message");
    return m.is_string() ? m.get<std::string>() : "";
  }
  // Messages of the cluster's Events with `reason`.
  std::vector<std::string> Events(const std::string& cluster, const std::string& reason) {
    std::vector<std::string> out;
    Json events = Get("/api/v1/namespaces/default/events");
    for (const Json& e : events.value("items", Json::array())) {
      if (e.value("reason", "") == reason && e["involvedObject"].value("name", "") == cluster) {
        out.push_back(e.value("message", ""));
      }
    }
    return out;
  }

  // Waits for a finished reconcile of `cluster` with an action that `match`
  // accepts (a reconcile record is written after everything it applied):
  // the proof that the operator met the fault and decided on it.
  bool ReconcileWithAction(const std::string& cluster,
                           const std::function<bool(const log::v1::ReconcileRecord::Action&)>& match) {
    uint64_t scanned = 0;
    return Eventually([&] {
      for (const auto& summary : ReconcilesThrough(cluster, scanned)) {
        if (summary.seq() <= scanned) continue;
        admin::v1::GetReconcileRequest req;
        req.set_seq(summary.seq());
        req.set_max_trigger_records(1);
        admin::v1::GetReconcileResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        if (!AdminStub()->GetReconcile(&ctx, req, &resp).ok()) return false;
        for (const auto& a : resp.record().reconcile().actions()) {
          if (match(a)) return true;
        }
        scanned = summary.seq();
      }
      return false;
    }, 240);
  }
  bool FailedDorisAction(const std::string& cluster, const std::string& verb) {
    return ReconcileWithAction(cluster, [&](const auto& a) { return a.verb() == verb && !a.ok(); });
  }
  bool RecordedEvent(const std::string& cluster, const std::string& reason) {
    return ReconcileWithAction(cluster, [&](const auto& a) {
      return a.verb() == "event" && a.object().name() == reason && a.ok();
    });
  }

  // The smallest spec.replicas of every version of StatefulSet `name` the
  // operator ever logged; -1 when it logged none (unknown is not "never").
  int FewestReplicasEver(const std::string& cluster, const std::string& name) {
    int fewest = -1;
    for (const auto& r : WatchRecords(cluster, "StatefulSet")) {
      if (r.watch().object().name() != name) continue;
      const Json sts = Json::parse(r.watch().object_json(), nullptr, false);
      const Json replicas = At(sts, "/spec/replicas");
      if (!replicas.is_number_integer()) continue;
      fewest = fewest < 0 ? replicas.get<int>() : std::min(fewest, replicas.get<int>());
    }
    return fewest;
  }
  // Whether the operator ever logged pod `name` deleted or being deleted;
  // nullopt when it never logged the pod at all.
  std::optional<bool> PodEverDeleted(const std::string& cluster, const std::string& name) {
    std::optional<bool> deleted;
    for (const auto& r : WatchRecords(cluster, "Pod")) {
      if (r.watch().object().name() != name) continue;
      const Json pod = Json::parse(r.watch().object_json(), nullptr, false);
      const bool gone = r.watch().type() == log::v1::DELETED || !At(pod, "/metadata/deletionTimestamp").is_null();
      deleted = deleted.value_or(false) || gone;
    }
    return deleted;
  }
  // Backends the fake FE reports decommissioned; nullopt when unknown.
  std::optional<int> Decommissioned(const std::string& cluster) {
    const Json nodes = FeGet(cluster, "/api/_sim/nodes");
    if (!nodes.is_object()) return std::nullopt;
    int n = 0;
    for (const auto& [hp, node] : nodes.items()) n += node.value("decommissioned", false);
    return n;
  }

  // 1 FE and 3 BEs, available, with its tablet count; then the BE scale-in
  // to 2 is asked for.
  int64_t StartBeScaleIn(const ClusterOptions& o = {}) {
    Apply(Cluster("demo", 1, 3, o));
    EXPECT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 3; }))
        << operator_->Output();
    const std::optional<int64_t> tablets = Tablets("demo");
    EXPECT_TRUE(tablets.has_value() && *tablets > 0);
    return tablets.value_or(-1);
  }
  void ExpectBeScaleInHeld(int64_t tablets) {
    EXPECT_EQ(FewestReplicasEver("demo", "demo-be"), 3) << "the BE StatefulSet shrank during the fault";
    EXPECT_EQ(PodEverDeleted("demo", "demo-be-2"), std::optional<bool>(false));
    EXPECT_EQ(StsReplicas("demo-be"), 3);
    EXPECT_EQ(Tablets("demo"), std::optional<int64_t>(tablets));
    EXPECT_EQ(Phase("demo", "be"), "scaling");
  }
  void ExpectBeScaleInCompletes(int64_t tablets) {
    ASSERT_TRUE(Eventually([&] {
      return StsReplicas("demo-be") == 2 && BackendCount("demo") == 2 && Available("demo");
    }, 240)) << Dcr("demo").dump() << FeGet("demo", "/api/_sim/nodes").dump() << operator_->Output();
    EXPECT_EQ(Tablets("demo"), std::optional<int64_t>(tablets));
  }
};

TEST_F(DorisFailuresE2eTest, ARefusedDecommissionHoldsTheScaleInUntilTheFeAccepts) {
  const int64_t tablets = StartBeScaleIn();
  Knobs("demo", {{"refuse", {{"DECOMMISSION/be", true}}}});
  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(FailedDorisAction("demo", "doris:decommission_backend")) << operator_->Output();
  ExpectBeScaleInHeld(tablets);
  EXPECT_EQ(Decommissioned("demo"), std::optional<int>(0));
  EXPECT_NE(ComponentMessage("demo", "be").find("Failed to acquire env lock"), std::string::npos)
      << Dcr("demo").dump();
  const std::vector<std::string> events = Events("demo", "DecommissionFailed");
  ASSERT_FALSE(events.empty());
  EXPECT_NE(events[0].find("Failed to acquire env lock"), std::string::npos) << events[0];
  Knobs("demo", {{"refuse", {{"DECOMMISSION/be", false}}}});
  ExpectBeScaleInCompletes(tablets);
}

// With drop_backend_after_decommission = false the drained node stays listed
// until the operator drops it; a refused drop keeps its pod.
TEST_F(DorisFailuresE2eTest, ARefusedDropKeepsTheDrainedBackendAndItsPod) {
  Apply(FeConfigMap("fe-conf", {"enable_fqdn_mode = true", "drop_backend_after_decommission = false"}));
  const ClusterOptions o = {.fe_extra = ConfigMapInfo("fe-conf")};
  const int64_t tablets = StartBeScaleIn(o);
  Knobs("demo", {{"refuse", {{"DROP/be", true}}}});
  Apply(Cluster("demo", 1, 2, o));
  ASSERT_TRUE(FailedDorisAction("demo", "doris:drop_backend")) << operator_->Output();
  ExpectBeScaleInHeld(tablets);
  EXPECT_EQ(BackendCount("demo"), 3);
  EXPECT_NE(ComponentMessage("demo", "be").find("to be dropped (the FE refused"), std::string::npos)
      << Dcr("demo").dump();
  EXPECT_FALSE(Events("demo", "DropBackendFailed").empty());
  Knobs("demo", {{"refuse", {{"DROP/be", false}}}});
  ExpectBeScaleInCompletes(tablets);
}

TEST_F(DorisFailuresE2eTest, ARefusedObserverDropKeepsItsPod) {
  Apply(Cluster("demo", 4, 1));  // electionNumber 3: demo-fe-3 is an observer
  ASSERT_TRUE(Eventually([&] { return Available("demo") && FrontendCount("demo") == 4; }))
      << operator_->Output();
  Knobs("demo", {{"refuse", {{"DROP/fe", true}}}});
  Apply(Cluster("demo", 3, 1));
  ASSERT_TRUE(FailedDorisAction("demo", "doris:drop_frontend")) << operator_->Output();
  EXPECT_EQ(FewestReplicasEver("demo", "demo-fe"), 4) << "the FE StatefulSet shrank during the fault";
  EXPECT_EQ(PodEverDeleted("demo", "demo-fe-3"), std::optional<bool>(false));
  EXPECT_EQ(FrontendCount("demo"), 4);
  EXPECT_NE(ComponentMessage("demo", "fe").find("Failed to acquire env lock"), std::string::npos)
      << Dcr("demo").dump();
  EXPECT_FALSE(Events("demo", "DropFrontendFailed").empty());
  Knobs("demo", {{"refuse", {{"DROP/fe", false}}}});
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-fe") == 3 && FrontendCount("demo") == 3 && Available("demo");
  }, 240)) << Dcr("demo").dump() << operator_->Output();
}

// The FE answers its node lists with an HTTP 500, then with Doris' own
// internal-error envelope: the operator cannot tell where the data is, so
// nothing shrinks, and it says which.
TEST_F(DorisFailuresE2eTest, UnreadableNodeListsHoldTheScaleIn) {
  const int64_t tablets = StartBeScaleIn();
  Knobs("demo", {{"nodeListsFail", "http500"}});
  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(RecordedEvent("demo", "DorisUnreachable")) << operator_->Output();
  Knobs("demo", {{"nodeListsFail", "internal"}});
  ASSERT_TRUE(RecordedEvent("demo", "NodeListUnreadable")) << operator_->Output();
  ExpectBeScaleInHeld(tablets);
  EXPECT_EQ(Decommissioned("demo"), std::optional<int>(0));
  EXPECT_NE(ComponentMessage("demo", "be").find("the FE backend list, which cannot be read"), std::string::npos)
      << Dcr("demo").dump();
  Knobs("demo", {{"nodeListsFail", ""}});
  ExpectBeScaleInCompletes(tablets);
}

// The operator as deployed: FE calls go straight to the FE with the
// authSecret's credentials, each bounded by the client's 10 s timeout.
class DirectDorisFailuresE2eTest : public DorisFailuresE2eTest {
 public:
  bool DirectDoris() const override { return true; }
};

// Someone changed the admin password in Doris and not in the Secret: the FE
// answers 401 in its envelope; once the Secret is brought in line the
// scale-in goes on.
TEST_F(DirectDorisFailuresE2eTest, RefusedCredentialsHoldTheScaleInUntilTheSecretIsFixed) {
  Apply(AuthSecret("s3cret-pw"));
  fe_user_ = "root:s3cret-pw";
  const ClusterOptions o = {.spec_extra = "  authSecret: doris-auth\n"};
  const int64_t tablets = StartBeScaleIn(o);
  Knobs("demo", {{"dorisPassword", "rotated-pw"}});
  Apply(Cluster("demo", 1, 2, o));
  ASSERT_TRUE(RecordedEvent("demo", "DorisCredentialsRefused")) << operator_->Output();
  ExpectBeScaleInHeld(tablets);
  const std::string message = ComponentMessage("demo", "be");
  EXPECT_NE(message.find("refused the credentials of user root"), std::string::npos) << message;
  EXPECT_NE(message.find("authSecret"), std::string::npos) << message;
  EXPECT_EQ(message.find("rotated-pw"), std::string::npos) << "a password in status";
  EXPECT_EQ(message.find("s3cret-pw"), std::string::npos) << "a password in status";
  Apply(AuthSecret("rotated-pw"));
  fe_user_ = "root:rotated-pw";
  ExpectBeScaleInCompletes(tablets);
}

// Every FE answer comes after the operator's client has given up.
TEST_F(DirectDorisFailuresE2eTest, FeTimeoutsHoldTheScaleIn) {
  const int64_t tablets = StartBeScaleIn();
  Knobs("demo", {{"latencyMs", 15000}});
  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(RecordedEvent("demo", "DorisUnreachable")) << operator_->Output();
  ExpectBeScaleInHeld(tablets);
  EXPECT_EQ(Decommissioned("demo"), std::optional<int>(0));
  EXPECT_NE(ComponentMessage("demo", "be").find("the FE backend list, which cannot be read"), std::string::npos)
      << Dcr("demo").dump();
  Knobs("demo", {{"latencyMs", 0}});
  ExpectBeScaleInCompletes(tablets);
}

}  // namespace
}  // namespace doris_operator
