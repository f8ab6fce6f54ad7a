#ifndef DORIS_OPERATOR_TESTS_OPERATOR_ADMIN_FIXTURE_H_
#define DORIS_OPERATOR_TESTS_OPERATOR_ADMIN_FIXTURE_H_

// A temporary event log holding a small, realistic history for the admin
// API tests: a DorisCluster created, translated and reconciled (with the
// real translator, as the operator would record it), then edited and
// reconciled again, plus another cluster and operator lifecycle records.

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "operator/reconcile/inputs.h"
#include "store/event_log.h"
#include "translator/canonical_json.h"
#include "translator/translator.h"

namespace doris_operator::admin::testing {

using nlohmann::json;

inline json Cluster(const std::string& be_image, int be_replicas = 3) {
  return {{"apiVersion", "doris.selectdb.com/v1"},
          {"kind", "DorisCluster"},
          {"metadata", {{"name", "c1"}, {"namespace", "prod"}, {"uid", "u1"}, {"generation", 1}}},
          {"spec",
           {{"feSpec", {{"image", "fe:1"}, {"replicas", 3}}},
            {"beSpec", {{"image", be_image}, {"replicas", be_replicas}}}}}};
}

inline log::v1::LogRecord WatchRecord(const std::string& cluster, const std::string& api_version,
                                      const std::string& kind, const std::string& name,
                                      const json& body, int64_t seconds,
                                      log::v1::WatchEventType type = log::v1::MODIFIED) {
  log::v1::LogRecord r;
  if (!cluster.empty()) {
    r.mutable_cluster()->set_namespace_("prod");
    r.mutable_cluster()->set_name(cluster);
  }
  r.mutable_observed_at()->set_seconds(seconds);
  log::v1::WatchEvent* w = r.mutable_watch();
  w->set_type(type);
  w->mutable_object()->set_api_version(api_version);
  w->mutable_object()->set_kind(kind);
  w->mutable_object()->set_namespace_("prod");
  w->mutable_object()->set_name(name);
  w->mutable_object()->set_uid(absl::StrCat("uid-", name));
  w->set_resource_version(absl::StrCat(seconds));
  w->set_stream(absl::StrCat(api_version, "/", kind));
  if (type != log::v1::DELETED) w->set_object_json(translator::Canonical(body));
  return r;
}

class AdminFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("admin-", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store::EventLogOptions o;
    o.snapshot_every = 8;  // replays cross snapshots
    auto log = store::EventLog::Open(dir_.string(), o);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    Fill();
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  uint64_t Append(log::v1::LogRecord r) {
    auto a = log_->Append({std::move(r)});
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? a->last_seq : 0;
  }

  // A reconcile as the operator records it, computed with the real translator
  // over the log's current state of c1.
  uint64_t Reconcile(uint64_t trigger_begin, int64_t seconds, uint64_t caused_by,
                     log::v1::ReconcileRecord::Outcome outcome, int be_override = 0,
                     const std::function<void(log::v1::ReconcileRecord*)>& post = nullptr) {
    const store::ClusterKey key{"prod", "c1"};
    log::v1::LogRecord r;
    *r.mutable_cluster() = key.ToRef();
    r.mutable_observed_at()->set_seconds(seconds);
    log::v1::ReconcileRecord* rec = r.mutable_reconcile();
    rec->set_trigger_seq_begin(trigger_begin);
    rec->set_trigger_seq_end(log_->last_seq());
    const store::ClusterObjects objects = log_->CurrentObjectsOf(key);
    rec->set_input_state_hash(reconcile::InputStateHash(objects));
    reconcile::ClusterInputs in = reconcile::InputsFromObjects(key, objects);
    EXPECT_TRUE(in.present && in.problems.empty());
    if (be_override != 0) {
      auto* o = rec->add_replica_overrides();
      o->set_component("be");
      o->set_replicas(be_override);
    }
    reconcile::ApplyRecordedDecisions(*rec, &in.cluster, &in.inputs);
    auto desired = translator::Translate(in.cluster, in.inputs);
    EXPECT_TRUE(desired.ok()) << desired.status();
    rec->set_desired_set_hash(desired->hash);
    reconcile::RecordDesiredObjects(*desired, rec);
    for (const auto& o : desired->objects) {
      auto* a = rec->add_actions();
      a->set_verb("apply");
      a->mutable_object()->set_api_version(o.api_version);
      a->mutable_object()->set_kind(o.kind);
      a->mutable_object()->set_namespace_("prod");
      a->mutable_object()->set_name(o.name);
      a->set_ok(outcome != log::v1::ReconcileRecord::FAILED);
      if (!a->ok()) a->set_error("boom");
      a->set_caused_by_seq(caused_by);
    }
    rec->set_outcome(outcome);
    rec->set_duration_micros(1234);
    rec->set_translator_version("test");
    last_desired_ = *desired;
    if (post) post(rec);
    return Append(r);
  }

  // What SetUp writes into the new log: a DorisCluster's history. A
  // fixture deriving from this one writes its own instead.
  virtual void Fill() {
    log::v1::LogRecord start;
    start.mutable_lifecycle()->set_kind(log::v1::Lifecycle::START);
    start.mutable_observed_at()->set_seconds(1000);
    start_seq_ = Append(start);  // 1
    created_seq_ = Append(WatchRecord("c1", "doris.selectdb.com/v1", "DorisCluster", "c1",
                                      Cluster("be:1"), 1001, log::v1::ADDED));  // 2
    other_seq_ = Append(WatchRecord("c2", "v1", "Pod", "c2-fe-0", {{"kind", "Pod"}}, 1002));
    json secret = {{"kind", "Secret"}, {"metadata", {{"name", "auth"}}}};
    Append(WatchRecord("c1", "v1", "Secret", "auth", secret, 1003));  // 4
    reconcile1_ = Reconcile(created_seq_, 1004, created_seq_, log::v1::ReconcileRecord::APPLIED);
    for (int i = 0; i < 10; ++i) {
      Append(WatchRecord("c1", "apps/v1", "StatefulSet", i % 2 ? "c1-be" : "c1-fe",
                         {{"kind", "StatefulSet"}, {"n", i}}, 1005 + i));
    }
    edited_seq_ = Append(WatchRecord("c1", "doris.selectdb.com/v1", "DorisCluster", "c1",
                                     Cluster("be:2"), 1020));
    // The membership step held BE at 4 replicas, and (as if an older
    // translator had run) c1-fe's bytes differed and an object the current
    // translator no longer makes was produced.
    reconcile2_ = Reconcile(edited_seq_, 1021, edited_seq_, log::v1::ReconcileRecord::FAILED, 4,
                            [](log::v1::ReconcileRecord* rec) {
                              for (auto& o : *rec->mutable_desired_objects()) {
                                if (o.kind() == "StatefulSet" && o.name() == "c1-fe") {
                                  o.set_hash("older");
                                }
                              }
                              auto* gone = rec->add_desired_objects();
                              gone->set_api_version("v1");
                              gone->set_kind("Service");
                              gone->set_name("c1-legacy");
                              gone->set_hash("x");
                            });
    Append(WatchRecord("c1", "apps/v1", "StatefulSet", "c1-be", {{"kind", "StatefulSet"}}, 1022));
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::EventLog> log_;
  translator::DesiredSet last_desired_;
  uint64_t start_seq_ = 0, created_seq_ = 0, other_seq_ = 0, reconcile1_ = 0, edited_seq_ = 0,
           reconcile2_ = 0;
};

}  // namespace doris_operator::admin::testing

#endif  // DORIS_OPERATOR_TESTS_OPERATOR_ADMIN_FIXTURE_H_
