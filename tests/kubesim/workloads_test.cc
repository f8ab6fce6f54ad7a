#include "tools/kubesim/workloads.h"

#include <map>
#include <set>

#include "gtest/gtest.h"
#include "tools/kubesim/api_server.h"

namespace doris_operator::kubesim {
namespace {

class WorkloadsTest : public ::testing::Test {
 protected:
  WorkloadsTest()
      : workloads_(&api_.store(), {.start_ms = 100,
                                   .ready_ms = 100,
                                   .init_ms = 100,
                                   .restart_ms = 200,
                                   .faults = &api_.sim_faults()}) {}

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
  // A request through the API server (control endpoints, and deletes that
  // run its garbage collector).
  HttpResponse Call(const std::string& method, const std::string& path, const Json& body = Json()) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.headers["content-type"] = "application/json";
    if (!body.is_null()) req.body = body.dump();
    return api_.Handle(req);
  }
  std::vector<Json> Claims() {
    return api_.store().List(T("", "v1", "persistentvolumeclaims"), "default", "", "", 0, "").items;
  }
  std::vector<Json> Revisions() {
    return api_.store().List(T("apps", "v1", "controllerrevisions"), "default", "", "", 0, "").items;
  }
  Json Pod(const std::string& name) {
    return std::get<Json>(api_.store().Get(T("", "v1", "pods"), "default", name));
  }
  static std::string ConditionOf(const Json& pod, const std::string& type) {
    for (const Json& c : pod["status"].value("conditions", Json::array())) {
      if (c["type"] == type) return c["status"];
    }
    return "";
  }
  // The StatefulSet `Sts` makes, with its pod template's spec fields
  // replaced by `pod_spec` (containers included).
  Json StsWithPodSpec(const Json& pod_spec) {
    Json sts = Sts(1, "Parallel", "doris:1");
    for (const auto& [k, v] : pod_spec.items()) sts["spec"]["template"]["spec"][k] = v;
    return sts;
  }
  void Put(const char* resource, const Json& object) {
    const ResourceType t = T("", "v1", resource);
    auto cur = api_.store().Get(t, "default", object["metadata"]["name"]);
    if (std::holds_alternative<ApiError>(cur)) {
      api_.store().Create(t, "default", object);
    } else {
      Json next = object;
      next["metadata"]["resourceVersion"] = std::get<Json>(cur)["metadata"]["resourceVersion"];
      api_.store().Update(t, "default", next, false);
    }
  }
  // The kubelet's Warning Events about pod `pod`, as "reason: message".
  std::set<std::string> KubeletWarnings(const std::string& pod) {
    std::set<std::string> out;
    for (const Json& e : api_.store().List(T("", "v1", "events"), "default", "", "", 0, "").items) {
      if (e["involvedObject"]["name"] != pod || e["source"]["component"] != "kubelet") continue;
      EXPECT_EQ(e["type"], "Warning");
      out.insert(e["reason"].get<std::string>() + ": " + e["message"].get<std::string>());
    }
    return out;
  }
  static Json Waiting(const Json& container_status) { return container_status["state"].value("waiting", Json()); }

  void RunUntil(int64_t until) {
    for (; now_ <= until; now_ += 50) {
      workloads_.Tick(now_);
      api_.CollectGarbage();
    }
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

TEST_F(WorkloadsTest, MaxUnavailableUpdatesSeveralPodsAtOnce) {
  Apply(Sts(4, "Parallel", "doris:1"));
  RunUntil(400);
  Json sts = Sts(4, "Parallel", "doris:2");
  sts["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] = "50%";
  Apply(sts);
  RunUntil(now_);  // one tick
  std::set<std::string> going;
  for (const Json& p : Pods()) {
    if (p["metadata"].contains("deletionTimestamp")) going.insert(p["metadata"]["name"]);
  }
  EXPECT_EQ(going, (std::set<std::string>{"db-2", "db-3"}));
  RunUntil(now_ + 100);
  for (const Json& p : Pods()) {
    if (p["metadata"]["name"] == "db-0" || p["metadata"]["name"] == "db-1") {
      EXPECT_FALSE(p["metadata"].contains("deletionTimestamp")) << p.dump();
    }
  }
  RunUntil(now_ + 3000);
  ASSERT_EQ(Pods().size(), 4u);
  for (const Json& p : Pods()) EXPECT_EQ(p["spec"]["containers"][0]["image"], "doris:2");
  EXPECT_EQ(StsStatus()["currentRevision"], StsStatus()["updateRevision"]);
}

TEST_F(WorkloadsTest, DefaultMaxUnavailableIsOne) {
  Apply(Sts(4, "Parallel", "doris:1"));
  RunUntil(400);
  Apply(Sts(4, "Parallel", "doris:2"));
  RunUntil(now_);
  int going = 0;
  for (const Json& p : Pods()) going += p["metadata"].contains("deletionTimestamp");
  EXPECT_EQ(going, 1);
}

TEST_F(WorkloadsTest, ControllerRevisionsPerTemplateOwnedAndPruned) {
  Apply(Sts(2, "Parallel", "doris:1"));
  RunUntil(400);
  const Json sts = std::get<Json>(api_.store().Get(T("apps", "v1", "statefulsets"), "default", "db"));
  const std::string rev1 = StsStatus()["updateRevision"];
  std::vector<Json> revs = Revisions();
  ASSERT_EQ(revs.size(), 1u);
  EXPECT_EQ(revs[0]["metadata"]["name"], rev1);
  EXPECT_EQ(revs[0]["revision"], 1);
  EXPECT_EQ(revs[0]["metadata"]["ownerReferences"][0]["uid"], sts["metadata"]["uid"]);
  EXPECT_EQ(revs[0]["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(revs[0]["data"]["spec"]["template"]["spec"]["containers"][0]["image"], "doris:1");
  EXPECT_EQ(Pods()[0]["metadata"]["labels"]["controller-revision-hash"], rev1);

  Apply(Sts(2, "Parallel", "doris:2"));
  RunUntil(now_ + 2000);
  const std::string rev2 = StsStatus()["updateRevision"];
  std::map<std::string, int> numbers;
  for (const Json& r : Revisions()) numbers[r["metadata"]["name"]] = r["revision"];
  EXPECT_EQ(numbers, (std::map<std::string, int>{{rev1, 1}, {rev2, 2}}));

  // Back to the first template: its revision is reused and becomes the newest.
  Apply(Sts(2, "Parallel", "doris:1"));
  RunUntil(now_ + 2000);
  EXPECT_EQ(StsStatus()["updateRevision"], rev1);
  numbers.clear();
  for (const Json& r : Revisions()) numbers[r["metadata"]["name"]] = r["revision"];
  EXPECT_EQ(numbers, (std::map<std::string, int>{{rev1, 3}, {rev2, 2}}));

  // revisionHistoryLimit 0 keeps only the revisions in use.
  Json next = Sts(2, "Parallel", "doris:3");
  next["spec"]["revisionHistoryLimit"] = 0;
  Apply(next);
  RunUntil(now_ + 2000);
  revs = Revisions();
  ASSERT_EQ(revs.size(), 1u);
  EXPECT_EQ(revs[0]["metadata"]["name"], StsStatus()["updateRevision"]);
  EXPECT_EQ(revs[0]["revision"], 4);

  // Owned by the StatefulSet: the garbage collector removes them with it.
  EXPECT_EQ(Call("DELETE", "/apis/apps/v1/namespaces/default/statefulsets/db").status, 200);
  EXPECT_TRUE(Revisions().empty());
}

TEST_F(WorkloadsTest, InitContainersRunFirstOneAfterAnother) {
  Json sts = Sts(1, "Parallel", "doris:1");
  sts["spec"]["template"]["spec"]["initContainers"] =
      Json::array({{{"name", "init-a"}, {"image", "busybox"}}, {{"name", "init-b"}, {"image", "busybox"}}});
  Apply(sts);
  RunUntil(150);  // init-a runs from 100 to 200, init-b to 300
  Json pod = Pods()[0];
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_EQ(ConditionOf(pod, "Initialized"), "False");
  ASSERT_EQ(pod["status"]["initContainerStatuses"].size(), 2u);
  EXPECT_TRUE(pod["status"]["initContainerStatuses"][0]["state"].contains("running"));
  EXPECT_EQ(pod["status"]["initContainerStatuses"][1]["state"]["waiting"]["reason"], "PodInitializing");
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"], "PodInitializing");
  RunUntil(250);
  pod = Pods()[0];
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_EQ(pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["exitCode"], 0);
  EXPECT_TRUE(pod["status"]["initContainerStatuses"][1]["state"].contains("running"));
  RunUntil(350);  // main container started at 300, Ready at 400
  pod = Pods()[0];
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_EQ(ConditionOf(pod, "Initialized"), "True");
  EXPECT_EQ(ConditionOf(pod, "Ready"), "False");
  EXPECT_EQ(pod["status"]["initContainerStatuses"][1]["state"]["terminated"]["reason"], "Completed");
  RunUntil(450);
  EXPECT_EQ(ConditionOf(Pods()[0], "Ready"), "True");
  EXPECT_EQ(StsStatus()["readyReplicas"], 1);
}

TEST_F(WorkloadsTest, ClaimsOfRemovedOrdinalsGoWhenScaledDelete) {
  Json sts = Sts(3, "Parallel", "doris:1");
  sts["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenScaled", "Delete"}, {"whenDeleted", "Retain"}};
  Apply(sts);
  RunUntil(400);
  ASSERT_EQ(Claims().size(), 3u);
  sts["spec"]["replicas"] = 1;
  Apply(sts);
  RunUntil(1500);
  ASSERT_EQ(Pods().size(), 1u);
  std::vector<Json> claims = Claims();
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(claims[0]["metadata"]["name"], "data-db-0");
  EXPECT_FALSE(claims[0]["metadata"].contains("ownerReferences"));
  // Scaling up again makes new claims for the new ordinals.
  sts["spec"]["replicas"] = 2;
  Apply(sts);
  RunUntil(2000);
  EXPECT_EQ(Claims().size(), 2u);
  // whenDeleted: Retain keeps them with the StatefulSet gone.
  EXPECT_EQ(Call("DELETE", "/apis/apps/v1/namespaces/default/statefulsets/db").status, 200);
  EXPECT_EQ(Claims().size(), 2u);
}

TEST_F(WorkloadsTest, ClaimsGoWithTheStatefulSetWhenDeletedDelete) {
  Json sts = Sts(2, "Parallel", "doris:1");
  sts["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", "Delete"}};
  Apply(sts);
  RunUntil(400);
  const Json live = std::get<Json>(api_.store().Get(T("apps", "v1", "statefulsets"), "default", "db"));
  ASSERT_EQ(Claims().size(), 2u);
  for (const Json& c : Claims()) {
    const Json refs = c["metadata"].value("ownerReferences", Json::array());
    ASSERT_EQ(refs.size(), 1u) << c.dump();
    EXPECT_EQ(refs[0]["uid"], live["metadata"]["uid"]);
  }
  // Scaling in keeps claims (whenScaled defaults to Retain).
  sts["spec"]["replicas"] = 1;
  Apply(sts);
  RunUntil(1500);
  EXPECT_EQ(Claims().size(), 2u);
  EXPECT_EQ(Call("DELETE", "/apis/apps/v1/namespaces/default/statefulsets/db").status, 200);
  EXPECT_TRUE(Claims().empty());
}

TEST_F(WorkloadsTest, CrashPodRestartsTheContainer) {
  Apply(Sts(1, "Parallel", "doris:1"));
  RunUntil(400);
  ASSERT_EQ(ConditionOf(Pod("db-0"), "Ready"), "True");
  const Json uid = Pod("db-0")["metadata"]["uid"];
  EXPECT_EQ(Call("POST", "/kubesim/crash-pod", {{"namespace", "default"}, {"name", "nobody"}}).status, 404);
  EXPECT_EQ(Call("POST", "/kubesim/crash-pod", {{"namespace", "default"}, {"name", "db-0"}}).status, 200);
  RunUntil(now_ + 50);  // crashed at the next tick; down for 200 ms, Ready 100 ms later
  Json pod = Pod("db-0");
  EXPECT_EQ(ConditionOf(pod, "Ready"), "False");
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["restartCount"], 1);
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(StsStatus()["readyReplicas"], 0);
  RunUntil(now_ + 150);
  EXPECT_EQ(ConditionOf(Pod("db-0"), "Ready"), "False");
  RunUntil(now_ + 300);
  pod = Pod("db-0");
  EXPECT_EQ(ConditionOf(pod, "Ready"), "True");
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["restartCount"], 1);
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"], "Error");
  EXPECT_EQ(pod["metadata"]["uid"], uid);  // the same pod, restarted in place
}

TEST_F(WorkloadsTest, CrashPodIgnoresAPodNotRunningYet) {
  Apply(Sts(1, "Parallel", "doris:1"));
  RunUntil(0);
  EXPECT_EQ(Call("POST", "/kubesim/crash-pod", {{"namespace", "default"}, {"name", "db-0"}}).status, 200);
  RunUntil(400);
  EXPECT_EQ(ConditionOf(Pod("db-0"), "Ready"), "True");
  EXPECT_EQ(Pod("db-0")["status"]["containerStatuses"][0]["restartCount"], 0);
}

TEST_F(WorkloadsTest, NodeNotReadyMakesItsPodsNotReady) {
  Apply(Sts(6, "Parallel", "doris:1"));
  RunUntil(400);
  std::map<std::string, std::string> node_of;
  for (const Json& p : Pods()) {
    node_of[p["metadata"]["name"]] = p["spec"]["nodeName"];
    EXPECT_EQ(p["spec"]["nodeName"], NodeFor(p["metadata"]["name"]));
  }
  const std::string node = node_of["db-0"];
  EXPECT_EQ(Call("POST", "/kubesim/node-not-ready", {{"node", node}}).status, 200);
  RunUntil(now_ + 100);
  int not_ready = 0;
  for (const Json& p : Pods()) {
    const bool on_node = p["spec"]["nodeName"] == node;
    EXPECT_EQ(ConditionOf(p, "Ready"), on_node ? "False" : "True") << p["metadata"]["name"];
    EXPECT_EQ(p["status"]["phase"], "Running");
    not_ready += on_node;
  }
  EXPECT_EQ(StsStatus()["readyReplicas"], 6 - not_ready);
  EXPECT_EQ(Call("POST", "/kubesim/node-not-ready", {{"node", node}, {"ready", true}}).status, 200);
  RunUntil(now_ + 100);
  for (const Json& p : Pods()) EXPECT_EQ(ConditionOf(p, "Ready"), "True");
  EXPECT_EQ(StsStatus()["readyReplicas"], 6);
}

TEST_F(WorkloadsTest, FailedProvisioningKeepsClaimsAndPodsPending) {
  EXPECT_EQ(Call("POST", "/kubesim/pvc-provisioning", {{"fail", true}}).status, 200);
  Apply(Sts(1, "Parallel", "doris:1"));
  RunUntil(1000);
  ASSERT_EQ(Claims().size(), 1u);
  EXPECT_EQ(Claims()[0]["status"]["phase"], "Pending");
  Json pod = Pod("db-0");
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_FALSE(pod["spec"].contains("nodeName"));
  EXPECT_EQ(ConditionOf(pod, "PodScheduled"), "False");
  bool event = false;
  for (const Json& e : api_.store().List(T("", "v1", "events"), "default", "", "", 0, "").items) {
    event |= e["reason"] == "ProvisioningFailed" && e["involvedObject"]["name"] == "data-db-0";
  }
  EXPECT_TRUE(event);
  EXPECT_EQ(Call("POST", "/kubesim/pvc-provisioning", {{"fail", false}}).status, 200);
  RunUntil(now_ + 400);
  EXPECT_EQ(Claims()[0]["status"]["phase"], "Bound");
  pod = Pod("db-0");
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_EQ(ConditionOf(pod, "Ready"), "True");
  EXPECT_EQ(pod["spec"]["nodeName"], NodeFor("db-0"));
}

TEST_F(WorkloadsTest, ForegroundDeletionKeepsTheOwnerUntilItsPodsAreGone) {
  Apply(Sts(2, "Parallel", "doris:1"));
  RunUntil(400);
  ASSERT_EQ(Pods().size(), 2u);
  HttpResponse r = Call("DELETE", "/apis/apps/v1/namespaces/default/statefulsets/db",
                        {{"kind", "DeleteOptions"}, {"propagationPolicy", "Foreground"}});
  ASSERT_EQ(r.status, 200) << r.body;
  // The owner waits, marked, while its pods terminate.
  auto owner = api_.store().Get(T("apps", "v1", "statefulsets"), "default", "db");
  ASSERT_TRUE(std::holds_alternative<Json>(owner));
  const Json& meta = std::get<Json>(owner)["metadata"];
  EXPECT_TRUE(meta.contains("deletionTimestamp"));
  EXPECT_EQ(meta["finalizers"], Json::array({"foregroundDeletion"}));
  RunUntil(450);
  EXPECT_TRUE(std::holds_alternative<Json>(
      api_.store().Get(T("apps", "v1", "statefulsets"), "default", "db")));
  // Once the pods are gone, so is the owner.
  RunUntil(2000);
  EXPECT_TRUE(Pods().empty());
  EXPECT_TRUE(std::holds_alternative<ApiError>(
      api_.store().Get(T("apps", "v1", "statefulsets"), "default", "db")));
}

TEST_F(WorkloadsTest, AMissingSecretKeyRefHoldsTheContainerUntilTheKeyExists) {
  Apply(StsWithPodSpec(
      {{"containers",
        Json::array({{{"name", "fe"},
                      {"image", "doris:1"},
                      {"env", Json::array({{{"name", "PASSWD"},
                                            {"valueFrom", {{"secretKeyRef", {{"name", "auth"}, {"key", "password"}}}}}}})}}})}}));
  RunUntil(1000);
  Json pod = Pod("db-0");
  // kuberuntime_container.go: ErrCreateContainerConfig with
  // makeEnvironmentVariables's error; the sandbox runs, so the pod has an IP.
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_TRUE(pod["status"].contains("podIP"));
  EXPECT_EQ(Waiting(pod["status"]["containerStatuses"][0]),
            Json({{"reason", "CreateContainerConfigError"}, {"message", "secret \"auth\" not found"}}));
  EXPECT_EQ(ConditionOf(pod, "Ready"), "False");
  EXPECT_EQ(StsStatus()["readyReplicas"], 0);
  EXPECT_EQ(KubeletWarnings("db-0"), std::set<std::string>({"Failed: Error: secret \"auth\" not found"}));

  // The Secret without the key: still held, now for the key.
  Put("secrets", {{"metadata", {{"name", "auth"}}}, {"data", {{"user", "cm9vdA=="}}}});
  RunUntil(now_ + 1000);
  pod = Pod("db-0");
  EXPECT_EQ(Waiting(pod["status"]["containerStatuses"][0])["message"],
            "couldn't find key password in Secret default/auth");
  EXPECT_EQ(ConditionOf(pod, "Ready"), "False");

  // With the key the container starts where it stopped: running at once,
  // Ready after the ready time.
  Put("secrets", {{"metadata", {{"name", "auth"}}}, {"data", {{"password", "c2VjcmV0"}}}});
  const int64_t added = now_;
  RunUntil(added);
  pod = Pod("db-0");
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_TRUE(pod["status"]["containerStatuses"][0]["state"].contains("running"));
  EXPECT_EQ(ConditionOf(pod, "Ready"), "False");
  RunUntil(added + 100);
  EXPECT_EQ(ConditionOf(Pod("db-0"), "Ready"), "True");
  EXPECT_EQ(StsStatus()["readyReplicas"], 1);

  // A started container keeps its environment: the Secret going later does
  // not stop it.
  api_.store().Delete(T("", "v1", "secrets"), "default", "auth");
  RunUntil(now_ + 500);
  EXPECT_EQ(ConditionOf(Pod("db-0"), "Ready"), "True");
}

TEST_F(WorkloadsTest, EnvFromAndConfigMapKeyRefsNameTheirObjectAndKey) {
  Json app = {{"name", "app"},
              {"image", "doris:1"},
              {"envFrom", Json::array({{{"secretRef", {{"name", "extra"}}}}})},
              {"env", Json::array({{{"name", "CONF"},
                                    {"valueFrom", {{"configMapKeyRef", {{"name", "conf"}, {"key", "fe.conf"}}}}}}})}};
  Json sidecar = {{"name", "sidecar"}, {"image", "doris:1"}};
  Apply(StsWithPodSpec({{"containers", Json::array({app, sidecar})}}));
  RunUntil(500);
  Json pod = Pod("db-0");
  // envFrom first; the container that can start runs, so the pod is Running.
  EXPECT_EQ(Waiting(pod["status"]["containerStatuses"][0])["message"], "secret \"extra\" not found");
  EXPECT_TRUE(pod["status"]["containerStatuses"][1]["state"].contains("running"));
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_EQ(ConditionOf(pod, "ContainersReady"), "False");
  Put("secrets", {{"metadata", {{"name", "extra"}}}, {"data", Json::object()}});
  RunUntil(now_ + 200);
  EXPECT_EQ(Waiting(Pod("db-0")["status"]["containerStatuses"][0])["message"], "configmap \"conf\" not found");
  // A key in binaryData is not an environment value (configMap.Data[key] only).
  Put("configmaps", {{"metadata", {{"name", "conf"}}}, {"binaryData", {{"fe.conf", "eA=="}}}});
  RunUntil(now_ + 200);
  EXPECT_EQ(Waiting(Pod("db-0")["status"]["containerStatuses"][0])["message"],
            "couldn't find key fe.conf in ConfigMap default/conf");
  Put("configmaps", {{"metadata", {{"name", "conf"}}}, {"data", {{"fe.conf", "x"}}}});
  RunUntil(now_ + 300);
  EXPECT_EQ(ConditionOf(Pod("db-0"), "Ready"), "True");
  EXPECT_EQ(KubeletWarnings("db-0"),
            std::set<std::string>({"Failed: Error: secret \"extra\" not found",
                                   "Failed: Error: configmap \"conf\" not found",
                                   "Failed: Error: couldn't find key fe.conf in ConfigMap default/conf"}));
}

TEST_F(WorkloadsTest, AMissingSecretOrConfigMapVolumeKeepsThePodContainerCreating) {
  Apply(StsWithPodSpec(
      {{"initContainers", Json::array({{{"name", "sysctl"}, {"image", "busybox"}}})},
       {"volumes", Json::array({{{"name", "basic-auth"}, {"secret", {{"secretName", "auth"}}}},
                                {{"name", "conf"},
                                 {"configMap", {{"name", "fe-conf"},
                                                {"items", Json::array({{{"key", "fe.conf"}, {"path", "fe.conf"}}})}}}}})}}));
  Put("configmaps", {{"metadata", {{"name", "fe-conf"}}}, {"data", {{"other", "x"}}}});
  RunUntil(1000);
  Json pod = Pod("db-0");
  // No sandbox: no IP, init containers PodInitializing, the others
  // ContainerCreating.
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_FALSE(pod["status"].contains("podIP"));
  EXPECT_EQ(Waiting(pod["status"]["initContainerStatuses"][0]), Json({{"reason", "PodInitializing"}}));
  EXPECT_EQ(Waiting(pod["status"]["containerStatuses"][0]), Json({{"reason", "ContainerCreating"}}));
  EXPECT_EQ(ConditionOf(pod, "Initialized"), "False");
  EXPECT_EQ(ConditionOf(pod, "Ready"), "False");
  EXPECT_EQ(KubeletWarnings("db-0"),
            std::set<std::string>(
                {"FailedMount: MountVolume.SetUp failed for volume \"basic-auth\" : secret \"auth\" not found",
                 "FailedMount: MountVolume.SetUp failed for volume \"conf\" : configmap references non-existent "
                 "config key: fe.conf"}));
  // Both present: the pod starts from the beginning (sandbox, init
  // container, main container).
  Put("secrets", {{"metadata", {{"name", "auth"}}}, {"data", Json::object()}});
  Put("configmaps", {{"metadata", {{"name", "fe-conf"}}}, {"data", {{"fe.conf", "x"}}}});
  const int64_t added = now_;
  RunUntil(added);
  EXPECT_FALSE(Pod("db-0")["status"].contains("podIP"));  // pulling images
  RunUntil(added + 100);
  pod = Pod("db-0");
  EXPECT_TRUE(pod["status"].contains("podIP"));
  EXPECT_TRUE(pod["status"]["initContainerStatuses"][0]["state"].contains("running"));
  RunUntil(added + 400);
  EXPECT_EQ(ConditionOf(Pod("db-0"), "Ready"), "True");
}

TEST_F(WorkloadsTest, AnInitContainersMissingReferenceHoldsInitialization) {
  Apply(StsWithPodSpec(
      {{"initContainers",
        Json::array({{{"name", "first"}, {"image", "busybox"}},
                     {{"name", "second"},
                      {"image", "busybox"},
                      {"env", Json::array({{{"name", "K"},
                                            {"valueFrom", {{"configMapKeyRef", {{"name", "init"}, {"key", "k"}}}}}}})}}})}}));
  RunUntil(1000);
  Json pod = Pod("db-0");
  const Json& inits = pod["status"]["initContainerStatuses"];
  EXPECT_TRUE(inits[0]["state"].contains("terminated"));
  EXPECT_EQ(Waiting(inits[1]), Json({{"reason", "CreateContainerConfigError"}, {"message", "configmap \"init\" not found"}}));
  EXPECT_EQ(Waiting(pod["status"]["containerStatuses"][0]), Json({{"reason", "PodInitializing"}}));
  EXPECT_EQ(ConditionOf(pod, "Initialized"), "False");
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  Put("configmaps", {{"metadata", {{"name", "init"}}}, {"data", {{"k", "v"}}}});
  RunUntil(now_ + 400);  // the second init container, then the main one
  EXPECT_EQ(ConditionOf(Pod("db-0"), "Initialized"), "True");
  EXPECT_EQ(ConditionOf(Pod("db-0"), "Ready"), "True");
}

TEST_F(WorkloadsTest, OptionalReferencesNeverHoldAPod) {
  Apply(StsWithPodSpec(
      {{"containers",
        Json::array({{{"name", "fe"},
                      {"image", "doris:1"},
                      {"envFrom", Json::array({{{"configMapRef", {{"name", "absent"}, {"optional", true}}}}})},
                      {"env", Json::array({{{"name", "A"},
                                            {"valueFrom", {{"secretKeyRef",
                                                            {{"name", "absent"}, {"key", "a"}, {"optional", true}}}}}}})}}})},
       {"volumes", Json::array({{{"name", "s"},
                                 {"secret", {{"secretName", "absent"},
                                             {"optional", true},
                                             {"items", Json::array({{{"key", "k"}, {"path", "k"}}})}}}}})}}));
  RunUntil(400);
  EXPECT_EQ(ConditionOf(Pod("db-0"), "Ready"), "True");
  EXPECT_TRUE(KubeletWarnings("db-0").empty());
}

}  // namespace
}  // namespace doris_operator::kubesim
