// doris-operator: runs Apache Doris clusters described by DorisCluster
// resources, keeping every observation and decision in an event log.

#include <malloc.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "operator/admin/kube_live.h"
#include "operator/admin/server.h"
#include "operator/controller.h"
#include "operator/kube/client.h"
#include "operator/kube/kubeconfig.h"
#include "operator/logging/log.h"
#include "operator/leader/lease_elector.h"
#include "operator/log_guard.h"
#include "operator/log_retention.h"
#include "operator/metrics/api_requests.h"
#include "operator/metrics/cluster_metrics.h"
#include "operator/metrics/metrics_server.h"
#include "operator/metrics/process_metrics.h"
#include "operator/metrics/registry.h"
#include "operator/metrics/write_failures.h"
#include "store/event_log.h"

ABSL_FLAG(std::string, kubeconfig, "",
          "Path of a kubeconfig file. Empty: the in-cluster service account (when running in a "
          "pod), else $KUBECONFIG, else ~/.kube/config.");
ABSL_FLAG(std::string, context, "", "The kubeconfig context to use (default: its current context).");
ABSL_FLAG(std::vector<std::string>, namespace, {},
          "Namespaces to manage: repeat the flag or separate with commas (default: all namespaces).");
ABSL_FLAG(std::string, data_dir, "/var/lib/doris-operator",
          "Directory of the RocksDB event log (created if missing; keep it on a persistent volume).");
ABSL_FLAG(absl::Duration, tablet_health_deadline, absl::Minutes(30),
          "A BE restart of a rollout waits while Doris reports tablets short of a healthy replica; "
          "past this long a Warning Event says so (it still waits). 0: never warn.");
ABSL_FLAG(absl::Duration, log_recovery_interval, absl::Seconds(5),
          "While the event log cannot be written (e.g. its disk is full), how often the operator "
          "tries to make it writable again. Meanwhile it is not ready and writes nothing to the "
          "cluster.");
ABSL_FLAG(absl::Duration, log_retention_max_age, absl::Hours(24 * 30),
          "Event log records older than this are removed (0 = no age limit). The state they "
          "built is kept in a snapshot, so nothing the operator needs is lost.");
ABSL_FLAG(int64_t, log_retention_max_bytes, int64_t{4} << 30,
          "The oldest event log records are removed while the log is larger than this many "
          "bytes (0 = no size limit). The default fits the 10Gi volume of deploy/ with room for "
          "compaction; see docs/install.md to size the volume.");
ABSL_FLAG(absl::Duration, log_retention_interval, absl::Minutes(10),
          "How often retention runs; it also runs as soon as the log grows by a tenth of "
          "--log-retention-max-bytes or passes it.");
ABSL_FLAG(std::string, metrics_address, "127.0.0.1:8080",
          "host:port serving /metrics (Prometheus text), /healthz and /readyz.");
ABSL_FLAG(std::string, doris_access, "direct",
          "How the operator reaches each cluster's FE HTTP API: 'direct' (by the FE Service's DNS "
          "name and the FE pods' addresses; the operator runs in the cluster) or 'apiserver-proxy' "
          "(through the API server's service and pod proxy; it cannot carry Doris credentials, so "
          "clusters whose FE needs a password get Synced=False and a DorisAccessRefused Event).");
ABSL_FLAG(std::string, dial_override, "",
          "TESTS ONLY: HOST:PORT that every direct FE connection goes to instead of the FE's "
          "address, keeping the URL and Host header (e.g. kubesim's --cluster-network-port). "
          "Never set it in a deployment.");
ABSL_FLAG(int, workers, 4, "Reconcile workers; one cluster is never reconciled by two at once.");
ABSL_FLAG(double, kube_qps, 50, "Client-side limit of API requests per second (watches excluded).");
ABSL_FLAG(int, kube_burst, 100, "Requests allowed above kube_qps in a burst.");
ABSL_FLAG(absl::Duration, resync_period, absl::Minutes(10),
          "Every DorisCluster is reconciled at least this often even without events (0 = never).");
ABSL_FLAG(absl::Duration, disaggregated_discovery_interval, absl::Seconds(30),
          "While the API server does not serve the DorisDisaggregatedCluster CRD, ask this often "
          "whether it does (a CRD installed after start is then watched without a restart).");
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
ABSL_FLAG(bool, leader_elect, false,
          "Run several replicas: they elect a leader with a coordination.k8s.io/v1 Lease; all of "
          "them watch and log, only the leader reconciles and writes.");
ABSL_FLAG(std::string, leader_election_namespace, "",
          "Namespace of the Lease (default: the pod's namespace in a cluster, else 'default').");
ABSL_FLAG(std::string, leader_election_id, "doris-operator-leader", "Name of the Lease.");
ABSL_FLAG(std::string, leader_election_identity, "",
          "This replica's holder identity (default: hostname plus a random suffix).");
ABSL_FLAG(absl::Duration, leader_election_lease_duration, absl::Seconds(15),
          "How long others wait after the last renewal they saw before taking the Lease.");
ABSL_FLAG(absl::Duration, leader_election_renew_deadline, absl::Seconds(10),
          "A leader that could not renew for this long stops writing at once.");
ABSL_FLAG(absl::Duration, leader_election_retry_period, absl::Seconds(2),
          "Time between attempts to acquire or renew the Lease.");

namespace {

using doris_operator::Controller;
using doris_operator::ControllerOptions;

// The process-wide figures for /metrics, read at each scrape.
// Whether the API server serves DorisDisaggregatedCluster (its CRD is
// installed): discovery of its group version lists the resource. Asked at
// start and then every --disaggregated-discovery-interval until it is.
bool DisaggregatedServed(doris_operator::kube::Client* client) {
  absl::StatusOr<nlohmann::json> list = client->Get("/apis/disaggregated.cluster.doris.com/v1");
  if (!list.ok() || !list->is_object() || !(*list)["resources"].is_array()) return false;
  for (const nlohmann::json& r : (*list)["resources"]) {
    if (r.is_object() && r.value("name", "") == "dorisdisaggregatedclusters") return true;
  }
  return false;
}

doris_operator::metrics::ProcessFigures ReadFigures(const Controller& c,
                                                   const doris_operator::store::EventLog& log,
                                                   const doris_operator::LogGuard& guard,
                                                   const doris_operator::LogRetention& retention,
                                                   bool leader) {
  const auto& s = c.stats();
  doris_operator::metrics::ProcessFigures f;
  static const char* outcomes[] = {"unspecified", "no_change", "applied",
                                   "requeued",    "failed",    "invalid_spec"};
  for (int i = 0; i < 6; ++i) {
    if (i > 0) f.reconciles[outcomes[i]] = s.reconciles[i].load();
    f.duration_count += s.reconciles[i].load();
  }
  for (size_t b = 0; b < std::size(doris_operator::ControllerStats::kDurationBounds); ++b) {
    f.duration_bounds.push_back(doris_operator::ControllerStats::kDurationBounds[b]);
    f.duration_cumulative.push_back(s.duration_buckets[b].load());
  }
  f.duration_sum_seconds = s.reconcile_micros_total.load() / 1e6;
  f.queue_depth = c.queue_depth();
  f.events_ingested = s.events_ingested.load();
  f.write_calls = s.write_calls.load();
  f.log_last_seq = log.last_seq();
  f.log_bytes = log.ApproximateBytes();
  f.log_oldest_retained_unix = retention.stats().oldest_retained_unix.load();
  f.log_retention_dropped_records = retention.stats().records_dropped.load();
  f.log_retention_failures = retention.stats().failures.load();
  f.log_writable = guard.writable();
  f.log_write_failures = log.write_health().failed_writes;
  f.log_recoveries = guard.stats().recoveries.load();
  f.reconciles_paused = s.reconciles_paused.load();
  f.log_damaged_snapshots = log.damaged_snapshots().size();
  f.leader = leader;
  return f;
}

// The pod's own namespace, where a Lease belongs by convention.
std::string InClusterNamespace() {
  std::ifstream in("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
  std::string ns;
  if (in) std::getline(in, ns);
  return ns;
}

void AppendLifecycle(doris_operator::store::EventLog& log,
                     doris_operator::log::v1::Lifecycle::Kind kind, const std::string& identity) {
  doris_operator::log::v1::LogRecord r;
  r.mutable_lifecycle()->set_kind(kind);
  r.mutable_lifecycle()->set_identity(identity);
  auto appended = log.Append({r});
  if (!appended.ok()) {
    std::fprintf(stderr, "doris-operator: event log: %s\n",
                 std::string(appended.status().message()).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  // glibc gives every thread its own malloc arena; with watcher, worker, gRPC
  // and RocksDB threads that multiplies idle heap. Two arenas are plenty.
  mallopt(M_ARENA_MAX, 2);
  absl::SetProgramUsageMessage(
      "Runs Apache Doris clusters described by DorisCluster resources.\n"
      "  doris-operator --kubeconfig ~/.kube/config --data-dir ./data");
  // Kubernetes tools spell flags with dashes (--data-dir); abseil names
  // them with underscores. Accept both. --namespace may also be repeated
  // (abseil would keep only the last), so repeats are joined into one list.
  std::vector<std::string> args;
  std::vector<std::string> namespaces;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      const size_t end = std::min(a.find('='), a.size());
      for (size_t j = 2; j < end; ++j) {
        if (a[j] == '-') a[j] = '_';
      }
    }
    if (a == "--namespace" && i + 1 < argc) {
      namespaces.push_back(argv[++i]);
      continue;
    }
    if (a.rfind("--namespace=", 0) == 0) {
      namespaces.push_back(a.substr(std::string("--namespace=").size()));
      continue;
    }
    args.push_back(std::move(a));
  }
  if (!namespaces.empty()) args.push_back("--namespace=" + absl::StrJoin(namespaces, ","));
  std::vector<char*> arg_ptrs;
  for (std::string& a : args) arg_ptrs.push_back(a.data());
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

  // /metrics (docs/metrics.md); served by the metrics server below.
  doris_operator::metrics::Registry metrics_registry;
  doris_operator::metrics::ApiRequests api_requests(&metrics_registry);
  doris_operator::metrics::WriteFailures write_failures(&metrics_registry);
  doris_operator::metrics::ClusterMetrics cluster_metrics(&metrics_registry);
  doris_operator::kube::ClientOptions client_options;
  client_options.qps = absl::GetFlag(FLAGS_kube_qps);
  client_options.burst = absl::GetFlag(FLAGS_kube_burst);
  client_options.on_response = [&api_requests](const std::string& verb, int code) {
    api_requests.Count(verb, code);
  };

  // Leader election has a client of its own: its requests must not queue
  // behind the controller's rate limit, and a hanging one must end well
  // within the renew deadline so the next attempt still counts.
  const bool elect = absl::GetFlag(FLAGS_leader_elect);
  std::unique_ptr<doris_operator::kube::Client> election_client;
  std::unique_ptr<doris_operator::leader::LeaderElector> elector;
  doris_operator::leader::LeaderElectorOptions election;
  if (elect) {
    election.ns = absl::GetFlag(FLAGS_leader_election_namespace);
    if (election.ns.empty()) election.ns = InClusterNamespace();
    if (election.ns.empty()) election.ns = "default";
    election.name = absl::GetFlag(FLAGS_leader_election_id);
    election.identity = absl::GetFlag(FLAGS_leader_election_identity);
    election.lease_duration = absl::GetFlag(FLAGS_leader_election_lease_duration);
    election.renew_deadline = absl::GetFlag(FLAGS_leader_election_renew_deadline);
    election.retry_period = absl::GetFlag(FLAGS_leader_election_retry_period);
    doris_operator::kube::ClientOptions eo;
    eo.request_timeout = std::max(election.retry_period, election.renew_deadline / 2);
    eo.connect_timeout = eo.request_timeout;
    eo.max_retries = 0;  // the elector retries on its own beat
    eo.on_response = client_options.on_response;
    auto c = doris_operator::kube::Client::Create(*config, eo);
    if (!c.ok()) {
      std::fprintf(stderr, "doris-operator: %s\n", std::string(c.status().message()).c_str());
      return 2;
    }
    election_client = std::move(*c);
    // Checked here, before anything is written; callbacks are set below.
    auto checked = doris_operator::leader::LeaderElector::Create(election_client.get(), election);
    if (!checked.ok()) {
      std::fprintf(stderr, "doris-operator: %s\n", std::string(checked.status().message()).c_str());
      return 2;
    }
    election.identity = (*checked)->identity();
  }
  // Set once the elector exists, before anything could write.
  std::atomic<doris_operator::leader::LeaderElector*> leader{nullptr};
  auto is_leader = [&leader, elect] {
    if (!elect) return true;
    doris_operator::leader::LeaderElector* e = leader.load();
    return e != nullptr && e->IsLeader();
  };
  // Nothing reaches the cluster that the log could not record first: while
  // the log refuses appends, writes fail before they are sent.
  std::atomic<doris_operator::store::EventLog*> log_for_writes{nullptr};
  client_options.may_write = [&is_leader, &log_for_writes] {
    doris_operator::store::EventLog* l = log_for_writes.load();
    return is_leader() && (l == nullptr || l->write_health().status.ok());
  };
  if (elect) {
    // Which replica made a call, in the API server's audit log (and in
    // kubesim's access log, which tests read to tell the replicas apart).
    client_options.user_agent = absl::StrCat("doris-operator/dev (", election.identity, ")");
    // The leader stops writing at most renew_deadline after its last renewal
    // and no other replica can take the lease before lease_duration: an
    // attempt that began while leading must end within the difference.
    client_options.write_attempt_timeout =
        election.lease_duration - election.renew_deadline;
  }
  auto client = doris_operator::kube::Client::Create(*config, client_options);
  if (!client.ok()) {
    std::fprintf(stderr, "doris-operator: %s\n", std::string(client.status().message()).c_str());
    return 2;
  }
  // The Events that say the log cannot be written must get out while it
  // cannot: their client asks only for leadership.
  doris_operator::kube::ClientOptions event_client_options = client_options;
  event_client_options.may_write = is_leader;
  auto event_client = doris_operator::kube::Client::Create(*config, event_client_options);
  if (!event_client.ok()) {
    std::fprintf(stderr, "doris-operator: %s\n",
                 std::string(event_client.status().message()).c_str());
    return 2;
  }
  doris_operator::store::EventLogOptions log_options;
  // The operator's log takes a few hundred appends per second at most:
  // small memtables and cache keep its memory flat (see docs/performance.md).
  log_options.records_write_buffer_bytes = 16 << 20;
  log_options.block_cache_bytes = 32 << 20;
  auto log = doris_operator::store::EventLog::Open(absl::GetFlag(FLAGS_data_dir), log_options);
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
  log_for_writes.store(log->get());
  for (const doris_operator::store::DamagedSnapshot& d : (*log)->damaged_snapshots()) {
    // Not trusted: Open refolded past it from an older snapshot and rewrote it.
    doris_operator::logging::Log(doris_operator::logging::Level::kWarn,
                                 "event log snapshot was damaged; refolded from the records",
                                 {{"snapshot_seq", std::to_string(d.seq)}, {"problem", d.problem}});
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
  options.reconciler.tablet_health_deadline = absl::GetFlag(FLAGS_tablet_health_deadline);
  options.doris_access = access == "direct" ? doris_operator::doris::Access::kDirect
                                            : doris_operator::doris::Access::kApiServerProxy;
  options.doris_client.dial_override = absl::GetFlag(FLAGS_dial_override);
  if (!options.doris_client.dial_override.empty()) {
    if (options.doris_access != doris_operator::doris::Access::kDirect ||
        options.doris_client.dial_override.find(':') == std::string::npos) {
      std::fprintf(stderr, "doris-operator: --dial-override is HOST:PORT, with --doris-access=direct\n");
      return 2;
    }
    std::printf("doris-operator: TEST MODE: every FE connection goes to %s (--dial-override)\n",
                options.doris_client.dial_override.c_str());
  }
  if (elect) options.is_leader = is_leader;
  options.watch_disaggregated = DisaggregatedServed(client->get());
  if (options.watch_disaggregated) {
    std::printf("doris-operator: DorisDisaggregatedCluster is served: watching it too\n");
  } else {
    doris_operator::kube::Client* discovery = client->get();
    options.disaggregated_served = [discovery] { return DisaggregatedServed(discovery); };
    options.disaggregated_discovery_interval = absl::GetFlag(FLAGS_disaggregated_discovery_interval);
  }
  options.reconciler.cluster_metrics = &cluster_metrics;
  options.reconciler.write_failures = &write_failures;
  Controller controller(client->get(), log->get(), options);
  doris_operator::reconcile::EventRecorder log_events(event_client->get());
  doris_operator::LogGuardOptions guard_options;
  guard_options.recovery_interval = absl::GetFlag(FLAGS_log_recovery_interval);
  guard_options.on_recovered = [&controller] { controller.EnqueueAll(); };
  // Only reopening can clear it: exit so that Kubernetes restarts the pod.
  std::atomic<bool> log_unrecoverable{false};
  guard_options.on_unrecoverable = [&log_unrecoverable](const absl::Status&) {
    log_unrecoverable = true;
    kill(getpid(), SIGTERM);
  };
  doris_operator::LogGuard guard(log->get(), &log_events, guard_options);
  guard.Start();
  doris_operator::LogRetentionOptions retention_options;
  retention_options.policy.max_age = absl::GetFlag(FLAGS_log_retention_max_age);
  retention_options.policy.max_bytes =
      static_cast<uint64_t>(std::max<int64_t>(0, absl::GetFlag(FLAGS_log_retention_max_bytes)));
  retention_options.interval = absl::GetFlag(FLAGS_log_retention_interval);
  doris_operator::LogRetention retention(log->get(), retention_options);
  retention.Start();
  metrics_registry.AddCollector(std::make_shared<doris_operator::metrics::ProcessMetrics>(
      [&controller, &log, &guard, &retention, &is_leader] {
        return ReadFigures(controller, **log, guard, retention, is_leader());
      }));
  controller.Start();
  if (elect) {
    const std::string identity = election.identity;
    doris_operator::store::EventLog* event_log = log->get();
    election.on_started_leading = [&controller, event_log, identity] {
      doris_operator::logging::Log(doris_operator::logging::Level::kInfo, "leading",
                                   {{"identity", identity}});
      std::fflush(stdout);
      AppendLifecycle(*event_log, doris_operator::log::v1::Lifecycle::LEADER_ACQUIRED, identity);
      controller.EnqueueAll();
    };
    election.on_stopped_leading = [event_log, identity] {
      doris_operator::logging::Log(doris_operator::logging::Level::kWarn, "no longer leading",
                                   {{"identity", identity}});
      std::fflush(stdout);
      AppendLifecycle(*event_log, doris_operator::log::v1::Lifecycle::LEADER_LOST, identity);
    };
    election.on_new_leader = [identity](const std::string& holder) {
      if (holder == identity) return;
      doris_operator::logging::Log(doris_operator::logging::Level::kInfo, "new leader",
                                   {{"holder", holder}});
      std::fflush(stdout);
    };
    auto e = doris_operator::leader::LeaderElector::Create(election_client.get(), election);
    if (!e.ok()) {  // the same options passed above
      std::fprintf(stderr, "doris-operator: %s\n", std::string(e.status().message()).c_str());
      controller.Stop();
      return 2;
    }
    elector = std::move(*e);
    leader.store(elector.get());
    std::printf("doris-operator: leader election on Lease %s/%s as %s\n", election.ns.c_str(),
                election.name.c_str(), identity.c_str());
    elector->Start();
  }

  auto metrics = doris_operator::metrics::MetricsServer::Start(
      absl::GetFlag(FLAGS_metrics_address), [&](const std::string& path) {
        doris_operator::metrics::Page page;
        if (path == "/healthz") {
          // A log that refuses appends keeps the process alive: restarting
          // would not free the disk. Only one that cannot recover in this
          // process asks for a restart (the operator also exits then).
          const doris_operator::store::WriteHealth h = (*log)->write_health();
          page.code = h.recoverable ? 200 : 503;
          page.body = h.recoverable ? "ok\n"
                                    : absl::StrCat("event log cannot recover in this process: ",
                                                   h.status.message(), "\n");
        } else if (path == "/readyz") {
          const doris_operator::store::WriteHealth h = (*log)->write_health();
          const bool ready = controller.Synced() && h.status.ok();
          page.code = ready ? 200 : 503;
          page.body = ready                 ? "ok\n"
                      : !h.status.ok()      ? absl::StrCat("event log cannot be written: ",
                                                           h.status.message(), "\n")
                                            : "watches not synced yet\n";
        } else if (path == "/metrics") {
          page.content_type = doris_operator::metrics::kExpositionContentType;
          page.body = metrics_registry.Render();
        } else {
          page.code = 404;
          page.body = "not found\n";
        }
        return page;
      });
  if (!metrics.ok()) {
    std::fprintf(stderr, "doris-operator: %s\n", std::string(metrics.status().message()).c_str());
    retention.Stop();
    guard.Stop();
    controller.Stop();
    if (elector) elector->Stop();
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
  if (log_unrecoverable) {
    std::printf("doris-operator: stopping: the event log cannot recover in this process (%s); "
                "exiting to be restarted\n",
                std::string((*log)->write_health().status.message()).c_str());
  } else {
    std::printf("doris-operator: stopping (signal %d)\n", sig);
  }
  retention.Stop();
  guard.Stop();
  controller.Stop();
  // After the last reconcile: hand the Lease over so a successor starts now.
  if (elector) elector->Stop();
  doris_operator::log::v1::LogRecord stop;
  stop.mutable_lifecycle()->set_kind(doris_operator::log::v1::Lifecycle::STOP);
  (void)(*log)->Append({stop});
  // Tails see the STOP record; then the admin API goes before the log closes.
  if (admin) admin->Shutdown();
  absl::Status closed = (*log)->Close();
  if (log_unrecoverable) return 3;
  if (!closed.ok()) {
    std::fprintf(stderr, "doris-operator: closing the log: %s\n", std::string(closed.message()).c_str());
    return 1;
  }
  std::printf("doris-operator: stopped\n");
  return 0;
}
