// The admin API of a running operator against kubesim: drift of a hand edit,
// the causes of every action of a scale-in, and a failed rollout exported and
// replayed offline with the same decisions.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "proto/admin.grpc.pb.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {


class AdminE2eTest : public OperatorE2eTest {
 public:
  std::vector<std::string> ExtraOperatorArgs() const override {
    return {"--leader-elect",
            "--leader-election-lease-duration", "3s",
            "--leader-election-renew-deadline", "2s",
            "--leader-election-retry-period", "400ms"};
  }

 protected:
  std::vector<admin::v1::FieldDrift> Drift(const std::string& cluster) {
    admin::v1::DriftRequest req;
    *req.mutable_cluster() = ClusterRef(cluster);
    admin::v1::DriftResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = AdminStub()->Drift(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<admin::v1::FieldDrift> out;
    for (const auto& d : resp.drift()) {
      if (d.classification() != admin::v1::FieldDrift::SERVER_DEFAULTED) out.push_back(d);
    }
    return out;
  }

  // Holds the operator's Lease under another name until `release_` is set,
  // so the operator keeps ingesting and serving but makes no change.
  void HoldLease() {
    const std::string path = "/apis/coordination.k8s.io/v1/namespaces/default/leases/doris-operator-leader";
    holder_ = std::thread([this, path] {
      while (!release_) {
        auto lease = client_->Get(path);
        if (lease.ok()) {
          Json l = *lease;
          const std::string now = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
          l["spec"]["holderIdentity"] = release_ ? "" : "test";
          l["spec"]["leaseDurationSeconds"] = 30;
          l["spec"]["renewTime"] = now;
          l["spec"]["acquireTime"] = now;
          (void)client_->Update(path, l.dump());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      // Hand it back: expired at once.
      auto lease = client_->Get(path);
      if (lease.ok()) {
        Json l = *lease;
        l["spec"]["holderIdentity"] = "";
        l["spec"]["leaseDurationSeconds"] = 1;
        (void)client_->Update(path, l.dump());
      }
    });
  }

  void TearDown() override {
    release_ = true;
    if (holder_.joinable()) holder_.join();
  }

  std::atomic<bool> release_{false};
  std::thread holder_;
};

TEST_F(AdminE2eTest, AHandEditShowsAsDriftUntilTheOperatorPutsItBack) {
  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  ASSERT_TRUE(Eventually([&] { return Drift("demo").empty(); }));

  HoldLease();
  ASSERT_TRUE(Eventually([&] { return Metric("doris_operator_leader") == 0; })) << operator_->Output();
  auto r = Kubectl({"patch", "sts", "demo-be", "--type", "json", "-p",
                    R"([{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"apache/doris:be-hacked"}])"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  admin::v1::FieldDrift found;
  ASSERT_TRUE(Eventually([&] {
    for (const auto& d : Drift("demo")) {
      if (d.kind() == "StatefulSet" && d.name() == "demo-be" &&
          d.path() == "/spec/template/spec/containers/0/image") {
        found = d;
        return true;
      }
    }
    return false;
  }));
  EXPECT_EQ(found.classification(), admin::v1::FieldDrift::CHANGED_BY_HAND);
  EXPECT_EQ(found.live(), R"("apache/doris:be-hacked")");
  EXPECT_EQ(found.desired(), R"("apache/doris:be-2.1.8")");

  // Leading again, the operator puts the field back; the drift goes.
  release_ = true;
  holder_.join();
  ASSERT_TRUE(Eventually([&] { return Metric("doris_operator_leader") == 1; })) << operator_->Output();
  ASSERT_TRUE(Eventually([&] { return Drift("demo").empty() && Available("demo"); }))
      << operator_->Output();
  Json sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "demo-be"));
  EXPECT_EQ(sts["spec"]["template"]["spec"]["containers"][0]["image"], "apache/doris:be-2.1.8");
}

TEST_F(AdminE2eTest, EveryActionOfAScaleInNamesTheRecordThatCausedIt) {
  // Doris drops a drained backend by itself unless told not to; with the
  // FE config off, the operator's own DROP is among the actions checked.
  Apply(FeConfigMap("fe-conf", {"enable_fqdn_mode = true", "drop_backend_after_decommission = false"}));
  ClusterOptions o;
  o.fe_extra = ConfigMapInfo("fe-conf");
  Apply(Cluster("demo", 1, 4, o));
  ASSERT_TRUE(Eventually([&] { return Available("demo") && BackendCount("demo") == 4; }))
      << operator_->Output();
  Apply(Cluster("demo", 1, 2, o));
  ASSERT_TRUE(Eventually([&] {
    return StsReplicas("demo-be") == 2 && BackendCount("demo") == 2 && Available("demo");
  })) << operator_->Output();

  int actions = 0;
  std::set<std::string> verbs;
  for (const admin::v1::ReconcileSummary& summary : ListReconciles("demo")) {
    if (summary.actions() == 0) continue;
    admin::v1::GetReconcileRequest req;
    req.set_seq(summary.seq());
    admin::v1::GetReconcileResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(AdminStub()->GetReconcile(&ctx, req, &resp).ok());
    std::set<uint64_t> causes;
    for (const auto& c : resp.cause_records()) {
      EXPECT_EQ(c.cluster().name(), "demo");
      causes.insert(c.seq());
    }
    for (const auto& a : resp.record().reconcile().actions()) {
      ++actions;
      verbs.insert(a.verb());
      EXPECT_GT(a.caused_by_seq(), 0u) << a.verb();
      EXPECT_LT(a.caused_by_seq(), summary.seq());
      EXPECT_TRUE(causes.count(a.caused_by_seq())) << a.verb() << " caused by " << a.caused_by_seq();
    }
  }
  EXPECT_GT(actions, 0);
  EXPECT_TRUE(verbs.count("doris:decommission_backend"));
  EXPECT_TRUE(verbs.count("doris:drop_backend"));
}

TEST_F(AdminE2eTest, AFailedRolloutReplaysOfflineWithTheSameDecisions) {
  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  // An image whose pods never become ready: the rollout must stop at the
  // first pod and leave the other one serving.
  Apply(Cluster("demo", 1, 2, {.be_version = "2.1.8-never-ready"}));
  // Once the operator has seen the new pod running but not ready, the
  // reconcile that saw it must hold the rollout there.
  auto saw = ReconcileThatSaw("demo", "v1", "Pod", "demo-be-1", [](const Json& o) {
    return At(o, "/spec/containers/0/image") == "apache/doris:be-2.1.8-never-ready" &&
           At(o, "/status/phase") == "Running";
  });
  ASSERT_TRUE(saw.has_value());
  Json sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", "demo-be"));
  EXPECT_EQ(sts["spec"]["updateStrategy"]["rollingUpdate"].value("partition", 0), 1) << saw->DebugString();
  auto be = Pods("demo", "be");
  EXPECT_EQ(be["demo-be-0"].image, "apache/doris:be-2.1.8");
  EXPECT_TRUE(be["demo-be-0"].ready);
  EXPECT_FALSE(be["demo-be-1"].ready);
  EXPECT_EQ(Phase("demo", "be"), "upgrading");

  const std::string dorisctl = testing::Runfile("tools/dorisctl/dorisctl");
  const std::string admin = absl::StrCat("127.0.0.1:", admin_port_);
  const std::string bundle = dir_ + "/demo.bundle";
  auto exported = testing::Run({dorisctl, "export", "demo", "-f", bundle, "--admin", admin});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;

  // Offline, from the bundle alone: every reconcile's desired objects come
  // out with the hash the operator recorded when it applied them.
  int replayed = 0;
  for (const admin::v1::ReconcileSummary& s : ListReconciles("demo")) {
    if (s.desired_set_hash().empty()) continue;
    auto r = testing::Run({dorisctl, "replay", "--bundle", bundle, "--at-seq", std::to_string(s.seq()),
                           "--what-if", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    Json j = Json::parse(r.output, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.output;
    const Json& w = j["whatIf"];
    ASSERT_TRUE(w.is_object()) << r.output;
    EXPECT_EQ(w.value("recordedDesiredSetHash", ""), s.desired_set_hash()) << s.seq();
    EXPECT_EQ(w.value("currentDesiredSetHash", ""), s.desired_set_hash()) << s.seq() << r.output;
    ++replayed;
  }
  EXPECT_GT(replayed, 3);
}

}  // namespace
}  // namespace doris_operator
