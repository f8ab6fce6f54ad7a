// Rolling changes of a DorisDisaggregatedCluster (ddc) end to end, the
// operator binary against kubesim with fake Doris in decoupled mode: an
// image change of the meta service, FE and every compute group at once
// rolls the meta service first, FE once it is done, the groups once FE is;
// each StatefulSet one pod at a time; a group's next pod waits until the
// FE lists the previous pod's backend alive again, and the other group's
// StatefulSet is not written.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/operator/ddc_fixture.h"

namespace doris_operator {
namespace {

constexpr char kName[] = "roll";

// Two meta-service pods, two FE (one follower), two groups of two.
std::string DdcYaml(const std::string& version) {
  return absl::StrCat(R"(apiVersion: disaggregated.cluster.doris.com/v1
kind: DorisDisaggregatedCluster
metadata:
  name: roll
  namespace: default
spec:
  metaService:
    replicas: 2
    image: apache/doris:ms-)", version, R"(
    fdb:
      address: "doris_fdb:Kq0vV2bX@10.0.0.11:4500"
  feSpec:
    replicas: 2
    electionNumber: 1
    image: apache/doris:fe-)", version, R"(
  computeGroups:
  - uniqueId: cg1
    replicas: 2
    image: apache/doris:be-)", version, R"(
  - uniqueId: cg2
    replicas: 2
    image: apache/doris:be-)", version, R"(
)");
}

class DdcRolloutE2eTest : public DdcE2eFixture {
 protected:
  // Every reconcile record the operator logged for the ddc, oldest first.
  std::vector<log::v1::ReconcileRecord> ReconcileRecords(const std::string& cluster) {
    std::vector<log::v1::ReconcileRecord> out;
    admin::v1::HistoryRequest req;
    *req.mutable_cluster() = ClusterRef(cluster, "default", kDdcKind);
    req.mutable_filter()->add_record_types(admin::v1::RECONCILE);
    req.set_order(admin::v1::OLDEST_FIRST);
    req.set_page_size(1000);
    EachPage<admin::v1::HistoryRequest, admin::v1::HistoryResponse>(
        req, &admin::v1::Admin::Stub::History, [&](const admin::v1::HistoryResponse& resp) {
          for (const auto& r : resp.records()) out.push_back(r.reconcile());
          return true;
        });
    return out;
  }

  static std::string ImageOf(const Json& o, const std::string& pointer) {
    const Json image = At(o, pointer);
    return image.is_string() ? image.get<std::string>() : "";
  }

  // The group's entry of computeGroupStatuses.
  static Json GroupStatus(const Json& ddc, const std::string& unique_id) {
    for (const Json& g : At(ddc, "/status/computeGroupStatuses").is_array() ? ddc["status"]["computeGroupStatuses"]
                                                                            : Json::array()) {
      if (g.value("uniqueId", "") == unique_id) return g;
    }
    return Json();
  }

  bool RolledTo(const std::string& version) {
    const Json d = DdcE2eFixture::Ddc(kName);
    if (At(d, "/status/clusterHealth/health") != "green" ||
        At(d, "/status/observedGeneration") != At(d, "/metadata/generation") ||
        At(Condition(d, "RolloutComplete"), "/status") != "True") {
      return false;
    }
    for (const auto& [part, n] : std::vector<std::pair<std::string, int>>{{"ms", 2}, {"fe", 2}, {"cg1", 2}, {"cg2", 2}}) {
      for (int i = 0; i < n; ++i) {
        const Json pod = Get(kube::ObjectPath("v1", "default", "pods", absl::StrCat(kName, "-", part, "-", i)));
        if (!PodReadyIn(pod) || ImageOf(pod, "/spec/containers/0/image").find(version) == std::string::npos) {
          return false;
        }
      }
    }
    return true;
  }

  void BringUp() {
    Apply(DdcYaml("3.0.3"));
    ASSERT_TRUE(Eventually([&] { return RolledTo("3.0.3"); }, 300)) << DdcE2eFixture::Ddc(kName).dump()
                                                                   << operator_->Output();
  }
};

// A part's pods over the operator's Pod watch records (one stream: the API
// server's order): the most down at once from `from_seq` on, when its first
// pod ran `image`, and when every pod had it and was Ready.
struct PartTimeline {
  int max_down = 0;
  uint64_t first_new = 0;  // seq; 0: never
  uint64_t all_new = 0;    // seq; 0: never
  std::vector<std::string> restart_order;  // pods in the order they ran the new image
};

std::map<std::string, PartTimeline> Replay(const std::vector<log::v1::LogRecord>& records, uint64_t from_seq,
                                           const std::map<std::string, std::string>& image_of_part) {
  struct Pod {
    bool ready = false;
    std::string image;
  };
  std::map<std::string, std::map<std::string, Pod>> pods;  // part -> pod -> state
  std::map<std::string, PartTimeline> out;
  for (const log::v1::LogRecord& r : records) {
    const std::string& name = r.watch().object().name();
    const std::string rest = name.substr(std::string(kName).size() + 1);
    const std::string part = rest.substr(0, rest.rfind('-'));
    if (!image_of_part.count(part)) continue;
    if (r.watch().type() == log::v1::DELETED) {
      pods[part].erase(name);
    } else {
      const Json o = Json::parse(r.watch().object_json(), nullptr, false);
      if (!o.is_object()) continue;
      Pod p;
      p.image = At(o, "/spec/containers/0/image").is_string() ? o["spec"]["containers"][0]["image"].get<std::string>() : "";
      for (const Json& c : At(o, "/status/conditions").is_array() ? o["status"]["conditions"] : Json::array()) {
        if (c.value("type", "") == "Ready") p.ready = c.value("status", "") == "True";
      }
      p.ready = p.ready && !At(o, "/metadata/deletionTimestamp").is_string();
      pods[part][name] = p;
    }
    if (r.seq() < from_seq) continue;
    PartTimeline& t = out[part];
    const std::string& image = image_of_part.at(part);
    int ready = 0, new_ready = 0;
    for (const auto& [n, p] : pods[part]) {
      ready += p.ready;
      new_ready += p.ready && p.image == image;
      if (p.image == image && std::find(t.restart_order.begin(), t.restart_order.end(), n) == t.restart_order.end()) {
        t.restart_order.push_back(n);
        if (t.first_new == 0) t.first_new = r.seq();
      }
    }
    t.max_down = std::max(t.max_down, 2 - ready);
    if (new_ready == 2 && t.all_new == 0) t.all_new = r.seq();
  }
  return out;
}

// An image change of all three parts at once: the meta service rolls first,
// FE's new template is written only once every meta-service pod runs the new
// image and is Ready, the groups' only once FE's are; one pod at a time each,
// highest ordinal first. The holds are in the operator's records and status.
TEST_F(DdcRolloutE2eTest, AnUpgradeOfAllThreeRollsTheMetaServiceThenFeThenTheGroupsOnePodAtATime) {
  BringUp();
  if (HasFatalFailure()) return;
  const uint64_t before = WatchRecords(kName, "Pod").back().seq();

  Apply(DdcYaml("3.0.4"));
  ASSERT_TRUE(Eventually([&] { return RolledTo("3.0.4"); }, 600)) << DdcE2eFixture::Ddc(kName).dump()
                                                                 << operator_->Output();

  // Pods, as the operator saw them.
  const std::map<std::string, std::string> images = {{"ms", "apache/doris:ms-3.0.4"},
                                                     {"fe", "apache/doris:fe-3.0.4"},
                                                     {"cg1", "apache/doris:be-3.0.4"},
                                                     {"cg2", "apache/doris:be-3.0.4"}};
  const auto timeline = Replay(WatchRecords(kName, "Pod"), before, images);
  for (const auto& [part, image] : images) {
    ASSERT_TRUE(timeline.count(part)) << part;
    const PartTimeline& t = timeline.at(part);
    EXPECT_LE(t.max_down, 1) << part << ": more than one pod down at once";
    EXPECT_EQ(t.restart_order,
              (std::vector<std::string>{absl::StrCat(kName, "-", part, "-1"), absl::StrCat(kName, "-", part, "-0")}))
        << part;
    EXPECT_NE(t.all_new, 0u) << part;
  }
  EXPECT_GT(timeline.at("fe").first_new, timeline.at("ms").all_new);
  EXPECT_GT(timeline.at("cg1").first_new, timeline.at("fe").all_new);
  EXPECT_GT(timeline.at("cg2").first_new, timeline.at("fe").all_new);

  // The operator's writes: the first StatefulSet version with the new
  // template comes after the part before it had finished.
  auto written = [&](const std::string& part) {
    return FirstLogged(kName, "StatefulSet", absl::StrCat(kName, "-", part), [&](const Json& o) {
      return ImageOf(o, "/spec/template/spec/containers/0/image") == images.at(part);
    });
  };
  const uint64_t ms_written = written("ms"), fe_written = written("fe"), cg1_written = written("cg1"),
                 cg2_written = written("cg2");
  ASSERT_NE(ms_written, 0u);
  EXPECT_LT(ms_written, fe_written);
  EXPECT_GT(fe_written, timeline.at("ms").all_new);
  EXPECT_GT(cg1_written, timeline.at("fe").all_new);
  EXPECT_GT(cg2_written, timeline.at("fe").all_new);

  // Every hold and partition is a decision in the operator's records.
  std::set<std::string> held, partitioned;
  for (const log::v1::ReconcileRecord& r : ReconcileRecords(kName)) {
    for (const auto& h : r.held_templates()) held.insert(h.component());
    for (const auto& p : r.partitions()) partitioned.insert(p.component());
  }
  EXPECT_EQ(held, (std::set<std::string>{"fe", "cg/cg1", "cg/cg2"}));
  EXPECT_EQ(partitioned, (std::set<std::string>{"ms", "fe", "cg/cg1", "cg/cg2"}));
  // ... and said in status while they lasted.
  EXPECT_NE(LoggedVersion(kDdcApi, kDdcKind, "default", kName, [](const Json& o) {
              return At(Condition(o, "RolloutComplete"), "/reason") == "RollingInOrder" &&
                     At(Condition(o, "RolloutComplete"), "/message").get<std::string>().find(
                         "fe: its new pod template waits for the meta service") != std::string::npos;
            }), 0u);
  EXPECT_NE(LoggedVersion(kDdcApi, kDdcKind, "default", kName, [](const Json& o) {
              return At(GroupStatus(o, "cg1"), "/phase") == "GracefulRolling" &&
                     At(GroupStatus(o, "cg1"), "/gracefulAction/type") == "RollingUpdate";
            }), 0u);
}

// One group's image: its pods restart one at a time; with the FE reporting
// the restarted pod's backend not alive the next pod waits (the group keeps
// serving on it), and goes once the backend is alive again. The other
// group's StatefulSet, the meta service's and FE's are not written.
TEST_F(DdcRolloutE2eTest, AGroupRestartsOnePodAtATimeAndTheNextWaitsForTheBackendToBeAlive) {
  BringUp();
  if (HasFatalFailure()) return;
  std::map<std::string, std::string> generations;
  for (const char* sts : {"ms", "fe", "cg2"}) {
    generations[sts] = At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", absl::StrCat(kName, "-", sts))),
                          "/metadata/generation")
                           .dump();
  }
  std::map<std::string, std::string> cg2_pods;
  for (int i = 0; i < 2; ++i) {
    const std::string pod = absl::StrCat(kName, "-cg2-", i);
    cg2_pods[pod] = At(Get(kube::ObjectPath("v1", "default", "pods", pod)), "/metadata/uid").get<std::string>();
  }
  const std::string cg1_0_uid =
      At(Get(kube::ObjectPath("v1", "default", "pods", absl::StrCat(kName, "-cg1-0"))), "/metadata/uid")
          .get<std::string>();

  // The backend of the first pod to restart will not answer heartbeats.
  ASSERT_FALSE(DdcFe(kName, "POST", "/api/_sim/config", R"({"notAlive":{"roll-cg1-1":true}})").is_null());
  auto r = Kubectl({"patch", "ddc", kName, "--type=json", "-p",
                    R"([{"op":"replace","path":"/spec/computeGroups/0/image","value":"apache/doris:be-3.0.4"}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // The operator says where the rollout is: roll-cg1-1 restarted and Ready,
  // waiting for its backend (once the StatefulSet's status has caught up).
  auto waiting = [](const Json& o) {
    const Json g = GroupStatus(o, "cg1");
    return At(g, "/phase") == "GracefulRolling" && At(g, "/gracefulAction/phase") == "WaitBEAlive" &&
           At(g, "/gracefulAction/currentPod") == "roll-cg1-1" &&
           At(g, "/gracefulAction/lastMessage") == "roll-cg1-1 to serve again";
  };
  const auto held = ReconcileThatSaw(kName, kDdcApi, kDdcKind, kName, waiting);
  ASSERT_TRUE(held.has_value());
  // A reconcile that saw that status decided again: roll-cg1-0 is still held.
  const Json sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "roll-cg1"));
  EXPECT_EQ(At(sts, "/spec/updateStrategy/rollingUpdate/partition"), 1) << sts.dump();
  const Json cg1_0 = Get(kube::ObjectPath("v1", "default", "pods", "roll-cg1-0"));
  EXPECT_EQ(At(cg1_0, "/metadata/uid"), cg1_0_uid);
  EXPECT_EQ(ImageOf(cg1_0, "/spec/containers/0/image"), "apache/doris:be-3.0.3");
  // The group serves meanwhile, on the pod not restarting.
  const Json query = DdcFe(kName, "POST", "/api/_sim/query", R"({"computeGroup":"cg1"})");
  ASSERT_TRUE(query.is_object()) << "the group does not serve while it rolls";
  EXPECT_NE(query.value("backend", "").find("roll-cg1-0"), std::string::npos) << query.dump();

  // Alive again: the next pod goes, and the rollout finishes.
  ASSERT_FALSE(DdcFe(kName, "POST", "/api/_sim/config", R"({"notAlive":{"roll-cg1-1":false}})").is_null());
  ASSERT_TRUE(Eventually([&] {
    const Json d = DdcE2eFixture::Ddc(kName);
    const Json pod = Get(kube::ObjectPath("v1", "default", "pods", "roll-cg1-0"));
    return ImageOf(pod, "/spec/containers/0/image") == "apache/doris:be-3.0.4" && PodReadyIn(pod) &&
           At(GroupStatus(d, "cg1"), "/phase") == "Ready" && At(Condition(d, "RolloutComplete"), "/status") == "True" &&
           At(d, "/status/clusterHealth/health") == "green";
  }, 300)) << DdcE2eFixture::Ddc(kName).dump() << operator_->Output();
  const Json done = DdcE2eFixture::Ddc(kName);
  EXPECT_FALSE(GroupStatus(done, "cg1").contains("gracefulAction")) << done.dump();

  // The rest: not written, same pods.
  for (const char* sts : {"ms", "fe", "cg2"}) {
    EXPECT_EQ(At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", absl::StrCat(kName, "-", sts))),
                 "/metadata/generation")
                  .dump(),
              generations[sts])
        << sts;
  }
  for (const auto& [pod, uid] : cg2_pods) {
    EXPECT_EQ(At(Get(kube::ObjectPath("v1", "default", "pods", pod)), "/metadata/uid"), uid) << pod;
  }
}

}  // namespace
}  // namespace doris_operator
