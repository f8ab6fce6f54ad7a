// The garbage collector (ApiServer::CollectGarbage) as kube-controller-
// manager's: dependents of an owner deleted in the foreground go, including
// one created after the deletion began; dangling dependents go; only
// blocking dependents hold their owner. And the hold fault, which lets a
// test stop a client between two calls.

#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/kubesim/api_call.h"
#include "tests/testing/eventually.h"
#include "tools/kubesim/api_server.h"

namespace doris_operator::kubesim {
namespace {

constexpr char kCms[] = "/api/v1/namespaces/default/configmaps";

class GarbageCollectorTest : public ::testing::Test {
 protected:
  // A ConfigMap; with `owner`, owned by that ConfigMap (uid as given).
  std::string Create(const std::string& name, const Json& owners = Json::array(),
                     const Json& finalizers = Json()) {
    Json cm = {{"metadata", {{"name", name}}}, {"data", {{"k", "v"}}}};
    if (!owners.empty()) cm["metadata"]["ownerReferences"] = owners;
    if (!finalizers.is_null()) cm["metadata"]["finalizers"] = finalizers;
    ApiResult r = CallApi(api_, "POST", kCms, cm);
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body["metadata"].value("uid", "");
  }
  static Json Ref(const std::string& name, const std::string& uid, bool block) {
    return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", name}, {"uid", uid},
            {"controller", true}, {"blockOwnerDeletion", block}};
  }
  Json Get(const std::string& name) {
    ApiResult r = CallApi(api_, "GET", absl::StrCat(kCms, "/", name));
    return r.status == 200 ? r.body : Json();
  }
  bool Exists(const std::string& name) { return Get(name).is_object(); }
  void DeleteForeground(const std::string& name) {
    ApiResult r = CallApi(api_, "DELETE", absl::StrCat(kCms, "/", name),
                          {{"kind", "DeleteOptions"}, {"propagationPolicy", "Foreground"}});
    ASSERT_EQ(r.status, 200) << r.body.dump();
  }
  // As many passes as a chain of owners needs; the collector is idle after.
  void Collect() {
    for (int i = 0; i < 5; ++i) api_.CollectGarbage();
  }

  ApiServer api_;
};

TEST_F(GarbageCollectorTest, ADependentCreatedAfterAForegroundDeletionBeganIsCollectedAndTheOwnerGoes) {
  const std::string owner = Create("owner");
  Create("early", Json::array({Ref("owner", owner, true)}));
  DeleteForeground("owner");
  ASSERT_TRUE(Get("owner")["metadata"].contains("deletionTimestamp"));
  // kube-apiserver does not look at the owner when a dependent is created
  // (only the OwnerReferencesPermissionEnforcement plugin's permission
  // checks): a controller that has not seen the deletion yet can still
  // create one.
  Create("late", Json::array({Ref("owner", owner, true)}));
  Collect();
  EXPECT_FALSE(Exists("early"));
  EXPECT_FALSE(Exists("late"));
  EXPECT_FALSE(Exists("owner"));
}

TEST_F(GarbageCollectorTest, ADependentWhoseOwnerIsGoneIsCollected) {
  const std::string owner = Create("owner");
  ASSERT_EQ(CallApi(api_, "DELETE", absl::StrCat(kCms, "/owner")).status, 200);
  // Created after its owner went (the uid no longer exists), or naming an
  // object of that name that is another one (another uid).
  Create("orphan", Json::array({Ref("owner", owner, true)}));
  Create("owner");
  Create("misled", Json::array({Ref("owner", "not-its-uid", false)}));
  Collect();
  EXPECT_FALSE(Exists("orphan"));
  EXPECT_FALSE(Exists("misled"));
  EXPECT_TRUE(Exists("owner"));
}

TEST_F(GarbageCollectorTest, OnlyBlockingDependentsHoldAnOwnerDeletedInTheForeground) {
  // Dependents that stay a while after their deletion (a finalizer of
  // someone else's): one blocks its owner, the other does not.
  const std::string blocked = Create("blocked-owner");
  const std::string free = Create("free-owner");
  Create("blocking", Json::array({Ref("blocked-owner", blocked, true)}), Json::array({"example.com/keep"}));
  Create("non-blocking", Json::array({Ref("free-owner", free, false)}), Json::array({"example.com/keep"}));
  DeleteForeground("blocked-owner");
  DeleteForeground("free-owner");
  Collect();
  EXPECT_FALSE(Exists("free-owner"));
  ASSERT_TRUE(Exists("non-blocking"));
  EXPECT_TRUE(Get("non-blocking")["metadata"].contains("deletionTimestamp"));
  ASSERT_TRUE(Exists("blocked-owner"));
  EXPECT_EQ(Get("blocked-owner")["metadata"]["finalizers"], Json::array({"foregroundDeletion"}));
  ASSERT_TRUE(Get("blocking")["metadata"].contains("deletionTimestamp"));
  // Its finalizer removed, the blocking dependent goes, and then its owner.
  Json done = Get("blocking");
  done["metadata"]["finalizers"] = Json::array();
  ASSERT_EQ(CallApi(api_, "PUT", absl::StrCat(kCms, "/blocking"), done).status, 200);
  Collect();
  EXPECT_FALSE(Exists("blocking"));
  EXPECT_FALSE(Exists("blocked-owner"));
}

TEST_F(GarbageCollectorTest, ADependentWithAnotherOwnerOnlyLosesTheReferenceToTheOneBeingDeleted) {
  const std::string going = Create("going");
  const std::string staying = Create("staying");
  Create("shared", Json::array({Ref("going", going, true), Ref("staying", staying, false)}));
  DeleteForeground("going");
  Collect();
  EXPECT_FALSE(Exists("going"));
  const Json shared = Get("shared");
  ASSERT_TRUE(shared.is_object());
  EXPECT_EQ(shared["metadata"]["ownerReferences"], Json::array({Ref("staying", staying, false)}));
}

// The owner of an orphan delete is first marked (deletionTimestamp and the
// `orphan` finalizer), its dependents are released while it is marked, and
// only then does it go: a watcher sees MODIFIED (marked) before the
// dependents' release and DELETED after it. A controller that lists the
// owner after a dependent was released therefore sees it going and does not
// adopt the dependent back (the StatefulSet controller adopts nothing for a
// set being deleted), so no dependent is left naming an absent owner.
TEST_F(GarbageCollectorTest, AnOrphanDeleteMarksTheOwnerBeforeReleasingItsDependents) {
  const std::string owner = Create("owner");
  Create("dependent", Json::array({Ref("owner", owner, true)}));
  const int64_t before = api_.store().CurrentRv();
  ApiResult r = CallApi(api_, "DELETE", absl::StrCat(kCms, "/owner"),
                        {{"kind", "DeleteOptions"}, {"propagationPolicy", "Orphan"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  // The answer is the marked owner, as kube-apiserver's (its finalizer was
  // still pending when the delete was served).
  EXPECT_TRUE(r.body["metadata"].contains("deletionTimestamp")) << r.body.dump();
  EXPECT_EQ(r.body["metadata"]["finalizers"], Json::array({"orphan"})) << r.body.dump();
  EXPECT_FALSE(Exists("owner"));
  const Json dependent = Get("dependent");
  ASSERT_TRUE(dependent.is_object());
  EXPECT_FALSE(dependent["metadata"].contains("ownerReferences")) << dependent.dump();

  ResourceType cms = *api_.store().Find("", "v1", "configmaps");
  auto events = api_.store().EventsSince(cms, "", before, 0);
  ASSERT_TRUE(std::holds_alternative<std::vector<WatchEvent>>(events));
  std::vector<std::string> seen;
  for (const WatchEvent& e : std::get<std::vector<WatchEvent>>(events)) {
    std::string what = absl::StrCat(e.type, " ", e.object["metadata"].value("name", ""));
    if (e.object["metadata"].contains("deletionTimestamp")) absl::StrAppend(&what, " marked");
    seen.push_back(what);
  }
  // The finalizer is added, the owner marked, the dependent released, the
  // owner gone.
  EXPECT_EQ(seen, (std::vector<std::string>{"MODIFIED owner", "MODIFIED owner marked", "MODIFIED dependent",
                                            "DELETED owner marked"}));
}

// An owner deleted while it carries the `orphan` finalizer (set by its
// writer, or left by an orphan delete that could not release a dependent
// yet) is the collector's: its next pass releases the dependents and
// removes the finalizer, and the owner goes (attemptToOrphanWorker).
TEST_F(GarbageCollectorTest, AnOwnerMarkedWithTheOrphanFinalizerGoesOnceTheCollectorReleasedItsDependents) {
  const std::string owner = Create("owner", Json::array(), Json::array({"orphan"}));
  Create("dependent", Json::array({Ref("owner", owner, true)}));
  ASSERT_EQ(CallApi(api_, "DELETE", absl::StrCat(kCms, "/owner")).status, 200);
  ASSERT_TRUE(Get("owner")["metadata"].contains("deletionTimestamp"));
  Collect();
  EXPECT_FALSE(Exists("owner"));
  const Json dependent = Get("dependent");
  ASSERT_TRUE(dependent.is_object());
  EXPECT_FALSE(dependent["metadata"].contains("ownerReferences")) << dependent.dump();
}

TEST_F(GarbageCollectorTest, AHeldRequestWaitsUntilTheHoldGoes) {
  ASSERT_EQ(CallApi(api_, "POST", "/kubesim/faults",
                    {{"hold", Json::array({{{"verb", "create"}, {"resource", "configmaps"}, {"userAgent", "slow"}}})}})
                .status,
            200);
  ApiResult created{0, Json(), {}};
  std::thread client([&] {
    created = CallApi(api_, "POST", kCms, {{"metadata", {{"name", "held"}}}}, {.user_agent = "slow-client/1"});
  });
  // Another client is not held.
  EXPECT_EQ(CallApi(api_, "POST", kCms, {{"metadata", {{"name", "free"}}}}, {.user_agent = "fast"}).status, 201);
  Json held;
  ASSERT_TRUE(testing::Eventually(
      [&] {
        held = CallApi(api_, "GET", "/kubesim/held").body["held"];
        return held.size() == 1;
      },
      absl::Seconds(30)));
  EXPECT_EQ(held[0]["verb"], "create");
  EXPECT_EQ(held[0]["userAgent"], "slow-client/1");
  // Held before anything was done for it.
  EXPECT_FALSE(Exists("held"));
  ASSERT_EQ(CallApi(api_, "POST", "/kubesim/faults", Json::object()).status, 200);
  client.join();
  EXPECT_EQ(created.status, 201) << created.body.dump();
  EXPECT_TRUE(Exists("held"));
  EXPECT_TRUE(CallApi(api_, "GET", "/kubesim/held").body["held"].empty());
}

}  // namespace
}  // namespace doris_operator::kubesim
