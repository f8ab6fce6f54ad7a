#include "tools/dorisctl/report_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "operator/admin/bundle.h"
#include "tools/dorisctl/admin_commands.h"
#include "tools/dorisctl/files.h"
#include "tools/dorisctl/report_html.h"

namespace doris_operator::dorisctl {

namespace {

constexpr char kUsage[] =
    "usage: dorisctl report CLUSTER [-f FILE.html] [--admin ADDRESS] [-n NS] [--ca-file FILE]\n"
    "                               [--token-file FILE] [--timeout SECONDS]\n"
    "       dorisctl report --bundle FILE [-f FILE.html]\n"
    "\n"
    "One self-contained HTML page (no scripts, no external links) of the cluster's\n"
    "history: a summary (phase now, what the rollout waits for, how long), a timeline\n"
    "per component and per pod of what the operator saw and did, each action linked\n"
    "to the record that caused it, and the drift each decision found. Live, it reads\n"
    "the admin API's export of the cluster and its drift now; with --bundle it reads\n"
    "a file written by `dorisctl export`, offline. Without -f the page goes to stdout.\n"
    "\n"
    "exit codes: 0 ok, 1 error (server, network, file), 2 usage\n";

// Options passed through to the admin commands (their connection handling).
const char* const kPassThrough[] = {"--admin",   "-n",           "--namespace",
                                    "--ca-file", "--token-file", "--timeout"};

int Usage(const std::string& problem, std::ostream& err) {
  err << "dorisctl report: " << problem << "\n" << kUsage;
  return 2;
}

// The live drift, through `dorisctl drift -o json`. A server without API
// access answers UNAVAILABLE; the page then says drift is not known.
bool LiveDrift(const std::string& cluster, const std::vector<std::string>& conn, ReportInput* input,
               std::ostream& err) {
  std::vector<std::string> args = {cluster, "-o", "json"};
  args.insert(args.end(), conn.begin(), conn.end());
  std::ostringstream out, drift_err;
  if (RunAdminCommand("drift", args, out, drift_err) != 0) {
    err << "dorisctl report: drift not known: " << drift_err.str();
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(out.str(), nullptr, false);
  if (!j.is_object()) return false;
  input->drift_known = true;
  for (const auto& d : j.value("drift", nlohmann::json::array())) {
    input->drift.push_back({d.value("kind", ""), d.value("name", ""), d.value("path", ""),
                            d.value("classification", ""), d.value("desired", ""),
                            d.value("live", "")});
  }
  return true;
}

}  // namespace

int RunReport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string bundle_path, out_path, cluster;
  std::vector<std::string> conn;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      out << kUsage;
      return 0;
    }
    const bool pass =
        std::find(std::begin(kPassThrough), std::end(kPassThrough), a) != std::end(kPassThrough);
    if (a == "--bundle" || a == "-f" || a == "--file" || pass) {
      if (i + 1 >= args.size()) return Usage(absl::StrCat(a, " needs a value"), err);
      const std::string& v = args[++i];
      if (a == "--bundle") {
        bundle_path = v;
      } else if (a == "-f" || a == "--file") {
        out_path = v;
      } else {
        conn.push_back(a);
        conn.push_back(v);
      }
    } else if (!a.empty() && a[0] == '-') {
      return Usage(absl::StrCat("unknown option ", a), err);
    } else if (cluster.empty()) {
      cluster = a;
    } else {
      return Usage("too many arguments", err);
    }
  }
  if (bundle_path.empty() == cluster.empty()) {
    return Usage("give CLUSTER (live) or --bundle FILE (offline), one of them", err);
  }
  ReportInput input;
  std::string bytes;
  std::string tmp;
  if (bundle_path.empty()) {
    // Live: the admin API's export of the cluster, through `dorisctl export`.
    const char* tmpdir = std::getenv("TMPDIR");
    tmp = out_path.empty() ? absl::StrCat(tmpdir != nullptr ? tmpdir : "/tmp", "/dorisctl-report-",
                                          getpid(), ".bundle")
                           : absl::StrCat(out_path, ".bundle");
    std::vector<std::string> ex = {cluster, "-f", tmp};
    ex.insert(ex.end(), conn.begin(), conn.end());
    std::ostringstream ignored;
    if (int rc = RunAdminCommand("export", ex, ignored, err); rc != 0) return rc;
    const bool read = ReadFile(tmp, &bytes);
    std::remove(tmp.c_str());
    if (!read) {
      err << "dorisctl report: cannot read the export " << tmp << "\n";
      return 1;
    }
    input.source = "the admin API";
    for (size_t i = 0; i + 1 < conn.size(); i += 2) {
      if (conn[i] == "--admin") input.source = absl::StrCat("the admin API at ", conn[i + 1]);
    }
  } else {
    if (!ReadFile(bundle_path, &bytes)) {
      err << "dorisctl report: cannot read " << bundle_path << "\n";
      return 1;
    }
    input.source = absl::StrCat("bundle ", bundle_path);
  }
  absl::StatusOr<admin::v1::Bundle> bundle = admin::ParseBundle(bytes);
  if (!bundle.ok()) {
    err << "dorisctl report: " << (bundle_path.empty() ? "export" : bundle_path) << ": "
        << bundle.status().message() << "\n";
    return 1;
  }
  input.cluster = bundle->cluster();
  input.records.assign(bundle->records().begin(), bundle->records().end());
  if (bundle_path.empty()) LiveDrift(cluster, conn, &input, err);
  const std::string html = RenderReportHtml(input);
  if (out_path.empty()) {
    out << html;
    return 0;
  }
  const std::string partial = out_path + ".partial";
  {
    std::ofstream f(partial, std::ios::binary | std::ios::trunc);
    f << html;
    if (!f.flush()) {
      err << "dorisctl report: cannot write " << partial << "\n";
      return 1;
    }
  }
  if (std::rename(partial.c_str(), out_path.c_str()) != 0) {
    err << "dorisctl report: cannot rename " << partial << " to " << out_path << "\n";
    return 1;
  }
  out << "wrote " << out_path << " (" << input.records.size() << " records of "
      << input.cluster.namespace_() << "/" << input.cluster.name() << ")\n";
  return 0;
}

}  // namespace doris_operator::dorisctl
