// Failed writes by cause: the kube client's and FE client's statuses map to
// the causes docs/metrics.md lists, and every cause is exported at 0.

#include "operator/metrics/write_failures.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/metrics_text.h"

namespace doris_operator::metrics {
namespace {

TEST(WriteFailuresTest, CausesFollowTheStatus) {
  EXPECT_EQ(WriteFailureCause("apply", absl::AbortedError("HTTP 409 Conflict")), "conflict");
  EXPECT_EQ(WriteFailureCause("create", absl::AlreadyExistsError("HTTP 409 AlreadyExists")), "conflict");
  EXPECT_EQ(WriteFailureCause("apply", absl::InvalidArgumentError("HTTP 422 Invalid")), "invalid");
  EXPECT_EQ(WriteFailureCause("delete", absl::PermissionDeniedError("HTTP 403")), "forbidden");
  EXPECT_EQ(WriteFailureCause("delete", absl::NotFoundError("HTTP 404")), "not_found");
  EXPECT_EQ(WriteFailureCause("apply", absl::InternalError("not JSON")), "server_error");
  EXPECT_EQ(WriteFailureCause("apply", absl::UnavailableError("HTTP 503")), "unavailable");
  EXPECT_EQ(WriteFailureCause("apply", absl::FailedPreconditionError("not the leader")), "other");
  EXPECT_EQ(WriteFailureCause("doris:drop_backend", absl::FailedPreconditionError("errCode = 2")),
            "doris_refused");
  EXPECT_EQ(WriteFailureCause("doris:decommission_backend", absl::UnavailableError("FE down")),
            "unavailable");
}

TEST(WriteFailuresTest, EveryCauseIsExportedAndCounted) {
  Registry registry;
  WriteFailures failures(&registry);
  std::string t = registry.Render();
  for (const char* cause : {"conflict", "invalid", "forbidden", "not_found", "server_error", "unavailable",
                            "doris_refused", "other"}) {
    EXPECT_NE(t.find(absl::StrCat("doris_operator_write_failures_total{cause=\"", cause, "\"} 0")),
              std::string::npos)
        << cause << "\n" << t;
  }
  failures.Count("apply", absl::AbortedError("conflict"));
  failures.Count("apply", absl::OkStatus());
  t = registry.Render();
  EXPECT_EQ(testing::MetricValue(t, "doris_operator_write_failures_total", R"(cause="conflict")"), 1);
  EXPECT_EQ(testing::MetricValue(t, "doris_operator_write_failures_total"), 1);
}

}  // namespace
}  // namespace doris_operator::metrics
