#ifndef DORIS_OPERATOR_OPERATOR_LOGGING_LOG_H_
#define DORIS_OPERATOR_OPERATOR_LOGGING_LOG_H_

// The operator's runtime log: one logfmt line per event on stderr
// (`time=... level=warn msg="watch failed" stream=v1/pods error="..."`), so
// log collectors can parse it. Never pass Secret data.

#include <string>
#include <utility>
#include <vector>

namespace doris_operator::logging {

enum class Level { kInfo, kWarn, kError };

using Fields = std::vector<std::pair<std::string, std::string>>;

void Log(Level level, const std::string& msg, const Fields& fields = {});

// `value` quoted and escaped when logfmt needs it.
std::string LogfmtValue(const std::string& value);

}  // namespace doris_operator::logging

#endif  // DORIS_OPERATOR_OPERATOR_LOGGING_LOG_H_
