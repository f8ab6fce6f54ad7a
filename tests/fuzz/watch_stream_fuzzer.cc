// Fuzzes a watch response body from the API server: framing
// (operator/kube/watch_stream), event decoding, and the normalisation of each
// event's object into the log record the watcher appends
// (operator/ingest/normalize).
//
// Properties: feeding the body in arbitrary chunks gives exactly the lines
// of feeding it at once, which are the body's non-empty '\n'-terminated
// lines, and the unterminated tail stays buffered; a consumer that stops
// gets no further line; decoding never throws and an ERROR event is
// never delivered as an event; an event the watcher would log either is
// refused with an error or becomes a record the event log accepts
// (store::ValidateRecord: e.g. no Secret data), naming the object it came
// from.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "operator/ingest/normalize.h"
#include "operator/kube/watch_stream.h"
#include "store/record_validation.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using nlohmann::json;
namespace kube = doris_operator::kube;
namespace ingest = doris_operator::ingest;
namespace logpb = doris_operator::log::v1;

std::vector<std::string> Feed(std::string_view body, const std::vector<size_t>& cuts,
                              size_t* buffered, size_t stop_after = SIZE_MAX) {
  kube::WatchFramer framer;
  std::vector<std::string> lines;
  size_t at = 0;
  bool go_on = true;
  for (size_t i = 0; i <= cuts.size() && go_on; ++i) {
    const size_t end = i < cuts.size() ? cuts[i] : body.size();
    go_on = framer.Feed(body.substr(at, end - at), [&](std::string_view line) {
      FUZZ_CHECK(!line.empty() && line.find('\n') == std::string_view::npos,
                 "a framed line is empty or holds a newline");
      lines.emplace_back(line);
      return lines.size() < stop_after;
    });
    FUZZ_CHECK(go_on == (lines.size() < stop_after), "Feed's result disagrees with on_line's");
    at = end;
  }
  *buffered = framer.buffered();
  return lines;
}

void CheckEvent(const json& event) {
  FUZZ_CHECK(event.is_object(), "a delivered event is not an object");
  FUZZ_CHECK(!(event.contains("type") && event["type"] == "ERROR"), "an ERROR delivered as an event");
  // What ingest::Watcher does with an event it logs.
  const auto type = event.find("type");
  const auto obj = event.find("object");
  if (type == event.end() || !type->is_string() || obj == event.end() || !obj->is_object()) return;
  logpb::WatchEventType t;
  if (*type == "ADDED") {
    t = logpb::ADDED;
  } else if (*type == "MODIFIED") {
    t = logpb::MODIFIED;
  } else if (*type == "DELETED") {
    t = logpb::DELETED;
  } else {
    return;
  }
  json object = *obj;
  if (!object.contains("apiVersion")) object["apiVersion"] = "v1";
  if (!object.contains("kind")) object["kind"] = "Secret";
  absl::StatusOr<logpb::LogRecord> r =
      ingest::RecordForObject(object, {.type = t, .stream = "v1/secrets"});
  if (!r.ok()) {
    FUZZ_CHECK(!r.status().message().empty(), "a refused event without a reason");
    return;
  }
  const absl::Status valid = doris_operator::store::ValidateRecord(*r);
  FUZZ_CHECK(valid.ok(), "the log refuses what ingest made of an event: " + valid.ToString() +
                             "\n  object: " + object.dump());
  const json meta = object.value("metadata", json::object());
  FUZZ_CHECK(meta.is_object() && meta.value("name", json()) == r->watch().object().name(),
             "the record names another object than the event: " + r->watch().object().name());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  // The reference framing: complete lines, empty ones skipped.
  std::vector<std::string> want;
  const size_t last_nl = body.rfind('\n');
  const std::string_view complete = last_nl == std::string_view::npos ? "" : body.substr(0, last_nl);
  if (last_nl != std::string_view::npos) {
    for (absl::string_view l : absl::StrSplit(absl::string_view(complete.data(), complete.size()), '\n')) {
      if (!l.empty()) want.emplace_back(l);
    }
  }
  const size_t want_buffered = last_nl == std::string_view::npos ? size : size - last_nl - 1;

  size_t buffered = 0;
  FUZZ_CHECK(Feed(body, {}, &buffered) == want && buffered == want_buffered,
             "framing the body at once differs from its lines");
  // Chunk boundaries taken from the body's own bytes, so they vary with it.
  std::vector<size_t> cuts;
  for (size_t i = 0, at = 0; i < size && cuts.size() < 64; i += 7) {
    at += 1 + data[i] % 23;
    if (at >= size) break;
    cuts.push_back(at);
  }
  FUZZ_CHECK(Feed(body, cuts, &buffered) == want && buffered == want_buffered,
             "framing the body in chunks differs from framing it at once");
  if (want.size() > 1) {
    const std::vector<std::string> first = Feed(body, cuts, &buffered, 1);
    FUZZ_CHECK(first.size() == 1 && first[0] == want[0], "a stopped consumer got more lines");
  }

  for (const std::string& line : want) {
    kube::WatchLine decoded = kube::DecodeWatchLine(line);
    const json raw = json::parse(line, nullptr, false);
    const bool is_error = raw.is_object() && raw.contains("type") && raw["type"] == "ERROR";
    switch (decoded.kind) {
      case kube::WatchLine::Kind::kEvent:
        FUZZ_CHECK(!is_error, "an ERROR line decoded as an event");
        CheckEvent(decoded.event);
        break;
      case kube::WatchLine::Kind::kGone:
        FUZZ_CHECK(is_error && raw["object"].is_object() && raw["object"]["code"] == 410,
                   "Gone without an ERROR event of code 410: " + line);
        break;
      case kube::WatchLine::Kind::kError:
        FUZZ_CHECK(!decoded.error.empty(), "a watch error without a message");
        FUZZ_CHECK(is_error || !raw.is_object(), "a JSON object event decoded as an error");
        break;
    }
  }
  return 0;
}
