#include "operator/logging/log.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace doris_operator::logging {

std::string LogfmtValue(const std::string& value) {
  bool plain = !value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      plain = false;
    }
  }
  if (plain) return value;
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

void Log(Level level, const std::string& msg, const Fields& fields) {
  static absl::Mutex mu(absl::kConstInit);
  std::string line = absl::StrCat(
      "time=", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      " level=", level == Level::kInfo ? "info" : level == Level::kWarn ? "warn" : "error",
      " msg=", LogfmtValue(msg));
  for (const auto& [k, v] : fields) absl::StrAppend(&line, " ", k, "=", LogfmtValue(v));
  line += '\n';
  absl::MutexLock lock(&mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace doris_operator::logging
