// fe_entrypoint.sh starts an FE whose meta_dir holds image/ROLE as the node
// it was (start_fe_with_meta, no ALTER SYSTEM ADD); a group that dropped that
// node does not take it back. The fake FE of a DorisCluster: an observer
// dropped and started again on its old meta claim runs but never joins; on a
// new claim, or with its meta in the pod, it joins as a new observer.

#include <functional>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "tests/kubesim/fake_doris_fixture.h"

namespace doris_operator::kubesim {
namespace {

class FeMetaTest : public FakeDorisTest {
 protected:
  explicit FeMetaTest(bool meta_claim) : FakeDorisTest(meta_claim) {}

  std::pair<int, Json> Call(const std::string& method, const std::string& path, const Json& body = Json()) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    if (method == "PATCH") req.headers["content-type"] = "application/merge-patch+json";
    if (!body.is_null()) req.body = body.dump();
    const HttpResponse r = api_.Handle(req);
    return {r.status, Json::parse(r.body, nullptr, false)};
  }
  void ScaleFe(int replicas) {
    ASSERT_EQ(Call("PATCH", "/apis/apps/v1/namespaces/default/statefulsets/c-fe", {{"spec", {{"replicas", replicas}}}})
                  .first,
              200);
  }
  // Steps the clock until `done` holds, for at most 30 simulated seconds.
  bool RunUntilTrue(const std::function<bool()>& done) {
    for (const int64_t end = now_ + 30000; now_ < end; RunUntil(now_ + 50)) {
      if (done()) return true;
    }
    return done();
  }
  // The pod's uid when it is Ready, else "".
  std::string ReadyPodUid(const std::string& pod) {
    auto [status, p] = Call("GET", "/api/v1/namespaces/default/pods/" + pod);
    if (status != 200) return "";
    for (const Json& c : p["status"].value("conditions", Json::array())) {
      if (c.value("type", "") == "Ready" && c.value("status", "") == "True") return p["metadata"].value("uid", "");
    }
    return "";
  }
  bool PodGone(const std::string& pod) { return Call("GET", "/api/v1/namespaces/default/pods/" + pod).first == 404; }
  // SHOW FRONTENDS rows by pod (Name): column -> value.
  std::map<std::string, Json> Frontends() {
    std::map<std::string, Json> out;
    for (const Json& row : Rows("frontends")) out[row["Name"].get<std::string>()] = row;
    return out;
  }

  // FE 3 -> 4 (c-fe-3 joins as an observer, ELECT_NUMBER 3), c-fe-3 dropped
  // at the master, 4 -> 3, then back to 4: the uid of c-fe-3's new pod.
  std::string DropObserverAndScaleBackOut() {
    RunUntil(600);
    EXPECT_EQ(Frontends().size(), 3u);
    ScaleFe(4);
    EXPECT_TRUE(RunUntilTrue([&] {
      auto fes = Frontends();
      return fes.count("c-fe-3") && fes["c-fe-3"]["Alive"] == "true";
    }));
    const Json observer = Frontends()["c-fe-3"];
    EXPECT_EQ(observer["Role"], "OBSERVER");
    Knobs({{"serviceLandsOn", "master"}});
    auto [status, dropped] =
        Fe("POST", "/rest/v2/manager/node/DROP/fe",
           {{"role", "OBSERVER"}, {"hostPort", observer["Host"].get<std::string>() + ":" + observer["EditLogPort"].get<std::string>()}});
    EXPECT_EQ(dropped["code"], 0) << dropped.dump();
    EXPECT_EQ(Frontends().count("c-fe-3"), 0u);
    const std::string first_pod = ReadyPodUid("c-fe-3");
    ScaleFe(3);
    EXPECT_TRUE(RunUntilTrue([&] { return PodGone("c-fe-3"); }));
    ScaleFe(4);
    std::string pod;
    EXPECT_TRUE(RunUntilTrue([&] { return !(pod = ReadyPodUid("c-fe-3")).empty(); }));
    EXPECT_NE(pod, first_pod);
    return pod;
  }

  static constexpr char kClaim[] = "/api/v1/namespaces/default/persistentvolumeclaims/fe-meta-c-fe-3";
};

class FeMetaOnAClaimTest : public FeMetaTest {
 protected:
  FeMetaOnAClaimTest() : FeMetaTest(true) {}
};
class FeMetaInThePodTest : public FeMetaTest {
 protected:
  FeMetaInThePodTest() : FeMetaTest(false) {}
};

TEST_F(FeMetaOnAClaimTest, AnObserverStartedOnADroppedFesMetaClaimNeverJoins) {
  const std::string pod = DropObserverAndScaleBackOut();
  ASSERT_FALSE(pod.empty());
  // The same claim (the StatefulSet retains claims by default): the pod
  // runs, the FE never joins, however long it runs.
  auto [status, claim] = Call("GET", kClaim);
  ASSERT_EQ(status, 200);
  const std::string old_claim = claim["metadata"]["uid"];
  RunUntil(now_ + 10000);
  EXPECT_EQ(ReadyPodUid("c-fe-3"), pod);
  EXPECT_EQ(Frontends().count("c-fe-3"), 0u) << Frontends().size();
  EXPECT_EQ(Frontends().size(), 3u);

  // On a new claim (the old one deleted while no pod uses it) it joins as a new observer.
  ScaleFe(3);
  ASSERT_TRUE(RunUntilTrue([&] { return PodGone("c-fe-3"); }));
  ASSERT_EQ(Call("DELETE", kClaim).first, 200);
  ASSERT_TRUE(RunUntilTrue([&] { return Call("GET", kClaim).first == 404; }));
  ScaleFe(4);
  ASSERT_TRUE(RunUntilTrue([&] {
    auto fes = Frontends();
    return fes.count("c-fe-3") && fes["c-fe-3"]["Alive"] == "true";
  }));
  EXPECT_EQ(Frontends()["c-fe-3"]["Role"], "OBSERVER");
  auto [again, fresh] = Call("GET", kClaim);
  ASSERT_EQ(again, 200);
  EXPECT_NE(fresh["metadata"]["uid"], old_claim);
}

TEST_F(FeMetaInThePodTest, AnObserverWhoseMetaWentWithItsPodJoinsAgain) {
  ASSERT_FALSE(DropObserverAndScaleBackOut().empty());
  ASSERT_TRUE(RunUntilTrue([&] {
    auto fes = Frontends();
    return fes.count("c-fe-3") && fes["c-fe-3"]["Alive"] == "true";
  }));
  EXPECT_EQ(Frontends()["c-fe-3"]["Role"], "OBSERVER");
}

}  // namespace
}  // namespace doris_operator::kubesim
