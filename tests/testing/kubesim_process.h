#ifndef DORIS_OPERATOR_TESTS_TESTING_KUBESIM_PROCESS_H_
#define DORIS_OPERATOR_TESTS_TESTING_KUBESIM_PROCESS_H_

// Runs the kubesim binary as a child process for a test, the way the
// operator meets a real API server: over HTTP, from another process.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace doris_operator::testing {

// The file of a data dependency, e.g. Runfile("tools/kubesim/kubesim").
std::string Runfile(const std::string& path);

// A fresh directory under the test's temporary directory.
std::string TempDir(const std::string& name);

class KubesimProcess {
 public:
  // Starts kubesim on a free port and waits until it serves.
  static absl::StatusOr<KubesimProcess> Start(const std::string& work_dir,
                                              const std::vector<std::string>& extra_args = {});
  KubesimProcess(KubesimProcess&& other) noexcept;
  KubesimProcess& operator=(KubesimProcess&&) = delete;
  ~KubesimProcess();

  const std::string& server() const { return server_; }          // http://127.0.0.1:PORT
  const std::string& kubeconfig() const { return kubeconfig_; }  // its kubeconfig file
  pid_t pid() const { return pid_; }
  // 127.0.0.1:PORT of the cluster network (--cluster-network-port), or "".
  const std::string& cluster_network() const { return cluster_network_; }

 private:
  KubesimProcess() = default;
  pid_t pid_ = -1;
  std::string server_;
  std::string kubeconfig_;
  std::string log_;
  std::string cluster_network_;
};

// Any binary as a child process with its output in a log file; killed
// (SIGTERM, then waited for) when destroyed.
class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                             const std::string& log_file);
  ~ChildProcess();
  // Waits until this process (not an earlier one logging to the same file)
  // wrote `text`; false after `timeout_ms` of wall time.
  bool WaitForOutput(const std::string& text, int timeout_ms) const;
  std::string Output() const;
  void Kill(int signal);  // and wait for it to exit
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_file_;
  size_t start_offset_ = 0;  // the log file's size when this process started
};

// Fails the running test when `output` (a child's log) holds a report of
// ASan, LSan, UBSan or TSan: a child's defect is the test's. Child
// processes are checked when they are stopped.
void ExpectNoSanitizerReport(const std::string& output, const std::string& who);

// Runs the real kubectl against `kubeconfig`; stdout+stderr and exit code.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult Kubectl(const std::string& kubeconfig, const std::vector<std::string>& args,
                      const std::string& stdin_text = "");
CommandResult Run(const std::vector<std::string>& argv, const std::string& stdin_text = "");

}  // namespace doris_operator::testing

#endif  // DORIS_OPERATOR_TESTS_TESTING_KUBESIM_PROCESS_H_
