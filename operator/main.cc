// doris-operator: runs Apache Doris clusters described by DorisCluster
// resources, keeping every observation and decision in an event log.

#include <signal.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "operator/admin/kube_live.h"
#include "operator/admin/server.h"
#include "operator/controller.h"
#include "operator/kube/client.h"
#include "operator/kube/kubeconfig.h"
#include "operator/metrics/metrics_server.h"
#include "store/event_log.h"

ABSL_FLAG(std::string, kubeconfig, "",
          "Path of a kubeconfig file. Empty: the in-cluster service account (when running in a "
          "pod), else $KUBECONFIG, else ~/.kube/config.");
ABSL_FLAG(std::string, context, "", "The kubeconfig context to use (default: its current context).");
ABSL_FLAG(std::vector<std::string>, namespace, {},
          "Namespaces to manage, comma-separated (default: all namespaces).");
ABSL_FLAG(std::string, data_dir, "/var/lib/doris-operator",
          "Directory of the RocksDB event log (created if missing; keep it on a persistent volume).");
ABSL_FLAG(std::string, metrics_address, "127.0.0.1:8080",
          "host:port serving /metrics (Prometheus text), /healthz and /readyz.");
ABSL_FLAG(std::string, doris_access, "direct",
          "How the operator reaches each cluster's FE HTTP API: 'direct' (by Service DNS name, "
          "when running in the cluster) or 'apiserver-proxy' (through the API server's service "
          "proxy, when running outside it).");
ABSL_FLAG(int, workers, 4, "Reconcile workers; one cluster is never reconciled by two at once.");
ABSL_FLAG(double, kube_qps, 50, "Client-side limit of API requests per second (watches excluded).");
ABSL_FLAG(int, kube_burst, 100, "Requests allowed above kube_qps in a burst.");
ABSL_FLAG(absl::Duration, resync_period, absl::Minutes(10),
          "Every DorisCluster is reconciled at least this often even without events (0 = never).");
ABSL_FLAG(std::string, admin_address, "127.0.0.1:9443",
          "host:port of the admin gRPC API (history, replay, drift, tail, export; reflection and "
          "grpc.health.v1 on). Empty: off. Off loopback it needs --admin-tls-cert, "
          "--admin-tls-key and --admin-token-file.");
ABSL_FLAG(std::string, admin_tls_cert, "", "PEM certificate for the admin API (enables TLS).");
ABSL_FLAG(std::string, admin_tls_key, "", "PEM private key for the admin API.");
ABSL_FLAG(std::string, admin_token_file, "",
          "File holding the bearer token admin API clients must send (e.g. a mounted Secret).");
ABSL_FLAG(int, watch_timeout_seconds, 300,
          "Each watch is renewed after this long (resuming from its cursor).");

namespace {

using doris_operator::Controller;
using doris_operator::ControllerOptions;

std::string Metrics(const Controller& c, const doris_operator::store::EventLog& log,
                    const std::map<std::string, int64_t>& api_calls) {
  const auto& s = c.stats();
  static const char* outcomes[] = {"unspecified", "no_change", "applied",
                                   "requeued",    "failed",    "invalid_spec"};
  std::string out =
      "# HELP doris_operator_reconciles_total Reconciles by outcome.\n"
      "# TYPE doris_operator_reconciles_total counter\n";
  for (int i = 1; i < 6; ++i) {
    absl::StrAppend(&out, "doris_operator_reconciles_total{outcome=\"", outcomes[i], "\"} ",
                    s.reconciles[i].load(), "\n");
  }
  int64_t total = 0;
  for (int i = 0; i < 6; ++i) total += s.reconciles[i].load();
  absl::StrAppend(
      &out,
      "# HELP doris_operator_reconcile_duration_seconds Time spent reconciling.\n"
      "# TYPE doris_operator_reconcile_duration_seconds summary\n"
      "doris_operator_reconcile_duration_seconds_sum ",
      s.reconcile_micros_total.load() / 1e6, "\ndoris_operator_reconcile_duration_seconds_count ",
      total,
      "\n# HELP doris_operator_queue_depth DorisClusters waiting for a reconcile.\n"
      "# TYPE doris_operator_queue_depth gauge\ndoris_operator_queue_depth ",
      c.queue_depth(),
      "\n# HELP doris_operator_events_ingested_total Appends made by the watchers.\n"
      "# TYPE doris_operator_events_ingested_total counter\ndoris_operator_events_ingested_total ",
      s.events_ingested.load(),
      "\n# HELP doris_operator_write_calls_total API and Doris write calls made by reconciles.\n"
      "# TYPE doris_operator_write_calls_total counter\ndoris_operator_write_calls_total ",
      s.write_calls.load(),
      "\n# HELP doris_operator_log_last_seq Sequence number of the newest log record.\n"
      "# TYPE doris_operator_log_last_seq gauge\ndoris_operator_log_last_seq ", log.last_seq(),
      "\n# HELP doris_operator_log_bytes Bytes of the event log on disk.\n"
      "# TYPE doris_operator_log_bytes gauge\ndoris_operator_log_bytes ", log.ApproximateBytes(),
      "\n# HELP doris_operator_api_requests_total Kubernetes API requests by verb and code.\n"
      "# TYPE doris_operator_api_requests_total counter\n");
  for (const auto& [key, n] : api_calls) {
    absl::StrAppend(&out, "doris_operator_api_requests_total{", key, "} ", n, "\n");
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Runs Apache Doris clusters described by DorisCluster resources.\n"
      "  doris-operator --kubeconfig ~/.kube/config --data-dir ./data");
  // Kubernetes tools spell flags with dashes (--data-dir); abseil names
  // them with underscores. Accept both.
  std::vector<std::string> args(argv, argv + argc);
  std::vector<char*> arg_ptrs;
  for (std::string& a : args) {
    if (a.rfind("--", 0) == 0) {
      const size_t end = std::min(a.find('='), a.size());
      for (size_t i = 2; i < end; ++i) {
        if (a[i] == '-') a[i] = '_';
      }
    }
    arg_ptrs.push_back(a.data());
  }
  absl::ParseCommandLine(static_cast<int>(arg_ptrs.size()), arg_ptrs.data());

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<doris_operator::kube::ClusterConfig> config;
  std::string kubeconfig = absl::GetFlag(FLAGS_kubeconfig);
  if (kubeconfig.empty() && std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) {
    config = doris_operator::kube::InClusterConfig();
  } else {
    if (kubeconfig.empty() && std::getenv("KUBECONFIG") != nullptr) kubeconfig = std::getenv("KUBECONFIG");
    if (kubeconfig.empty() && std::getenv("HOME") != nullptr) {
      kubeconfig = absl::StrCat(std::getenv("HOME"), "/.kube/config");
    }
    config = doris_operator::kube::LoadKubeconfig(kubeconfig, absl::GetFlag(FLAGS_context));
  }
  if (!config.ok()) {
    std::fprintf(stderr, "doris-operator: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  const std::string access = absl::GetFlag(FLAGS_doris_access);
  if (access != "direct" && access != "apiserver-proxy") {
    std::fprintf(stderr, "doris-operator: --doris-access must be 'direct' or 'apiserver-proxy'\n");
    return 2;
  }

  absl::Mutex api_mu;
  std::map<std::string, int64_t> api_calls;
  doris_operator::kube::ClientOptions client_options;
  client_options.qps = absl::GetFlag(FLAGS_kube_qps);
  client_options.burst = absl::GetFlag(FLAGS_kube_burst);
  client_options.on_response = [&](const std::string& verb, int code) {
    absl::MutexLock lock(&api_mu);
    ++api_calls[absl::StrCat("verb=\"", verb, "\",code=\"", code, "\"")];
  };
  auto client = doris_operator::kube::Client::Create(*config, client_options);
  if (!client.ok()) {
    std::fprintf(stderr, "doris-operator: %s\n", std::string(client.status().message()).c_str());
    return 2;
  }
  auto log = doris_operator::store::EventLog::Open(absl::GetFlag(FLAGS_data_dir), {});
  if (!log.ok()) {
    std::fprintf(stderr, "doris-operator: event log: %s\n",
                 std::string(log.status().message()).c_str());
    return 1;
  }
  {
    doris_operator::log::v1::LogRecord start;
    start.mutable_lifecycle()->set_kind(doris_operator::log::v1::Lifecycle::START);
    start.mutable_lifecycle()->set_operator_version("dev");
    auto appended = (*log)->Append({start});
    if (!appended.ok()) {
      std::fprintf(stderr, "doris-operator: event log: %s\n",
                   std::string(appended.status().message()).c_str());
      return 1;
    }
  }

  doris_operator::admin::KubeLiveSource live(client->get());
  std::unique_ptr<doris_operator::admin::AdminServer> admin;
  if (!absl::GetFlag(FLAGS_admin_address).empty()) {
    doris_operator::admin::AdminServerOptions admin_options;
    admin_options.address = absl::GetFlag(FLAGS_admin_address);
    admin_options.tls_cert_file = absl::GetFlag(FLAGS_admin_tls_cert);
    admin_options.tls_key_file = absl::GetFlag(FLAGS_admin_tls_key);
    admin_options.token_file = absl::GetFlag(FLAGS_admin_token_file);
    admin_options.service.live = &live;
    auto started = doris_operator::admin::AdminServer::Start(log->get(), admin_options);
    if (!started.ok()) {
      std::fprintf(stderr, "doris-operator: %s\n", std::string(started.status().message()).c_str());
      return 2;
    }
    admin = std::move(*started);
  }

  ControllerOptions options;
  options.namespaces = absl::GetFlag(FLAGS_namespace);
  options.workers = absl::GetFlag(FLAGS_workers);
  options.watch_timeout_seconds = absl::GetFlag(FLAGS_watch_timeout_seconds);
  options.resync_period = absl::GetFlag(FLAGS_resync_period);
  options.doris_access = access == "direct" ? doris_operator::doris::Access::kDirect
                                            : doris_operator::doris::Access::kApiServerProxy;
  Controller controller(client->get(), log->get(), options);
  controller.Start();

  auto metrics = doris_operator::metrics::MetricsServer::Start(
      absl::GetFlag(FLAGS_metrics_address), [&](const std::string& path) {
        doris_operator::metrics::Page page;
        if (path == "/healthz") {
          page.body = "ok\n";
        } else if (path == "/readyz") {
          const bool ready = controller.Synced();
          page.code = ready ? 200 : 503;
          page.body = ready ? "ok\n" : "watches not synced yet\n";
        } else if (path == "/metrics") {
          page.content_type = "text/plain; version=0.0.4";
          absl::MutexLock lock(&api_mu);
          page.body = Metrics(controller, **log, api_calls);
        } else {
          page.code = 404;
          page.body = "not found\n";
        }
        return page;
      });
  if (!metrics.ok()) {
    std::fprintf(stderr, "doris-operator: %s\n", std::string(metrics.status().message()).c_str());
    controller.Stop();
    if (admin) admin->Shutdown();
    return 1;
  }
  std::printf("doris-operator: running; metrics on 127.0.0.1:%d, admin API %s%s, log at %s\n",
              (*metrics)->port(), admin ? "on port " : "off",
              admin ? std::to_string(admin->port()).c_str() : "",
              absl::GetFlag(FLAGS_data_dir).c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::printf("doris-operator: stopping (signal %d)\n", sig);
  controller.Stop();
  doris_operator::log::v1::LogRecord stop;
  stop.mutable_lifecycle()->set_kind(doris_operator::log::v1::Lifecycle::STOP);
  (void)(*log)->Append({stop});
  // Tails see the STOP record; then the admin API goes before the log closes.
  if (admin) admin->Shutdown();
  absl::Status closed = (*log)->Close();
  if (!closed.ok()) {
    std::fprintf(stderr, "doris-operator: closing the log: %s\n", std::string(closed.message()).c_str());
    return 1;
  }
  std::printf("doris-operator: stopped\n");
  return 0;
}
