#ifndef DORIS_OPERATOR_TOOLS_DORISCTL_ADMIN_COMMANDS_H_
#define DORIS_OPERATOR_TOOLS_DORISCTL_ADMIN_COMMANDS_H_

// dorisctl's commands over the operator's admin gRPC API: history,
// reconciles, show, replay (also offline from a bundle), drift, tail, export.
// Tables for people, -o json|yaml for scripts.

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace doris_operator::dorisctl {

// True for the commands RunAdminCommand handles.
bool IsAdminCommand(const std::string& command);

// Returns the exit code: 0 ok, 1 error (server, network, file), 2 usage.
// `stop` (optional) ends `tail`; otherwise it runs until the stream ends.
int RunAdminCommand(const std::string& command, const std::vector<std::string>& args,
                    std::ostream& out, std::ostream& err,
                    const std::function<bool()>& stop = nullptr);

}  // namespace doris_operator::dorisctl

#endif  // DORIS_OPERATOR_TOOLS_DORISCTL_ADMIN_COMMANDS_H_
