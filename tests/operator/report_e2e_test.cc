// `dorisctl report` for a rollout stuck on a pod that never becomes ready,
// with the operator process against kubesim: the page made from the exported
// bundle (and live) is rendered by headless Chromium, and the DOM Chromium
// built must show the stuck pod, the operator's action and the link to its
// cause. A screenshot goes to the test's outputs for a person to look at.

#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_join.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

constexpr char kChromium[] = "/usr/bin/chromium";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ReportE2eTest : public OperatorE2eTest {
 protected:
  // Runs headless Chromium on a file with `flags`; its stdout into `out`.
  testing::CommandResult Chromium(const std::string& page, const std::string& flags,
                                  const std::string& out) {
    return testing::Run(
        {"/bin/sh", "-c",
         absl::StrCat(kChromium, " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage",
                      " --user-data-dir=", dir_, "/chromium-profile ", flags, " file://", page,
                      " > ", out, " 2>> ", dir_, "/chromium.log")});
  }
};

TEST_F(ReportE2eTest, AStuckRolloutRendersInChromium) {
  // Fails, not skips: this test is how the report is known to render.
  struct stat st;
  ASSERT_EQ(stat(kChromium, &st), 0)
      << kChromium << " is missing: install Debian's chromium (tools/bootstrap does)";

  Apply(Cluster("demo", 1, 2));
  ASSERT_TRUE(Eventually([&] { return Available("demo"); })) << operator_->Output();
  Apply(Cluster("demo", 1, 2, {.be_version = "2.1.8-never-ready"}));
  // demo-be-1 is rolled first (highest ordinal), runs, and never becomes
  // ready; the operator requeues, and its looks are one coalesced record.
  ASSERT_TRUE(Eventually(
      [&] {
        auto all = ListReconciles("demo");
        return !all.empty() && all.front().outcome() == log::v1::ReconcileRecord::REQUEUED &&
               all.front().count() >= 3;
      },
      300))
      << operator_->Output();
  ASSERT_EQ(Phase("demo", "be"), "upgrading");

  const std::string dorisctl = testing::Runfile("tools/dorisctl/dorisctl");
  const std::string admin = absl::StrCat("127.0.0.1:", admin_port_);
  const std::string bundle = dir_ + "/demo.bundle";
  auto exported = testing::Run({dorisctl, "export", "demo", "-f", bundle, "--admin", admin});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  const std::string page = dir_ + "/report.html";
  auto report = testing::Run({dorisctl, "report", "--bundle", bundle, "-f", page});
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const std::string html = Slurp(page);
  // Kept with the test's outputs, for a person to open.
  const char* outputs_env = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  const std::string outputs = outputs_env != nullptr ? outputs_env : dir_;
  std::ofstream(outputs + "/report.html") << html;
  // Self-contained: nothing fetched from anywhere.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);

  // Live, from the admin API: the same history plus drift now.
  const std::string live_page = dir_ + "/live.html";
  auto live = testing::Run({dorisctl, "report", "demo", "--admin", admin, "-f", live_page});
  ASSERT_EQ(live.exit_code, 0) << live.output;
  const std::string live_html = Slurp(live_page);
  EXPECT_NE(live_html.find("pod demo-be-1"), std::string::npos);
  EXPECT_NE(live_html.find("the admin API at " + admin), std::string::npos);
  // The operator reaches the API server, so a live page knows drift now.
  EXPECT_NE(live_html.find("<h2 id=drift>Drift now</h2>"), std::string::npos);
  EXPECT_EQ(live_html.find("Not known: an offline report"), std::string::npos) << live.output;
  EXPECT_NE(html.find("Not known: an offline report"), std::string::npos);

  // The DOM Chromium built from the page.
  const std::string dom_file = dir_ + "/dom.html";
  auto dumped = Chromium(page, "--dump-dom", dom_file);
  ASSERT_EQ(dumped.exit_code, 0) << dumped.output << Slurp(dir_ + "/chromium.log");
  const std::string dom = Slurp(dom_file);
  ASSERT_NE(dom.find("<h1>DorisCluster default/demo</h1>"), std::string::npos)
      << dom.substr(0, 2000) << Slurp(dir_ + "/chromium.log");

  // The summary names the stuck pod and how long the rollout has waited.
  const size_t summary = dom.find("id=\"summary\"");
  ASSERT_NE(summary, std::string::npos);
  const std::string summary_html = dom.substr(summary, dom.find("</div>", summary) - summary);
  EXPECT_NE(summary_html.find("<a href=\"#p-demo-be-1\"><b>demo-be-1</b></a> to become ready"),
            std::string::npos)
      << summary_html;
  EXPECT_NE(summary_html.find("stuck for"), std::string::npos) << summary_html;
  EXPECT_NE(summary_html.find("REQUEUED"), std::string::npos) << summary_html;
  EXPECT_NE(summary_html.find("upgrading"), std::string::npos) << summary_html;
  EXPECT_NE(summary_html.find("x"), std::string::npos) << summary_html;

  // The stuck pod's own timeline shows it running and not ready.
  const size_t pod = dom.find("id=\"p-demo-be-1\"");
  ASSERT_NE(pod, std::string::npos) << "no timeline for pod demo-be-1";
  const std::string pod_html = dom.substr(pod, dom.find("</table>", pod) - pod);
  EXPECT_NE(pod_html.find("NOT ready"), std::string::npos) << pod_html;
  EXPECT_NE(pod_html.find("2.1.8-never-ready"), std::string::npos) << pod_html;

  // In component be's timeline: the apply of StatefulSet demo-be that
  // started the rollout, with a link to the record that caused it (the
  // DorisCluster's change). Rows are cut out by hand: std::regex recurses
  // per character.
  std::set<std::string> ids;
  for (size_t at = dom.find(" id=\""); at != std::string::npos; at = dom.find(" id=\"", at + 1)) {
    ids.insert(dom.substr(at + 5, dom.find('"', at + 5) - at - 5));
  }
  std::vector<std::string> causes;
  std::string cause_id;
  for (size_t at = dom.find("<tr id=\"r"); at != std::string::npos;
       at = dom.find("<tr id=\"r", at + 1)) {
    const std::string row = dom.substr(at, dom.find("</tr>", at) - at);
    if (row.find("class=\"did\"") == std::string::npos ||
        row.find("StatefulSet/demo-be ") == std::string::npos) {
      continue;
    }
    const std::string marker = "caused by <a href=\"#";
    const size_t c = row.find(marker);
    if (c == std::string::npos) continue;
    const size_t id_begin = c + marker.size();
    const size_t text = row.find("</a>", id_begin) + 4;
    causes.push_back(row.substr(text, row.find('<', text) - text));
    if (causes.back().find("DorisCluster/demo") != std::string::npos) {
      cause_id = row.substr(id_begin, row.find('"', id_begin) - id_begin);
    }
  }
  ASSERT_FALSE(cause_id.empty())
      << "no action on StatefulSet/demo-be caused by the DorisCluster's change; causes: "
      << absl::StrJoin(causes, " | ");
  EXPECT_TRUE(ids.count(cause_id)) << "the cause link #" << cause_id << " has no anchor";
  // Every in-page link lands on an anchor of the page.
  int links = 0;
  for (size_t at = dom.find("href=\"#"); at != std::string::npos;
       at = dom.find("href=\"#", at + 1), ++links) {
    const std::string target = dom.substr(at + 7, dom.find('"', at + 7) - at - 7);
    EXPECT_TRUE(ids.count(target)) << "dangling link #" << target;
  }
  EXPECT_GT(links, 3);

  // A screenshot for a person to look at (bazel-testlogs/.../test.outputs).
  const std::string png = absl::StrCat(outputs, "/report.png");
  auto shot =
      Chromium(page, absl::StrCat("--screenshot=", png, " --window-size=1400,2000"), "/dev/null");
  ASSERT_EQ(shot.exit_code, 0) << shot.output << Slurp(dir_ + "/chromium.log");
  ASSERT_EQ(stat(png.c_str(), &st), 0) << "no screenshot at " << png;
  EXPECT_GT(st.st_size, 10000) << "the screenshot is nearly empty";
}

}  // namespace
}  // namespace doris_operator
