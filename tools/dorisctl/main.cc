// dorisctl: the command line for the doris-operator. Subcommands live in
// their own files; this only dispatches.

#include <iostream>
#include <string>
#include <vector>

#include "tools/dorisctl/admin_commands.h"
#include "tools/dorisctl/render_command.h"
#include "tools/dorisctl/report_command.h"

namespace {

constexpr char kUsage[] =
    "usage: dorisctl COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  render      print the objects the operator would create for a DorisCluster file\n"
    "  history     log records about a DorisCluster or one object\n"
    "  reconciles  the reconciles of a DorisCluster\n"
    "  show        one reconcile in full: triggers, diff, actions and their causes\n"
    "  replay      state and desired objects at a point in history (--what-if, --bundle)\n"
    "  drift       live objects against what the operator would produce now\n"
    "  tail        follow the operator's log\n"
    "  export      write a bundle of a cluster's history for offline replay\n"
    "  report      a cluster's history as one HTML page (live or --bundle)\n"
    "\n"
    "Run `dorisctl COMMAND --help` for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "render") return doris_operator::dorisctl::RunRender(args, std::cout, std::cerr);
  if (command == "report") return doris_operator::dorisctl::RunReport(args, std::cout, std::cerr);
  if (doris_operator::dorisctl::IsAdminCommand(command)) {
    return doris_operator::dorisctl::RunAdminCommand(command, args, std::cout, std::cerr);
  }
  std::cerr << "dorisctl: unknown command \"" << command << "\"\n" << kUsage;
  return 2;
}
