#ifndef DORIS_OPERATOR_TOOLS_DORISCTL_REPORT_HTML_H_
#define DORIS_OPERATOR_TOOLS_DORISCTL_REPORT_HTML_H_

// The page `dorisctl report` writes: a cluster's log records turned into one
// self-contained HTML file (inline CSS, no scripts, no external URLs) with a
// timeline per component and per pod. Pure: records in, HTML out, no I/O.

#include <string>
#include <vector>

#include "proto/log.pb.h"

namespace doris_operator::dorisctl {

// One field of the admin API's Drift answer (live reports only).
struct ReportDrift {
  std::string kind, name, path, classification, desired, live;
};

struct ReportInput {
  log::v1::ClusterRef cluster;
  // The cluster's records, oldest first (a bundle's, or an export's).
  std::vector<log::v1::LogRecord> records;
  // Where the records came from, shown on the page ("bundle demo.bundle").
  std::string source;
  // Drift now; only a live report can ask for it.
  bool drift_known = false;
  std::vector<ReportDrift> drift;
};

// Every text is HTML-escaped; every in-page link names an anchor the page
// holds. Records carry no Secret data (the log never holds it) and the page
// adds none.
std::string RenderReportHtml(const ReportInput& input);

}  // namespace doris_operator::dorisctl

#endif  // DORIS_OPERATOR_TOOLS_DORISCTL_REPORT_HTML_H_
