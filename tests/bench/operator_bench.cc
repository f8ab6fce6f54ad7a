// operator_bench: the doris-operator binary against kubesim, both as
// processes, as in production but with a simulated cluster.
//
//   bazel run -c opt //tests/bench:operator_bench -- [--clusters N] [--pod-ms T]
//
// Part 1, N DorisClusters (3 FE + 3 BE): time until all are available, the
// operator's peak RSS, CPU seconds for one full no-op resync, and write calls
// made by no-op reconciles. Part 2, BE scale-out 3 -> 30 with a simulated pod
// start time T: time until all are ready, against an OrderedReady
// StatefulSet doing the same in the same simulator.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "operator/kube/client.h"
#include "operator/kube/kubeconfig.h"
#include "tests/testing/kubesim_process.h"
#include "tests/testing/metrics_text.h"

namespace {

using doris_operator::kube::Client;
using doris_operator::testing::ChildProcess;
using doris_operator::testing::KubesimProcess;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// utime + stime of a process, in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(f, line);
  std::vector<std::string> fields = absl::StrSplit(line.substr(line.rfind(')') + 2), ' ');
  double ut = 0, st = 0;
  if (fields.size() > 12) {
    absl::SimpleAtod(fields[11], &ut);
    absl::SimpleAtod(fields[12], &st);
  }
  return (ut + st) / sysconf(_SC_CLK_TCK);
}

// Peak resident set (VmHWM), in MB.
double PeakRssMb(pid_t pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      double kb = 0;
      std::istringstream(line.substr(6)) >> kb;
      return kb / 1024;
    }
  }
  return -1;
}

struct Env {
  std::unique_ptr<KubesimProcess> sim;
  std::unique_ptr<Client> client;
  std::unique_ptr<ChildProcess> op;
  int metrics_port = 0;
  std::string dir;
};

bool Start(Env& env, const std::string& name, const std::vector<std::string>& sim_args,
           const std::vector<std::string>& op_args) {
  env.dir = absl::StrCat("/tmp/operator_bench.", getpid(), ".", name);
  doris_operator::testing::Run({"rm", "-rf", env.dir});
  doris_operator::testing::Run({"mkdir", "-p", env.dir});
  auto sim = KubesimProcess::Start(env.dir, sim_args);
  if (!sim.ok()) {
    std::fprintf(stderr, "kubesim: %s\n", std::string(sim.status().message()).c_str());
    return false;
  }
  env.sim = std::make_unique<KubesimProcess>(std::move(*sim));
  auto config = doris_operator::kube::LoadKubeconfig(env.sim->kubeconfig());
  doris_operator::kube::ClientOptions options;
  options.qps = 1e6;
  options.burst = 1000000;
  env.client = *Client::Create(*config, options);
  auto crd = doris_operator::testing::Kubectl(
      env.sim->kubeconfig(),
      {"apply", "-f", doris_operator::testing::Runfile("crds/doris.selectdb.com_dorisclusters.yaml")});
  if (crd.exit_code != 0) {
    std::fprintf(stderr, "%s", crd.output.c_str());
    return false;
  }
  std::vector<std::string> argv = {doris_operator::testing::Runfile("operator/doris-operator"),
                                   "--kubeconfig", env.sim->kubeconfig(), "--data-dir",
                                   env.dir + "/data", "--metrics-address", "127.0.0.1:0",
                                   "--admin-address", "127.0.0.1:0", "--doris-access",
                                   "apiserver-proxy"};
  argv.insert(argv.end(), op_args.begin(), op_args.end());
  auto op = ChildProcess::Start(argv, env.dir + "/operator.log");
  if (!op.ok() || !(*op)->WaitForOutput("metrics on 127.0.0.1:", 20000)) return false;
  env.op = std::move(*op);
  const std::string out = env.op->Output();
  const size_t at = out.find("metrics on 127.0.0.1:") + 21;
  absl::SimpleAtoi(out.substr(at, out.find(',', at) - at), &env.metrics_port);
  return true;
}

double Metric(const Env& env, const std::string& name) {
  doris_operator::kube::ClusterConfig c;
  c.server = absl::StrCat("http://127.0.0.1:", env.metrics_port);
  auto client = *Client::Create(c);
  doris_operator::kube::Request r;
  r.path = "/metrics";
  auto resp = client->Do(r);
  if (!resp.ok()) return -1;
  return doris_operator::testing::MetricValue(resp->body, name);
}

std::string ClusterJson(const std::string& name, int fe, int be) {
  return Json{{"apiVersion", "doris.selectdb.com/v1"},
              {"kind", "DorisCluster"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec",
               {{"feSpec", {{"replicas", fe}, {"image", "apache/doris:fe-2.1.8"}}},
                {"beSpec", {{"replicas", be}, {"image", "apache/doris:be-2.1.8"}}}}}}
      .dump();
}

int CountAvailable(Env& env) {
  auto list = env.client->Get("/apis/doris.selectdb.com/v1/namespaces/default/dorisclusters");
  if (!list.ok()) return -1;
  int n = 0;
  for (const Json& d : (*list)["items"]) {
    const Json s = d.value("status", Json::object());
    auto phase = [&](const char* c) -> std::string {
      if (!s.contains(c) || !s[c].contains("componentCondition")) return "";
      return s[c]["componentCondition"].value("phase", "");
    };
    n += phase("feStatus") == "available" && phase("beStatus") == "available";
  }
  return n;
}

void ManyClusters(int n) {
  Env env;
  if (!Start(env, "many", {}, {"--workers", "4", "--resync-period", "40s"})) return;
  const auto t0 = Clock::now();
  const std::string dcrs = "/apis/doris.selectdb.com/v1/namespaces/default/dorisclusters";
  for (int i = 0; i < n; ++i) {
    auto created = env.client->Create(dcrs, ClusterJson(absl::StrCat("c", i), 3, 3));
    if (!created.ok()) std::fprintf(stderr, "create: %s\n", std::string(created.status().message()).c_str());
  }
  const double created_s = Since(t0);
  int available = 0;
  while ((available = CountAvailable(env)) < n && Since(t0) < 1800) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const double converge_s = Since(t0);
  std::printf("clusters: %d created in %.1f s; %d/%d available after %.1f s\n", n, created_s,
              available, n, converge_s);
  // Let follow-up reconciles finish, then watch one full resync.
  while (Metric(env, "doris_operator_queue_depth") > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double r0 = Metric(env, "doris_operator_reconciles_total");
  const double w0 = Metric(env, "doris_operator_write_calls_total");
  const double c0 = CpuSeconds(env.op->pid());
  const auto idle_start = Clock::now();
  while (Metric(env, "doris_operator_reconciles_total") < r0 + n && Since(idle_start) < 120) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  while (Metric(env, "doris_operator_queue_depth") > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const double r1 = Metric(env, "doris_operator_reconciles_total");
  const double w1 = Metric(env, "doris_operator_write_calls_total");
  const double c1 = CpuSeconds(env.op->pid());
  std::printf("no-op resync: %.0f reconciles, %.0f write calls (%.3f per reconcile), %.2f CPU s "
              "(window %.1f s incl. idle)\n",
              r1 - r0, w1 - w0, (r1 - r0) > 0 ? (w1 - w0) / (r1 - r0) : -1.0, c1 - c0,
              Since(idle_start));
  std::printf("operator peak RSS: %.0f MB (goal <= 300 MB); log records: %.0f\n",
              PeakRssMb(env.op->pid()), Metric(env, "doris_operator_log_last_seq"));
}

double TimeToReady(Env& env, const std::string& sts, int replicas) {
  const auto t0 = Clock::now();
  for (;;) {
    auto got = env.client->Get(doris_operator::kube::ObjectPath("apps/v1", "default", "statefulsets", sts));
    if (got.ok() && (*got)["status"].is_object() && (*got)["status"].value("readyReplicas", 0) >= replicas) {
      return Since(t0);
    }
    if (Since(t0) > 600) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void ScaleOut(int pod_ms) {
  Env env;
  const std::string half = std::to_string(pod_ms / 2);
  if (!Start(env, "scale", {"--pod-start-ms", half, "--pod-ready-ms", half}, {})) return;
  const std::string dcrs = "/apis/doris.selectdb.com/v1/namespaces/default/dorisclusters";
  (void)env.client->Create(dcrs, ClusterJson("s", 1, 3));
  while (CountAvailable(env) < 1) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  (void)env.client->MergePatch(dcrs + "/s", R"({"spec":{"beSpec":{"replicas":30}}})");
  const double parallel = TimeToReady(env, "s-be", 30);

  // The baseline: an OrderedReady StatefulSet scaled 3 -> 30 in the same simulator.
  Json sts = {{"apiVersion", "apps/v1"},
              {"kind", "StatefulSet"},
              {"metadata", {{"name", "ordered"}}},
              {"spec",
               {{"replicas", 3},
                {"podManagementPolicy", "OrderedReady"},
                {"serviceName", "ordered"},
                {"selector", {{"matchLabels", {{"app", "ordered"}}}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", "ordered"}}}}},
                  {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "x"}}})}}}}}}}};
  (void)env.client->Create("/apis/apps/v1/namespaces/default/statefulsets", sts.dump());
  TimeToReady(env, "ordered", 3);
  (void)env.client->MergePatch("/apis/apps/v1/namespaces/default/statefulsets/ordered",
                               R"({"spec":{"replicas":30}})");
  const double ordered = TimeToReady(env, "ordered", 30);
  const double t = pod_ms / 1000.0;
  std::printf("BE scale-out 3 -> 30, pod start T = %.2f s: operator %.2f s = %.2f T (goal <= 1.3 T); "
              "OrderedReady %.2f s = %.1f T; ratio %.1fx\n",
              t, parallel, parallel / t, ordered, ordered / t, ordered / parallel);
}

}  // namespace

int main(int argc, char** argv) {
  int clusters = 1000;
  int pod_ms = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--clusters") absl::SimpleAtoi(argv[i + 1], &clusters);
    if (a == "--pod-ms") absl::SimpleAtoi(argv[i + 1], &pod_ms);
  }
  ScaleOut(pod_ms);
  ManyClusters(clusters);
  return 0;
}
