#include "operator/workqueue/work_queue.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace doris_operator::workqueue {
namespace {

TEST(WorkQueue, DeduplicatesWaitingKeysAndKeepsOrder) {
  WorkQueue q;
  q.Add("a");
  q.Add("b");
  q.Add("a");
  EXPECT_EQ(q.ready(), 2u);
  EXPECT_EQ(q.Get(), "a");
  EXPECT_EQ(q.Get(), "b");
  EXPECT_EQ(q.ready(), 0u);
}

TEST(WorkQueue, KeyAddedWhileProcessingRunsAgainAfterDoneNotConcurrently) {
  WorkQueue q;
  q.Add("a");
  ASSERT_EQ(q.Get(), "a");
  q.Add("a");                // an event arrives mid-reconcile
  EXPECT_EQ(q.ready(), 0u);  // not handed to a second worker
  q.Done("a");
  EXPECT_EQ(q.ready(), 1u);
  EXPECT_EQ(q.Get(), "a");
  q.Done("a");
  EXPECT_EQ(q.ready(), 0u);
}

TEST(WorkQueue, BackoffDoublesAndIsCapped) {
  WorkQueue q({.base_delay = absl::Milliseconds(10), .max_delay = absl::Seconds(1)});
  EXPECT_EQ(q.Backoff(0), absl::Milliseconds(10));
  EXPECT_EQ(q.Backoff(3), absl::Milliseconds(80));
  EXPECT_EQ(q.Backoff(7), absl::Seconds(1));
  EXPECT_EQ(q.Backoff(1000), absl::Seconds(1));
}

TEST(WorkQueue, RateLimitedKeysWaitAndForgetResetsTheirBackoff) {
  WorkQueue q({.base_delay = absl::Milliseconds(20)});
  q.AddRateLimited("broken");
  q.AddRateLimited("broken");  // still pending: not queued twice
  EXPECT_EQ(q.Failures("broken"), 2);
  EXPECT_EQ(q.ready(), 0u);
  EXPECT_EQ(q.delayed(), 1u);
  q.Add("healthy");
  // The healthy cluster is served first; the broken one only when due.
  EXPECT_EQ(q.Get(), "healthy");
  q.Done("healthy");
  EXPECT_EQ(q.Get(), "broken");
  q.Done("broken");
  q.Forget("broken");
  EXPECT_EQ(q.Failures("broken"), 0);
}

TEST(WorkQueue, AddBeatsAPendingDelay) {
  WorkQueue q;
  q.AddAfter("a", absl::Hours(1));
  EXPECT_EQ(q.delayed(), 1u);
  q.Add("a");
  EXPECT_EQ(q.delayed(), 0u);
  EXPECT_EQ(q.Get(), "a");
}

TEST(WorkQueue, ShutDownReleasesWaitingWorkers) {
  WorkQueue q;
  std::thread worker([&] { EXPECT_EQ(q.Get(), std::nullopt); });
  q.ShutDown();
  worker.join();
  q.Add("late");
  EXPECT_EQ(q.ready(), 0u);
}

TEST(WorkQueue, ManyWorkersNeverShareAKeyAndEveryAddIsServed) {
  WorkQueue q;
  std::atomic<int> in_flight_violations{0};
  std::mutex mu;
  std::set<std::string> active;
  std::map<std::string, int> served;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (std::optional<std::string> key = q.Get()) {
        {
          std::lock_guard<std::mutex> l(mu);
          if (!active.insert(*key).second) ++in_flight_violations;
          ++served[*key];
        }
        std::this_thread::yield();
        {
          std::lock_guard<std::mutex> l(mu);
          active.erase(*key);
        }
        q.Done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) q.Add("c" + std::to_string(i % 7));
  q.Add("final");  // FIFO: served only after every key queued before it was taken
  while (true) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (served.count("final")) break;
    }
    std::this_thread::yield();
  }
  q.ShutDown();  // workers finish what they took, then leave
  for (auto& t : workers) t.join();
  EXPECT_EQ(in_flight_violations, 0);
  for (int i = 0; i < 7; ++i) EXPECT_GE(served["c" + std::to_string(i)], 1);
}

}  // namespace
}  // namespace doris_operator::workqueue
