// The admin API for a DorisDisaggregatedCluster (ddc): its history is its own
// (a DorisCluster of the same name beside it has another), and Replay
// (what-if included), Drift and bundles work for it as for a DorisCluster,
// with the FDB ConfigMap (another namespace) read from the log.

#include <map>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "operator/admin/bundle.h"
#include "operator/admin/drift.h"
#include "operator/admin/service.h"
#include "operator/reconcile/ddc_inputs.h"
#include "operator/reconcile/inputs.h"
#include "store/event_log.h"
#include "tests/operator/admin/fixture.h"
#include "translator/canonical_json.h"
#include "translator/disaggregated/translator.h"

namespace doris_operator::admin {
namespace {

using nlohmann::json;
constexpr char kDdc[] = "DorisDisaggregatedCluster";

json Ddc(int cg1_replicas) {
  return {{"apiVersion", "disaggregated.cluster.doris.com/v1"},
          {"kind", kDdc},
          {"metadata", {{"name", "c1"}, {"namespace", "prod"}, {"uid", "ddc-uid"}, {"generation", 1}}},
          {"spec",
           {{"metaService",
             {{"replicas", 2},
              {"image", "ms:1"},
              {"fdb", {{"configMapNamespaceName", {{"namespace", "fdb-system"}, {"name", "fdb"}}}}}}},
            {"feSpec", {{"replicas", 3}, {"electionNumber", 1}, {"image", "fe:1"}}},
            {"computeGroups",
             json::array({{{"uniqueId", "cg1"}, {"replicas", cg1_replicas}, {"image", "be:1"}},
                          {{"uniqueId", "cg2"}, {"replicas", 2}, {"image", "be:1"}}})}}}};
}

log::v1::LogRecord OfDdc(log::v1::LogRecord r, const std::string& object_ns = "prod") {
  r.mutable_cluster()->set_kind(kDdc);
  r.mutable_watch()->mutable_object()->set_namespace_(object_ns);
  return r;
}

class FakeLive : public LiveObjectSource {
 public:
  absl::StatusOr<std::optional<json>> Get(const std::string&, const std::string& kind, const std::string& ns,
                                          const std::string& name) override {
    auto it = objects.find(kind + "/" + ns + "/" + name);
    if (it == objects.end()) return std::optional<json>();
    return std::optional<json>(it->second);
  }
  std::map<std::string, json> objects;
};

class DdcAdminTest : public testing::AdminFixture {
 protected:
  void Fill() override {
    using testing::WatchRecord;
    // A DorisCluster and a ddc, both prod/c1.
    dc_seq_ = Append(WatchRecord("c1", "doris.selectdb.com/v1", "DorisCluster", "c1", testing::Cluster("be:1"),
                                 1000, log::v1::ADDED));
    ddc_created_ = Append(OfDdc(WatchRecord("c1", "disaggregated.cluster.doris.com/v1", kDdc, "c1", Ddc(3), 1001,
                                            log::v1::ADDED)));
    // The first reconcile found no FDB ConfigMap in the log: it fetched and
    // logged it (after its trigger range, before its own record).
    const uint64_t trigger_end = log_->last_seq();
    json fdb = {{"apiVersion", "v1"},
                {"kind", "ConfigMap"},
                {"metadata", {{"name", "fdb"}, {"namespace", "fdb-system"}}},
                {"data", {{"cluster-file", "docker:docker@10.1.2.3:4500"}}}};
    fdb_seq_ = Append(OfDdc(WatchRecord("c1", "v1", "ConfigMap", "fdb", fdb, 1002, log::v1::ADDED), "fdb-system"));
    reconcile1_ = Reconcile(ddc_created_, trigger_end, 1003, 0);
    for (int i = 0; i < 10; ++i) {
      Append(OfDdc(WatchRecord("c1", "apps/v1", "StatefulSet", i % 2 ? "c1-cg1" : "c1-fe",
                               {{"kind", "StatefulSet"}, {"n", i}}, 1004 + i)));
      Append(WatchRecord("c1", "apps/v1", "StatefulSet", "c1-be", {{"kind", "StatefulSet"}, {"n", i}}, 1004 + i));
    }
    // Scaled in: cg1 held at 3 while its leaving backend drains.
    edited_ = Append(OfDdc(WatchRecord("c1", "disaggregated.cluster.doris.com/v1", kDdc, "c1", Ddc(2), 1020)));
    reconcile2_ = Reconcile(edited_, log_->last_seq(), 1021, 3);
  }
  // A ddc reconcile as the operator records it: the real translator over
  // the ddc's objects (with what it fetched), a compute group held.
  uint64_t Reconcile(uint64_t begin, uint64_t end, int64_t seconds, int cg1_held) {
    const store::ClusterKey key = Key();
    log::v1::LogRecord r;
    *r.mutable_cluster() = key.ToRef();
    r.mutable_observed_at()->set_seconds(seconds);
    log::v1::ReconcileRecord* rec = r.mutable_reconcile();
    rec->set_trigger_seq_begin(begin);
    rec->set_trigger_seq_end(end);
    auto at_end = log_->StateAt(end);
    EXPECT_TRUE(at_end.ok());
    rec->set_input_state_hash(reconcile::InputStateHash(at_end->ObjectsOf(key)));
    reconcile::DisaggregatedInputs in = reconcile::DisaggregatedInputsFromObjects(key, log_->CurrentObjectsOf(key));
    EXPECT_TRUE(in.present && in.problems.empty());
    EXPECT_TRUE(in.inputs.fdb_cluster_file.has_value());
    if (cg1_held != 0) {
      auto* o = rec->add_replica_overrides();
      o->set_component("cg/cg1");
      o->set_replicas(cg1_held);
    }
    reconcile::ApplyRecordedDisaggregatedDecisions(*rec, &in);
    auto desired = translator::disaggregated::Translate(in.ddc, in.inputs);
    EXPECT_TRUE(desired.ok()) << desired.status();
    rec->set_desired_set_hash(desired->hash);
    reconcile::RecordDesiredObjects(*desired, rec);
    rec->set_outcome(log::v1::ReconcileRecord::APPLIED);
    rec->set_translator_version("test");
    last_desired_ = *desired;
    return Append(r);
  }
  static store::ClusterKey Key() { return store::ClusterKey::Of(kDdc, "prod", "c1"); }
  static log::v1::ClusterRef Ref(bool ddc) {
    log::v1::ClusterRef c;
    c.set_namespace_("prod");
    c.set_name("c1");
    if (ddc) c.set_kind(kDdc);
    return c;
  }

  uint64_t dc_seq_ = 0, ddc_created_ = 0, fdb_seq_ = 0, edited_ = 0;
};

TEST_F(DdcAdminTest, ADdcAndADorisClusterOfOneNameHaveSeparateHistories) {
  AdminService s(log_.get());
  v1::HistoryRequest req;
  *req.mutable_cluster() = Ref(true);
  req.set_page_size(1000);
  auto ddc = s.History(req);
  ASSERT_TRUE(ddc.ok()) << ddc.status();
  *req.mutable_cluster() = Ref(false);
  auto dc = s.History(req);
  ASSERT_TRUE(dc.ok()) << dc.status();
  // The ddc's 15 records, the DorisCluster's 11; none in both.
  EXPECT_EQ(ddc->records_size(), 15);
  EXPECT_EQ(dc->records_size(), 11);
  for (const auto& r : ddc->records()) EXPECT_EQ(r.cluster().kind(), kDdc) << r.seq();
  for (const auto& r : dc->records()) EXPECT_EQ(r.cluster().kind(), "") << r.seq();
  // "DorisCluster" spelled out is the default.
  req.mutable_cluster()->set_kind("DorisCluster");
  EXPECT_EQ(s.History(req)->records_size(), 11);

  v1::ListReconcilesRequest lr;
  *lr.mutable_cluster() = Ref(true);
  auto reconciles = s.ListReconciles(lr);
  ASSERT_TRUE(reconciles.ok());
  ASSERT_EQ(reconciles->reconciles_size(), 2);
  EXPECT_EQ(reconciles->reconciles(0).seq(), reconcile2_);
  *lr.mutable_cluster() = Ref(false);
  EXPECT_EQ(s.ListReconciles(lr)->reconciles_size(), 0);

  req.mutable_cluster()->set_kind("Pod");
  EXPECT_EQ(s.History(req).status().code(), absl::StatusCode::kInvalidArgument);
  *req.mutable_cluster() = Ref(true);
  req.mutable_cluster()->set_name("nope");
  auto missing = s.History(req);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("DorisDisaggregatedCluster prod/nope"), std::string::npos)
      << missing.status();
}

TEST_F(DdcAdminTest, ReplayOfADdcIsTheRecordedDecision) {
  AdminService s(log_.get());
  for (uint64_t at : {reconcile1_, reconcile2_}) {
    v1::ReplayRequest req;
    *req.mutable_cluster() = Ref(true);
    req.set_at_seq(at);
    req.set_what_if(true);
    auto r = s.Replay(req);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->cluster_present());
    const v1::WhatIf& w = r->what_if();
    EXPECT_EQ(w.reconcile_seq(), at);
    EXPECT_TRUE(w.input_state_hash_matches());
    EXPECT_EQ(w.translator_error(), "");
    // The FDB cluster file it fetched and the replicas it held are replayed.
    EXPECT_EQ(w.current_desired_set_hash(), w.recorded_desired_set_hash()) << at;
    ASSERT_GT(w.differences_size(), 5);
    for (const auto& d : w.differences()) EXPECT_EQ(d.change(), v1::ObjectDifference::SAME) << d.name();
  }
  // Before the FDB ConfigMap was logged the meta service had no endpoint:
  // the replay says so, and its desired set differs.
  v1::ReplayRequest early;
  *early.mutable_cluster() = Ref(true);
  early.set_at_seq(ddc_created_);
  early.set_include_desired(true);
  auto before = s.Replay(early);
  ASSERT_TRUE(before.ok()) << before.status();
  bool warned = false;
  for (const auto& w : before->warnings()) warned |= w.find("fdb-system/fdb") != std::string::npos;
  EXPECT_TRUE(warned);
  early.set_at_seq(fdb_seq_);
  auto after = s.Replay(early);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(before->desired_set_hash(), after->desired_set_hash());
  bool endpoint = false;
  for (const auto& d : after->desired()) endpoint |= d.json().find("10.1.2.3:4500") != std::string::npos;
  EXPECT_TRUE(endpoint);
  // The DorisCluster of the same name replays its own objects.
  v1::ReplayRequest dc;
  *dc.mutable_cluster() = Ref(false);
  auto dcr = s.Replay(dc);
  ASSERT_TRUE(dcr.ok());
  EXPECT_TRUE(dcr->cluster_present());
  EXPECT_EQ(dcr->state_object_count(), 2);  // the DorisCluster and c1-be
}

TEST_F(DdcAdminTest, ExportedDdcBundleReplaysOfflineAsTheServerDoes) {
  AdminService s(log_.get());
  v1::ExportRequest req;
  *req.mutable_cluster() = Ref(true);
  req.mutable_range()->set_from_seq(fdb_seq_);
  std::string file;
  ASSERT_TRUE(s.Export(req, [&](const v1::Bundle& b) {
                 file += b.SerializeAsString();
                 return true;
               }).ok());
  auto bundle = ParseBundle(file);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  for (const auto& r : bundle->records()) EXPECT_EQ(r.cluster().kind(), kDdc);
  v1::ReplayRequest rr;
  *rr.mutable_cluster() = Ref(true);
  rr.set_at_seq(reconcile2_);
  rr.set_what_if(true);
  auto offline = ReplayBundle(*bundle, rr);
  ASSERT_TRUE(offline.ok()) << offline.status();
  auto online = s.Replay(rr);
  ASSERT_TRUE(online.ok());
  EXPECT_EQ(offline->SerializeAsString(), online->SerializeAsString());
}

TEST_F(DdcAdminTest, DriftOfADdc) {
  FakeLive live;
  for (const auto& o : last_desired_.objects) {
    json j = json::parse(o.json);
    j["metadata"]["resourceVersion"] = "7";
    live.objects[o.kind + "/prod/" + o.name] = j;
  }
  AdminServiceOptions options;
  options.live = &live;
  AdminService s(log_.get(), options);
  v1::DriftRequest req;
  *req.mutable_cluster() = Ref(true);
  auto none = s.Drift(req);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->drift_size(), 0) << none->DebugString();
  json& cg1 = live.objects["StatefulSet/prod/c1-cg1"];
  ASSERT_TRUE(cg1.is_object());
  cg1["spec"]["replicas"] = 9;
  auto edited = s.Drift(req);
  ASSERT_TRUE(edited.ok()) << edited.status();
  ASSERT_EQ(edited->drift_size(), 1) << edited->DebugString();
  EXPECT_EQ(edited->drift(0).name(), "c1-cg1");
  EXPECT_EQ(edited->drift(0).path(), "/spec/replicas");
  EXPECT_EQ(edited->drift(0).desired(), "3");  // held by the last reconcile while cg1 drains
  EXPECT_EQ(edited->drift(0).classification(), v1::FieldDrift::CHANGED_BY_HAND);
}

}  // namespace
}  // namespace doris_operator::admin
