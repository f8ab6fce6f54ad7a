// The initial-sync gate: closed until every stream has listed in this
// process, opened at the newest of their log positions.

#include "operator/ingest/sync_gate.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace doris_operator::ingest {
namespace {

const absl::Time kT = absl::FromUnixSeconds(1800000000);

TEST(SyncGate, OpensOnlyOnceEveryStreamHasListed) {
  SyncGate gate({"v1/pods", "apps/v1/statefulsets", "doris.selectdb.com/v1/dorisclusters"});
  EXPECT_FALSE(gate.open());
  EXPECT_FALSE(gate.Fresh(1000));  // closed: no picture is fresh
  gate.Listed("doris.selectdb.com/v1/dorisclusters", 40, kT);
  gate.Listed("v1/pods", 55, kT + absl::Seconds(1));
  gate.Listed("v1/pods", 90, kT + absl::Seconds(9));  // a re-list (410 Gone) changes nothing
  gate.Listed("v1/services", 99, kT + absl::Seconds(9));  // not a stream of this gate
  EXPECT_FALSE(gate.open());
  EXPECT_EQ(gate.listed(), 2u);
  gate.Listed("apps/v1/statefulsets", 50, kT + absl::Seconds(2));
  ASSERT_TRUE(gate.open());
  EXPECT_EQ(gate.opened()->seq, 55u);  // the newest first list
  EXPECT_EQ(gate.opened()->at, kT + absl::Seconds(2));
  // A picture folded before the last first list is stale.
  EXPECT_FALSE(gate.Fresh(54));
  EXPECT_TRUE(gate.Fresh(55));
  EXPECT_TRUE(gate.Fresh(56));
}

TEST(SyncGate, WithNoStreamsItNeverOpens) {
  SyncGate gate({});
  std::atomic<bool> stop{false};
  EXPECT_FALSE(gate.Wait(stop, absl::Milliseconds(10)));
  EXPECT_FALSE(gate.open());
}

TEST(SyncGate, WaitReturnsWhenOpenedOrStopped) {
  SyncGate gate({"a", "b"});
  std::atomic<bool> stop{false};
  gate.Listed("a", 1, kT);
  EXPECT_FALSE(gate.Wait(stop, absl::Milliseconds(10)));  // times out closed
  std::thread opener([&] { gate.Listed("b", 2, kT); });
  EXPECT_TRUE(gate.Wait(stop, absl::Minutes(5)));  // woken by the list, not the timeout
  opener.join();

  SyncGate never({"a"});
  std::thread stopper([&] { stop = true; });
  EXPECT_FALSE(never.Wait(stop, absl::Minutes(5)));  // woken by stop
  stopper.join();
}

}  // namespace
}  // namespace doris_operator::ingest
