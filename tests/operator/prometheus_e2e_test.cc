// The operator's /metrics as an SRE sees it: Debian's Prometheus server
// scrapes the operator (a generated config, a loopback port, a 1 s scrape
// interval) while a DorisCluster is created, scaled in, given a ghost node
// and deleted; the test reads the series back through Prometheus's HTTP API
// (/api/v1/query). Every series docs/metrics.md lists is scraped at least
// once, and `promtool check metrics` accepts a scrape of the exposition.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/operator/operator_fixture.h"

namespace doris_operator {
namespace {

constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kPromtool[] = "/usr/bin/promtool";
// A compute node registered by hand that no pod backs: a ghost.
constexpr char kGhost[] = "demo-cn-0.demo-cn-internal.default.svc.cluster.local:9050";

// A loopback port nothing listens on now (Prometheus binds it next).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "%", absl::StrFormat("%02X", c));
    }
  }
  return out;
}

class PrometheusE2eTest : public OperatorE2eTest {
 protected:
  void StartPrometheus() {
    const std::string config = dir_ + "/prometheus.yml";
    std::ofstream(config) << "global:\n"
                          << "  scrape_interval: 1s\n"
                          << "  scrape_timeout: 1s\n"
                          << "scrape_configs:\n"
                          << "  - job_name: doris-operator\n"
                          << "    static_configs:\n"
                          << "      - targets: ['127.0.0.1:" << metrics_port_ << "']\n";
    // The port is free when picked; another process may take it before
    // Prometheus binds it, so a start that does not serve is tried again.
    for (int attempt = 0; attempt < 3; ++attempt) {
      prometheus_port_ = FreePort();
      ASSERT_GT(prometheus_port_, 0);
      auto p = testing::ChildProcess::Start(
          {kPrometheus, "--config.file=" + config, "--storage.tsdb.path=" + dir_ + "/prometheus",
           absl::StrCat("--web.listen-address=127.0.0.1:", prometheus_port_), "--log.level=warn"},
          dir_ + "/prometheus.log");
      ASSERT_TRUE(p.ok()) << p.status();
      prometheus_ = std::move(*p);
      if (Eventually([&] { return PromGet("/-/ready").find("Ready") != std::string::npos; }, 60)) return;
      prometheus_.reset();
    }
    FAIL() << "Prometheus did not start:\n" << Slurp(dir_ + "/prometheus.log");
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string PromGet(const std::string& path) {
    kube::ClusterConfig c;
    c.server = absl::StrCat("http://127.0.0.1:", prometheus_port_);
    kube::ClientOptions o;
    o.max_retries = 0;
    auto client = kube::Client::Create(c, o);
    if (!client.ok()) return "";
    kube::Request r;
    r.path = path;
    auto resp = (*client)->Do(r);
    return resp.ok() && resp->code == 200 ? resp->body : "";
  }

  // The series an instant query returns, as Prometheus's HTTP API answers
  // them ({"metric": {...}, "value": [time, "v"]}); null when the query failed.
  Json Query(const std::string& promql) {
    const Json answer = Json::parse(PromGet("/api/v1/query?query=" + UrlEncode(promql)), nullptr, false);
    if (!answer.is_object() || answer.value("status", "") != "success") return Json();
    return At(answer, "/data/result");
  }

  // The value of the one series `promql` selects; nullopt when there is
  // none (or more than one).
  std::optional<double> Value(const std::string& promql) {
    const Json result = Query(promql);
    if (!result.is_array() || result.size() != 1) return std::nullopt;
    double v = 0;
    const Json& value = At(result[0], "/value/1");
    if (!value.is_string() || !absl::SimpleAtod(value.get<std::string>(), &v)) return std::nullopt;
    return v;
  }

  bool Is(const std::string& promql, double want) {
    const std::optional<double> v = Value(promql);
    return v.has_value() && *v == want;
  }

  // The series names of docs/metrics.md's table (first column, in backticks).
  static std::vector<std::string> DocumentedSeries() {
    std::vector<std::string> out;
    std::istringstream doc(Slurp(testing::Runfile("docs/metrics.md")));
    for (std::string line; std::getline(doc, line);) {
      if (line.rfind("| `", 0) != 0) continue;
      const size_t end = line.find('`', 3);
      if (end != std::string::npos) out.push_back(line.substr(3, end - 3));
    }
    return out;
  }

  std::string Describe() {
    return absl::StrCat("\n--- operator /metrics:\n", Scrape(), "\n--- prometheus:\n",
                        Slurp(dir_ + "/prometheus.log"), "\n--- operator:\n", operator_->Output());
  }

  std::string Scrape() {
    kube::ClusterConfig c;
    c.server = absl::StrCat("http://127.0.0.1:", metrics_port_);
    auto client = kube::Client::Create(c);
    kube::Request r;
    r.path = "/metrics";
    auto resp = (*client)->Do(r);
    return resp.ok() ? resp->body : "";
  }

  // A node registered with the FE by hand (ALTER SYSTEM ADD BACKEND through
  // the node-management API), as a user would.
  void AddBackendByHand(const std::string& cluster, const std::string& host_port) {
    kube::Request r;
    r.method = "POST";
    r.path = absl::StrCat("/api/v1/namespaces/default/services/", cluster, "-fe-service:", fe_http_port_,
                          "/proxy/rest/v2/manager/node/ADD/be");
    r.headers.push_back(absl::StrCat("Authorization: Basic ", absl::Base64Escape(fe_user_)));
    r.headers.push_back("Content-Type: application/json");
    r.body = Json{{"hostPorts", {host_port}}}.dump();
    auto resp = client_->Do(r);
    ASSERT_TRUE(resp.ok() && resp->body.find("\"code\":0") != std::string::npos)
        << (resp.ok() ? resp->body : resp.status().ToString());
  }

  int prometheus_port_ = 0;
  std::unique_ptr<testing::ChildProcess> prometheus_;
};

TEST_F(PrometheusE2eTest, PrometheusScrapesThePerClusterSeriesAndEveryDocumentedOne) {
  StartPrometheus();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(Eventually([&] { return Is(R"(up{job="doris-operator"})", 1); })) << Describe();

  ClusterOptions o;
  // Long enough that the ghost added below stays in its grace period.
  o.annotations = "    doris-operator.io/ghost-node-grace-period: 1h\n";
  Apply(Cluster("demo", 1, 3, o));
  const std::string demo = R"(namespace="default",cluster="demo")";
  const std::string be = demo + R"(,component="be")";
  ASSERT_TRUE(Eventually([&] {
    return Is("doris_operator_component_desired_replicas{" + be + "}", 3) &&
           Is("doris_operator_component_ready_replicas{" + be + "}", 3) &&
           Is("doris_operator_component_updated_replicas{" + be + "}", 3) &&
           Is("doris_operator_component_phase{" + be + R"(,phase="available"})", 1) &&
           Is("doris_operator_cluster_available{" + demo + "}", 1) &&
           Is("doris_operator_scale_in_in_progress{" + be + "}", 0) &&
           Is("doris_operator_reconcile_failures_total{" + demo + "}", 0) &&
           Value("doris_operator_last_successful_reconcile_timestamp_seconds{" + demo + "}") > 0;
  })) << Describe();
  // One phase series per component: the phases it went through are gone.
  EXPECT_TRUE(Is("count(doris_operator_component_phase{" + be + "})", 1)) << Describe();

  // Scale in with a drain that cannot finish: the scale-in and the tablets
  // it waits for show until the drain may go on.
  Knobs("demo", {{"tabletsMovedPerSecond", 0}});
  Apply(Cluster("demo", 1, 2, o));
  ASSERT_TRUE(Eventually([&] {
    return Is("doris_operator_component_desired_replicas{" + be + "}", 2) &&
           Is("doris_operator_scale_in_in_progress{" + be + "}", 1) &&
           Is("doris_operator_scale_in_tablets_remaining{" + be + "}", 120) &&
           Is("doris_operator_component_phase{" + be + R"(,phase="scaling"})", 1) &&
           Is("count(doris_operator_component_phase{" + be + "})", 1) &&
           Is("doris_operator_cluster_available{" + demo + "}", 0);
  })) << Describe();
  Knobs("demo", {{"tabletsMovedPerSecond", 200}});
  ASSERT_TRUE(Eventually([&] {
    return Is("doris_operator_scale_in_in_progress{" + be + "}", 0) &&
           Is("doris_operator_scale_in_tablets_remaining{" + be + "}", 0) &&
           Is("doris_operator_component_ready_replicas{" + be + "}", 2) &&
           Is("doris_operator_cluster_available{" + demo + "}", 1);
  })) << Describe();

  // A ghost: a node the FE lists that no pod backs, seen on the next
  // reconcile (the FE's lists are not watched: a touch of the spec's
  // metadata wakes the cluster).
  AddBackendByHand("demo", kGhost);
  ASSERT_EQ(Kubectl({"annotate", "dcr", "demo", "touched=1"}).exit_code, 0);
  ASSERT_TRUE(Eventually([&] {
    return Is("doris_operator_ghost_nodes{" + demo + R"(,component="cn",state="InGracePeriod"})", 1);
  })) << Describe();

  // Every documented series was scraped (histograms by their _count).
  const std::vector<std::string> documented = DocumentedSeries();
  ASSERT_GE(documented.size(), 31u);
  for (const std::string& name : documented) {
    const std::string series = name == "doris_operator_reconcile_duration_seconds" ? name + "_count" : name;
    EXPECT_TRUE(Eventually([&] {
      const Json r = Query(absl::StrCat("count_over_time({__name__=\"", series, "\"}[1h])"));
      return r.is_array() && !r.empty();
    }, 30)) << name << " was never scraped" << Describe();
  }

  // The exposition passes promtool's checks (format and naming lint).
  const std::string scrape = Scrape();
  ASSERT_NE(scrape.find("doris_operator_ghost_nodes{"), std::string::npos) << scrape;
  const testing::CommandResult checked = testing::Run({kPromtool, "check", "metrics"}, scrape);
  EXPECT_EQ(checked.exit_code, 0) << checked.output << "\n" << scrape;

  // Deleted: every series of the cluster goes (stale in Prometheus at the
  // next scrape).
  ASSERT_EQ(Kubectl({"delete", "dcr", "demo"}).exit_code, 0);
  ASSERT_TRUE(Eventually([&] {
    const Json r = Query(R"({cluster="demo"})");
    return r.is_array() && r.empty();
  })) << Describe();
  EXPECT_EQ(Scrape().find(R"(cluster="demo")"), std::string::npos) << Scrape();
  EXPECT_TRUE(Is(R"(up{job="doris-operator"})", 1));
}

}  // namespace
}  // namespace doris_operator
