// A DorisCluster's FE observers scaled in and out again, end to end: an
// observer's meta claim goes with its pod once it was dropped from the FE
// group, so the observer that a later scale-out starts at that ordinal joins
// the group on a new claim. (fe_entrypoint.sh starts an FE whose meta dir
// holds image/ROLE as the node it was, without joining; the group that
// dropped that node never takes it back, and fake Doris does the same.)
// Followers keep their claims, and deleting the cluster keeps every claim.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

// electionNumber 1: demo-fe-0 is the follower, demo-fe-1 and -2 observers.
constexpr char kFeObserversWithMetaClaims[] = R"(    electionNumber: 1
    persistentVolumes:
    - name: fe-meta
      mountPath: /opt/apache-doris/fe/doris-meta
      persistentVolumeClaimSpec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 5Gi
)";

class FeObserverClaimsE2eTest : public OperatorE2eTest {
 protected:
  static std::string Demo(int fe) {
    ClusterOptions o;
    o.fe_extra = kFeObserversWithMetaClaims;
    return Cluster("demo", fe, 1, o);
  }

  // The FE's frontends: pod -> "ROLE alive|dead"; nullopt when unread.
  std::optional<std::map<std::string, std::string>> Members() {
    const Json data = FeGet("demo", "/rest/v2/manager/node/frontends");
    if (!data.is_object()) return std::nullopt;
    std::map<std::string, std::string> out;
    const Json& cols = data["column_names"];
    for (const Json& row : data["rows"]) {
      std::string host, role, alive;
      for (size_t i = 0; i < cols.size() && i < row.size(); ++i) {
        if (cols[i] == "Host") host = row[i].get<std::string>();
        if (cols[i] == "Role") role = row[i].get<std::string>();
        if (cols[i] == "Alive") alive = row[i].get<std::string>();
      }
      out[host.substr(0, host.find('.'))] = absl::StrCat(role, alive == "true" ? " alive" : " dead");
    }
    return out;
  }

  // The uid of claim fe-meta-demo-fe-<ordinal>; "" when there is none.
  std::string ClaimUid(int ordinal) {
    const Json c = Get(kube::ObjectPath("v1", "default", "persistentvolumeclaims",
                                        absl::StrCat("fe-meta-demo-fe-", ordinal)));
    return c.is_object() ? c["metadata"].value("uid", "") : "";
  }
};

TEST_F(FeObserverClaimsE2eTest, AnObserverScaledInAndOutAgainRejoinsOnANewClaim) {
  const std::map<std::string, std::string> three = {
      {"demo-fe-0", "FOLLOWER alive"}, {"demo-fe-1", "OBSERVER alive"}, {"demo-fe-2", "OBSERVER alive"}};
  Apply(Demo(3));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && Members() == three; }))
      << Members().value_or(std::map<std::string, std::string>{}).size() << operator_->Output();
  const Json fe_sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "demo-fe"));
  EXPECT_EQ(At(fe_sts, "/spec/persistentVolumeClaimRetentionPolicy"),
            (Json{{"whenDeleted", "Retain"}, {"whenScaled", "Delete"}}));
  // BE claims are kept on scale-in, as before (the API server's default).
  EXPECT_EQ(At(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "demo-be")),
               "/spec/persistentVolumeClaimRetentionPolicy"),
            (Json{{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}}));
  const std::string follower_claim = ClaimUid(0), observer1_claim = ClaimUid(1), old_claim = ClaimUid(2);
  ASSERT_FALSE(follower_claim.empty() || observer1_claim.empty() || old_claim.empty());

  // In: demo-fe-2 is dropped from the group, then its pod goes, and its claim with it.
  Apply(Demo(2));
  ASSERT_TRUE(Eventually([&] {
    const auto members = Members();
    return StsReplicas("demo-fe") == 2 && Pods("demo", "fe").size() == 2 && members &&
           members->size() == 2 && !members->count("demo-fe-2") && Available("demo");
  })) << operator_->Output();
  EXPECT_TRUE(Eventually([&] { return ClaimUid(2).empty(); })) << "the dropped observer's claim stayed";
  const auto writes = OperatorWrites("demo", "demo-fe-2.demo-fe-internal.default.svc.cluster.local:9010");
  EXPECT_EQ(writes, (std::vector<std::string>{
                        "DROP/fe demo-fe-2.demo-fe-internal.default.svc.cluster.local:9010"}));

  // Out again: demo-fe-2 starts on a new claim and joins as an observer.
  Apply(Demo(3));
  ASSERT_TRUE(Eventually([&] { return Members() == three && Available("demo"); }))
      << "demo-fe-2 never joined the FE group again: "
      << (Members() ? Members()->count("demo-fe-2") : 0) << " rows for it; claim "
      << (ClaimUid(2) == old_claim ? "is the dropped observer's" : "is new") << "\n"
      << operator_->Output();
  EXPECT_NE(ClaimUid(2), old_claim);
  EXPECT_FALSE(ClaimUid(2).empty());
  EXPECT_EQ(ClaimUid(0), follower_claim);
  EXPECT_EQ(ClaimUid(1), observer1_claim);

  // Deleting the cluster keeps every claim (whenDeleted: Retain).
  const std::string new_claim = ClaimUid(2);
  auto r = Kubectl({"delete", "dcr", "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-fe") == -1 && StsReplicas("demo-be") == -1 && Pods("demo", "fe").empty();
  })) << operator_->Output();
  EXPECT_EQ(ClaimUid(0), follower_claim);
  EXPECT_EQ(ClaimUid(1), observer1_claim);
  EXPECT_EQ(ClaimUid(2), new_claim);
}

}  // namespace
}  // namespace doris_operator
