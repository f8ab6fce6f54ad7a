// The deprecated spec.adminUser end to end: its password reaches the pods as
// the Doris images read it (env PASSWD, from the operator's Secret), the
// operator reaches Doris with it, and the password is nowhere the operator
// records or says anything: event log (export bundle, admin API, the files
// on disk), its stderr, /metrics, Events.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {


constexpr char kPassword[] = "Kq7-adminuser-pw-9xZ";
constexpr char kNewPassword[] = "Rt4-rotated-pw-2mW";

std::string AdminUser(const std::string& password) {
  return absl::StrCat("  adminUser:\n    name: ops\n    password: ", password, "\n");
}

// The operator as deployed (--doris-access=direct): the API server's proxy
// cannot carry Doris credentials.
class CredentialsE2eTest : public OperatorE2eTest {
 public:
  bool DirectDoris() const override { return true; }

 protected:
  Json Secret() { return Get(kube::ObjectPath("v1", "default", "secrets", "legacy-admin-user")); }
  std::string SecretPassword() {
    const Json s = Secret();
    std::string out;
    if (!s.is_object() || !s["data"].is_object() || !s["data"].contains("password")) return "";
    absl::Base64Unescape(s["data"]["password"].get<std::string>(), &out);
    return out;
  }
  // Every place the password must not be, with what was found there.
  std::vector<std::string> WherePasswordIs(const std::string& password) {
    std::vector<std::string> found;
    const std::string b64 = absl::Base64Escape(password);
    auto check = [&](const std::string& where, const std::string& text) {
      if (text.find(password) != std::string::npos || text.find(b64) != std::string::npos) {
        found.push_back(where);
      }
    };
    // The event log as an engineer takes it away: a bundle of the cluster.
    const std::string bundle = absl::StrCat(dir_, "/legacy-", password.size(), ".bundle");
    auto exported = testing::Run({testing::Runfile("tools/dorisctl/dorisctl"), "export", "legacy", "-f", bundle,
                                  "--admin", absl::StrCat("127.0.0.1:", admin_port_)});
    EXPECT_EQ(exported.exit_code, 0) << exported.output;
    std::ifstream in(bundle, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    EXPECT_GT(bytes.str().size(), 1000u) << "the bundle holds the cluster's history";
    check("the export bundle", bytes.str());
    for (const std::string& where : SecretFoundIn(password, "legacy", {"DorisCluster", "StatefulSet", "Pod", "Secret"})) {
      found.push_back(where);
    }
    return found;
  }
};

TEST_F(CredentialsE2eTest, AdminUserPasswordReachesPodsAndDorisAndNothingTheOperatorRecords) {
  fe_user_ = absl::StrCat("ops:", kPassword);
  Apply(Cluster("legacy", 1, 3, {.spec_extra = AdminUser(kPassword)}));
  ASSERT_TRUE(Eventually([&] { return Available("legacy") && BackendCount("legacy") == 3; }))
      << operator_->Output();

  // The operator's Secret holds adminUser as an authSecret would, owned by
  // the cluster; every pod reads PASSWD from it, as the images expect.
  const Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "legacy"));
  const Json secret = Secret();
  EXPECT_EQ(secret.value("type", ""), "kubernetes.io/basic-auth");
  EXPECT_EQ(SecretPassword(), kPassword);
  EXPECT_EQ(At(secret, "/metadata/ownerReferences/0/uid"), At(dcr, "/metadata/uid"));
  for (const char* component : {"fe", "be"}) {
    Json pods = Get(absl::StrCat("/api/v1/namespaces/default/pods?labelSelector=app.doris.ownerreference/name%3Dlegacy-",
                                 component));
    ASSERT_FALSE(pods["items"].empty()) << component;
    for (const Json& pod : pods["items"]) {
      std::map<std::string, Json> env;
      for (const Json& e : pod["spec"]["containers"][0]["env"]) env[e["name"].get<std::string>()] = e;
      EXPECT_EQ(env["USER"].value("value", ""), "ops");
      EXPECT_EQ(At(env["PASSWD"], "/valueFrom/secretKeyRef"),
                (Json{{"key", "password"}, {"name", "legacy-admin-user"}}))
          << pod.dump();
      EXPECT_EQ(pod.dump().find(kPassword), std::string::npos);
    }
  }
  const int64_t fe_generation = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "legacy-fe"))["metadata"]
                                    .value("generation", int64_t{-1});

  // A new password: the Secret follows; the pods do not roll (the images
  // read it only when they start, and a pod that restarts reads the new one).
  Apply(Cluster("legacy", 1, 3, {.spec_extra = AdminUser(kNewPassword)}));
  const int64_t generation = dcr["metadata"].value("generation", int64_t{0}) + 1;
  ASSERT_TRUE(ReconcileThatSaw("legacy", "doris.selectdb.com/v1", "DorisCluster", "legacy", [&](const Json& o) {
    return At(o, "/metadata/generation") == generation;
  }).has_value());
  EXPECT_EQ(SecretPassword(), kNewPassword);
  EXPECT_EQ(Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "legacy-fe"))["metadata"].value(
                "generation", int64_t{-1}),
            fe_generation);

  // The operator's own FE calls use it: a scale-in decommissions through the FE.
  fe_user_ = absl::StrCat("ops:", kNewPassword);
  Apply(Cluster("legacy", 1, 2, {.spec_extra = AdminUser(kNewPassword)}));
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("legacy-be") == 2 && BackendCount("legacy") == 2 && Available("legacy");
  })) << operator_->Output();

  // Settled, a reconcile that changes nothing writes nothing: the Secret is
  // compared with the live one, not re-applied.
  // Settled means the newest reconcile changed nothing (the one that wrote
  // the available status is APPLIED, and a look after it may still be due).
  ASSERT_TRUE(Eventually([&] {
    if (Metric("doris_operator_queue_depth") != 0) return false;
    const auto newest = ListReconciles("legacy");
    return !newest.empty() && newest.front().outcome() == log::v1::ReconcileRecord::NO_CHANGE &&
           newest.front().actions() == 0;
  })) << operator_->Output();
  ASSERT_EQ(Kubectl({"annotate", "dcr", "legacy", "note=unrelated"}).exit_code, 0);
  auto quiet = ReconcileThatSaw("legacy", "doris.selectdb.com/v1", "DorisCluster", "legacy", [](const Json& o) {
    return At(o, "/metadata/annotations/note") == "unrelated";
  });
  ASSERT_TRUE(quiet.has_value());
  // Nothing it writes is for the annotation, and the Secret is not written.
  // The reconcile may also carry a later change of the cluster (its trigger
  // range can hold a pod's last status after the scale-in), whose writes
  // name that record as their cause.
  const uint64_t annotated = LoggedVersion("doris.selectdb.com/v1", "DorisCluster", "default", "legacy",
                                           [](const Json& o) { return At(o, "/metadata/annotations/note") == "unrelated"; });
  admin::v1::GetReconcileRequest req;
  req.set_seq(quiet->seq());
  admin::v1::GetReconcileResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(AdminStub()->GetReconcile(&ctx, req, &resp).ok());
  for (const auto& a : resp.record().reconcile().actions()) {
    EXPECT_NE(a.object().kind(), "Secret") << resp.record().DebugString();
    EXPECT_NE(a.caused_by_seq(), annotated) << resp.record().DebugString();
  }

  for (const char* password : {kPassword, kNewPassword}) {
    EXPECT_EQ(WherePasswordIs(password), std::vector<std::string>{}) << password;
  }

  // adminUser taken out of the spec: the operator's Secret goes with it.
  fe_user_ = "root:";
  Apply(Cluster("legacy", 1, 2));
  EXPECT_TRUE(Eventually([&] { return Secret().is_null(); })) << Secret().dump() << operator_->Output();
}

// A Secret of the name the operator would use, made by someone else, is not
// taken over: status says so, and the Secret stays as it was.
TEST_F(CredentialsE2eTest, AnotherSecretOfThatNameIsNotTakenOver) {
  Apply(R"(apiVersion: v1
kind: Secret
metadata:
  name: legacy-admin-user
  namespace: default
type: Opaque
stringData:
  password: someone-elses
)");
  Apply(Cluster("legacy", 1, 1, {.spec_extra = AdminUser(kPassword)}));
  Json synced = Json::object();
  ASSERT_TRUE(Eventually([&] {
    const Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", "legacy"));
    for (const Json& c : At(dcr, "/status/conditions").is_array() ? At(dcr, "/status/conditions") : Json::array()) {
      if (c.value("type", "") == "Synced") synced = c;
    }
    return synced.value("status", "") == "False";
  })) << synced.dump() << operator_->Output();
  EXPECT_NE(synced.value("message", "").find("is not controlled by DorisCluster legacy"), std::string::npos)
      << synced.dump();
  EXPECT_EQ(SecretPassword(), "someone-elses");
  EXPECT_EQ(Secret().value("type", ""), "Opaque");
  EXPECT_EQ(WherePasswordIs(kPassword), std::vector<std::string>{});
}

}  // namespace
}  // namespace doris_operator
