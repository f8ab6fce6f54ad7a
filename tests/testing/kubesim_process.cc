#include "tests/testing/kubesim_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/testing/eventually.h"

namespace doris_operator::testing {
namespace {
constexpr absl::Duration kStartTimeout = absl::Seconds(30);

std::string ReadFrom(const std::string& file, size_t offset) {
  std::string out;
  FILE* f = std::fopen(file.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return offset < out.size() ? out.substr(offset) : "";
}
}  // namespace

void ExpectNoSanitizerReport(const std::string& output, const std::string& who) {
  // What ASan, LSan, UBSan and TSan print first (--config=asan|tsan).
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "WARNING: ThreadSanitizer", ": runtime error: "}) {
    const size_t at = output.find(marker);
    if (at != std::string::npos) {
      const size_t from = output.rfind('\n', at);
      ADD_FAILURE() << who << " reported a sanitizer error:\n"
                    << output.substr(from == std::string::npos ? 0 : from + 1, 6000);
      return;
    }
  }
}

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  if (srcdir == nullptr) return path;
  return absl::StrCat(srcdir, "/doris_operator/", path);
}

std::string TempDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
  std::system(absl::StrCat("rm -rf '", dir, "' && mkdir -p '", dir, "'").c_str());
  return dir;
}

absl::StatusOr<KubesimProcess> KubesimProcess::Start(const std::string& work_dir,
                                                     const std::vector<std::string>& extra_args) {
  KubesimProcess p;
  p.kubeconfig_ = work_dir + "/kubeconfig";
  const std::string log = work_dir + "/kubesim.log";
  p.log_ = log;
  const std::string binary = Runfile("tools/kubesim/kubesim");
  p.pid_ = fork();
  if (p.pid_ < 0) return absl::InternalError("fork failed");
  if (p.pid_ == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<std::string> argv = {binary, "--port", "0", "--kubeconfig-out", p.kubeconfig_};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  // Bounded by wall time: on a loaded machine kubesim may take a while.
  const absl::Time deadline = absl::Now() + kStartTimeout;
  while (absl::Now() < deadline) {
    FILE* f = std::fopen(log.c_str(), "r");
    if (f != nullptr) {
      char line[256];
      while (std::fgets(line, sizeof line, f) != nullptr) {
        std::string s(line);
        // Printed before "serving on" when kubesim has --cluster-network-port.
        const std::string network = "cluster network on ";
        if (const size_t n = s.find(network); n != std::string::npos) {
          p.cluster_network_ = s.substr(n + network.size());
          while (!p.cluster_network_.empty() &&
                 (p.cluster_network_.back() == '\n' || p.cluster_network_.back() == '\r')) {
            p.cluster_network_.pop_back();
          }
        }
        const std::string marker = "serving on ";
        const size_t at = s.find(marker);
        if (at != std::string::npos) {
          p.server_ = s.substr(at + marker.size());
          while (!p.server_.empty() && (p.server_.back() == '\n' || p.server_.back() == '\r')) {
            p.server_.pop_back();
          }
          std::fclose(f);
          return p;
        }
      }
      std::fclose(f);
    }
    int status = 0;
    if (waitpid(p.pid_, &status, WNOHANG) == p.pid_) {
      p.pid_ = -1;
      return absl::InternalError(absl::StrCat("kubesim exited early; see ", log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("kubesim did not start serving in ", absl::FormatDuration(kStartTimeout), "; see ", log));
}

KubesimProcess::KubesimProcess(KubesimProcess&& other) noexcept
    : pid_(other.pid_),
      server_(std::move(other.server_)),
      kubeconfig_(std::move(other.kubeconfig_)),
      log_(std::move(other.log_)),
      cluster_network_(std::move(other.cluster_network_)) {
  other.pid_ = -1;
}

KubesimProcess::~KubesimProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    ExpectNoSanitizerReport(ReadFrom(log_, 0), "kubesim");
  }
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_file) {
  auto p = std::make_unique<ChildProcess>();
  p->log_file_ = log_file;
  // A restarted process appends to the same log: only what it writes
  // counts for WaitForOutput.
  struct stat st;
  p->start_offset_ = stat(log_file.c_str(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  p->pid_ = fork();
  if (p->pid_ < 0) return absl::InternalError("fork failed");
  if (p->pid_ == 0) {
    const int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return p;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) Kill(SIGTERM);
}

void ChildProcess::Kill(int signal) {
  if (pid_ <= 0) return;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  ExpectNoSanitizerReport(ReadFrom(log_file_, start_offset_), log_file_);
}

std::string ChildProcess::Output() const {
  std::string out;
  FILE* f = std::fopen(log_file_.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

bool ChildProcess::WaitForOutput(const std::string& text, int timeout_ms) const {
  return Eventually([&] { return Output().find(text, start_offset_) != std::string::npos; },
                    absl::Milliseconds(timeout_ms), absl::Milliseconds(25));
}

CommandResult Run(const std::vector<std::string>& argv, const std::string& stdin_text) {
  int in[2];
  int out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(in[1]);
    close(out[0]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (!stdin_text.empty()) {
    ssize_t ignored = write(in[1], stdin_text.data(), stdin_text.size());
    (void)ignored;
  }
  close(in[1]);
  CommandResult result;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) result.output.append(buf, n);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CommandResult Kubectl(const std::string& kubeconfig, const std::vector<std::string>& args,
                      const std::string& stdin_text) {
  std::vector<std::string> argv = {"kubectl", "--kubeconfig", kubeconfig};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, stdin_text);
}

}  // namespace doris_operator::testing
