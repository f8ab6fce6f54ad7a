// A rollout stuck on a pod that never becomes ready, with the operator
// process against kubesim: the operator looks again every 2 s, and each look
// that sees the same state and decides the same is counted on one reconcile
// record, so the log grows by O(1) records while the count grows. The admin
// API and dorisctl show the count and time range; a replay at a time inside
// the run gives back its decision exactly, from the log and from a bundle.

#include <grpcpp/grpcpp.h>

#include "google/protobuf/util/time_util.h"
#include "proto/admin.grpc.pb.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

using google::protobuf::util::TimeUtil;

class CoalesceE2eTest : public OperatorE2eTest {
 protected:
  // The newest reconcile of the cluster (ListReconciles is newest first).
  std::optional<admin::v1::ReconcileSummary> Newest(const std::string& cluster) {
    auto all = ListReconciles(cluster);
    if (all.empty()) return std::nullopt;
    return all.front();
  }
  // How many records of the cluster the log holds.
  size_t ClusterRecords(const std::string& cluster, uint64_t* log_last_seq) {
    admin::v1::HistoryRequest req;
    *req.mutable_cluster() = ClusterRef(cluster);
    req.set_page_size(1000);
    req.set_omit_objects(true);
    size_t n = 0;
    EXPECT_TRUE((EachPage<admin::v1::HistoryRequest, admin::v1::HistoryResponse>(
        req, &admin::v1::Admin::Stub::History, [&](const admin::v1::HistoryResponse& resp) {
          n += resp.records_size();
          *log_last_seq = std::max(*log_last_seq, resp.log_last_seq());
          return true;
        })));
    return n;
  }
};

TEST_F(CoalesceE2eTest, AStuckRolloutIsOneRecordWithACount) {
  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  Apply(Cluster("demo", 1, 2, {.be_version = "2.1.8-never-ready"}));
  // The rollout holds at demo-be-1, which runs and never becomes ready;
  // the operator requeues every 2 s. Wait until that wait is a run.
  std::optional<admin::v1::ReconcileSummary> run;
  ASSERT_TRUE(Eventually([&] {
    run = Newest("demo");
    return run && run->outcome() == log::v1::ReconcileRecord::REQUEUED && run->count() >= 5;
  }, 300)) << operator_->Output();
  EXPECT_EQ(Phase("demo", "be"), "upgrading");

  // Ten more looks at the same state: the run's count goes up, the log
  // barely grows (nothing of the cluster changes, nothing is appended).
  uint64_t last_before = 0, last_after = 0;
  const size_t records_before = ClusterRecords("demo", &last_before);
  const uint64_t count_before = run->count();
  std::optional<admin::v1::ReconcileSummary> later;
  ASSERT_TRUE(Eventually([&] {
    later = Newest("demo");
    return later && later->count() >= count_before + 10;
  }, 300)) << operator_->Output();
  const size_t records_after = ClusterRecords("demo", &last_after);
  EXPECT_EQ(later->seq(), run->seq()) << "the run moved to a new record";
  EXPECT_LE(records_after, records_before + 1)
      << later->count() - count_before << " reconciles added "
      << records_after - records_before << " records of the cluster";
  // Whatever else the log took meanwhile (watch bookmarks), fewer records
  // than looks: without coalescing each look alone would be one.
  EXPECT_LT(last_after - last_before, later->count() - count_before)
      << "the log grew with time, not information";
  EXPECT_GT(TimeUtil::TimestampToMicroseconds(later->last_observed_at()),
            TimeUtil::TimestampToMicroseconds(later->observed_at()));

  // dorisctl shows the count and the time range.
  const std::string dorisctl = testing::Runfile("tools/dorisctl/dorisctl");
  const std::string admin = absl::StrCat("127.0.0.1:", admin_port_);
  auto listed = testing::Run({dorisctl, "reconciles", "demo", "--admin", admin, "-o", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  Json lj = Json::parse(listed.output, nullptr, false);
  ASSERT_TRUE(lj.is_object()) << listed.output;
  const Json& top = lj["reconciles"][0];
  EXPECT_EQ(top.value("seq", ""), absl::StrCat(run->seq())) << listed.output;
  uint64_t shown = 0;
  ASSERT_TRUE(absl::SimpleAtoi(top.value("count", "0"), &shown)) << listed.output;
  EXPECT_GE(shown, count_before + 10);
  EXPECT_TRUE(top.contains("lastObservedAt")) << listed.output;
  auto table = testing::Run({dorisctl, "reconciles", "demo", "--admin", admin});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("COUNT"), std::string::npos) << table.output;
  auto show = testing::Run({dorisctl, "show", absl::StrCat(run->seq()), "--admin", admin});
  ASSERT_EQ(show.exit_code, 0) << show.output;
  EXPECT_NE(show.output.find("reconciles with this input and decision"), std::string::npos)
      << show.output;

  // A replay at a time inside the run finds the run's decision and gives
  // back exactly what it decided.
  const int64_t first_us = TimeUtil::TimestampToMicroseconds(later->observed_at());
  const int64_t last_us = TimeUtil::TimestampToMicroseconds(later->last_observed_at());
  admin::v1::ReplayRequest rr;
  *rr.mutable_cluster() = ClusterRef("demo");
  *rr.mutable_at_time() = TimeUtil::MicrosecondsToTimestamp(first_us + (last_us - first_us) / 2);
  rr.set_what_if(true);
  admin::v1::ReplayResponse replay;
  {
    grpc::ClientContext ctx;
    grpc::Status s = AdminStub()->Replay(&ctx, rr, &replay);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(replay.what_if().reconcile_seq(), run->seq());
  EXPECT_GE(replay.what_if().reconcile_count(), count_before);
  EXPECT_TRUE(replay.what_if().input_state_hash_matches());
  EXPECT_EQ(replay.what_if().current_desired_set_hash(), later->desired_set_hash());
  EXPECT_EQ(replay.input_state_hash(), later->input_state_hash());

  // A time range that starts inside the run still shows it.
  admin::v1::ListReconcilesRequest ranged;
  *ranged.mutable_cluster() = ClusterRef("demo");
  *ranged.mutable_range()->mutable_from_time() = rr.at_time();
  admin::v1::ListReconcilesResponse in_range;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(AdminStub()->ListReconciles(&ctx, ranged, &in_range).ok());
  }
  ASSERT_GT(in_range.reconciles_size(), 0);
  EXPECT_EQ(in_range.reconciles(in_range.reconciles_size() - 1).seq(), run->seq());

  // Exported and replayed offline: the bundle carries the count, and the
  // replay of the run's decision is the same.
  const std::string bundle = dir_ + "/demo.bundle";
  auto exported = testing::Run({dorisctl, "export", "demo", "-f", bundle, "--admin", admin});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  auto offline = testing::Run({dorisctl, "replay", "--bundle", bundle, "--at-seq",
                               absl::StrCat(run->seq()), "--what-if", "-o", "json"});
  ASSERT_EQ(offline.exit_code, 0) << offline.output;
  Json oj = Json::parse(offline.output, nullptr, false);
  ASSERT_TRUE(oj.is_object()) << offline.output;
  EXPECT_EQ(oj["whatIf"].value("currentDesiredSetHash", ""), later->desired_set_hash());
  EXPECT_EQ(oj["whatIf"].value("recordedDesiredSetHash", ""), later->desired_set_hash());
  EXPECT_TRUE(oj["whatIf"].value("inputStateHashMatches", false)) << offline.output;
  uint64_t offline_count = 0;
  ASSERT_TRUE(absl::SimpleAtoi(oj["whatIf"].value("reconcileCount", "0"), &offline_count));
  EXPECT_GE(offline_count, count_before + 10);

  // A change of the cluster ends the run: the next reconcile is a record of
  // its own.
  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(Eventually([&] {
    auto n = Newest("demo");
    return n && n->seq() > run->seq();
  })) << operator_->Output();
}

}  // namespace
}  // namespace doris_operator
