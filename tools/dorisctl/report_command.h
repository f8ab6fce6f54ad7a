#ifndef DORIS_OPERATOR_TOOLS_DORISCTL_REPORT_COMMAND_H_
#define DORIS_OPERATOR_TOOLS_DORISCTL_REPORT_COMMAND_H_

// `dorisctl report`: a cluster's history as one self-contained HTML page,
// from the live admin API (its export, plus drift now) or offline from a
// bundle written by `dorisctl export`.

#include <iosfwd>
#include <string>
#include <vector>

namespace doris_operator::dorisctl {

// Returns the process exit code: 0 written, 1 error (server, network, file),
// 2 usage.
int RunReport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace doris_operator::dorisctl

#endif  // DORIS_OPERATOR_TOOLS_DORISCTL_REPORT_COMMAND_H_
