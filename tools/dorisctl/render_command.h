#ifndef DORIS_OPERATOR_TOOLS_DORISCTL_RENDER_COMMAND_H_
#define DORIS_OPERATOR_TOOLS_DORISCTL_RENDER_COMMAND_H_

// `dorisctl render`: the offline preview of what the operator would create
// for a DorisCluster or DorisDisaggregatedCluster file (dispatched on kind).

#include <iosfwd>
#include <string>
#include <vector>

namespace doris_operator::dorisctl {

// Returns the process exit code: 0 rendered, 1 invalid input, 2 usage.
int RunRender(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace doris_operator::dorisctl

#endif  // DORIS_OPERATOR_TOOLS_DORISCTL_RENDER_COMMAND_H_
