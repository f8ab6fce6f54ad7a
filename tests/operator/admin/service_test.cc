#include "operator/admin/service.h"

#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "operator/admin/bundle.h"
#include "operator/admin/redact.h"
#include "tests/operator/admin/fixture.h"

namespace doris_operator::admin {
namespace {

using testing::AdminFixture;
using testing::WatchRecord;

v1::HistoryRequest ClusterHistory(const std::string& name = "c1") {
  v1::HistoryRequest r;
  r.mutable_cluster()->set_namespace_("prod");
  r.mutable_cluster()->set_name(name);
  return r;
}

log::v1::ClusterRef C1() {
  log::v1::ClusterRef c;
  c.set_namespace_("prod");
  c.set_name("c1");
  return c;
}

class ServiceTest : public AdminFixture {
 protected:
  AdminService service() { return AdminService(log_.get()); }
};

TEST_F(ServiceTest, HistoryPagesNewestFirstThroughEveryRecordOfTheCluster) {
  AdminService s = service();
  auto all = log_->SeqsForCluster({"prod", "c1"}, {.limit = 1000});
  ASSERT_TRUE(all.ok());
  std::vector<uint64_t> seen;
  v1::HistoryRequest req = ClusterHistory();
  req.set_page_size(3);
  int pages = 0;
  do {
    auto page = s.History(req);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->records_size(), 3);
    for (const auto& r : page->records()) {
      seen.push_back(r.seq());
      EXPECT_EQ(r.cluster().name(), "c1");
    }
    req.set_page_token(page->next_page_token());
    ++pages;
  } while (!req.page_token().empty() && pages < 100);
  std::vector<uint64_t> expected(all->rbegin(), all->rend());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, static_cast<int>((expected.size() + 2) / 3));
}

TEST_F(ServiceTest, HistoryOldestFirstFiltersAndRanges) {
  AdminService s = service();
  v1::HistoryRequest req = ClusterHistory();
  req.set_order(v1::OLDEST_FIRST);
  req.mutable_filter()->add_object_kinds("StatefulSet");
  req.set_omit_objects(true);
  auto page = s.History(req);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->records_size(), 11);
  EXPECT_LT(page->records(0).seq(), page->records(1).seq());
  for (const auto& r : page->records()) {
    EXPECT_EQ(r.watch().object().kind(), "StatefulSet");
    EXPECT_TRUE(r.watch().object_json().empty());
  }
  EXPECT_TRUE(page->next_page_token().empty());

  v1::HistoryRequest rec = ClusterHistory();
  rec.mutable_filter()->add_record_types(v1::RECONCILE);
  auto reconciles = s.History(rec);
  ASSERT_TRUE(reconciles.ok());
  ASSERT_EQ(reconciles->records_size(), 2);
  EXPECT_EQ(reconciles->records(0).seq(), reconcile2_);

  // Time range [1005, 1009] holds the first five StatefulSet records.
  v1::HistoryRequest timed = ClusterHistory();
  timed.mutable_range()->mutable_from_time()->set_seconds(1005);
  timed.mutable_range()->mutable_to_time()->set_seconds(1009);
  auto in_time = s.History(timed);
  ASSERT_TRUE(in_time.ok()) << in_time.status();
  ASSERT_EQ(in_time->records_size(), 5);
  for (const auto& r : in_time->records()) {
    EXPECT_GE(r.observed_at().seconds(), 1005);
    EXPECT_LE(r.observed_at().seconds(), 1009);
  }

  v1::HistoryRequest seqs = ClusterHistory();
  seqs.mutable_range()->set_from_seq(created_seq_);
  seqs.mutable_range()->set_to_seq(reconcile1_);
  auto in_seqs = s.History(seqs);
  ASSERT_TRUE(in_seqs.ok());
  ASSERT_EQ(in_seqs->records_size(), 3);  // created, secret, reconcile (not c2's)
}

TEST_F(ServiceTest, HistoryOfOneObject) {
  AdminService s = service();
  v1::HistoryRequest req;
  req.mutable_object()->set_api_version("apps/v1");
  req.mutable_object()->set_kind("StatefulSet");
  req.mutable_object()->set_namespace_("prod");
  req.mutable_object()->set_name("c1-be");
  auto page = s.History(req);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->records_size(), 6);
  for (const auto& r : page->records()) EXPECT_EQ(r.watch().object().name(), "c1-be");
}

TEST_F(ServiceTest, BadRequestsGetClearErrors) {
  AdminService s = service();
  auto unknown = s.History(ClusterHistory("nope"));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(unknown.status().message(), "prod/nope")) << unknown.status();

  v1::HistoryRequest inverted = ClusterHistory();
  inverted.mutable_range()->set_from_seq(9);
  inverted.mutable_range()->set_to_seq(3);
  auto inv = s.History(inverted);
  EXPECT_EQ(inv.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(inv.status().message(), "from_seq (9) is after range.to_seq (3)"))
      << inv.status();

  v1::HistoryRequest times = ClusterHistory();
  times.mutable_range()->mutable_from_time()->set_seconds(2000);
  times.mutable_range()->mutable_to_time()->set_seconds(1000);
  EXPECT_EQ(s.History(times).status().code(), absl::StatusCode::kInvalidArgument);

  v1::HistoryRequest huge = ClusterHistory();
  huge.set_page_size(1001);
  auto h = s.History(huge);
  EXPECT_EQ(h.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(h.status().message(), "at most 1000")) << h.status();

  v1::HistoryRequest token = ClusterHistory();
  token.set_page_token("garbage");
  EXPECT_EQ(s.History(token).status().code(), absl::StatusCode::kInvalidArgument);

  v1::HistoryRequest both = ClusterHistory();
  both.mutable_object()->set_kind("Pod");
  EXPECT_EQ(s.History(both).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.History(v1::HistoryRequest()).status().code(), absl::StatusCode::kInvalidArgument);

  v1::ListReconcilesRequest list;
  EXPECT_EQ(s.ListReconciles(list).status().code(), absl::StatusCode::kInvalidArgument);
  list.mutable_cluster()->set_namespace_("prod");
  list.mutable_cluster()->set_name("zz");
  EXPECT_EQ(s.ListReconciles(list).status().code(), absl::StatusCode::kNotFound);

  v1::GetReconcileRequest get;
  EXPECT_EQ(s.GetReconcile(get).status().code(), absl::StatusCode::kInvalidArgument);
  get.set_seq(created_seq_);
  auto not_rec = s.GetReconcile(get);
  EXPECT_EQ(not_rec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(not_rec.status().message(), "not a reconcile"));
  get.set_seq(1000000);
  EXPECT_EQ(s.GetReconcile(get).status().code(), absl::StatusCode::kNotFound);

  v1::ReplayRequest replay;
  *replay.mutable_cluster() = C1();
  replay.set_at_seq(log_->last_seq() + 5);
  EXPECT_EQ(s.Replay(replay).status().code(), absl::StatusCode::kOutOfRange);
  replay.set_at_seq(3);
  replay.mutable_at_time()->set_seconds(1000);
  EXPECT_EQ(s.Replay(replay).status().code(), absl::StatusCode::kInvalidArgument);
  replay.set_at_seq(0);
  replay.mutable_at_time()->set_seconds(10);
  EXPECT_EQ(s.Replay(replay).status().code(), absl::StatusCode::kOutOfRange);
}

TEST_F(ServiceTest, ListAndGetReconciles) {
  AdminService s = service();
  v1::ListReconcilesRequest req;
  *req.mutable_cluster() = C1();
  auto list = s.ListReconciles(req);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->reconciles_size(), 2);
  const v1::ReconcileSummary& newest = list->reconciles(0);
  EXPECT_EQ(newest.seq(), reconcile2_);
  EXPECT_EQ(newest.outcome(), log::v1::ReconcileRecord::FAILED);
  EXPECT_EQ(newest.trigger_seq_begin(), edited_seq_);
  EXPECT_GT(newest.actions(), 0);
  EXPECT_EQ(newest.failed_actions(), newest.actions());

  req.add_outcomes(log::v1::ReconcileRecord::APPLIED);
  auto applied = s.ListReconciles(req);
  ASSERT_TRUE(applied.ok());
  ASSERT_EQ(applied->reconciles_size(), 1);
  EXPECT_EQ(applied->reconciles(0).seq(), reconcile1_);

  v1::GetReconcileRequest get;
  get.set_seq(reconcile1_);
  auto got = s.GetReconcile(get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->record().seq(), reconcile1_);
  EXPECT_TRUE(got->record().has_reconcile());
  // Trigger range [created, reconcile1-1] of c1: created + the Secret.
  ASSERT_EQ(got->trigger_records_size(), 2);
  EXPECT_EQ(got->trigger_records(0).seq(), created_seq_);
  // Every action names its cause, and the cause is in the response.
  ASSERT_EQ(got->cause_records_size(), 1);
  EXPECT_EQ(got->cause_records(0).seq(), created_seq_);
  EXPECT_EQ(got->cause_records(0).watch().object().kind(), "DorisCluster");
  for (const auto& a : got->record().reconcile().actions()) {
    EXPECT_EQ(a.caused_by_seq(), created_seq_);
  }
  get.set_max_trigger_records(1);
  auto truncated = s.GetReconcile(get);
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(truncated->trigger_records_size(), 1);
  EXPECT_TRUE(truncated->trigger_records_truncated());
}

TEST_F(ServiceTest, ReplayGivesTheStateAndDesiredObjectsAtAPoint) {
  AdminService s = service();
  v1::ReplayRequest req;
  *req.mutable_cluster() = C1();
  req.set_at_seq(start_seq_);
  auto before = s.Replay(req);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_FALSE(before->cluster_present());
  EXPECT_EQ(before->desired_size(), 0);

  req.set_at_seq(reconcile1_);
  req.set_include_state(true);
  req.set_include_desired(true);
  auto at1 = s.Replay(req);
  ASSERT_TRUE(at1.ok()) << at1.status();
  EXPECT_TRUE(at1->cluster_present());
  EXPECT_EQ(at1->state_object_count(), 2);  // the DorisCluster and the Secret
  EXPECT_GT(at1->desired_size(), 0);
  auto rec1 = log_->Get(reconcile1_);
  ASSERT_TRUE(rec1.ok());
  EXPECT_EQ(at1->desired_set_hash(), rec1->reconcile().desired_set_hash());
  EXPECT_EQ(at1->input_state_hash(), rec1->reconcile().input_state_hash());
  for (const auto& d : at1->desired()) EXPECT_FALSE(d.json().empty());

  // By time: the last record at or before t=1004 is reconcile 1.
  v1::ReplayRequest by_time;
  *by_time.mutable_cluster() = C1();
  by_time.mutable_at_time()->set_seconds(1004);
  auto at_time = s.Replay(by_time);
  ASSERT_TRUE(at_time.ok());
  EXPECT_EQ(at_time->seq(), reconcile1_);
  EXPECT_EQ(at_time->desired_set_hash(), at1->desired_set_hash());
}

TEST_F(ServiceTest, WhatIfComparesTheCurrentTranslatorWithWhatWasRecorded) {
  AdminService s = service();
  v1::ReplayRequest req;
  *req.mutable_cluster() = C1();
  req.set_what_if(true);
  req.set_at_seq(reconcile1_ + 1);  // the newest reconcile at or before: 1
  auto same = s.Replay(req);
  ASSERT_TRUE(same.ok()) << same.status();
  const v1::WhatIf& w1 = same->what_if();
  EXPECT_EQ(w1.reconcile_seq(), reconcile1_);
  EXPECT_TRUE(w1.input_state_hash_matches());
  EXPECT_TRUE(w1.recorded_per_object_hashes());
  EXPECT_EQ(w1.current_desired_set_hash(), w1.recorded_desired_set_hash());
  ASSERT_GT(w1.differences_size(), 0);
  for (const auto& d : w1.differences()) EXPECT_EQ(d.change(), v1::ObjectDifference::SAME) << d.name();

  req.set_at_seq(0);  // newest: reconcile 2 (BE held at 4 by membership)
  auto changed = s.Replay(req);
  ASSERT_TRUE(changed.ok()) << changed.status();
  const v1::WhatIf& w2 = changed->what_if();
  EXPECT_EQ(w2.reconcile_seq(), reconcile2_);
  std::map<std::string, v1::ObjectDifference::Change> by_name;
  for (const auto& d : w2.differences()) by_name[d.kind() + "/" + d.name()] = d.change();
  EXPECT_EQ(by_name["StatefulSet/c1-fe"], v1::ObjectDifference::CHANGED);
  EXPECT_EQ(by_name["Service/c1-legacy"], v1::ObjectDifference::REMOVED);
  // SAME only if the replay gave the translator the recorded 4 replicas.
  EXPECT_EQ(by_name["StatefulSet/c1-be"], v1::ObjectDifference::SAME);
}

TEST_F(ServiceTest, TailSendsBacklogThenNewRecordsMatchingTheFilter) {
  AdminService s = service();
  v1::TailRequest req;
  *req.mutable_cluster() = C1();
  req.set_from_seq(1);
  req.mutable_filter()->add_record_types(v1::WATCH);
  std::vector<uint64_t> got;
  const uint64_t before = log_->last_seq();
  // Appended while (or before) the backlog is sent: Tail must deliver both
  // kinds exactly once, in order; the c2 record is filtered out.
  std::thread appender([&] {
    Append(WatchRecord("c2", "v1", "Pod", "c2-be-0", {{"kind", "Pod"}}, 2000));
    Append(WatchRecord("c1", "v1", "Pod", "c1-be-0", {{"kind", "Pod"}}, 2001));
  });
  absl::Status st = s.Tail(
      req,
      [&](const v1::TailResponse& r) {
        for (const auto& rec : r.records()) {
          EXPECT_TRUE(rec.has_watch());
          EXPECT_EQ(rec.cluster().name(), "c1");
          got.push_back(rec.seq());
        }
        return true;
      },
      [&] { return !got.empty() && got.back() > before + 1; });
  appender.join();
  ASSERT_TRUE(st.ok()) << st;
  auto watch_of_c1 = log_->SeqsForCluster({"prod", "c1"}, {.limit = 1000});
  ASSERT_TRUE(watch_of_c1.ok());
  std::vector<uint64_t> expected;
  for (uint64_t seq : *watch_of_c1) {
    if (log_->Get(seq)->has_watch()) expected.push_back(seq);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(got.back(), log_->last_seq());

  v1::TailRequest unknown;
  unknown.mutable_cluster()->set_namespace_("prod");
  unknown.mutable_cluster()->set_name("nope");
  EXPECT_EQ(s.Tail(unknown, [](const v1::TailResponse&) { return true; }, [] { return true; })
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ServiceTest, ExportedBundleReplaysOfflineExactlyAsTheServer) {
  AdminService s = service();
  v1::ExportRequest req;
  *req.mutable_cluster() = C1();
  req.mutable_range()->set_from_seq(other_seq_);  // base holds the DorisCluster
  std::string file;
  int pieces = 0;
  ASSERT_TRUE(s.Export(req, [&](const v1::Bundle& b) {
                 file += b.SerializeAsString();
                 ++pieces;
                 return true;
               }).ok());
  EXPECT_GE(pieces, 2);
  auto bundle = ParseBundle(file);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->from_seq(), other_seq_);
  EXPECT_EQ(bundle->to_seq(), log_->last_seq());
  ASSERT_EQ(bundle->base().clusters_size(), 1);
  EXPECT_EQ(bundle->base().clusters(0).objects_size(), 1);
  for (const auto& r : bundle->records()) EXPECT_EQ(r.cluster().name(), "c1");

  for (uint64_t at : {reconcile1_, edited_seq_, reconcile2_, uint64_t{0}}) {
    v1::ReplayRequest replay;
    *replay.mutable_cluster() = C1();
    replay.set_at_seq(at);
    replay.set_what_if(true);
    replay.set_include_state(true);
    replay.set_include_desired(true);
    auto online = s.Replay(replay);
    auto offline = ReplayBundle(*bundle, replay);
    ASSERT_TRUE(online.ok()) << online.status();
    ASSERT_TRUE(offline.ok()) << offline.status();
    EXPECT_EQ(online->SerializeAsString(), offline->SerializeAsString()) << "at " << at;
  }
  v1::ReplayRequest outside;
  *outside.mutable_cluster() = C1();
  outside.set_at_seq(start_seq_);
  EXPECT_EQ(ReplayBundle(*bundle, outside).status().code(), absl::StatusCode::kOutOfRange);

  EXPECT_FALSE(ParseBundle("not a bundle at all").ok());
  v1::Bundle future = *bundle;
  future.set_format_version(2);
  EXPECT_FALSE(ParseBundle(future.SerializeAsString()).ok());
}

TEST(Redact, SecretDataNeverLeaves) {
  log::v1::LogRecord r;
  r.mutable_watch()->mutable_object()->set_kind("Secret");
  r.mutable_watch()->set_object_json(
      R"({"data":{"password":"c2VjcmV0"},"kind":"Secret","metadata":{"name":"a"},"stringData":{"x":"y"}})");
  RedactRecord(&r);
  EXPECT_EQ(r.watch().object_json(), R"({"kind":"Secret","metadata":{"name":"a"}})");
  r.mutable_watch()->set_object_json("not json c2VjcmV0");
  RedactRecord(&r);
  EXPECT_EQ(r.watch().object_json(), "");
  log::v1::StoredObject o;
  o.mutable_ref()->set_kind("Secret");
  o.set_object_json(R"({"data":{"k":"dg=="}})");
  RedactObject(&o);
  EXPECT_EQ(o.object_json(), "{}");
  log::v1::LogRecord pod;
  pod.mutable_watch()->mutable_object()->set_kind("Pod");
  pod.mutable_watch()->set_object_json(R"({"data":1})");
  RedactRecord(&pod);
  EXPECT_EQ(pod.watch().object_json(), R"({"data":1})");
}

TEST(Redact, AdminUserPasswordNeverLeaves) {
  log::v1::LogRecord r;
  r.mutable_watch()->mutable_object()->set_kind("DorisCluster");
  r.mutable_watch()->set_object_json(
      R"({"kind":"DorisCluster","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"password\":\"pw\"}"},"name":"a"},"spec":{"adminUser":{"name":"ops","password":"pw"}}})");
  RedactRecord(&r);
  EXPECT_EQ(r.watch().object_json(),
            R"({"kind":"DorisCluster","metadata":{"name":"a"},"spec":{"adminUser":{"name":"ops"}}})");
  log::v1::StoredObject o;
  o.mutable_ref()->set_kind("DorisCluster");
  o.set_object_json(R"({"spec":{"adminUser":{"password":"pw"}}})");
  RedactObject(&o);
  EXPECT_EQ(o.object_json(), R"({"spec":{"adminUser":{}}})");
  // Without a password, the object is passed on byte for byte.
  o.set_object_json(R"({"spec":{"authSecret":"s"}})");
  RedactObject(&o);
  EXPECT_EQ(o.object_json(), R"({"spec":{"authSecret":"s"}})");
}

}  // namespace
}  // namespace doris_operator::admin
