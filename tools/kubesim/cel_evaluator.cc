#include "tools/kubesim/cel_evaluator.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

extern char** environ;

namespace doris_operator::kubesim {

namespace {

bool HasCelRules(const nlohmann::json& schema) {
  if (schema.is_object()) {
    if (schema.contains("x-kubernetes-validations")) return true;
    for (const auto& [k, v] : schema.items()) {
      if (HasCelRules(v)) return true;
    }
  } else if (schema.is_array()) {
    for (const auto& v : schema) {
      if (HasCelRules(v)) return true;
    }
  }
  return false;
}

}  // namespace

const std::pair<std::string, bool>& CelEvaluator::Entry(
    const std::shared_ptr<const nlohmann::json>& schema) {
  auto it = schemas_.find(schema.get());
  if (it == schemas_.end()) {
    it = schemas_
             .emplace(schema.get(),
                      std::make_pair(schema, std::make_pair(absl::StrCat("schema-", schemas_.size()),
                                                            HasCelRules(*schema))))
             .first;
  }
  return it->second.second;
}

bool CelEvaluator::HasRules(const std::shared_ptr<const nlohmann::json>& schema) {
  std::lock_guard<std::mutex> l(mu_);
  return Entry(schema).second;
}

CelEvaluator::~CelEvaluator() {
  std::lock_guard<std::mutex> l(mu_);
  Stop();
}

bool CelEvaluator::Start(std::string& error) {
  if (access(options_.script.c_str(), R_OK) != 0) {
    error = absl::StrCat("no CEL evaluator at \"", options_.script, "\" (run tools/bootstrap)");
    return false;
  }
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    error = absl::StrCat("pipe: ", std::strerror(errno));
    return false;
  }
  if (pipe2(out, O_CLOEXEC) != 0) {
    error = absl::StrCat("pipe: ", std::strerror(errno));
    close(in[0]);
    close(in[1]);
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  // kubesim blocks SIGPIPE and the stop signals in its threads; the child
  // must not inherit that.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::string node = options_.node, script = options_.script;
  char* argv[] = {node.data(), script.data(), nullptr};
  pid_t pid;
  const int rc = posix_spawnp(&pid, node.c_str(), &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    error = absl::StrCat("cannot start ", node, ": ", std::strerror(rc));
    return false;
  }
  pid_ = pid;
  to_child_ = in[1];
  from_child_ = out[0];
  buffered_.clear();
  sent_.clear();
  return true;
}

std::string CelEvaluator::Stop() {
  if (pid_ < 0) return "";
  close(to_child_);  // the server exits when stdin closes
  close(from_child_);
  // Reaped before the signal when it already exited: its own status then.
  int status = 0;
  pid_t reaped = waitpid(pid_, &status, WNOHANG);
  if (reaped == 0) {
    kill(pid_, SIGTERM);
    reaped = waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  to_child_ = from_child_ = -1;
  if (reaped <= 0) return "";
  if (WIFEXITED(status)) return absl::StrCat("exit status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("signal ", WTERMSIG(status));
  return "";
}

bool CelEvaluator::Roundtrip(const std::string& request, std::string& answer, std::string& error) {
  const std::string line = request + "\n";
  for (size_t done = 0; done < line.size();) {
    // A dead child makes this EPIPE: request threads block SIGPIPE.
    const ssize_t n = write(to_child_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = absl::StrCat("writing to the CEL evaluator: ", std::strerror(errno));
      return false;
    }
    done += n;
  }
  for (;;) {
    if (size_t nl = buffered_.find('\n'); nl != std::string::npos) {
      answer = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return true;
    }
    char buf[65536];
    const ssize_t n = read(from_child_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = "the CEL evaluator exited";
      return false;
    }
    buffered_.append(buf, n);
  }
}

std::variant<std::vector<FieldError>, std::string> CelEvaluator::Validate(
    const std::shared_ptr<const nlohmann::json>& schema, const nlohmann::json& object) {
  std::lock_guard<std::mutex> l(mu_);
  const auto& [key, has_rules] = Entry(schema);
  if (!has_rules) return std::vector<FieldError>{};
  std::string answer, error;
  // A child that died is started again once; a second failure is reported.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (pid_ < 0 && !Start(error)) return error;
    nlohmann::json req = {{"key", key}, {"object", object}};
    if (!sent_.count(key)) req["schema"] = *schema;
    if (Roundtrip(req.dump(), answer, error)) {
      sent_.insert(key);
      break;
    }
    const std::string ended = Stop();
    answer.clear();
    if (attempt == 1 && !ended.empty()) {
      // Said so that the cause can be found: node's own message (a module
      // not installed, a syntax error) is on kubesim's standard error.
      absl::StrAppend(&error, " (", options_.node, " ", options_.script, " ended with ", ended,
                      "; its error is in kubesim's log; tools/bootstrap installs its npm modules)");
    }
  }
  if (answer.empty()) return error;
  const nlohmann::json a = nlohmann::json::parse(answer, nullptr, /*allow_exceptions=*/false);
  if (a.is_discarded() || !a.is_object()) return std::string("the CEL evaluator answered garbage");
  if (a.contains("error")) return absl::StrCat("CEL evaluator: ", a["error"].dump());
  std::vector<FieldError> out;
  for (const nlohmann::json& e : a.value("errors", nlohmann::json::array())) {
    FieldError f;
    f.reason = e.value("type", "");
    f.field = e.value("field", "");
    const std::string text = e.value("message", "");
    absl::string_view body = text;
    absl::ConsumePrefix(&body, absl::StrCat(f.field, ": "));
    f.message = std::string(body);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace doris_operator::kubesim
