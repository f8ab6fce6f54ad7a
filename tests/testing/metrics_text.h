#ifndef DORIS_OPERATOR_TESTS_TESTING_METRICS_TEXT_H_
#define DORIS_OPERATOR_TESTS_TESTING_METRICS_TEXT_H_

// Reads a value out of a Prometheus text exposition, as tests and benchmarks
// read the operator's /metrics.

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace doris_operator::testing {

// The sum of `name`'s samples whose labels contain `label` ("" = all).
inline double MetricValue(const std::string& text, const std::string& name,
                          const std::string& label = "") {
  double total = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const std::string l(line);
    if (l.substr(0, l.find_first_of("{ ")) != name) continue;
    if (!label.empty() && l.find(label) == std::string::npos) continue;
    double v = 0;
    if (absl::SimpleAtod(l.substr(l.rfind(' ') + 1), &v)) total += v;
  }
  return total;
}

}  // namespace doris_operator::testing

#endif  // DORIS_OPERATOR_TESTS_TESTING_METRICS_TEXT_H_
