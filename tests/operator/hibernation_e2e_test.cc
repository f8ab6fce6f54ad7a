// Hibernation end to end: the annotation doris-operator.io/hibernate stops
// every pod (BE, CN and brokers first, then FE) while every claim and every Doris node's
// registration stays, with no decommission or drop in fake Doris's
// membership log and no tablet moved; removing it wakes the cluster FE
// first, then BE, CN and brokers, with the same nodes alive again.

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

constexpr char kFeMeta[] = R"(    persistentVolumes:
    - name: fe-meta
      mountPath: /opt/apache-doris/fe/doris-meta
      persistentVolumeClaimSpec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 5Gi
)";

Json Condition(const Json& dcr, const std::string& type) {
  for (const Json& c : At(dcr, "/status/conditions").is_array() ? At(dcr, "/status/conditions") : Json::array()) {
    if (c.value("type", "") == type) return c;
  }
  return Json();
}

bool PodReadyIn(const Json& pod) {
  for (const Json& c : At(pod, "/status/conditions").is_array() ? At(pod, "/status/conditions") : Json::array()) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

class HibernationE2eTest : public OperatorE2eTest {
 protected:
  Json Dcr() { return Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "demo")); }
  std::set<std::string> Claims() {
    std::set<std::string> out;
    for (const Json& c : Get("/api/v1/namespaces/default/persistentvolumeclaims").value("items", Json::array())) {
      out.insert(c["metadata"].value("name", "") + "@" + c["metadata"].value("uid", ""));
    }
    return out;
  }
  // Whether the FE pod went last: every pod of another component was
  // deleted (in the operator's log of pod events) before demo-fe-0 was.
  bool FeStoppedLast(const std::vector<log::v1::LogRecord>& pods) {
    int64_t last_other_gone = -1, fe_gone = -1;
    for (size_t i = 0; i < pods.size(); ++i) {
      if (pods[i].watch().type() != log::v1::DELETED) continue;
      const std::string name = pods[i].watch().object().name();
      if (name.rfind("demo-fe-", 0) != 0) last_other_gone = static_cast<int64_t>(i);
      if (name == "demo-fe-0" && fe_gone < 0 && last_other_gone >= 0) fe_gone = static_cast<int64_t>(i);
    }
    EXPECT_GE(last_other_gone, 0);
    return fe_gone > last_other_gone;
  }
  // The components whose pods were created, from record `from` on, before
  // demo-fe-0 was Ready again, and (in `woke`) every component created.
  std::set<std::string> WokeBeforeFe(const std::vector<log::v1::LogRecord>& pods, size_t from,
                                     std::set<std::string>* woke) {
    bool fe_ready = false;
    std::set<std::string> early;
    for (size_t i = from; i < pods.size(); ++i) {
      const std::string name = pods[i].watch().object().name();
      const Json pod = Json::parse(pods[i].watch().object_json(), nullptr, false);
      if (name == "demo-fe-0" && PodReadyIn(pod)) fe_ready = true;
      if (name.rfind("demo-fe-", 0) == 0 || pods[i].watch().type() != log::v1::ADDED) continue;
      const std::string component = name.substr(5, name.rfind('-') - 5);  // demo-<component>-<i>
      woke->insert(component);
      if (!fe_ready) early.insert(component);
    }
    return early;
  }
  // The hosts of Backends(); {"(unreadable)"} when the FE could not be read.
  static std::set<std::string> BackendHosts(const std::optional<std::map<std::string, int64_t>>& backends) {
    if (!backends.has_value()) return {"(unreadable)"};
    std::set<std::string> out;
    for (const auto& [hp, tablets] : *backends) out.insert(hp);
    return out;
  }
  // Membership writes other than registrations (ADD): none may happen.
  std::vector<std::string> Removals() {
    std::vector<std::string> out;
    const Json log = MembershipLog("demo");
    EXPECT_TRUE(log.is_array());
    for (const Json& e : log.is_array() ? log : Json::array()) {
      const std::string op = e.value("op", "");
      if (op.find("ADD") != 0) out.push_back(e.dump());
    }
    return out;
  }
};

TEST_F(HibernationE2eTest, StopsEveryPodKeepsClaimsAndNodesAndWakesFeFirst) {
  ClusterOptions o;
  o.fe_extra = kFeMeta;
  Apply(Cluster("demo", 1, 3, o));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 3; }))
      << Dcr().dump() << operator_->Output();
  const std::set<std::string> claims = Claims();
  ASSERT_EQ(claims.size(), 4u);  // fe-meta-demo-fe-0, be-storage-demo-be-{0,1,2}
  const auto backends = Backends("demo");
  const auto frontends = Frontends("demo");
  ASSERT_TRUE(backends && frontends);
  const std::optional<int64_t> tablets = Tablets("demo");

  auto r = Kubectl({"annotate", "doriscluster", "demo", "doris-operator.io/hibernate=true"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    return Pods("demo", "fe").empty() && Pods("demo", "be").empty() && Phase("demo", "fe") == "hibernated" &&
           Phase("demo", "be") == "hibernated";
  })) << Dcr().dump() << operator_->Output();
  EXPECT_EQ(Condition(Dcr(), "Ready").value("reason", ""), "Hibernated") << Dcr().dump();
  EXPECT_EQ(StsReplicas("demo-fe"), 0);
  EXPECT_EQ(StsReplicas("demo-be"), 0);
  EXPECT_EQ(Claims(), claims);  // the same claims, not re-made
  // BE stopped before FE: the last BE pod went before the FE pod did.
  EXPECT_TRUE(FeStoppedLast(WatchRecords("demo", "Pod")));

  const size_t records_before_wake = WatchRecords("demo", "Pod").size();
  r = Kubectl({"annotate", "doriscluster", "demo", "doris-operator.io/hibernate-"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    const auto alive = BackendsAlive("demo");
    if (!Available("demo") || !alive || alive->size() != 3) return false;
    for (const auto& [hp, up] : *alive) {
      if (!up) return false;
    }
    return true;
  })) << Dcr().dump() << operator_->Output();

  // Woken FE first: no BE pod appeared before the FE pod was Ready.
  std::set<std::string> woke;
  EXPECT_EQ(WokeBeforeFe(WatchRecords("demo", "Pod"), records_before_wake, &woke), std::set<std::string>{})
      << "created before the FE served again";
  EXPECT_EQ(woke, std::set<std::string>{"be"});

  // The same nodes in Doris, the same claims, no tablet moved, and nothing
  // decommissioned or dropped at any point.
  EXPECT_EQ(BackendHosts(Backends("demo")), BackendHosts(backends));
  EXPECT_EQ(Frontends("demo"), frontends);
  EXPECT_EQ(Tablets("demo"), tablets);
  EXPECT_EQ(Claims(), claims);
  EXPECT_TRUE(Removals().empty()) << ::testing::PrintToString(Removals());
}

// CN and brokers too: they stop with the BE, before the FE, and wake after
// it; their StatefulSets go to 0 and come back, their nodes stay in Doris.
TEST_F(HibernationE2eTest, ComputeNodesAndBrokersStopBeforeAndWakeAfterTheFe) {
  ClusterOptions o;
  o.fe_extra = kFeMeta;
  o.spec_extra = R"(  cnSpec:
    replicas: 1
    image: apache/doris:be-2.1.8
  brokerSpec:
    replicas: 1
    image: apache/doris:broker-2.1.8
)";
  Apply(Cluster("demo", 1, 1, o));
  ASSERT_TRUE(Eventually([&] {
    return Available("demo") && Phase("demo", "cn") == "available" && Phase("demo", "broker") == "available" &&
           BackendCount("demo") == 2;
  })) << Dcr().dump() << operator_->Output();
  const auto backends = Backends("demo");
  ASSERT_TRUE(backends.has_value());

  auto r = Kubectl({"annotate", "doriscluster", "demo", "doris-operator.io/hibernate=true"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    for (const char* c : {"fe", "be", "cn", "broker"}) {
      if (!Pods("demo", c).empty() || Phase("demo", c) != "hibernated") return false;
    }
    return true;
  })) << Dcr().dump() << operator_->Output();
  EXPECT_EQ(StsReplicas("demo-cn"), 0);
  EXPECT_EQ(StsReplicas("demo-broker"), 0);
  EXPECT_TRUE(FeStoppedLast(WatchRecords("demo", "Pod")));

  const size_t records_before_wake = WatchRecords("demo", "Pod").size();
  r = Kubectl({"annotate", "doriscluster", "demo", "doris-operator.io/hibernate-"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    return Available("demo") && Phase("demo", "cn") == "available" && Phase("demo", "broker") == "available";
  })) << Dcr().dump() << operator_->Output();
  std::set<std::string> woke;
  EXPECT_EQ(WokeBeforeFe(WatchRecords("demo", "Pod"), records_before_wake, &woke), std::set<std::string>{})
      << "created before the FE served again";
  EXPECT_EQ(woke, (std::set<std::string>{"be", "broker", "cn"}));
  EXPECT_EQ(BackendHosts(Backends("demo")), BackendHosts(backends));
  EXPECT_TRUE(Removals().empty()) << ::testing::PrintToString(Removals());
}

// Without claims, FE metadata and BE tablets live in the pods: the
// cluster is not stopped, and an Event says why.
TEST_F(HibernationE2eTest, RefusesAClusterWhoseDataWouldNotSurvive) {
  Apply(Cluster("demo", 1, 1));  // FE without persistentVolumes
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << Dcr().dump() << operator_->Output();
  auto r = Kubectl({"annotate", "doriscluster", "demo", "doris-operator.io/hibernate=true"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    for (const Json& e : Get("/api/v1/namespaces/default/events").value("items", Json::array())) {
      if (e.value("reason", "") == "HibernateRefused" &&
          e.value("message", "").find("feSpec has no persistentVolumes") != std::string::npos) {
        return true;
      }
    }
    return false;
  })) << operator_->Output();
  EXPECT_EQ(Pods("demo", "fe").size(), 1u);
  EXPECT_EQ(StsReplicas("demo-fe"), 1);
  EXPECT_TRUE(Available("demo"));
}

}  // namespace
}  // namespace doris_operator
