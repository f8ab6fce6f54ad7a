// What status and Events say when a write is refused, and the FE reached as
// the deployed operator reaches it (--doris-access=direct, Basic auth).

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

const std::string kAuthSecret = AuthSecret("s3cret-pw");

Json Condition(const Json& dcr, const std::string& type) {
  // An empty object when absent, so that value() reads defaults.
  if (!dcr.is_object() || !dcr.contains("status") || !dcr["status"].contains("conditions")) return Json::object();
  for (const Json& c : dcr["status"]["conditions"]) {
    if (c.value("type", "") == type) return c;
  }
  return Json::object();
}

class StatusE2eTest : public OperatorE2eTest {
 protected:
  Json Dcr(const std::string& name) {
    return Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", name));
  }
  int64_t Generation(const Json& dcr) { return dcr["metadata"].value("generation", int64_t{-1}); }
  int64_t Observed(const Json& dcr) {
    return dcr.contains("status") ? dcr["status"].value("observedGeneration", int64_t{-1}) : -1;
  }
  // Events of `cluster` with `reason`.
  std::vector<Json> Events(const std::string& cluster, const std::string& reason) {
    std::vector<Json> out;
    Json events = Get("/api/v1/namespaces/default/events");
    for (const Json& e : events.value("items", Json::array())) {
      if (e.value("reason", "") == reason && e["involvedObject"].value("name", "") == cluster) {
        out.push_back(e);
      }
    }
    return out;
  }
  void Faults(const Json& body) { SetFaults(body.dump()); }
};

// A StatefulSet apply the API server refuses (422): Synced=False with its
// message, observedGeneration stays at the last applied generation, and one
// Warning Event counts the repeats. Once the refusal is gone, all catch up.
TEST_F(StatusE2eTest, ARefusedApplyIsInStatusAndOneCountedEvent) {
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] {
    const Json dcr = Dcr("demo");
    return Available("demo") && Condition(dcr, "Synced").value("status", "") == "True" &&
           Observed(dcr) == Generation(dcr);
  })) << Dcr("demo").dump() << operator_->Output();
  const int64_t applied = Generation(Dcr("demo"));

  // As a validating admission policy of the cluster would answer.
  const std::string refusal =
      "StatefulSet.apps \"demo-be\" is invalid: spec.replicas: Invalid value: 2: denied by policy "
      "max-be-replicas";
  Faults({{"refuse", {{{"verb", "patch"}, {"resource", "statefulsets"}, {"name", "demo-be"},
                       {"code", 422}, {"reason", "Invalid"}, {"message", refusal}}}}});
  Apply(Cluster("demo", 1, 2));
  Json failed;
  ASSERT_TRUE(Eventually([&] {
    const Json dcr = Dcr("demo");
    const Json synced = Condition(dcr, "Synced");
    if (synced.value("status", "") != "False") return false;
    EXPECT_EQ(synced.value("reason", ""), "WriteFailed");
    EXPECT_NE(synced.value("message", "").find(refusal), std::string::npos) << synced.dump();
    EXPECT_EQ(Observed(dcr), applied) << "observedGeneration advanced past a refused write";
    const std::vector<Json> events = Events("demo", "FailedApply");
    if (events.empty() || events[0].value("count", 0) < 3) return false;
    failed = events[0];
    return true;
  })) << Dcr("demo").dump() << operator_->Output();
  EXPECT_EQ(Generation(Dcr("demo")), applied + 1);
  // One Event object whose count grew, not one per attempt.
  EXPECT_EQ(Events("demo", "FailedApply").size(), 1u);
  EXPECT_EQ(failed.value("type", ""), "Warning");
  EXPECT_NE(failed.value("message", "").find(refusal), std::string::npos) << failed.dump();
  EXPECT_NE(failed.value("firstTimestamp", ""), "");
  EXPECT_EQ(StsReplicas("demo-be"), 1);

  Faults(Json::object());
  ASSERT_TRUE(Eventually([&] {
    const Json dcr = Dcr("demo");
    return Condition(dcr, "Synced").value("status", "") == "True" && Observed(dcr) == applied + 1 &&
           StsReplicas("demo-be") == 2;
  })) << Dcr("demo").dump() << operator_->Output();
  EXPECT_EQ(Events("demo", "FailedApply").size(), 1u);
}

// A claim-template change an existing StatefulSet cannot take (access
// modes; a larger size is a volume expansion, see volume_expansion_e2e_test):
// the rest is applied, status says what was not (and keeps saying it), and
// observedGeneration waits until the spec is something that can be applied.
TEST_F(StatusE2eTest, StorageThatCannotChangeIsInStatus) {
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] {
    const Json dcr = Dcr("demo");
    return Available("demo") && Observed(dcr) == Generation(dcr) &&
           Condition(dcr, "Synced").value("status", "") == "True";
  })) << Dcr("demo").dump() << operator_->Output();
  const int64_t applied = Generation(Dcr("demo"));
  std::string other_modes = Cluster("demo", 1, 1);
  const std::string rwo = "accessModes: [ReadWriteOnce]";
  other_modes.replace(other_modes.find(rwo, other_modes.find("be-storage")), rwo.size(),
                      "accessModes: [ReadWriteOnce, ReadOnlyMany]");
  Apply(other_modes);
  ASSERT_TRUE(Eventually([&] {
    const Json synced = Condition(Dcr("demo"), "Synced");
    return synced.value("reason", "") == "NotApplicable" && !Events("demo", "NotApplicable").empty();
  })) << Dcr("demo").dump() << operator_->Output();
  // Still so after the reconciles that follow.
  ASSERT_TRUE(Eventually([&] { return Events("demo", "NotApplicable")[0].value("count", 0) >= 2; }))
      << operator_->Output();
  Json dcr = Dcr("demo");
  EXPECT_EQ(Condition(dcr, "Synced").value("status", ""), "False");
  EXPECT_NE(Condition(dcr, "Synced").value("message", "").find("volumeClaimTemplates"), std::string::npos);
  EXPECT_EQ(Observed(dcr), applied);
  Apply(Cluster("demo", 1, 1));
  ASSERT_TRUE(Eventually([&] {
    const Json dcr = Dcr("demo");
    return Condition(dcr, "Synced").value("status", "") == "True" && Observed(dcr) == applied + 2;
  })) << Dcr("demo").dump() << operator_->Output();
}

// With the API server's proxy, Doris credentials cannot be carried: a
// cluster whose FE needs a password gets a clear refusal, and nothing that
// waits on Doris (a scale-in) goes ahead.
TEST_F(StatusE2eTest, ProxyAccessRefusesAClusterWithAPassword) {
  Apply(kAuthSecret);
  fe_user_ = "root:s3cret-pw";
  Apply(Cluster("demo", 1, 2, {.spec_extra = "  authSecret: doris-auth\n"}));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 2; }))
      << operator_->Output();
  Apply(Cluster("demo", 1, 1, {.spec_extra = "  authSecret: doris-auth\n"}));
  ASSERT_TRUE(Eventually([&] {
    const Json synced = Condition(Dcr("demo"), "Synced");
    return synced.value("reason", "") == "DorisAccessRefused" && !Events("demo", "DorisAccessRefused").empty();
  })) << Dcr("demo").dump() << operator_->Output();
  const Json dcr = Dcr("demo");
  EXPECT_EQ(Condition(dcr, "Synced").value("status", ""), "False");
  EXPECT_NE(Condition(dcr, "Synced").value("message", "").find("--doris-access=direct"), std::string::npos);
  EXPECT_LT(Observed(dcr), Generation(dcr));
  EXPECT_EQ(StsReplicas("demo-be"), 2);
  EXPECT_EQ(BackendCount("demo"), 2);
}

// The operator as deployed: FE calls go straight to the FE by its cluster
// DNS names and pod addresses, with the authSecret's Basic credentials.
class DirectAccessE2eTest : public StatusE2eTest {
 public:
  bool DirectDoris() const override { return true; }

 protected:
  // The operator's proxy calls: none in direct mode.
  int ProxyCalls() {
    auto used = client_->Get("/kubesim/requests?userAgent=doris-operator");
    if (!used.ok()) return -1;
    int n = 0;
    for (const Json& u : (*used)["requests"]) {
      const std::string resource = u["resource"];
      if (resource == "services/proxy" || resource == "pods/proxy") n += u.value("count", 1);
    }
    return n;
  }
};

TEST_F(DirectAccessE2eTest, ScaleInWithBasicAuthLosesNoTablet) {
  Apply(kAuthSecret);
  fe_user_ = "root:s3cret-pw";
  const ClusterOptions o = {.spec_extra = "  authSecret: doris-auth\n"};
  Apply(Cluster("demo", 3, 4, o));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 4; }))
      << operator_->Output();
  const int64_t tablets = Tablets("demo").value_or(-1);
  ASSERT_GT(tablets, 0);
  Apply(Cluster("demo", 3, 2, o));
  ASSERT_TRUE(Eventually([&] {
    const auto backends = Backends("demo");
    if (!backends) return false;  // unknown, not empty: read again
    int64_t now = 0;
    for (const auto& [hp, n] : *backends) now += n;
    if (!backends->empty()) EXPECT_EQ(now, tablets) << "tablets lost during the scale-in";
    return StsReplicas("demo-be") == 2 && backends->size() == 2 && Available("demo");
  })) << FeGet("demo", "/api/_sim/nodes").dump() << operator_->Output();
  const Json dcr = Dcr("demo");
  EXPECT_EQ(Condition(dcr, "Synced").value("status", ""), "True") << dcr.dump();
  EXPECT_EQ(Observed(dcr), Generation(dcr));
  EXPECT_TRUE(Events("demo", "DecommissionBackend").size() >= 1u);
  EXPECT_EQ(ProxyCalls(), 0);
}

TEST_F(DirectAccessE2eTest, FeObserversAreDroppedWithBasicAuth) {
  Apply(kAuthSecret);
  fe_user_ = "root:s3cret-pw";
  const ClusterOptions o = {.spec_extra = "  authSecret: doris-auth\n"};
  Apply(Cluster("demo", 5, 1, o));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && FrontendCount("demo") == 5; }))
      << operator_->Output();
  Apply(Cluster("demo", 3, 1, o));
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-fe") == 3 && FrontendCount("demo") == 3 && Available("demo");
  })) << FeGet("demo", "/rest/v2/manager/node/frontends").dump() << operator_->Output();
  for (const auto& [host, role] : Frontends("demo").value_or(std::map<std::string, std::string>{})) EXPECT_EQ(role, "FOLLOWER") << host;
  EXPECT_FALSE(Events("demo", "DropFrontend").empty());
  EXPECT_EQ(ProxyCalls(), 0);
}

// The authSecret applied after the cluster (as `kubectl apply -f dir/` may
// order them): the FE pod waits for it as the kubelet makes it wait (its
// Secret volume does not mount), the cluster is not Available, and it
// starts once the Secret exists.
TEST_F(DirectAccessE2eTest, AnAuthSecretAppliedAfterTheClusterStartsItOnceItExists) {
  fe_user_ = "root:s3cret-pw";
  Apply(Cluster("demo", 1, 1, {.spec_extra = "  authSecret: doris-auth\n"}));
  Json fe;
  ASSERT_TRUE(Eventually([&] {
    fe = Get(kube::ObjectPath("v1", "default", "pods", "demo-fe-0"));
    return At(fe, "/status/containerStatuses/0/state/waiting/reason") == "ContainerCreating";
  })) << fe.dump() << operator_->Output();
  EXPECT_TRUE(At(fe, "/status/podIP").is_null()) << fe.dump();
  EXPECT_FALSE(Available("demo"));
  Apply(kAuthSecret);
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 1; })) << operator_->Output();
}

}  // namespace
}  // namespace doris_operator
