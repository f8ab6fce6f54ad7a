#include "translator/probe.h"

namespace doris_operator::translator::internal {

std::string ExecCommand(std::initializer_list<std::string_view> args) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("command");
  w.BeginArray();
  for (std::string_view a : args) w.String(a);
  w.EndArray();
  w.EndObject();
  return out;
}

void WriteProbe(JsonWriter& w, const Handler& h, const ProbeTiming& t) {
  w.BeginObject();
  // The handler goes among the timing keys in sorted order.
  const std::string_view key = h.key;
  if (key < "failureThreshold") {
    w.Key(key);
    w.Raw(h.value);
  }
  w.Field("failureThreshold", t.failure_threshold);
  if (key > "failureThreshold" && key < "initialDelaySeconds") {
    w.Key(key);
    w.Raw(h.value);
  }
  if (t.initial_delay_seconds) w.Field("initialDelaySeconds", *t.initial_delay_seconds);
  if (key > "initialDelaySeconds" && key < "periodSeconds") {
    w.Key(key);
    w.Raw(h.value);
  }
  w.Field("periodSeconds", t.period_seconds);
  if (key > "periodSeconds") {
    w.Key(key);
    w.Raw(h.value);
  }
  if (t.timeout_seconds) w.Field("timeoutSeconds", *t.timeout_seconds);
  w.EndObject();
}

}  // namespace doris_operator::translator::internal
