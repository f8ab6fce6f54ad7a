#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DORIS_FAILURES_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DORIS_FAILURES_H_

// What the reconciler says when Doris fails it: a node list it cannot read
// (wrong credentials, an FE that is down, slow or broken) or a membership
// write the FE refuses. Pure: the words for status and the Event reason.

#include <string>

#include "absl/status/status.h"

namespace doris_operator::reconcile {

struct UnreadableList {
  // Event reason: DorisCredentialsRefused (401), DorisUnreachable (no
  // answer in time, connection refused, HTTP errors), NodeListUnreadable.
  std::string reason;
  // For the component's status ("waiting for <why>"). Starts with `stable`,
  // which names the list and the kind of failure but not the changing
  // error text, so that the Event is recorded once per situation rather
  // than once per poll.
  std::string why;
  std::string stable;
};

// `list` names what could not be read, e.g. "FE backend list".
UnreadableList DescribeUnreadable(const std::string& list, const absl::Status& s);

// A membership write the FE refused: what the component waits for, with
// Doris' reason, e.g. "be-3 to decommission (the FE refused: ...)".
std::string RefusedWait(const std::string& waiting_on, const std::string& what, const absl::Status& s);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DORIS_FAILURES_H_
