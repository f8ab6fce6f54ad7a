// A DorisDisaggregatedCluster (ddc) in the operator's log, end to end: the
// operator binary against kubesim, both as processes. A ddc and a
// DorisCluster of one name have separate histories, reconciles and metrics
// series; the FDB ConfigMap a ddc names (in another namespace) is logged
// under it, so Replay of its reconciles gives the recorded decision; Drift
// and dorisctl name it (ddc/NAME). And a ddc CRD installed after the
// operator started is watched, and its clusters reconciled, without a
// restart.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

constexpr char kDdcKind[] = "DorisDisaggregatedCluster";
constexpr char kCrd[] = "crds/disaggregated.cluster.doris.com_dorisdisaggregatedclusters.yaml";

class DdcLogE2eTest : public OperatorE2eTest {
 public:
  bool DirectDoris() const override { return true; }
  std::vector<std::string> ExtraOperatorArgs() const override {
    return {"--disaggregated-discovery-interval", "1s"};
  }

 protected:
  void SetUp() override {
    dir_ = testing::TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    StartSimulatorWithCrd(dir_, &sim_, &client_, {"--cluster-network-port", "0"});
  }

  void ApplyDdcCrd() {
    auto crd = Kubectl({"apply", "-f", testing::Runfile(kCrd)});
    ASSERT_EQ(crd.exit_code, 0) << crd.output;
    ASSERT_TRUE(Eventually([&] {
      const Json list = Get("/apis/disaggregated.cluster.doris.com/v1");
      return list.is_object() && list["resources"].is_array() && !list["resources"].empty();
    }));
  }

  // deploy/samples/disaggregated/ddc-sample.yaml named `name`, its FDB
  // ConfigMap in namespace fdb (created here, with a cluster file).
  void ApplyDdcSample(const std::string& name) {
    auto ns = Kubectl({"create", "namespace", "fdb"});
    ASSERT_EQ(ns.exit_code, 0) << ns.output;
    Apply(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fdb-cluster-config\n  namespace: fdb\n"
        "data:\n  cluster-file: \"docker:docker@10.9.8.7:4500\"\n");
    auto sample = testing::Run({"cat", testing::Runfile("deploy/samples/disaggregated/ddc-sample.yaml")});
    ASSERT_EQ(sample.exit_code, 0);
    const std::string yaml = absl::StrReplaceAll(
        sample.output, {{"name: ddc-sample\n", absl::StrCat("name: ", name, "\n")},
                        {"        namespace: default\n", "        namespace: fdb\n"}});
    ASSERT_NE(yaml, sample.output);
    Apply(yaml);
  }

  std::vector<log::v1::LogRecord> History(const std::string& name, const std::string& kind) {
    std::vector<log::v1::LogRecord> out;
    admin::v1::HistoryRequest req;
    *req.mutable_cluster() = ClusterRef(name, "default", kind);
    req.set_order(admin::v1::OLDEST_FIRST);
    req.set_page_size(1000);
    req.set_omit_objects(true);
    EachPage<admin::v1::HistoryRequest, admin::v1::HistoryResponse>(
        req, &admin::v1::Admin::Stub::History, [&](const admin::v1::HistoryResponse& resp) {
          out.insert(out.end(), resp.records().begin(), resp.records().end());
          return true;
        });
    return out;
  }

  static bool Holds(const std::vector<log::v1::LogRecord>& records, const std::string& kind,
                    const std::string& name = "") {
    for (const auto& r : records) {
      if (r.has_watch() && r.watch().object().kind() == kind && (name.empty() || r.watch().object().name() == name)) {
        return true;
      }
    }
    return false;
  }
};

TEST_F(DdcLogE2eTest, ADdcAndADorisClusterOfOneNameHaveTheirOwnHistoryReplayDriftAndSeries) {
  ApplyDdcCrd();
  if (HasFatalFailure()) return;
  StartOperator();
  if (HasFatalFailure()) return;
  // A DorisCluster "twin", paused (so that it writes nothing that would
  // collide with the ddc's objects), and a ddc "twin".
  Apply(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata:
  name: twin
  annotations:
    doris-operator.io/paused: "true"
spec:
  feSpec:
    replicas: 1
    image: apache/doris:fe-2.1.7
)");
  ApplyDdcSample("twin");
  if (HasFatalFailure()) return;
  ASSERT_TRUE(Eventually([&] { return StsReplicas("twin-ms") == 2; })) << operator_->Output();
  ASSERT_TRUE(Eventually([&] {
    return !ListReconciles("twin", kDdcKind).empty() && !ListReconciles("twin").empty();
  })) << operator_->Output();

  // Separate histories: each holds its own resource and what it owns only.
  const std::vector<log::v1::LogRecord> ddc = History("twin", kDdcKind);
  const std::vector<log::v1::LogRecord> dc = History("twin", "");
  EXPECT_TRUE(Holds(ddc, kDdcKind, "twin"));
  EXPECT_TRUE(Holds(ddc, "StatefulSet", "twin-ms"));
  EXPECT_FALSE(Holds(ddc, "DorisCluster"));
  EXPECT_TRUE(Holds(dc, "DorisCluster", "twin"));
  EXPECT_FALSE(Holds(dc, kDdcKind));
  EXPECT_FALSE(Holds(dc, "StatefulSet", "twin-ms"));
  for (const auto& r : ddc) EXPECT_EQ(r.cluster().kind(), kDdcKind) << r.seq();
  for (const auto& r : dc) EXPECT_EQ(r.cluster().kind(), "") << r.seq();
  // The FDB ConfigMap (namespace fdb) the ddc reads is in its history.
  bool fdb_logged = false;
  for (const auto& r : ddc) {
    fdb_logged |= r.has_watch() && r.watch().object().kind() == "ConfigMap" &&
                  r.watch().object().namespace_() == "fdb" && r.watch().object().name() == "fdb-cluster-config";
  }
  EXPECT_TRUE(fdb_logged);

  // Replay with what-if: every reconcile whose input replays as it saw it
  // gives the desired set it recorded (the FDB cluster file included).
  int replayed = 0;
  for (const admin::v1::ReconcileSummary& s : ListReconciles("twin", kDdcKind)) {
    admin::v1::ReplayRequest req;
    *req.mutable_cluster() = ClusterRef("twin", "default", kDdcKind);
    req.set_at_seq(s.seq());
    req.set_what_if(true);
    admin::v1::ReplayResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(AdminStub()->Replay(&ctx, req, &resp).ok()) << s.seq();
    EXPECT_EQ(resp.what_if().reconcile_seq(), s.seq());
    EXPECT_EQ(resp.what_if().translator_error(), "") << s.seq();
    if (!resp.what_if().input_state_hash_matches()) continue;
    ++replayed;
    EXPECT_EQ(resp.what_if().current_desired_set_hash(), resp.what_if().recorded_desired_set_hash()) << s.seq();
  }
  EXPECT_GT(replayed, 0);

  // Drift of the ddc: the meta service's StatefulSet as applied.
  ASSERT_TRUE(Eventually([&] {
    admin::v1::DriftRequest req;
    *req.mutable_cluster() = ClusterRef("twin", "default", kDdcKind);
    admin::v1::DriftResponse resp;
    grpc::ClientContext ctx;
    if (!AdminStub()->Drift(&ctx, req, &resp).ok()) return false;
    for (const auto& d : resp.drift()) {
      if (d.name() == "twin-ms" && d.classification() != admin::v1::FieldDrift::SERVER_DEFAULTED) return false;
    }
    return true;
  })) << operator_->Output();

  // Its series carry its kind.
  ASSERT_TRUE(Eventually([&] {
    return MetricWith("doris_operator_component_desired_replicas",
                      R"(kind="DorisDisaggregatedCluster",namespace="default")") > 0;
  }));
  EXPECT_EQ(MetricWith("doris_operator_component_desired_replicas", "component=\"ms\""), 2);

  // What a user types: dorisctl names the ddc with ddc/NAME.
  const std::string admin = absl::StrCat("127.0.0.1:", admin_port_);
  auto history = testing::Run({testing::Runfile("tools/dorisctl/dorisctl"), "history", "ddc/twin", "--admin", admin,
                               "--limit", "1000"});
  ASSERT_EQ(history.exit_code, 0) << history.output;
  EXPECT_NE(history.output.find("DorisDisaggregatedCluster:default/twin"), std::string::npos) << history.output;
  EXPECT_EQ(history.output.find(" default/twin "), std::string::npos) << history.output;
  auto plain = testing::Run({testing::Runfile("tools/dorisctl/dorisctl"), "history", "twin", "--admin", admin});
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(plain.output.find("DorisDisaggregatedCluster:"), std::string::npos) << plain.output;
}

TEST_F(DdcLogE2eTest, ACrdInstalledAfterStartIsWatchedWithoutARestart) {
  StartOperator();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(Eventually([&] { return Probe("/readyz") == 200; })) << operator_->Output();
  ApplyDdcCrd();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(operator_->WaitForOutput("DorisDisaggregatedCluster is served now", 60000)) << operator_->Output();
  ApplyDdcSample("late");
  if (HasFatalFailure()) return;
  // Reconciled: the meta service comes first (Doris's order), by a
  // reconcile of the ddc in the log.
  ASSERT_TRUE(Eventually([&] { return StsReplicas("late-ms") == 2; })) << operator_->Output();
  ASSERT_TRUE(Eventually([&] { return !ListReconciles("late", kDdcKind).empty(); }));
  ASSERT_TRUE(Eventually([&] {
    const Json d = Get(kube::ObjectPath("disaggregated.cluster.doris.com/v1", "default",
                                        "dorisdisaggregatedclusters", "late"));
    return At(d, "/status/metaServiceStatus/phase").is_string();
  })) << operator_->Output();
}

}  // namespace
}  // namespace doris_operator
