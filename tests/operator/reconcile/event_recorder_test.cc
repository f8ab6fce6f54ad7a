#include "operator/reconcile/event_recorder.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

EventSpec Spec(const std::string& reason, const std::string& message) {
  EventSpec e;
  e.ns = "default";
  e.api_version = "doris.selectdb.com/v1";
  e.kind = "DorisCluster";
  e.name = "demo";
  e.uid = "uid-1";
  e.type = "Warning";
  e.reason = reason;
  e.message = message;
  return e;
}

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(EventCorrelatorTest, ARepeatCountsOnTheEventAlreadyWritten) {
  EventCorrelator c;
  CorrelatedEvent first = c.Correlate(Spec("FailedApply", "refused"), kT0);
  EXPECT_FALSE(first.skip);
  EXPECT_TRUE(first.name.empty());  // create
  EXPECT_EQ(first.count, 1);
  c.Recorded(first, "demo.abc12");
  for (int i = 2; i <= 5; ++i) {
    CorrelatedEvent again = c.Correlate(Spec("FailedApply", "refused"), kT0 + absl::Seconds(2 * i));
    EXPECT_FALSE(again.skip);
    EXPECT_EQ(again.name, "demo.abc12");  // patch, not a new object
    EXPECT_EQ(again.count, i);
    EXPECT_EQ(again.first_timestamp, kT0);
    EXPECT_EQ(again.last_timestamp, kT0 + absl::Seconds(2 * i));
    EXPECT_EQ(again.message, "refused");
    c.Recorded(again, "demo.abc12");
  }
  // Another reason, or another object, is another Event.
  EXPECT_TRUE(c.Correlate(Spec("FailedDelete", "refused"), kT0).name.empty());
  EventSpec other = Spec("FailedApply", "refused");
  other.name = "other";
  EXPECT_TRUE(c.Correlate(other, kT0).name.empty());
}

TEST(EventCorrelatorTest, AnEventThatWasNotWrittenIsCreatedNextTime) {
  EventCorrelator c;
  CorrelatedEvent first = c.Correlate(Spec("FailedApply", "refused"), kT0);
  c.Recorded(first, "");  // the create failed
  CorrelatedEvent next = c.Correlate(Spec("FailedApply", "refused"), kT0 + absl::Seconds(1));
  EXPECT_TRUE(next.name.empty());
  EXPECT_EQ(next.count, 1);
}

TEST(EventCorrelatorTest, TenVariantsOfAReasonInTenMinutesAreCombined) {
  EventCorrelator c;
  for (int i = 1; i < 10; ++i) {
    CorrelatedEvent e = c.Correlate(Spec("DropFrontendFailed", absl::StrCat("fe-", i)), kT0 + absl::Seconds(i));
    EXPECT_EQ(e.message, absl::StrCat("fe-", i));
    c.Recorded(e, absl::StrCat("demo.", i));
  }
  CorrelatedEvent tenth = c.Correlate(Spec("DropFrontendFailed", "fe-10"), kT0 + absl::Seconds(10));
  EXPECT_EQ(tenth.message, "(combined from similar events): fe-10");
  EXPECT_TRUE(tenth.name.empty());
  c.Recorded(tenth, "demo.combined");
  CorrelatedEvent eleventh = c.Correlate(Spec("DropFrontendFailed", "fe-11"), kT0 + absl::Seconds(11));
  EXPECT_EQ(eleventh.message, "(combined from similar events): fe-11");
  EXPECT_EQ(eleventh.name, "demo.combined");
  EXPECT_EQ(eleventh.count, 2);
  // Past the interval the variants start afresh.
  CorrelatedEvent later = c.Correlate(Spec("DropFrontendFailed", "fe-12"), kT0 + absl::Minutes(30));
  EXPECT_EQ(later.message, "fe-12");
}

TEST(EventCorrelatorTest, AnObjectMayBurst25EventsThenOneEveryFiveMinutes) {
  EventCorrelator c;
  for (int i = 0; i < 25; ++i) {
    CorrelatedEvent e = c.Correlate(Spec("DecommissionNotCancelled", "stay decommissioned"), kT0);
    EXPECT_FALSE(e.skip) << i;
    c.Recorded(e, "demo.1");
  }
  CorrelatedEvent over = c.Correlate(Spec("DecommissionNotCancelled", "stay decommissioned"), kT0);
  EXPECT_TRUE(over.skip);
  // The skipped one still counts: the next write carries every occurrence.
  CorrelatedEvent refilled =
      c.Correlate(Spec("DecommissionNotCancelled", "stay decommissioned"), kT0 + absl::Minutes(5));
  EXPECT_FALSE(refilled.skip);
  EXPECT_EQ(refilled.count, 27);
  EXPECT_EQ(refilled.name, "demo.1");
}

}  // namespace
}  // namespace doris_operator::reconcile
