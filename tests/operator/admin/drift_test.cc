#include "operator/admin/drift.h"

#include <map>
#include <tuple>

#include "gtest/gtest.h"
#include "operator/admin/service.h"
#include "tests/operator/admin/fixture.h"
#include "translator/canonical_json.h"

namespace doris_operator::admin {
namespace {

using nlohmann::json;

class FakeLive : public LiveObjectSource {
 public:
  absl::StatusOr<std::optional<json>> Get(const std::string&, const std::string& kind,
                                          const std::string& ns, const std::string& name) override {
    ++calls;
    if (fail) return absl::UnavailableError("apiserver down");
    auto it = objects.find(kind + "/" + ns + "/" + name);
    if (it == objects.end()) return std::optional<json>();
    return std::optional<json>(it->second);
  }
  std::map<std::string, json> objects;
  bool fail = false;
  int calls = 0;
};

translator::DesiredObject Obj(const std::string& kind, const std::string& name, const json& j,
                              const std::string& hash) {
  json with = j;
  with["metadata"]["annotations"][translator::kHashAnnotation] = hash;
  return {"v1", kind, name, translator::Canonical(with), hash};
}

TEST(ComputeDrift, ClassifiesEachDifference) {
  translator::DesiredSet desired;
  desired.objects.push_back(Obj(
      "Service", "svc",
      {{"spec", {{"port", 80}, {"resources", {{"requests", {{"memory", "1024Mi"}}}}}}}}, "h1"));
  desired.objects.push_back(Obj("Service", "gone", {{"spec", {{"port", 81}}}}, "h2"));
  desired.objects.push_back(Obj("Service", "pending", {{"spec", {{"port", 82}}}}, "h3"));
  FakeLive live;
  json svc = json::parse(desired.objects[0].json);
  svc["spec"]["port"] = 8080;                  // by hand
  svc["spec"]["resources"]["requests"]["memory"] = "1Gi";  // canonicalised by the API server
  svc["spec"]["clusterIP"] = "10.0.0.1";       // defaulted: not drift
  svc["status"] = {{"loadBalancer", json::object()}};
  live.objects["Service/ns/svc"] = svc;
  json pending = json::parse(desired.objects[2].json);
  pending["metadata"]["annotations"][translator::kHashAnnotation] = "older";
  pending["spec"]["port"] = 1;
  live.objects["Service/ns/pending"] = pending;
  live.objects["Service/ns/orphan"] = {{"spec", json::object()}};
  std::vector<DriftCandidate> known = {{"v1", "Service", "svc"}, {"v1", "Service", "orphan"},
                                       {"v1", "Service", "deleted-already"}};

  auto drift = ComputeDrift("ns", desired, known, live);
  ASSERT_TRUE(drift.ok()) << drift.status();
  std::map<std::string, v1::FieldDrift> by;
  for (const auto& d : *drift) by[d.name() + " " + d.path()] = d;
  ASSERT_EQ(by.size(), drift->size());
  EXPECT_EQ(by["svc /spec/port"].classification(), v1::FieldDrift::CHANGED_BY_HAND);
  EXPECT_EQ(by["svc /spec/port"].desired(), "80");
  EXPECT_EQ(by["svc /spec/port"].live(), "8080");
  EXPECT_EQ(by["svc /spec/resources/requests/memory"].classification(),
            v1::FieldDrift::SERVER_DEFAULTED);
  EXPECT_EQ(by["gone "].classification(), v1::FieldDrift::MISSING);
  EXPECT_EQ(by["pending /spec/port"].classification(), v1::FieldDrift::PENDING_ROLLOUT);
  EXPECT_EQ(by["pending /metadata/annotations/app.doris.components~1hash"].classification(),
            v1::FieldDrift::PENDING_ROLLOUT);
  EXPECT_EQ(by["orphan "].classification(), v1::FieldDrift::EXTRA);
  EXPECT_EQ(drift->size(), 6u);

  live.fail = true;
  EXPECT_EQ(ComputeDrift("ns", desired, known, live).status().code(),
            absl::StatusCode::kUnavailable);
}

class DriftServiceTest : public testing::AdminFixture {};

TEST_F(DriftServiceTest, LiveObjectsAsTheOperatorAppliedThemHaveNoDrift) {
  FakeLive live;
  for (const auto& o : last_desired_.objects) {
    json j = json::parse(o.json);
    j["metadata"]["resourceVersion"] = "42";
    j["status"] = {{"replicas", 1}};
    live.objects[o.kind + "/prod/" + o.name] = j;
  }
  AdminServiceOptions options;
  options.live = &live;
  AdminService s(log_.get(), options);
  v1::DriftRequest req;
  req.mutable_cluster()->set_namespace_("prod");
  req.mutable_cluster()->set_name("c1");
  auto none = s.Drift(req);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->drift_size(), 0) << none->DebugString();

  // Someone edits the BE StatefulSet by hand.
  json& be = live.objects["StatefulSet/prod/c1-be"];
  ASSERT_TRUE(be.is_object());
  be["spec"]["replicas"] = 7;
  auto edited = s.Drift(req);
  ASSERT_TRUE(edited.ok()) << edited.status();
  ASSERT_EQ(edited->drift_size(), 1) << edited->DebugString();
  EXPECT_EQ(edited->drift(0).name(), "c1-be");
  EXPECT_EQ(edited->drift(0).path(), "/spec/replicas");
  EXPECT_EQ(edited->drift(0).desired(), "4");  // held by the last reconcile's membership step
  EXPECT_EQ(edited->drift(0).classification(), v1::FieldDrift::CHANGED_BY_HAND);

  AdminService no_live(log_.get());
  EXPECT_EQ(no_live.Drift(req).status().code(), absl::StatusCode::kUnavailable);
  req.mutable_cluster()->set_name("nope");
  EXPECT_EQ(s.Drift(req).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace doris_operator::admin
