#include "operator/reconcile/doris_failures.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

TEST(DescribeUnreadableTest, EachCauseHasItsReasonAndTheStatusSaysWhy) {
  UnreadableList a = DescribeUnreadable(
      "FE backend list", absl::UnauthenticatedError("FE demo-fe-service refused the credentials of user root"));
  EXPECT_EQ(a.reason, "DorisCredentialsRefused");
  EXPECT_EQ(a.why.rfind(a.stable, 0), 0u);
  EXPECT_NE(a.why.find("refused the credentials of user root"), std::string::npos);
  EXPECT_NE(a.why.find("authSecret"), std::string::npos);
  EXPECT_NE(a.why.find("nothing shrinks"), std::string::npos);

  UnreadableList t = DescribeUnreadable("FE node list", absl::DeadlineExceededError("timed out after 10 s"));
  EXPECT_EQ(t.reason, "DorisUnreachable");
  EXPECT_EQ(DescribeUnreadable("FE node list", absl::UnavailableError("HTTP 500")).reason, "DorisUnreachable");
  EXPECT_EQ(DescribeUnreadable("FE node list", absl::FailedPreconditionError("Internal Error")).reason,
            "NodeListUnreadable");
  // The same situation with another error text keeps the same stable part.
  EXPECT_EQ(t.stable, DescribeUnreadable("FE node list", absl::DeadlineExceededError("other")).stable);
  EXPECT_NE(t.stable, a.stable);
  // Another kind of failure of the same list is another situation.
  EXPECT_NE(DescribeUnreadable("FE node list", absl::UnavailableError("HTTP 500")).stable,
            DescribeUnreadable("FE node list", absl::InternalError("Internal Error")).stable);
}

TEST(RefusedWaitTest, NamesWhatWaitsAndDorisReason) {
  EXPECT_EQ(RefusedWait("be-2 to decommission", "",
                        absl::FailedPreconditionError("decommission backends: errCode = 2, detailMessage = busy")),
            "be-2 to decommission (the FE refused: decommission backends: errCode = 2, detailMessage = busy; "
            "retried on the next reconcile)");
  EXPECT_EQ(RefusedWait("", "h:9050 to be dropped", absl::FailedPreconditionError("x")),
            "h:9050 to be dropped (the FE refused: x; retried on the next reconcile)");
}

}  // namespace
}  // namespace doris_operator::reconcile
