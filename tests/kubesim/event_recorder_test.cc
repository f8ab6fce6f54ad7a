// kubesim's EventRecorder against client-go's EventCorrelator rules
// (tools/record/events_cache.go): repeats counted on one Event, similar
// events combined, a source's events about one object rate-limited.

#include "tools/kubesim/event_recorder.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/kubesim/api_server.h"

namespace doris_operator::kubesim {
namespace {

class EventRecorderTest : public ::testing::Test {
 protected:
  EventRecorderTest() : recorder_(&api_.store(), "some-controller") {
    ResourceType cms = *api_.store().Find("", "v1", "configmaps");
    object_ = std::get<Json>(api_.store().Create(cms, "default", {{"metadata", {{"name", "cm"}}}}));
  }
  std::vector<Json> Events() {
    return api_.store().List(*api_.store().Find("", "v1", "events"), "default", "", "", 0, "").items;
  }

  ApiServer api_;
  EventRecorder recorder_;
  Json object_;
};

// makeEvent / generateEvent: the Event's shape.
TEST_F(EventRecorderTest, AnEventNamesItsObjectAndSource) {
  recorder_.Event(object_, "Normal", "Done", "it is done", 0);
  std::vector<Json> events = Events();
  ASSERT_EQ(events.size(), 1u);
  const Json& e = events[0];
  EXPECT_EQ(e["involvedObject"],
            Json({{"kind", "ConfigMap"}, {"namespace", "default"}, {"name", "cm"},
                  {"uid", object_["metadata"]["uid"]}, {"apiVersion", "v1"},
                  {"resourceVersion", object_["metadata"]["resourceVersion"]}}));
  EXPECT_EQ(e["source"], Json({{"component", "some-controller"}}));
  EXPECT_EQ(e["reportingComponent"], "some-controller");
  EXPECT_EQ(e["reportingInstance"], "");
  EXPECT_EQ(e["type"], "Normal");
  EXPECT_EQ(e["count"], 1);
  EXPECT_EQ(e["metadata"]["name"].get<std::string>().rfind("cm.", 0), 0u);
}

// eventObserve: the same event again is the first one with count + 1.
TEST_F(EventRecorderTest, RepeatsRaiseTheCountOfOneEvent) {
  for (int i = 0; i < 3; ++i) recorder_.Event(object_, "Warning", "Failed", "same", i * 1000);
  recorder_.Event(object_, "Warning", "Failed", "other", 4000);
  std::vector<Json> events = Events();
  ASSERT_EQ(events.size(), 2u);
  int same = 0;
  for (const Json& e : events) {
    if (e["message"] == "same") same = e["count"];
  }
  EXPECT_EQ(same, 3);
}

// EventAggregate: from the 10th different message for one reason within
// 10 minutes on, one "(combined from similar events)" event counts them.
TEST_F(EventRecorderTest, TenDifferentMessagesForOneReasonAreCombined) {
  for (int i = 0; i < 12; ++i) {
    recorder_.Event(object_, "Warning", "Failed", "message " + std::to_string(i), i * 1000);
  }
  std::vector<Json> events = Events();
  ASSERT_EQ(events.size(), 10u);
  int combined = 0;
  for (const Json& e : events) {
    if (e["message"].get<std::string>().rfind("(combined from similar events): ", 0) != 0) continue;
    ++combined;
    EXPECT_EQ(e["message"], "(combined from similar events): message 11");
    EXPECT_EQ(e["count"], 3);
  }
  EXPECT_EQ(combined, 1);
  // Ten minutes later the aggregation starts over.
  recorder_.Event(object_, "Warning", "Failed", "message 12", 11 * 1000 + 600001);
  EXPECT_EQ(Events().size(), 11u);
}

// EventSourceObjectSpamFilter: 25 at once, then one per 5 minutes.
TEST_F(EventRecorderTest, ASourceWritesTwentyFiveEventsAboutAnObjectAtOnce) {
  for (int i = 0; i < 30; ++i) recorder_.Event(object_, "Normal", "R" + std::to_string(i), "m", 0);
  EXPECT_EQ(Events().size(), 25u);
  recorder_.Event(object_, "Normal", "late", "m", 299999);
  EXPECT_EQ(Events().size(), 25u);
  recorder_.Event(object_, "Normal", "later", "m", 300000);
  EXPECT_EQ(Events().size(), 26u);
}

}  // namespace
}  // namespace doris_operator::kubesim
