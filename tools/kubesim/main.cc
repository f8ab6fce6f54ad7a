// kubesim: a Kubernetes API simulator for tests and the sandbox.
//
//   kubesim --port 0 --kubeconfig-out /tmp/kubeconfig
//
// Prints one line "kubesim: serving on http://127.0.0.1:PORT" when ready;
// stops cleanly on SIGTERM or SIGINT.

#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/fake_doris.h"
#include "tools/kubesim/http_server.h"
#include "tools/kubesim/workloads.h"

namespace {

constexpr char kUsage[] = "usage: kubesim [--port N] [--kubeconfig-out FILE]\n";

std::string Kubeconfig(int port) {
  return absl::StrCat(R"(apiVersion: v1
kind: Config
current-context: kubesim
clusters:
- name: kubesim
  cluster:
    server: http://127.0.0.1:)", port, R"(
contexts:
- name: kubesim
  context:
    cluster: kubesim
    user: kubesim
    namespace: default
users:
- name: kubesim
  user: {}
)");
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string kubeconfig_out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &port) || port < 0 || port > 65535) {
        std::fprintf(stderr, "kubesim: --port must be 0..65535\n");
        return 2;
      }
    } else if (a == "--kubeconfig-out" && i + 1 < argc) {
      kubeconfig_out = argv[++i];
    } else {
      std::fprintf(stderr, "%s", kUsage);
      return 2;
    }
  }
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  doris_operator::kubesim::ApiServer api;
  doris_operator::kubesim::FakeDoris doris(&api.store());
  api.SetServiceProxy([&doris](const std::string& ns, const std::string& service,
                               const std::string& path,
                               const doris_operator::kubesim::HttpRequest& req) {
    return doris.Handle(ns, service, path, req);
  });
  auto server = doris_operator::kubesim::HttpServer::Start(
      port, [&api](const doris_operator::kubesim::HttpRequest& req) { return api.Handle(req); });
  if (!server.ok()) {
    std::fprintf(stderr, "kubesim: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  if (!kubeconfig_out.empty()) {
    std::ofstream out(kubeconfig_out);
    out << Kubeconfig((*server)->port());
    if (!out) {
      std::fprintf(stderr, "kubesim: cannot write %s\n", kubeconfig_out.c_str());
      return 1;
    }
  }
  // The simulated controllers and kubelet run on the wall clock here.
  std::atomic<bool> running{true};
  std::thread controllers([&] {
    doris_operator::kubesim::WorkloadController workloads(&api.store());
    const auto start = std::chrono::steady_clock::now();
    while (running) {
      const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
      workloads.Tick(now_ms);
      doris.Tick(now_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::printf("kubesim: serving on http://127.0.0.1:%d\n", (*server)->port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  running = false;
  controllers.join();
  (*server)->Stop();
  std::printf("kubesim: stopped\n");
  return 0;
}
