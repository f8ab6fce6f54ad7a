// DorisDisaggregatedCluster (ddc) membership and storage end to end, the
// operator binary against kubesim with fake Doris in decoupled mode: FE
// observers leave the FE group (at the master) before the FE StatefulSet
// shrinks, a refused drop keeps the pod and is tried again, the dropped
// observers' claims go with their pods so a later scale-out joins cleanly,
// the compute groups' claims stay; and spec.adminUser is the operator's login
// to the FE, written to the pods' Secret and nowhere the operator records.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/operator/ddc_fixture.h"

namespace doris_operator {
namespace {

class DdcMembershipE2eTest : public DdcE2eFixture {
 protected:
  // One FE follower (electionNumber 1) and `fe_replicas - 1` observers, FE
  // meta and log on claims, one compute group of `cg_replicas` with its
  // file cache on a claim.
  static std::string Cluster(const std::string& name, int fe_replicas, int cg_replicas,
                             const std::string& extra = "") {
    return absl::StrCat(R"(apiVersion: disaggregated.cluster.doris.com/v1
kind: DorisDisaggregatedCluster
metadata:
  name: )", name, R"(
  namespace: default
spec:
)", extra, R"(  metaService:
    image: apache/doris:ms-3.0.3
    fdb:
      address: "doris_fdb:Kq0vV2bX@10.0.0.11:4500"
  feSpec:
    replicas: )", fe_replicas, R"(
    image: apache/doris:fe-3.0.3
    persistentVolumes:
    - persistentVolumeClaimSpec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 10Gi
  computeGroups:
  - uniqueId: cg1
    replicas: )", cg_replicas, R"(
    image: apache/doris:be-3.0.3
    logNotStore: true
    persistentVolumes:
    - mountPaths: [/opt/apache-doris/be/file_cache]
      persistentVolumeClaimSpec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 20Gi
)");
  }

  // The fake FE's frontends: pod -> role ("" when unread).
  std::map<std::string, std::string> Frontends(const std::string& ddc, const std::string& user = "root:") {
    std::map<std::string, std::string> out;
    const Json data = DdcFe(ddc, "GET", "/rest/v2/manager/node/frontends", "", user);
    if (!data.is_object() || !data["rows"].is_array()) return out;
    for (const Json& row : data["rows"]) out[row[0].get<std::string>()] = row[7].get<std::string>();
    return out;
  }

  // The membership log's operator entries: {op, host:port, code, resourceVersion}.
  struct Write {
    std::string op;
    std::string host_port;
    int code = 0;
    int64_t rv = 0;
  };
  std::vector<Write> OperatorWrites(const std::string& ddc, const std::string& user = "root:") {
    std::vector<Write> out;
    const Json data = DdcFe(ddc, "GET", "/api/_sim/membership-log", "", user);
    for (const Json& e : data.value("entries", Json::array())) {
      if (e.value("by", "").rfind("doris-operator", 0) != 0) continue;
      for (const Json& hp : e.value("hostPorts", Json::array())) {
        Write w{e.value("op", ""), hp.get<std::string>(), e.value("code", 0), 0};
        const Json& rv = e["resourceVersion"];
        if (rv.is_number_integer()) w.rv = rv.get<int64_t>();
        if (rv.is_string()) (void)absl::SimpleAtoi(rv.get<std::string>(), &w.rv);
        out.push_back(w);
      }
    }
    return out;
  }

  // Claim names of the ddc (by prefix "<anything>-<sts>-<ordinal>").
  std::set<std::string> Claims(const std::string& sts) {
    std::set<std::string> out;
    const Json list = Get("/api/v1/namespaces/default/persistentvolumeclaims");
    for (const Json& c : list.is_object() ? list["items"] : Json::array()) {
      const std::string name = c["metadata"].value("name", "");
      const size_t at = name.find("-" + sts + "-");
      if (at == std::string::npos) continue;
      const std::string ordinal = name.substr(at + sts.size() + 2);
      int n = -1;
      if (absl::SimpleAtoi(ordinal, &n)) out.insert(name);
    }
    return out;
  }
  static int ClaimsOfOrdinal(const std::set<std::string>& claims, const std::string& sts, int ordinal) {
    int n = 0;
    const std::string suffix = absl::StrCat("-", sts, "-", ordinal);
    for (const std::string& c : claims) {
      n += c.size() > suffix.size() && c.compare(c.size() - suffix.size(), suffix.size(), suffix) == 0;
    }
    return n;
  }

  bool Converged(const std::string& ddc) {
    const Json d = Ddc(ddc);
    return At(d, "/status/clusterHealth/health") == "green" &&
           At(d, "/status/observedGeneration") == At(d, "/metadata/generation");
  }
};

// FE 3 -> 1 with electionNumber 1: fe-1 and fe-2 are observers. While the
// FE refuses the drop, the StatefulSet stays at 3 with both pods and the
// operator tries again; once it accepts, both are dropped, then the
// StatefulSet shrinks and their claims go with the pods. Back to 3: the new
// observers join on new claims (on the old ones they could not: the fake FE
// refuses an FE started on a dropped FE's meta). Asking for fewer FE than
// electionNumber is refused with the field path.
TEST_F(DdcMembershipE2eTest, FeObserversLeaveTheFeBeforeTheirPodsAndTheirClaimsGoWithThem) {
  const std::string ddc = "ddc-fe";
  const std::string fe = ddc + "-fe";
  Apply(Cluster(ddc, 3, 1));
  ASSERT_TRUE(Eventually([&] { return Converged(ddc); }, 300)) << Ddc(ddc).dump() << operator_->Output();
  ASSERT_EQ(Frontends(ddc), (std::map<std::string, std::string>{
                                {fe + "-0", "FOLLOWER"}, {fe + "-1", "OBSERVER"}, {fe + "-2", "OBSERVER"}}));
  const std::set<std::string> claims_before = Claims(fe);
  ASSERT_EQ(ClaimsOfOrdinal(claims_before, fe, 2), 2) << "meta and log claims";
  const std::set<std::string> cg_claims = Claims(ddc + "-cg1");
  ASSERT_EQ(cg_claims.size(), 1u);

  // Refused: nothing shrinks, and the drop is tried again.
  ASSERT_FALSE(DdcFe(ddc, "POST", "/api/_sim/config", R"({"refuse":{"DROP/fe":true}})").is_null());
  auto r = Kubectl({"patch", "ddc", ddc, "--type=merge", "-p", R"({"spec":{"feSpec":{"replicas":1}}})"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    int refused = 0;
    for (const Write& w : OperatorWrites(ddc)) refused += w.op == "DROP/fe" && w.code != 0;
    return refused >= 2 && At(Ddc(ddc), "/status/feStatus/phase") == "Scaling";
  })) << Ddc(ddc).dump() << operator_->Output();
  EXPECT_EQ(StsReplicas(fe), 3);
  EXPECT_TRUE(Get(kube::ObjectPath("v1", "default", "pods", fe + "-2")).is_object());
  EXPECT_TRUE(Get(kube::ObjectPath("v1", "default", "pods", fe + "-1")).is_object());
  EXPECT_EQ(Frontends(ddc).size(), 3u);
  auto events = Kubectl({"get", "events", "--field-selector", "reason=DropFrontendFailed", "-o", "name"});
  EXPECT_NE(events.output.find("event"), std::string::npos) << events.output;

  // Accepted: dropped, then shrunk, the claims of 1 and 2 gone with their pods.
  ASSERT_FALSE(DdcFe(ddc, "POST", "/api/_sim/config", R"({"refuse":{"DROP/fe":false}})").is_null());
  ASSERT_TRUE(Eventually([&] {
    const std::set<std::string> claims = Claims(fe);
    return StsReplicas(fe) == 1 && Converged(ddc) && ClaimsOfOrdinal(claims, fe, 1) == 0 &&
           ClaimsOfOrdinal(claims, fe, 2) == 0;
  }, 180)) << Ddc(ddc).dump() << operator_->Output();
  EXPECT_EQ(Frontends(ddc), (std::map<std::string, std::string>{{fe + "-0", "FOLLOWER"}}));
  std::map<std::string, int64_t> dropped_at;  // pod -> resourceVersion of the accepted drop
  for (const Write& w : OperatorWrites(ddc)) {
    if (w.op == "DROP/fe" && w.code == 0) dropped_at[w.host_port.substr(0, w.host_port.find('.'))] = w.rv;
  }
  ASSERT_EQ(dropped_at.size(), 2u);
  EXPECT_TRUE(dropped_at.count(fe + "-1") && dropped_at.count(fe + "-2"));
  // Each drop happened before the StatefulSet was first written below 3.
  int64_t shrunk_at = 0;
  for (const log::v1::LogRecord& rec : WatchRecords(ddc, "StatefulSet")) {
    if (rec.watch().object().name() != fe) continue;
    const Json o = Json::parse(rec.watch().object_json(), nullptr, false);
    int64_t rv = 0;
    if (shrunk_at == 0 && At(o, "/spec/replicas") == 1 && absl::SimpleAtoi(rec.watch().resource_version(), &rv)) {
      shrunk_at = rv;
    }
  }
  ASSERT_NE(shrunk_at, 0);
  for (const auto& [pod, rv] : dropped_at) EXPECT_LT(rv, shrunk_at) << pod;
  EXPECT_EQ(ClaimsOfOrdinal(Claims(fe), fe, 0), 2);
  EXPECT_EQ(Claims(ddc + "-cg1"), cg_claims);

  // Below electionNumber: refused by the API server, naming the field.
  r = Kubectl({"patch", "ddc", ddc, "--type=merge", "-p", R"({"spec":{"feSpec":{"replicas":0}}})"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("spec.feSpec"), std::string::npos) << r.output;

  // Out again: new observers on new claims.
  r = Kubectl({"patch", "ddc", ddc, "--type=merge", "-p", R"({"spec":{"feSpec":{"replicas":3}}})"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] { return Frontends(ddc).size() == 3 && Converged(ddc); }, 180))
      << Ddc(ddc).dump() << operator_->Output();
  EXPECT_EQ(Frontends(ddc)[fe + "-2"], "OBSERVER");
  for (const std::string& c : claims_before) {
    if (ClaimsOfOrdinal({c}, fe, 0) == 1) continue;
    const Json claim = Get(kube::ObjectPath("v1", "default", "persistentvolumeclaims", c));
    ASSERT_TRUE(claim.is_object()) << c;
  }
}

// A compute group scaled in, scaled back out, then removed: its backends
// leave Doris first, its claims stay (as a DorisCluster's BE claims do) and
// a pod back on its kept claim rejoins the group.
TEST_F(DdcMembershipE2eTest, ComputeGroupClaimsStayThroughScaleInScaleOutAndRemoval) {
  const std::string ddc = "ddc-cg";
  const std::string cg = ddc + "-cg1";
  Apply(Cluster(ddc, 2, 2));
  ASSERT_TRUE(Eventually([&] { return Converged(ddc); }, 300)) << Ddc(ddc).dump() << operator_->Output();
  const std::set<std::string> claims = Claims(cg);
  ASSERT_EQ(claims.size(), 2u);
  std::map<std::string, std::string> uids;
  for (const std::string& c : claims) {
    uids[c] = At(Get(kube::ObjectPath("v1", "default", "persistentvolumeclaims", c)), "/metadata/uid");
  }
  auto r = Kubectl({"patch", "ddc", ddc, "--type=json", "-p",
                    R"([{"op":"replace","path":"/spec/computeGroups/0/replicas","value":1}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas(cg) == 1 && Converged(ddc) &&
           !Get(kube::ObjectPath("v1", "default", "pods", cg + "-1")).is_object();
  }, 180)) << Ddc(ddc).dump() << operator_->Output();
  EXPECT_EQ(Claims(cg), claims);
  // Scaled back out: the pod comes back on its kept claim and its backend
  // joins the group again, alive (the BE entrypoint adds a backend the FE
  // does not list, whatever its disk holds).
  r = Kubectl({"patch", "ddc", ddc, "--type=json", "-p",
               R"([{"op":"replace","path":"/spec/computeGroups/0/replicas","value":2}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    if (StsReplicas(cg) != 2 || !Converged(ddc)) return false;
    int alive = 0;
    const Json nodes = Nodes(ddc);  // named: items() of a temporary dangles
    for (const auto& [hp, n] : nodes.items()) {
      if (n.value("pod", "").rfind(cg + "-", 0) == 0 && n.value("alive", false)) ++alive;
    }
    return alive == 2;
  }, 180)) << Nodes(ddc).dump() << Ddc(ddc).dump() << operator_->Output();
  for (const auto& [c, uid] : uids) {
    EXPECT_EQ(At(Get(kube::ObjectPath("v1", "default", "persistentvolumeclaims", c)), "/metadata/uid"), uid) << c;
  }
  r = Kubectl({"patch", "ddc", ddc, "--type=json", "-p", R"([{"op":"remove","path":"/spec/computeGroups/0"}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] {
    return !Get(kube::ObjectPath("apps/v1", "default", "statefulsets", cg)).is_object() &&
           !Get(kube::ObjectPath("v1", "default", "pods", cg + "-0")).is_object();
  }, 180)) << Ddc(ddc).dump() << operator_->Output();
  for (const auto& [c, uid] : uids) {
    EXPECT_EQ(At(Get(kube::ObjectPath("v1", "default", "persistentvolumeclaims", c)), "/metadata/uid"), uid) << c;
  }
}

constexpr char kPassword[] = "Ddc-adminuser-pw-4Qx";

// spec.adminUser without authSecret: the operator keeps `<ddc>-admin-user`
// (the pods' PASSWD) and logs in to the FE as that user, which the fake FE
// requires (its account is the FE pods'): it reads the backends (the group's
// id in status) and drops an observer. The password is in no record, log,
// Event, status or metric of the operator.
TEST_F(DdcMembershipE2eTest, AdminUserIsTheOperatorsFeLoginAndIsNeverRecorded) {
  const std::string ddc = "ddc-admin";
  const std::string user = absl::StrCat("ops:", kPassword);
  Apply(Cluster(ddc, 2, 1, absl::StrCat("  adminUser:\n    name: ops\n    password: ", kPassword, "\n")));
  ASSERT_TRUE(Eventually([&] {
    const Json d = Ddc(ddc);
    const Json id = At(d, "/status/computeGroupStatuses/0/computeGroupId");
    return Converged(ddc) && id.is_string() && !id.get<std::string>().empty();
  }, 300)) << Ddc(ddc).dump() << operator_->Output();
  const Json secret = Get(kube::ObjectPath("v1", "default", "secrets", ddc + "-admin-user"));
  ASSERT_TRUE(secret.is_object());
  EXPECT_EQ(secret.value("type", ""), "kubernetes.io/basic-auth");
  std::string password, name;
  absl::Base64Unescape(At(secret, "/data/password").get<std::string>(), &password);
  absl::Base64Unescape(At(secret, "/data/username").get<std::string>(), &name);
  EXPECT_EQ(password, kPassword);
  EXPECT_EQ(name, "ops");
  EXPECT_EQ(At(secret, "/metadata/ownerReferences/0/uid"), At(Ddc(ddc), "/metadata/uid"));
  // The FE wants that account: root without a password is refused.
  EXPECT_EQ(Frontends(ddc, user).size(), 2u);
  EXPECT_TRUE(Frontends(ddc, "root:").empty());

  auto r = Kubectl({"patch", "ddc", ddc, "--type=merge", "-p", R"({"spec":{"feSpec":{"replicas":1}}})"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(Eventually([&] { return StsReplicas(ddc + "-fe") == 1 && Converged(ddc); }, 180))
      << Ddc(ddc).dump() << operator_->Output();
  int dropped = 0;
  for (const Write& w : OperatorWrites(ddc, user)) dropped += w.op == "DROP/fe" && w.code == 0;
  EXPECT_EQ(dropped, 1);

  // Nowhere the operator records, nor in the ddc's status.
  std::vector<std::string> found = SecretFoundIn(kPassword, ddc, {kDdcKind, "StatefulSet", "Pod", "Secret"});
  if (Ddc(ddc)["status"].dump().find(kPassword) != std::string::npos) found.push_back("status");
  EXPECT_EQ(found, std::vector<std::string>{});
}

}  // namespace
}  // namespace doris_operator
