#ifndef DORIS_OPERATOR_OPERATOR_KUBE_WATCH_STREAM_H_
#define DORIS_OPERATOR_OPERATOR_KUBE_WATCH_STREAM_H_

// The body of a watch response as the API server frames it: one JSON event
// object per line, arriving in chunks that split lines anywhere. Kept apart
// from the HTTP client so the framing and decoding can be tested (and fuzzed)
// without a connection.

#include <functional>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace doris_operator::kube {

// What one line of a watch stream says.
struct WatchLine {
  enum class Kind {
    kEvent,  // `event` is a watch event object ({"type","object"})
    kGone,   // an ERROR event with code 410: the resourceVersion is too old
    kError,  // an ERROR event, or a line that is not a JSON object
  };
  Kind kind = Kind::kError;
  nlohmann::json event;
  std::string error;  // for kError
};

// Decodes one complete, non-empty line. Never throws.
WatchLine DecodeWatchLine(std::string_view line);

// Reassembles lines from the chunks of a stream.
class WatchFramer {
 public:
  // Appends `chunk` and calls `on_line` with every line it completes (without
  // its '\n'; empty lines are skipped), in order, until `on_line` returns
  // false. Returns false when it did.
  bool Feed(std::string_view chunk, const std::function<bool(std::string_view line)>& on_line);
  // Bytes of an unfinished last line.
  size_t buffered() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

}  // namespace doris_operator::kube

#endif  // DORIS_OPERATOR_OPERATOR_KUBE_WATCH_STREAM_H_
