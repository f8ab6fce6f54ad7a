#include "operator/kube/watch_stream.h"

namespace doris_operator::kube {

using Json = nlohmann::json;

WatchLine DecodeWatchLine(std::string_view line) {
  WatchLine out;
  Json event = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded() || !event.is_object()) {
    out.error = "watch stream carried a line that is not a JSON object";
    return out;
  }
  const auto type = event.find("type");
  if (type != event.end() && type->is_string() && *type == "ERROR") {
    const auto obj = event.find("object");
    const bool is_object = obj != event.end() && obj->is_object();
    const auto code = is_object ? obj->find("code") : event.end();
    if (is_object && code != obj->end() && code->is_number() && *code == 410) {
      out.kind = WatchLine::Kind::kGone;
      return out;
    }
    const auto message = is_object ? obj->find("message") : event.end();
    out.error = is_object && message != obj->end() && message->is_string()
                    ? message->get<std::string>()
                    : "watch error";
    return out;
  }
  out.kind = WatchLine::Kind::kEvent;
  out.event = std::move(event);
  return out;
}

bool WatchFramer::Feed(std::string_view chunk,
                       const std::function<bool(std::string_view line)>& on_line) {
  buffer_.append(chunk);
  size_t start = 0;
  bool go_on = true;
  for (size_t nl; go_on && (nl = buffer_.find('\n', start)) != std::string::npos; start = nl + 1) {
    if (nl == start) continue;
    go_on = on_line(std::string_view(buffer_.data() + start, nl - start));
  }
  buffer_.erase(0, start);
  return go_on;
}

}  // namespace doris_operator::kube
