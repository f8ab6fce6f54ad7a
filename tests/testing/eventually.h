#ifndef DORIS_OPERATOR_TESTS_TESTING_EVENTUALLY_H_
#define DORIS_OPERATOR_TESTS_TESTING_EVENTUALLY_H_

// Waiting for a condition in tests, bounded by wall time: a loaded machine
// makes each poll slower, and a bound counted in polls would then stretch
// past the test's own timeout instead of failing with a message.

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace doris_operator::testing {

// Polls `done` every `poll` until it returns true (then true) or `timeout`
// of wall time has passed (then false, after one last poll).
inline bool Eventually(const std::function<bool()>& done, absl::Duration timeout,
                       absl::Duration poll = absl::Milliseconds(100)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(poll);
  }
  return done();
}

}  // namespace doris_operator::testing

#endif  // DORIS_OPERATOR_TESTS_TESTING_EVENTUALLY_H_
