#include "store/fold.h"

#include <vector>

#include "gtest/gtest.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

using testing::Synthetic;
using testing::Watch;
using testing::WatchSpec;

log::v1::LogRecord WithSeq(log::v1::LogRecord r, uint64_t seq) {
  r.set_seq(seq);
  return r;
}

TEST(Fold, KeepsLatestVersionPerObjectAndForgetsDeleted) {
  State s;
  s = Fold(std::move(s), WithSeq(Watch({.type = log::v1::ADDED, .name = "a",
                                        .resource_version = "1", .json = "{\"v\":1}"}), 1));
  s = Fold(std::move(s), WithSeq(Watch({.type = log::v1::ADDED, .name = "b",
                                        .resource_version = "2"}), 2));
  s = Fold(std::move(s), WithSeq(Watch({.type = log::v1::MODIFIED, .name = "a",
                                        .resource_version = "3", .json = "{\"v\":2}"}), 3));
  s = Fold(std::move(s), WithSeq(Watch({.type = log::v1::DELETED, .name = "b",
                                        .resource_version = "4"}), 4));
  EXPECT_EQ(s.last_seq(), 4u);
  EXPECT_EQ(s.object_count(), 1u);
  const log::v1::StoredObject* a = s.Find({"apps", "StatefulSet", "default", "a"});
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->object_json(), "{\"v\":2}");
  EXPECT_EQ(a->resource_version(), "3");
  EXPECT_EQ(a->seq(), 3u);
  EXPECT_EQ(s.Find({"apps", "StatefulSet", "default", "b"}), nullptr);
  EXPECT_EQ(s.ObjectsOf({"default", "c1"}).size(), 1u);
}

TEST(Fold, ObjectMovesWhenItsClusterChanges) {
  State s;
  s = Fold(std::move(s), WithSeq(Watch({.name = "pod", .cluster = "c1"}), 1));
  s = Fold(std::move(s), WithSeq(Watch({.name = "pod", .cluster = "c2"}), 2));
  EXPECT_TRUE(s.ObjectsOf({"default", "c1"}).empty());
  EXPECT_EQ(s.ObjectsOf({"default", "c2"}).size(), 1u);
  EXPECT_EQ(s.clusters().size(), 1u);  // empty clusters are not kept
}

TEST(Fold, ApiVersionChangeIsTheSameObject) {
  State s;
  s = Fold(std::move(s), WithSeq(Watch({.api_version = "autoscaling/v1",
                                        .kind = "HorizontalPodAutoscaler", .name = "h"}), 1));
  s = Fold(std::move(s), WithSeq(Watch({.api_version = "autoscaling/v2",
                                        .kind = "HorizontalPodAutoscaler", .name = "h"}), 2));
  EXPECT_EQ(s.object_count(), 1u);
  EXPECT_EQ(s.Find({"autoscaling", "HorizontalPodAutoscaler", "default", "h"})
                ->ref().api_version(),
            "autoscaling/v2");
}

TEST(Fold, NonObjectRecordsOnlyAdvanceSeq) {
  State s;
  s = Fold(std::move(s), WithSeq(Watch({.name = "a"}), 1));
  log::v1::LogRecord bookmark;
  bookmark.mutable_watch()->set_type(log::v1::BOOKMARK);
  bookmark.mutable_watch()->set_resource_version("99");
  log::v1::LogRecord lifecycle;
  lifecycle.mutable_lifecycle()->set_kind(log::v1::Lifecycle::START);
  log::v1::LogRecord reconcile;
  reconcile.mutable_reconcile()->set_outcome(log::v1::ReconcileRecord::APPLIED);
  const std::string before = s.Serialize();
  s = Fold(std::move(s), WithSeq(bookmark, 2));
  s = Fold(std::move(s), WithSeq(lifecycle, 3));
  s = Fold(std::move(s), WithSeq(reconcile, 4));
  EXPECT_EQ(s.last_seq(), 4u);
  EXPECT_EQ(s.object_count(), 1u);
  EXPECT_NE(s.Serialize(), before);  // last_seq is part of the state
}

TEST(Fold, CursorsFollowWatchRecordsAndResets) {
  State s;
  s = Fold(std::move(s), WithSeq(Watch({.resource_version = "10", .stream = "sts"}), 1));
  s = Fold(std::move(s), WithSeq(Watch({.resource_version = "11", .stream = "pods"}), 2));
  log::v1::LogRecord bookmark;
  bookmark.mutable_watch()->set_type(log::v1::BOOKMARK);
  bookmark.mutable_watch()->set_stream("sts");
  bookmark.mutable_watch()->set_resource_version("15");
  s = Fold(std::move(s), WithSeq(bookmark, 3));
  EXPECT_EQ(s.cursors(), (std::map<std::string, std::string>{{"pods", "11"}, {"sts", "15"}}));
  log::v1::LogRecord reset;
  reset.mutable_lifecycle()->set_kind(log::v1::Lifecycle::WATCH_CURSOR_RESET);
  reset.mutable_lifecycle()->set_stream("pods");
  s = Fold(std::move(s), WithSeq(reset, 4));
  EXPECT_EQ(s.cursors(), (std::map<std::string, std::string>{{"sts", "15"}}));
  // Cursors are part of the state's bytes.
  absl::StatusOr<State> parsed = State::Parse(s.Serialize());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->cursors(), s.cursors());
}

TEST(Fold, MovingFoldEqualsCopyingFold) {
  State a, b;
  for (uint64_t n = 1; n <= 300; ++n) {
    log::v1::LogRecord r = WithSeq(Synthetic(n, 20, 2, 128), n);
    a = Fold(std::move(a), r);
    b = Fold(std::move(b), log::v1::LogRecord(r));
  }
  EXPECT_EQ(a.Serialize(), b.Serialize());
}

TEST(Fold, RecordsAtOrBelowLastSeqAreIgnored) {
  State s;
  s = Fold(std::move(s), WithSeq(Watch({.name = "a", .resource_version = "5"}), 5));
  s = Fold(std::move(s), WithSeq(Watch({.type = log::v1::DELETED, .name = "a"}), 5));
  s = Fold(std::move(s), WithSeq(Watch({.type = log::v1::DELETED, .name = "a"}), 3));
  EXPECT_EQ(s.object_count(), 1u);
  EXPECT_EQ(s.last_seq(), 5u);
}

TEST(Fold, SameRecordsGiveSameBytesAndStateRoundTrips) {
  std::vector<log::v1::LogRecord> records;
  for (uint64_t n = 1; n <= 2000; ++n) records.push_back(WithSeq(Synthetic(n, 40, 4, 64), n));
  State a, b;
  for (const auto& r : records) a = Fold(std::move(a), r);
  for (const auto& r : records) b = Fold(std::move(b), r);
  ASSERT_EQ(a.Serialize(), b.Serialize());
  absl::StatusOr<State> parsed = State::Parse(a.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Serialize(), a.Serialize());
  EXPECT_EQ(parsed->object_count(), a.object_count());
  EXPECT_GT(a.object_count(), 30u);
  // The hand-written wire format is exactly protobuf's.
  log::v1::FoldedState proto;
  ASSERT_TRUE(proto.ParseFromString(a.Serialize()));
  EXPECT_EQ(proto.SerializeAsString(), a.Serialize());
  EXPECT_EQ(proto.last_seq(), 2000u);
  size_t objects = 0;
  for (const auto& c : proto.clusters()) objects += c.objects_size();
  EXPECT_EQ(objects, a.object_count());
  EXPECT_EQ(static_cast<size_t>(proto.cursors_size()), a.cursors().size());
}

TEST(Fold, SplitFoldEqualsFullFold) {
  State full, head;
  for (uint64_t n = 1; n <= 500; ++n) full = Fold(std::move(full), WithSeq(Synthetic(n, 30, 3, 32), n));
  for (uint64_t n = 1; n <= 217; ++n) head = Fold(std::move(head), WithSeq(Synthetic(n, 30, 3, 32), n));
  absl::StatusOr<State> resumed = State::Parse(head.Serialize());
  ASSERT_TRUE(resumed.ok());
  State tail = *std::move(resumed);
  for (uint64_t n = 218; n <= 500; ++n) tail = Fold(std::move(tail), WithSeq(Synthetic(n, 30, 3, 32), n));
  EXPECT_EQ(tail.Serialize(), full.Serialize());
}

TEST(State, ParseRejectsGarbageAndDuplicates) {
  EXPECT_FALSE(State::Parse("\xff\xff\xff").ok());
  log::v1::FoldedState dup;
  for (int i = 0; i < 2; ++i) {
    log::v1::ClusterObjects* c = dup.add_clusters();
    c->mutable_cluster()->set_name(i == 0 ? "x" : "y");
    c->add_objects()->mutable_ref()->set_name("same");
  }
  absl::StatusOr<State> parsed = State::Parse(dup.SerializeAsString());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("twice"), std::string::npos);
}

// The snapshot written with a group is SerializeFolded of the state before
// it: the bytes of folding the group, the state itself left as it was. Over
// groups that add, update, move between clusters, delete and reset cursors.
TEST(Fold, SerializeFoldedGivesTheFoldedBytesAndLeavesTheStateAsItWas) {
  State s;
  uint64_t seq = 0;
  for (uint64_t group = 0; group < 60; ++group) {
    std::vector<log::v1::LogRecord> records;
    for (uint64_t k = 0; k <= group % 7; ++k) {
      log::v1::LogRecord r = Synthetic(seq * 7 + k, /*objects=*/12, /*clusters=*/3, 64);
      if ((seq + k) % 11 == 3) r.mutable_cluster()->set_name("moved");
      if ((seq + k) % 13 == 5) {
        r = log::v1::LogRecord();
        r.mutable_lifecycle()->set_kind(log::v1::Lifecycle::WATCH_CURSOR_RESET);
        r.mutable_lifecycle()->set_stream("apps/v1/statefulsets/1");
      }
      records.push_back(WithSeq(std::move(r), ++seq));
    }
    std::vector<const log::v1::LogRecord*> pointers;
    for (const auto& r : records) pointers.push_back(&r);
    const std::string before = s.Serialize();
    State folded = s;
    for (const auto& r : records) folded = Fold(std::move(folded), r);

    const std::string bytes = SerializeFolded(s, pointers);
    EXPECT_EQ(bytes, folded.Serialize()) << "group " << group;
    EXPECT_EQ(s.Serialize(), before) << "group " << group;
    EXPECT_EQ(s.object_count(), State::Parse(before)->object_count());
    s = std::move(folded);
  }
  EXPECT_GT(s.object_count(), 0u);
}

}  // namespace
}  // namespace doris_operator::store
