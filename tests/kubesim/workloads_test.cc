#include "tools/kubesim/workloads.h"

#include "gtest/gtest.h"
#include "tools/kubesim/api_server.h"

namespace doris_operator::kubesim {
namespace {

class WorkloadsTest : public ::testing::Test {
 protected:
  WorkloadsTest() : workloads_(&api_.store(), {.start_ms = 100, .ready_ms = 100}) {}

  ResourceType T(const char* g, const char* v, const char* r) { return *api_.store().Find(g, v, r); }

  Json Sts(int replicas, const std::string& policy, const std::string& image, int partition = 0) {
    return {{"metadata", {{"name", "db"}}},
            {"spec",
             {{"replicas", replicas},
              {"serviceName", "db-internal"},
              {"podManagementPolicy", policy},
              {"selector", {{"matchLabels", {{"app", "db"}}}}},
              {"updateStrategy", {{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", partition}}}}},
              {"volumeClaimTemplates",
               Json::array({{{"metadata", {{"name", "data"}}},
                             {"spec", {{"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}})},
              {"template",
               {{"metadata", {{"labels", {{"app", "db"}}}}},
                {"spec", {{"containers", Json::array({{{"name", "db"}, {"image", image}}})}}}}}}}};
  }

  std::vector<Json> Pods() {
    return api_.store().List(T("", "v1", "pods"), "default", "app=db", "", 0, "").items;
  }
  Json StsStatus() {
    return std::get<Json>(api_.store().Get(T("apps", "v1", "statefulsets"), "default", "db"))["status"];
  }
  void Apply(const Json& sts) {
    auto cur = api_.store().Get(T("apps", "v1", "statefulsets"), "default", "db");
    if (std::holds_alternative<ApiError>(cur)) {
      api_.store().Create(T("apps", "v1", "statefulsets"), "default", sts);
    } else {
      Json next = sts;
      next["metadata"]["resourceVersion"] = std::get<Json>(cur)["metadata"]["resourceVersion"];
      api_.store().Update(T("apps", "v1", "statefulsets"), "default", next, false);
    }
  }
  void RunUntil(int64_t until) {
    for (; now_ <= until; now_ += 50) workloads_.Tick(now_);
  }

  ApiServer api_;
  WorkloadController workloads_;
  int64_t now_ = 0;
};

TEST_F(WorkloadsTest, ParallelStartsAllPodsWithClaimsAndBecomesReady) {
  Apply(Sts(3, "Parallel", "doris:1"));
  RunUntil(0);
  ASSERT_EQ(Pods().size(), 3u);
  EXPECT_EQ(Pods()[0]["status"]["phase"], "Pending");
  EXPECT_EQ(api_.store().List(T("", "v1", "persistentvolumeclaims"), "default", "", "", 0, "").items.size(), 3u);
  RunUntil(400);
  Json st = StsStatus();
  EXPECT_EQ(st["readyReplicas"], 3);
  EXPECT_EQ(st["updatedReplicas"], 3);
  EXPECT_EQ(st["currentRevision"], st["updateRevision"]);
  EXPECT_EQ(st["observedGeneration"], 1);
  EXPECT_EQ(Pods()[0]["spec"]["hostname"], "db-0");
  EXPECT_EQ(Pods()[0]["spec"]["subdomain"], "db-internal");
}

TEST_F(WorkloadsTest, OrderedReadyStartsOneAtATime) {
  Apply(Sts(3, "OrderedReady", "doris:1"));
  RunUntil(0);
  EXPECT_EQ(Pods().size(), 1u);
  RunUntil(250);  // db-0 ready at 200
  EXPECT_EQ(Pods().size(), 2u);
}

TEST_F(WorkloadsTest, RollingUpdateRespectsThePartitionAndGoesHighestFirst) {
  Apply(Sts(3, "Parallel", "doris:1"));
  RunUntil(400);
  const std::string old_rev = StsStatus()["currentRevision"];
  Apply(Sts(3, "Parallel", "doris:2", /*partition=*/2));
  RunUntil(1500);
  std::map<std::string, std::string> images;
  for (const Json& p : Pods()) images[p["metadata"]["name"]] = p["spec"]["containers"][0]["image"];
  EXPECT_EQ(images, (std::map<std::string, std::string>{{"db-0", "doris:1"}, {"db-1", "doris:1"}, {"db-2", "doris:2"}}));
  EXPECT_EQ(StsStatus()["updatedReplicas"], 1);
  EXPECT_EQ(StsStatus()["currentRevision"], old_rev);
  Apply(Sts(3, "Parallel", "doris:2", /*partition=*/0));
  RunUntil(4000);
  for (const Json& p : Pods()) EXPECT_EQ(p["spec"]["containers"][0]["image"], "doris:2");
  EXPECT_EQ(StsStatus()["currentRevision"], StsStatus()["updateRevision"]);
  EXPECT_EQ(StsStatus()["readyReplicas"], 3);
}

TEST_F(WorkloadsTest, ScaleInRemovesTheHighestPodsButKeepsClaims) {
  Apply(Sts(3, "Parallel", "doris:1"));
  RunUntil(400);
  Apply(Sts(1, "Parallel", "doris:1"));
  RunUntil(450);
  // First Terminating: still listed, marked for deletion, no longer Ready.
  std::vector<Json> going = Pods();
  ASSERT_EQ(going.size(), 3u);
  for (const Json& p : going) {
    if (p["metadata"]["name"] == "db-0") continue;
    EXPECT_TRUE(p["metadata"].contains("deletionTimestamp")) << p.dump();
    for (const Json& c : p["status"]["conditions"]) {
      if (c["type"] == "Ready") EXPECT_EQ(c["status"], "False");
    }
  }
  RunUntil(1000);
  ASSERT_EQ(Pods().size(), 1u);
  EXPECT_EQ(Pods()[0]["metadata"]["name"], "db-0");
  EXPECT_EQ(api_.store().List(T("", "v1", "persistentvolumeclaims"), "default", "", "", 0, "").items.size(), 3u);
}

TEST_F(WorkloadsTest, NeverReadyAndCrashLoopImages) {
  Apply(Sts(1, "Parallel", "doris:never-ready"));
  RunUntil(2000);
  EXPECT_EQ(Pods()[0]["status"]["phase"], "Running");
  EXPECT_EQ(StsStatus()["readyReplicas"], 0);
  Apply(Sts(1, "Parallel", "doris:crashloop"));
  RunUntil(4000);
  // The never-ready pod blocks the rolling update (maxUnavailable 1), as in Kubernetes.
  EXPECT_EQ(Pods()[0]["spec"]["containers"][0]["image"], "doris:never-ready");
}

TEST_F(WorkloadsTest, EndpointsFollowReadyPods) {
  Apply(Sts(2, "Parallel", "doris:1"));
  api_.store().Create(T("", "v1", "services"), "default",
                      {{"metadata", {{"name", "db-service"}}},
                       {"spec", {{"selector", {{"app", "db"}}},
                                 {"ports", Json::array({{{"name", "q"}, {"port", 9030}, {"targetPort", 9030}}})}}}});
  RunUntil(150);  // running, not ready
  Json ep = std::get<Json>(api_.store().Get(T("", "v1", "endpoints"), "default", "db-service"));
  EXPECT_FALSE(ep["subsets"][0].contains("addresses"));
  EXPECT_EQ(ep["subsets"][0]["notReadyAddresses"].size(), 2u);
  RunUntil(400);
  ep = std::get<Json>(api_.store().Get(T("", "v1", "endpoints"), "default", "db-service"));
  EXPECT_EQ(ep["subsets"][0]["addresses"].size(), 2u);
  EXPECT_EQ(ep["subsets"][0]["ports"][0]["port"], 9030);
}

}  // namespace
}  // namespace doris_operator::kubesim
