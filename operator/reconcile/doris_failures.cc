#include "operator/reconcile/doris_failures.h"

#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile {

UnreadableList DescribeUnreadable(const std::string& list, const absl::Status& s) {
  UnreadableList out;
  std::string advice, cause;
  switch (s.code()) {
    case absl::StatusCode::kUnauthenticated:
      out.reason = "DorisCredentialsRefused";
      cause = "credentials refused";
      advice = "; check the cluster's authSecret (or adminUser) against Doris' admin password";
      break;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      out.reason = "DorisUnreachable";
      cause = "no answer from the FE";
      break;
    default:
      out.reason = "NodeListUnreadable";
      cause = "the FE failed";
  }
  out.stable = absl::StrCat("the ", list, ", which cannot be read (", cause, ")");
  out.why = absl::StrCat(out.stable, ": ", s.message(), advice, "; nothing shrinks until it can be read");
  return out;
}

std::string RefusedWait(const std::string& waiting_on, const std::string& what, const absl::Status& s) {
  return absl::StrCat(waiting_on.empty() ? what : waiting_on, " (the FE refused: ", s.message(),
                      "; retried on the next reconcile)");
}

}  // namespace doris_operator::reconcile
