// A cluster is named by kind, namespace and name (format version 3): a
// DorisCluster and a DorisDisaggregatedCluster of one name have separate
// histories, folded objects, snapshots and coalesced runs; a log of an older
// format (every record a DorisCluster's) opens, reads and is marked 3.

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "store/event_log.h"
#include "store/keys.h"
#include "tests/store/raw_log.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;
using log::v1::LogRecord;

constexpr char kDdc[] = "DorisDisaggregatedCluster";

LogRecord WatchOf(const std::string& kind, const std::string& object, int n) {
  testing::WatchSpec w;
  w.cluster = "c1";
  w.name = object;
  w.resource_version = absl::StrCat(n);
  w.json = absl::StrCat("{\"n\":", n, "}");
  LogRecord r = testing::Watch(w);
  if (!kind.empty()) r.mutable_cluster()->set_kind(kind);
  r.mutable_observed_at()->set_seconds(100 + n);
  return r;
}

LogRecord ReconcileOf(const std::string& kind, const std::string& input, int n) {
  LogRecord r;
  r.mutable_cluster()->set_namespace_("default");
  r.mutable_cluster()->set_name("c1");
  if (!kind.empty()) r.mutable_cluster()->set_kind(kind);
  r.mutable_reconcile()->set_outcome(log::v1::ReconcileRecord::REQUEUED);
  r.mutable_reconcile()->set_input_state_hash(input);
  r.mutable_observed_at()->set_seconds(100 + n);
  return r;
}

class ClusterKindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::path(::testing::TempDir()) / ::testing::UnitTest::GetInstance()->current_test_info()->name())
               .string();
    fs::remove_all(dir_);
    Reopen();
  }
  void Reopen() {
    log_.reset();
    EventLogOptions o;
    o.snapshot_every = 4;
    o.snapshot_min_records = 1;
    auto opened = EventLog::Open(dir_, o);
    ASSERT_TRUE(opened.ok()) << opened.status();
    log_ = std::move(*opened);
  }
  std::vector<uint64_t> Seqs(const ClusterKey& key) {
    auto seqs = log_->SeqsForCluster(key, {.limit = 1000});
    EXPECT_TRUE(seqs.ok()) << seqs.status();
    return seqs.ok() ? *seqs : std::vector<uint64_t>{};
  }

  std::string dir_;
  std::unique_ptr<EventLog> log_;
};

TEST(ClusterKeyTest, DorisClusterIsTheDefaultKind) {
  EXPECT_TRUE((ClusterKey::Of("DorisCluster", "ns", "a") == ClusterKey{"ns", "a"}));
  EXPECT_EQ((ClusterKey{"ns", "a"}.Kind()), "DorisCluster");
  const ClusterKey ddc = ClusterKey::Of(kDdc, "ns", "a");
  EXPECT_FALSE((ddc == ClusterKey{"ns", "a"}));
  EXPECT_TRUE(ClusterKey::From(ddc.ToRef()) == ddc);
  EXPECT_EQ(ddc.ToRef().kind(), kDdc);
  // A DorisCluster's ref carries no kind: its bytes are those of old logs.
  EXPECT_TRUE((ClusterKey{"ns", "a"}.ToRef().kind().empty()));
  // Neither index prefix is a prefix of the other.
  const std::string dc = keys::ClusterPrefix({"ns", "a"});
  const std::string dd = keys::ClusterPrefix(ddc);
  EXPECT_NE(dd.compare(0, dc.size(), dc), 0);
  EXPECT_NE(dc.compare(0, std::min(dc.size(), dd.size()), dd.substr(0, std::min(dc.size(), dd.size()))), 0);
}

TEST_F(ClusterKindTest, SameNameDifferentKindsHaveSeparateHistories) {
  const ClusterKey dc{"default", "c1"};
  const ClusterKey ddc = ClusterKey::Of(kDdc, "default", "c1");
  std::vector<LogRecord> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(WatchOf(i % 2 ? kDdc : "", i % 2 ? "c1-ms" : "c1-fe", i));
  }
  ASSERT_TRUE(log_->Append(records).ok());
  EXPECT_EQ(Seqs(dc), (std::vector<uint64_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ(Seqs(ddc), (std::vector<uint64_t>{2, 4, 6, 8, 10}));
  EXPECT_TRUE((log_->CurrentClusters() == std::vector<ClusterKey>{dc, ddc}));
  // Each holds only its own object; a DorisCluster's records are filed as
  // they always were.
  ASSERT_EQ(log_->CurrentObjectsOf(dc).size(), 1u);
  EXPECT_EQ(log_->CurrentObjectsOf(dc).begin()->first.name, "c1-fe");
  ASSERT_EQ(log_->CurrentObjectsOf(ddc).size(), 1u);
  EXPECT_EQ(log_->CurrentObjectsOf(ddc).begin()->first.name, "c1-ms");

  // Snapshots and the fold keep them apart across a reopen and at a point.
  const std::string before = log_->CurrentState().Serialize();
  Reopen();
  EXPECT_EQ(log_->CurrentState().Serialize(), before);
  auto at = log_->StateAt(7);
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(at->ObjectsOf(ddc).begin()->second.seq(), 6u);
  EXPECT_EQ(at->ObjectsOf(dc).begin()->second.seq(), 7u);

  // A ddc's reconcile neither ends nor joins the DorisCluster's run.
  auto first = log_->AppendReconcile(ReconcileOf("", "in-dc", 20));
  ASSERT_TRUE(first.ok());
  auto other = log_->AppendReconcile(ReconcileOf(kDdc, "in-dc", 21));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->coalesced) << "a ddc's reconcile was counted on the DorisCluster's run";
  auto again = log_->AppendReconcile(ReconcileOf("", "in-dc", 22));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->coalesced);
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_EQ(Seqs(ddc).back(), other->seq);
}

TEST_F(ClusterKindTest, ARecordNamingAClusterWithANulIsRefused) {
  LogRecord r = WatchOf(kDdc, "c1-ms", 1);
  r.mutable_cluster()->set_name(std::string("c1\0x", 4));
  EXPECT_EQ(log_->Append({r}).status().code(), absl::StatusCode::kInvalidArgument);
}

// A log written by version 2 (before kinds; its records are all
// DorisClusters'): opens, reads as DorisCluster history, goes on, and is
// marked 3 so an older binary refuses it.
TEST_F(ClusterKindTest, ALogOfFormatVersion2Opens) {
  std::vector<LogRecord> records;
  for (int i = 0; i < 9; ++i) records.push_back(WatchOf("", absl::StrCat("c1-o", i % 3), i));
  ASSERT_TRUE(log_->Append(records).ok());
  log_.reset();
  {
    testing::Raw raw(dir_);
    ASSERT_TRUE(raw.ok());
    // What version 2 left: index keys of namespace and name only.
    EXPECT_TRUE(raw.Has(testing::Raw::kByCluster, std::string("\x07" "default" "\x02" "c1") + keys::Seq(4)));
    raw.Put(testing::Raw::kMeta, "format_version", "2");
  }
  Reopen();
  const ClusterKey dc{"default", "c1"};
  EXPECT_EQ(Seqs(dc).size(), 9u);
  EXPECT_TRUE(Seqs(ClusterKey::Of(kDdc, "default", "c1")).empty());
  EXPECT_EQ(log_->CurrentObjectsOf(dc).size(), 3u);
  EXPECT_TRUE((log_->CurrentClusters() == std::vector<ClusterKey>{dc}));
  ASSERT_TRUE(log_->Append({WatchOf(kDdc, "c1-ms", 20)}).ok());
  EXPECT_EQ(Seqs(ClusterKey::Of(kDdc, "default", "c1")), (std::vector<uint64_t>{10}));
  log_.reset();
  testing::Raw raw(dir_);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.Get(testing::Raw::kMeta, "format_version"), "3")
      << "a binary that reads only version 2 must refuse the log now";
}

}  // namespace
}  // namespace doris_operator::store
