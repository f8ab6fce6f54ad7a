// kubesim: a Kubernetes API simulator for tests and the sandbox.
//
//   kubesim --port 0 --kubeconfig-out /tmp/kubeconfig [--tls] [--seed S]
//
// Prints one line "kubesim: serving on http[s]://127.0.0.1:PORT" when ready;
// stops cleanly on SIGTERM or SIGINT. With --tls it makes up a CA, a server
// certificate and a bearer token at start and writes the CA and token into
// the kubeconfig (the only place the token goes).

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/cluster_network.h"
#include "tools/kubesim/fake_doris.h"
#include "tools/kubesim/hpa_controller.h"
#include "tools/kubesim/http_server.h"
#include "tools/kubesim/tls.h"
#include "tools/kubesim/workloads.h"

namespace {

// kube-controller-manager's client, as its HPA controller identifies itself.
constexpr char kHpaUserAgent[] = "kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/horizontal-pod-autoscaler";

constexpr char kUsage[] =
    "usage: kubesim [--port N] [--kubeconfig-out FILE] [--tls] [--seed S]\n"
    "               [--pod-start-ms MS] [--pod-ready-ms MS]   simulated pod start and readiness delays\n"
    "               [--cel-evaluator PATH]   cel_server.mjs (default: kubesim's runfiles)\n"
    "               [--hpa-sync-period-ms MS]   the HPA controller's sync period (default 15000)\n"
    "               [--cluster-network-port N]   the cluster network (fake Doris by Host header)\n";

struct KubeconfigOptions {
  int port = 0;
  std::string ca_cert_pem;  // empty: plain HTTP, no user credentials
  std::string token;
};

std::string Kubeconfig(const KubeconfigOptions& o) {
  const bool tls = !o.ca_cert_pem.empty();
  std::string cluster = absl::StrCat("    server: ", tls ? "https" : "http", "://127.0.0.1:", o.port, "\n");
  if (tls) {
    absl::StrAppend(&cluster, "    certificate-authority-data: ", absl::Base64Escape(o.ca_cert_pem), "\n");
  }
  const std::string user = tls ? absl::StrCat("\n    token: ", o.token) : " {}";
  return absl::StrCat(R"(apiVersion: v1
kind: Config
current-context: kubesim
clusters:
- name: kubesim
  cluster:
)", cluster, R"(contexts:
- name: kubesim
  context:
    cluster: kubesim
    user: kubesim
    namespace: default
users:
- name: kubesim
  user:)", user, "\n");
}

// cel/cel_server.mjs in the runfiles of this binary (bazel run, or a test
// that runs it), resolved to the source tree where tools/bootstrap installs
// its node_modules.
std::string DefaultCelEvaluator(const char* argv0) {
  const std::string rel = "doris_operator/tools/kubesim/cel/cel_server.mjs";
  std::vector<std::string> candidates;
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) candidates.push_back(absl::StrCat(std::string(exe, n), ".runfiles/", rel));
  candidates.push_back(absl::StrCat(argv0, ".runfiles/", rel));
  for (const char* env : {"RUNFILES_DIR", "TEST_SRCDIR"}) {
    if (const char* dir = std::getenv(env)) candidates.push_back(absl::StrCat(dir, "/", rel));
  }
  for (const std::string& c : candidates) {
    if (char* real = realpath(c.c_str(), nullptr)) {
      std::string out(real);
      free(real);
      return out;
    }
  }
  return candidates.front();  // missing: writes that need CEL say so
}

// Owner-only, since with --tls the file holds the token.
bool WritePrivateFile(const std::string& path, const std::string& content) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = fchmod(fd, 0600) == 0;
  size_t off = 0;
  while (ok && off < content.size()) {
    const ssize_t n = write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) off += static_cast<size_t>(n);
  }
  return close(fd) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  // No fastbins: a controller tick copies and frees every pod (JSON, many
  // small blocks), and glibc then spends most of the next tick's large
  // allocations consolidating them. With 6,000 pods this takes a tick from
  // ~465 to ~310 ms of CPU (kubesim_bench --tick-only).
  mallopt(M_MXFAST, 0);
  int port = 0;
  int network_port = -1;  // -1: no cluster network listener
  std::string kubeconfig_out;
  bool tls = false;
  doris_operator::kubesim::WorkloadOptions workload_options;
  doris_operator::kubesim::HpaOptions hpa_options;
  bool seeded = false;
  std::string seed;
  std::string cel_evaluator;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &port) || port < 0 || port > 65535) {
        std::fprintf(stderr, "kubesim: --port must be 0..65535\n");
        return 2;
      }
    } else if (a == "--cluster-network-port" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &network_port) || network_port < 0 || network_port > 65535) {
        std::fprintf(stderr, "kubesim: --cluster-network-port must be 0..65535\n");
        return 2;
      }
    } else if (a == "--kubeconfig-out" && i + 1 < argc) {
      kubeconfig_out = argv[++i];
    } else if ((a == "--pod-start-ms" || a == "--pod-ready-ms") && i + 1 < argc) {
      int64_t ms = 0;
      if (!absl::SimpleAtoi(argv[++i], &ms) || ms < 0) {
        std::fprintf(stderr, "kubesim: %s must be a number of milliseconds\n", a.c_str());
        return 2;
      }
      (a == "--pod-start-ms" ? workload_options.start_ms : workload_options.ready_ms) = ms;
    } else if (a == "--cel-evaluator" && i + 1 < argc) {
      cel_evaluator = argv[++i];
    } else if (a == "--hpa-sync-period-ms" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &hpa_options.sync_period_ms) || hpa_options.sync_period_ms <= 0) {
        std::fprintf(stderr, "kubesim: --hpa-sync-period-ms must be a positive number of milliseconds\n");
        return 2;
      }
    } else if (a == "--tls") {
      tls = true;
    } else if (a == "--seed" && i + 1 < argc) {
      seeded = true;
      seed = argv[++i];
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
  // The FE sees a node alive a heartbeat after its pod is Ready.
  doris_operator::kubesim::FakeDoris doris(&api.store(), {.heartbeat_ms = 300});
  api.SetCelEvaluator({.script = cel_evaluator.empty() ? DefaultCelEvaluator(argv[0]) : cel_evaluator});
  api.SetServiceProxy([&doris](const std::string& ns, const std::string& service,
                               const std::string& path,
                               const doris_operator::kubesim::HttpRequest& req) {
    return doris.Handle(ns, service, path, req);
  });
  api.SetPodProxy([&doris](const std::string& ns, const std::string& pod, const std::string& path,
                           const doris_operator::kubesim::HttpRequest& req) {
    return doris.HandlePod(ns, pod, path, req);
  });
  doris_operator::kubesim::HttpServerOptions http;
  http.port = port;
  KubeconfigOptions kubeconfig;
  if (tls) {
    auto material = doris_operator::kubesim::GenerateTlsMaterial();
    if (!material.ok()) {
      std::fprintf(stderr, "kubesim: %s\n", std::string(material.status().message()).c_str());
      return 1;
    }
    http.tls_cert_pem = material->server_cert_pem;
    http.tls_key_pem = material->server_key_pem;
    kubeconfig.ca_cert_pem = material->ca_cert_pem;
    if (seeded) {
      kubeconfig.token = doris_operator::kubesim::TokenFromSeed(seed);
    } else {
      auto token = doris_operator::kubesim::RandomToken();
      if (!token.ok()) {
        std::fprintf(stderr, "kubesim: %s\n", std::string(token.status().message()).c_str());
        return 1;
      }
      kubeconfig.token = *token;
    }
    api.RequireBearerToken(kubeconfig.token);
  }
  auto server = doris_operator::kubesim::HttpServer::Start(
      http, [&api](const doris_operator::kubesim::HttpRequest& req) { return api.Handle(req); });
  if (!server.ok()) {
    std::fprintf(stderr, "kubesim: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  kubeconfig.port = (*server)->port();
  // The cluster network: what a pod (the deployed operator) reaches by
  // cluster DNS names and pod IPs. Plain HTTP, as the FE serves.
  doris_operator::kubesim::ClusterNetwork network(&api.store(), &doris);
  std::unique_ptr<doris_operator::kubesim::HttpServer> network_server;
  if (network_port >= 0) {
    doris_operator::kubesim::HttpServerOptions n;
    n.port = network_port;
    auto started = doris_operator::kubesim::HttpServer::Start(
        n, [&network](const doris_operator::kubesim::HttpRequest& req) { return network.Handle(req); });
    if (!started.ok()) {
      std::fprintf(stderr, "kubesim: %s\n", std::string(started.status().message()).c_str());
      return 1;
    }
    network_server = std::move(*started);
    std::printf("kubesim: cluster network on 127.0.0.1:%d\n", network_server->port());
  }
  if (!kubeconfig_out.empty() && !WritePrivateFile(kubeconfig_out, Kubeconfig(kubeconfig))) {
    std::fprintf(stderr, "kubesim: cannot write %s\n", kubeconfig_out.c_str());
    return 1;
  }
  // The simulated controllers and kubelet run on the wall clock here.
  std::atomic<bool> running{true};
  workload_options.faults = &api.sim_faults();
  hpa_options.metrics = &api.sim_metrics();
  hpa_options.write_scale = [&api](const doris_operator::kubesim::ResourceType& t, const std::string& ns,
                                   const std::string& name, int32_t replicas) {
    return api.WriteScale(t, ns, name, replicas, kHpaUserAgent);
  };
  std::thread controllers([&] {
    doris_operator::kubesim::WorkloadController workloads(&api.store(), workload_options);
    doris_operator::kubesim::HpaController hpas(&api.store(), hpa_options);
    const auto start = std::chrono::steady_clock::now();
    while (running) {
      const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
      workloads.Tick(now_ms);
      api.CollectGarbage();
      hpas.Tick(now_ms);
      doris.Tick(now_ms);
      // With thousands of objects a tick takes a while; rest at least as
      // long as it took, so the controllers never starve the API server.
      const auto took = std::chrono::steady_clock::now() - start - std::chrono::milliseconds(now_ms);
      std::this_thread::sleep_for(std::max<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(50), took));
    }
  });
  std::printf("kubesim: serving on %s://127.0.0.1:%d\n", tls ? "https" : "http", (*server)->port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  running = false;
  controllers.join();
  (*server)->Stop();
  if (network_server) network_server->Stop();
  std::printf("kubesim: stopped\n");
  return 0;
}
