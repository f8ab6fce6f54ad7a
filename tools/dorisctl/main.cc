// dorisctl: the command line for the doris-operator. Subcommands live in
// their own files; this only dispatches.

#include <iostream>
#include <string>
#include <vector>

#include "tools/dorisctl/render_command.h"

namespace {

constexpr char kUsage[] =
    "usage: dorisctl COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  render    print the objects the operator would create for a DorisCluster file\n"
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
  std::cerr << "dorisctl: unknown command \"" << command << "\"\n" << kUsage;
  return 2;
}
