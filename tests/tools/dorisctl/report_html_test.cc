#include "tools/dorisctl/report_html.h"

#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace doris_operator::dorisctl {
namespace {

using google::protobuf::util::TimeUtil;
using log::v1::LogRecord;
using log::v1::ReconcileRecord;

constexpr int64_t kT0 = 1764576000;  // 2025-12-01T08:00:00Z

class ReportHtmlTest : public ::testing::Test {
 protected:
  ReportHtmlTest() {
    in_.cluster.set_namespace_("prod");
    in_.cluster.set_name("demo");
    in_.source = "bundle demo.bundle";
  }

  LogRecord& Add(int64_t second) {
    LogRecord& r = in_.records.emplace_back();
    r.set_seq(in_.records.size());
    *r.mutable_observed_at() = TimeUtil::SecondsToTimestamp(kT0 + second);
    r.mutable_cluster()->CopyFrom(in_.cluster);
    return r;
  }

  LogRecord& Watch(int64_t second, const std::string& kind, const std::string& name,
                   const std::string& json, log::v1::WatchEventType type = log::v1::MODIFIED) {
    LogRecord& r = Add(second);
    r.mutable_watch()->set_type(type);
    r.mutable_watch()->mutable_object()->set_kind(kind);
    r.mutable_watch()->mutable_object()->set_name(name);
    r.mutable_watch()->set_object_json(json);
    return r;
  }

  static std::string Pod(bool ready, int restarts, const std::string& image) {
    return absl::StrCat(
        R"({"spec":{"containers":[{"image":")", image,
        R"("}]},"status":{"phase":"Running","conditions":[{"type":"Ready","status":")",
        ready ? "True" : "False", R"("}],"containerStatuses":[{"restartCount":)", restarts, "}]}}");
  }

  ReconcileRecord::Action* Action(ReconcileRecord* rec, const std::string& verb,
                                  const std::string& kind, const std::string& name,
                                  uint64_t caused_by) {
    auto* a = rec->add_actions();
    a->set_verb(verb);
    a->mutable_object()->set_kind(kind);
    a->mutable_object()->set_name(name);
    a->set_ok(true);
    a->set_caused_by_seq(caused_by);
    return a;
  }

  // Every href="#x" of the page names an id="x" of the page.
  static void ExpectLinksResolve(const std::string& html) {
    std::set<std::string> ids;
    const std::regex id_re("id=\"?([A-Za-z0-9_-]+)");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), id_re);
         it != std::sregex_iterator(); ++it) {
      ids.insert((*it)[1]);
    }
    const std::regex href_re("href=\"#([^\"]+)\"");
    int links = 0;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), href_re);
         it != std::sregex_iterator(); ++it, ++links) {
      EXPECT_TRUE(ids.count((*it)[1])) << "dangling link #" << (*it)[1];
    }
    EXPECT_GT(links, 0);
  }

  ReportInput in_;
};

TEST_F(ReportHtmlTest, EveryTextIsEscaped) {
  Watch(1, "Pod", "demo-be-0", Pod(false, 0, "img<script>alert('x')</script>&\\\"q\\\""));
  LogRecord& r = Add(2);
  auto* rec = r.mutable_reconcile();
  rec->set_outcome(ReconcileRecord::FAILED);
  rec->set_error("apply failed: <b>denied</b> & \"quoted\"");
  auto* a = Action(rec, "apply", "StatefulSet", "demo-be", 1);
  a->set_ok(false);
  a->set_error("<img src=x onerror=alert(1)>");
  in_.source = "bundle <evil>.bundle";
  const std::string html = RenderReportHtml(in_);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>denied"), std::string::npos);
  EXPECT_EQ(html.find("<evil>"), std::string::npos);
  EXPECT_NE(html.find("img&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;q&quot;"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;denied&lt;/b&gt; &amp; &quot;quoted&quot;"), std::string::npos);
}

TEST_F(ReportHtmlTest, SelfContained) {
  Watch(1, "Pod", "demo-be-0", Pod(true, 0, "apache/doris:be-2.1.8"));
  const std::string html = RenderReportHtml(in_);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
}

TEST_F(ReportHtmlTest, ActionsLinkToTheirCausesAndEveryLinkResolves) {
  Watch(1, "DorisCluster", "demo",
        R"({"metadata":{"generation":2},"spec":{"beSpec":{"image":"be:2"}},)"
        R"("status":{"beStatus":{"componentCondition":{"phase":"upgrading"}}}})");
  Watch(2, "Pod", "demo-be-1", Pod(true, 0, "be:1"));
  // A pod record that says nothing new is left out... unless an action
  // names it as its cause.
  Watch(3, "Pod", "demo-be-1", Pod(true, 0, "be:1"));
  LogRecord& r = Add(4);
  auto* rec = r.mutable_reconcile();
  rec->set_outcome(ReconcileRecord::APPLIED);
  rec->set_trigger_seq_begin(1);
  rec->set_trigger_seq_end(3);
  rec->set_diff_json(
      R"([{"kind":"StatefulSet","name":"demo-be","reason":"image be:1 -> be:2","verb":"apply"}])");
  Action(rec, "apply", "StatefulSet", "demo-be", 1);
  Action(rec, "delete", "Pod", "demo-be-1", 3);
  Action(rec, "apply", "Service", "demo-be-internal", 0);
  Action(rec, "apply", "ConfigMap", "demo-be-conf", 99);  // not in this history
  const std::string html = RenderReportHtml(in_);
  ExpectLinksResolve(html);
  EXPECT_NE(html.find("<tr id=\"r3\""), std::string::npos) << "the cause of an action is shown";
  EXPECT_NE(html.find("caused by <a href=\"#r1\">#1</a> DorisCluster/demo MODIFIED"),
            std::string::npos);
  EXPECT_NE(html.find("caused by <a href=\"#r3\">#3</a> Pod/demo-be-1"), std::string::npos);
  EXPECT_NE(html.find("no single record named"), std::string::npos);
  EXPECT_EQ(html.find("href=\"#r99\""), std::string::npos);
  EXPECT_NE(html.find("#99</span> (before this history)"), std::string::npos);
  // The action row in component be's timeline carries the step's drift.
  EXPECT_NE(html.find("<br>drift: image be:1 -&gt; be:2"), std::string::npos);
  EXPECT_NE(html.find("id=\"c-be\""), std::string::npos);
  EXPECT_NE(html.find("id=\"p-demo-be-1\""), std::string::npos);
}

TEST_F(ReportHtmlTest, UnchangedWatchEventsAreCountedNotShown) {
  Watch(1, "Pod", "demo-be-0", Pod(true, 0, "be:1"));
  Watch(2, "Pod", "demo-be-0", Pod(true, 0, "be:1"));
  Watch(3, "Pod", "demo-be-0", Pod(true, 0, "be:1"));
  Watch(4, "Pod", "demo-be-0", Pod(true, 1, "be:1"));
  const std::string html = RenderReportHtml(in_);
  EXPECT_NE(html.find("id=\"r1\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"r2\""), std::string::npos);
  EXPECT_NE(html.find("id=\"r4\""), std::string::npos);
  EXPECT_NE(html.find("restarts 1"), std::string::npos);
  EXPECT_NE(html.find("2 more watch events said nothing new"), std::string::npos);
}

TEST_F(ReportHtmlTest, CoalescedRepeatsShowCountAndTimeRange) {
  Watch(1, "DorisCluster", "demo",
        R"({"status":{"beStatus":{"componentCondition":{"phase":"upgrading"}}}})");
  Watch(2, "Pod", "demo-be-1", Pod(true, 0, "be:1"));
  Watch(10, "Pod", "demo-be-1", Pod(false, 0, "be:2-never-ready"));
  LogRecord& r = Add(12);
  auto* rec = r.mutable_reconcile();
  rec->set_outcome(ReconcileRecord::REQUEUED);
  rec->set_trigger_seq_begin(3);
  rec->set_trigger_seq_end(3);
  rec->mutable_repeats()->set_count(42);
  *rec->mutable_repeats()->mutable_last_observed_at() = TimeUtil::SecondsToTimestamp(kT0 + 612);
  const std::string html = RenderReportHtml(in_);
  EXPECT_NE(html.find(">x42</span> 2025-12-01 08:00:12.000Z .. 2025-12-01 08:10:12.000Z (10m)"),
            std::string::npos)
      << html;
  // The summary: phase now, what it waits for, how long.
  const std::string summary = html.substr(html.find("id=summary"));
  EXPECT_NE(summary.find("be <span class=\"pill notready\">upgrading</span>"), std::string::npos);
  EXPECT_NE(summary.find("<a href=\"#p-demo-be-1\"><b>demo-be-1</b></a> to become ready"),
            std::string::npos);
  EXPECT_NE(summary.find("not ready since 2025-12-01 08:00:10.000Z, for 10m2s"), std::string::npos);
  EXPECT_NE(summary.find("<dt>stuck for</dt><dd>10m"), std::string::npos);
  ExpectLinksResolve(html);
}

TEST_F(ReportHtmlTest, ObjectsGoToTheirComponentsTimeline) {
  Watch(1, "StatefulSet", "demo-be", R"({"spec":{"replicas":2}})", log::v1::ADDED);
  Watch(2, "PersistentVolumeClaim", "be-storage-demo-be-0", "{}", log::v1::ADDED);
  Watch(3, "ConfigMap", "demo-settings", "{}", log::v1::ADDED);  // no component
  const std::string html = RenderReportHtml(in_);
  const size_t be = html.find("id=\"c-be\"");
  const size_t cluster = html.find("<h2>Cluster</h2>");
  ASSERT_NE(be, std::string::npos);
  const size_t pvc = html.find("PersistentVolumeClaim/be-storage-demo-be-0");
  const size_t cm = html.find("ConfigMap/demo-settings");
  EXPECT_TRUE(pvc > be && pvc < cluster) << html;
  EXPECT_GT(cm, cluster);
  EXPECT_EQ(html.find("id=\"c-settings\""), std::string::npos);
}

TEST_F(ReportHtmlTest, AnActionComesBeforeTheEventsItBroughtAbout) {
  // The apply's result is watched (seq 1) before the reconcile's record is
  // written (seq 2); the reconcile started 3 s before that record.
  Watch(5, "StatefulSet", "demo-be", R"({"spec":{"replicas":3}})");
  LogRecord& r = Add(6);
  r.mutable_reconcile()->set_outcome(ReconcileRecord::APPLIED);
  r.mutable_reconcile()->set_duration_micros(3000000);
  Action(r.mutable_reconcile(), "apply", "StatefulSet", "demo-be", 0);
  const std::string html = RenderReportHtml(in_);
  ASSERT_NE(html.find("<tr id=\"r2-a0\""), std::string::npos);
  EXPECT_LT(html.find("<tr id=\"r2-a0\""), html.find("<tr id=\"r1\"")) << html;
  EXPECT_NE(html.find("2025-12-01 08:00:03.000Z</td><td class=who>did"), std::string::npos);
}

TEST_F(ReportHtmlTest, DriftNowOnlyWhenKnown) {
  Watch(1, "Pod", "demo-be-0", Pod(true, 0, "be:1"));
  EXPECT_NE(RenderReportHtml(in_).find("Not known: an offline report"), std::string::npos);
  in_.drift_known = true;
  in_.drift.push_back({"StatefulSet", "demo-be", "/spec/replicas", "CHANGED_BY_HAND", "3", "<5>"});
  const std::string html = RenderReportHtml(in_);
  EXPECT_NE(html.find("CHANGED_BY_HAND"), std::string::npos);
  EXPECT_NE(html.find("&lt;5&gt;"), std::string::npos);
}

}  // namespace
}  // namespace doris_operator::dorisctl
