// EventLog::Close against readers still holding the log: record iterators
// (a Tail or Export reading at shutdown) and short reads (a metrics scrape).
// Nothing may outlive the database, and the directory can be opened again as
// soon as Close returns.

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "store/event_log.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

namespace fs = std::filesystem;
using testing::Watch;

class CloseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
  }

  std::unique_ptr<EventLog> OpenLog() {
    absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(dir_.string(), {});
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  static void AppendWatches(EventLog& log, int n) {
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<AppendResult> r = log.Append({Watch({.name = "pod-" + std::to_string(i)})});
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }

  fs::path dir_;
};

TEST_F(CloseTest, ALiveIteratorIsEndedAndTheDatabaseIsClosed) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  AppendWatches(*log, 10);
  std::unique_ptr<RecordIterator> it = log->Read(1);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(it->Valid()) << it->status();
    it->Next();
  }
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->record().seq(), 4u);
  // A done iterator stays OK: its range was read in full before Close.
  std::unique_ptr<RecordIterator> done = log->Read(9, 10);
  while (done->Valid()) done->Next();
  ASSERT_TRUE(done->status().ok()) << done->status();

  ASSERT_TRUE(log->Close().ok());

  EXPECT_FALSE(it->Valid());
  EXPECT_EQ(it->status().code(), absl::StatusCode::kFailedPrecondition) << it->status();
  EXPECT_NE(it->status().message().find("closed"), std::string::npos) << it->status();
  EXPECT_EQ(it->record().seq(), 4u);  // what the caller was looking at stays put
  it->Next();                         // harmless
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(done->status().ok()) << done->status();

  std::unique_ptr<RecordIterator> late = log->Read(1);
  EXPECT_FALSE(late->Valid());
  EXPECT_EQ(late->status().code(), absl::StatusCode::kFailedPrecondition) << late->status();

  // The database was closed by Close, not by the iterator's destructor:
  // RocksDB's lock on the directory is free while the iterators live on
  // past the log object.
  log.reset();
  auto again = OpenLog();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->last_seq(), 10u);
  it.reset();
  done.reset();
  late.reset();
  AppendWatches(*again, 1);
  EXPECT_EQ(again->last_seq(), 11u);
}

// The interleaving a shutdown produces: readers iterating (and scraping) on
// their own threads while another thread closes the log. Each reader sees
// records in order and then either the end of its range or the Close error.
TEST_F(CloseTest, CloseWhileOtherThreadsIterate) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  AppendWatches(*log, 200);
  constexpr int kReaders = 3;
  std::atomic<int> reading{0};
  absl::Notification all_reading;
  std::vector<std::thread> readers;
  std::vector<std::string> problems(kReaders);
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      bool counted = false;
      while (true) {
        std::unique_ptr<RecordIterator> it = log->Read(1);
        uint64_t expect = 1;
        for (; it->Valid(); it->Next(), ++expect) {
          if (it->record().seq() != expect) {
            problems[t] = "out of order at " + std::to_string(expect);
            return;
          }
          if (!counted && ++reading == kReaders) all_reading.Notify();
          counted = true;
          (void)log->ApproximateBytes();
        }
        if (it->status().code() == absl::StatusCode::kFailedPrecondition) return;  // closed
        if (!it->status().ok()) {
          problems[t] = it->status().ToString();
          return;
        }
        if (expect != 201) {
          problems[t] = "ended early at " + std::to_string(expect);
          return;
        }
      }
    });
  }
  all_reading.WaitForNotification();
  ASSERT_TRUE(log->Close().ok());
  for (std::thread& r : readers) r.join();
  for (int t = 0; t < kReaders; ++t) EXPECT_EQ(problems[t], "") << "reader " << t;
  log.reset();
  auto again = OpenLog();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->last_seq(), 200u);
}

}  // namespace
}  // namespace doris_operator::store
