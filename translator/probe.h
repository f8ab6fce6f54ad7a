#ifndef DORIS_OPERATOR_TRANSLATOR_PROBE_H_
#define DORIS_OPERATOR_TRANSLATOR_PROBE_H_

// Writes a container probe (handler and timing) in canonical key order, for
// every resource's pod templates.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "translator/json_writer.h"

namespace doris_operator::translator::internal {

// A probe's handler: its key ("exec", "httpGet", "tcpSocket") and value.
struct Handler {
  const char* key;
  std::string value;  // canonical JSON
};

struct ProbeTiming {
  int64_t failure_threshold;
  int64_t period_seconds;
  std::optional<int64_t> initial_delay_seconds;
  std::optional<int64_t> timeout_seconds;
};

// {"command": [args...]} as canonical JSON, the value of an exec handler.
std::string ExecCommand(std::initializer_list<std::string_view> args);

void WriteProbe(JsonWriter& w, const Handler& h, const ProbeTiming& t);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_PROBE_H_
