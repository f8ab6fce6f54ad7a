#ifndef DORIS_OPERATOR_TESTS_OPERATOR_OPERATOR_FIXTURE_H_
#define DORIS_OPERATOR_TESTS_OPERATOR_OPERATOR_FIXTURE_H_

// A kubesim process with the DorisCluster CRD, and the doris-operator binary
// running against it: what a user sees after `kubectl apply`. Tests wait for
// the event they mean (Eventually, bounded by wall time; ReconcileThatSaw,
// the operator's own log), never for time to pass.

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "operator/kube/client.h"
#include "operator/kube/kubeconfig.h"
#include "proto/admin.grpc.pb.h"
#include "tests/testing/eventually.h"
#include "tests/testing/kubesim_process.h"
#include "tests/testing/metrics_text.h"

namespace doris_operator {

using Json = nlohmann::json;

// The value at a JSON pointer ("/status/phase") of `j`, or null when there
// is none: for predicates over logged objects, which may lack any field.
inline Json At(const Json& j, const std::string& pointer) {
  try {
    const Json::json_pointer p(pointer);
    return j.contains(p) ? j.at(p) : Json();
  } catch (const Json::exception&) {
    return Json();
  }
}

struct ClusterOptions {
  std::string version = "2.1.8";
  std::string be_version;     // default: version
  std::string fe_extra;       // more feSpec lines, indented by 4
  std::string be_extra;       // more beSpec lines, indented by 4
  std::string spec_extra;     // more spec lines, indented by 2
  std::string annotations;    // metadata.annotations lines, indented by 4
  std::string be_storage = "10Gi";  // the BE data claim's storage request
};

// A kubesim process in `dir` with the DorisCluster CRD applied, and a client
// for the test's own calls (its own user agent, apart from the operator's).
inline void StartSimulatorWithCrd(const std::string& dir,
                                  std::unique_ptr<testing::KubesimProcess>* sim,
                                  std::unique_ptr<kube::Client>* client,
                                  const std::vector<std::string>& kubesim_args = {}) {
  auto started = testing::KubesimProcess::Start(dir, kubesim_args);
  ASSERT_TRUE(started.ok()) << started.status();
  *sim = std::make_unique<testing::KubesimProcess>(std::move(*started));
  auto config = kube::LoadKubeconfig((*sim)->kubeconfig());
  ASSERT_TRUE(config.ok());
  kube::ClientOptions options;
  options.max_retries = 0;
  options.user_agent = "e2e-test";
  *client = *kube::Client::Create(*config, options);
  auto crd = testing::Kubectl((*sim)->kubeconfig(),
                              {"apply", "-f", testing::Runfile("crds/doris.selectdb.com_dorisclusters.yaml")});
  ASSERT_EQ(crd.exit_code, 0) << crd.output;
}

inline std::string Cluster(const std::string& name, int fe, int be, const ClusterOptions& o = {}) {
  return absl::StrCat(R"(apiVersion: doris.selectdb.com/v1
kind: DorisCluster
metadata:
  name: )", name, R"(
  namespace: default
)", o.annotations.empty() ? "" : absl::StrCat("  annotations:\n", o.annotations), R"(spec:
)", o.spec_extra, R"(  feSpec:
    replicas: )", fe, R"(
    image: apache/doris:fe-)", o.version, R"(
)", o.fe_extra, R"(  beSpec:
    replicas: )", be, R"(
    image: apache/doris:be-)", o.be_version.empty() ? o.version : o.be_version, R"(
)", o.be_extra, R"(    persistentVolumes:
    - name: be-storage
      mountPath: /opt/apache-doris/be/storage
      persistentVolumeClaimSpec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: )", o.be_storage, R"(
)");
}

// A ConfigMap in "default" whose `key` (fe.conf, be.conf) holds `lines`,
// one conf entry each.
inline std::string ConfConfigMap(const std::string& name, const std::string& key,
                                 const std::vector<std::string>& lines) {
  std::string yaml = absl::StrCat("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ", name,
                                  "\n  namespace: default\ndata:\n  ", key, ": |\n");
  for (const std::string& l : lines) absl::StrAppend(&yaml, "    ", l, "\n");
  return yaml;
}
inline std::string FeConfigMap(const std::string& name, const std::vector<std::string>& lines) {
  return ConfConfigMap(name, "fe.conf", lines);
}
// The component spec lines (indented by 4, for ClusterOptions::fe_extra)
// that make it read `key` of the ConfigMap `name`.
inline std::string ConfigMapInfo(const std::string& name, const std::string& key = "fe.conf") {
  return absl::StrCat("    configMapInfo:\n      configMapName: ", name, "\n      resolveKey: ", key, "\n");
}
// The cnSpec lines (indented by 4) of an autoscaler: autoScalingPolicy v2
// on CPU utilization (target 50%), from `min` to `max` replicas; `more`
// are further hpaPolicy lines (indented by 8, e.g. a behavior).
inline std::string CnAutoscaler(int min, int max, const std::string& more = "") {
  return absl::StrCat(R"(    autoScalingPolicy:
      version: v2
      minReplicas: )", min, R"(
      maxReplicas: )", max, R"(
      hpaPolicy:
        metrics:
        - type: Resource
          resource:
            name: cpu
            target:
              type: Utilization
              averageUtilization: 50
)", more);
}

// The basic-auth Secret a cluster's `authSecret` names (user root;
// `password` plain, it is written in double quotes).
inline std::string AuthSecret(const std::string& password, const std::string& name = "doris-auth") {
  return absl::StrCat("apiVersion: v1\nkind: Secret\nmetadata:\n  name: ", name,
                      "\n  namespace: default\ntype: kubernetes.io/basic-auth\nstringData:\n  username: root\n"
                      "  password: \"", password, "\"\n");
}

class OperatorE2eTest : public ::testing::Test {
 public:
  // More operator flags, for fixtures built on this one.
  virtual std::vector<std::string> ExtraOperatorArgs() const { return {}; }
  // More kubesim flags.
  virtual std::vector<std::string> ExtraKubesimArgs() const { return {}; }
  // Reach the FE as the deployed operator does (--doris-access=direct), by
  // cluster DNS names and pod IPs, through kubesim's cluster network
  // (--dial-override); else through the API server's proxy.
  virtual bool DirectDoris() const { return false; }

 protected:
  void SetUp() override {
    dir_ = testing::TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::vector<std::string> kubesim_args = ExtraKubesimArgs();
    if (DirectDoris()) {
      kubesim_args.push_back("--cluster-network-port");
      kubesim_args.push_back("0");
    }
    StartSimulatorWithCrd(dir_, &sim_, &client_, kubesim_args);
    if (::testing::Test::HasFatalFailure()) return;
    StartOperator();
  }

  void StartOperator() {
    operator_.reset();
    std::vector<std::string> argv = {testing::Runfile("operator/doris-operator"),
                                     "--kubeconfig", sim_->kubeconfig(),
                                     "--data-dir", dir_ + "/data",
                                     "--metrics-address", "127.0.0.1:0",
                                     "--admin-address", "127.0.0.1:0",
                                     "--workers", "2"};
    if (DirectDoris()) {
      ASSERT_FALSE(sim_->cluster_network().empty());
      for (const char* a : {"--doris-access", "direct", "--dial-override"}) argv.push_back(a);
      argv.push_back(sim_->cluster_network());
    } else {
      argv.push_back("--doris-access");
      argv.push_back("apiserver-proxy");
    }
    for (const std::string& a : ExtraOperatorArgs()) argv.push_back(a);
    auto p = testing::ChildProcess::Start(argv, dir_ + "/operator.log");
    ASSERT_TRUE(p.ok());
    operator_ = std::move(*p);
    ASSERT_TRUE(operator_->WaitForOutput("metrics on 127.0.0.1:", 60000)) << operator_->Output();
    // "running; metrics on 127.0.0.1:M, admin API on port A, log at ..." (the last start).
    const std::string out = operator_->Output().substr(operator_->Output().rfind("running;"));
    const size_t at = out.find("metrics on 127.0.0.1:") + std::string("metrics on 127.0.0.1:").size();
    ASSERT_TRUE(absl::SimpleAtoi(out.substr(at, out.find(',', at) - at), &metrics_port_));
    const size_t admin = out.find("admin API on port ");
    ASSERT_NE(admin, std::string::npos) << out;
    const size_t digits = admin + std::string("admin API on port ").size();
    ASSERT_TRUE(absl::SimpleAtoi(out.substr(digits, out.find(',', digits) - digits), &admin_port_));
  }

  testing::CommandResult Kubectl(const std::vector<std::string>& args, const std::string& in = "") {
    return testing::Kubectl(sim_->kubeconfig(), args, in);
  }

  void Apply(const std::string& yaml) {
    auto r = Kubectl({"apply", "-f", "-"}, yaml);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  Json Get(const std::string& path) {
    auto got = client_->Get(path);
    return got.ok() ? *got : Json();
  }

  std::string Phase(const std::string& cluster, const std::string& component) {
    Json dcr = Get(kube::ObjectPath("doris.selectdb.com/v1", "default", "dorisclusters", cluster));
    const Json& s = dcr["status"][component + "Status"]["componentCondition"]["phase"];
    return s.is_string() ? s.get<std::string>() : "";
  }

  int StsReplicas(const std::string& name) {
    Json sts = Get(kube::ObjectPath("apps/v1", "default", "statefulsets", name));
    return sts.is_object() && sts["spec"].is_object() ? sts["spec"].value("replicas", -1) : -1;
  }

  struct PodView {
    std::string uid;
    std::string image;
    bool ready = false;
    std::map<std::string, std::string> annotations;
  };
  // Live pods of one component, by name.
  std::map<std::string, PodView> Pods(const std::string& cluster, const std::string& component) {
    std::map<std::string, PodView> out;
    Json pods = Get(absl::StrCat("/api/v1/namespaces/default/pods?labelSelector=",
                                 "app.doris.ownerreference/name%3D", cluster, "-", component));
    if (!pods.is_object() || !pods["items"].is_array()) return out;
    for (const Json& p : pods["items"]) {
      PodView v;
      v.uid = p["metadata"].value("uid", "");
      v.image = p["spec"]["containers"][0].value("image", "");
      if (p["metadata"].contains("annotations")) {
        for (const auto& [k, a] : p["metadata"]["annotations"].items()) {
          if (a.is_string()) v.annotations[k] = a.get<std::string>();
        }
      }
      for (const Json& c : p["status"].value("conditions", Json::array())) {
        if (c.value("type", "") == "Ready") v.ready = c.value("status", "") == "True";
      }
      v.ready = v.ready && !p["metadata"].contains("deletionTimestamp");
      out[p["metadata"].value("name", "")] = v;
    }
    return out;
  }

  // A GET to the cluster's fake FE through the service proxy, as fe_user_;
  // the envelope's `data`, or null when the FE could not be read. A failed
  // read is retried for a few seconds: one lost request is not an answer.
  Json FeGet(const std::string& cluster, const std::string& path) {
    kube::Request r;
    r.path = absl::StrCat("/api/v1/namespaces/default/services/", cluster, "-fe-service:",
                          fe_http_port_, "/proxy", path);
    r.headers.push_back(absl::StrCat("Authorization: Basic ", absl::Base64Escape(fe_user_)));
    Json data;
    testing::Eventually(
        [&] {
          auto resp = client_->Do(r);
          if (!resp.ok() || resp->code != 200) return false;
          Json body = Json::parse(resp->body, nullptr, false);
          if (!body.is_object() || !body["data"].is_object()) return false;
          data = body["data"];
          return true;
        },
        absl::Seconds(3), absl::Milliseconds(200));
    return data;
  }

  // Simulator knobs of the cluster's fake FE (docs/kubesim.md, "Fake Doris
  // knobs"), e.g. {"tabletsMovedPerSecond":0} for a decommission that waits.
  void Knobs(const std::string& cluster, const Json& knobs) {
    kube::Request r;
    r.method = "POST";
    r.path = absl::StrCat("/api/v1/namespaces/default/services/", cluster, "-fe-service:", fe_http_port_,
                          "/proxy/api/_sim/config");
    r.headers.push_back(absl::StrCat("Authorization: Basic ", absl::Base64Escape(fe_user_)));
    r.body = knobs.dump();
    auto resp = client_->Do(r);
    ASSERT_TRUE(resp.ok() && resp->body.find("\"code\":0") != std::string::npos)
        << (resp.ok() ? resp->body : resp.status().ToString());
  }

  // The API server's faults from now on (POST /kubesim/faults, a JSON body:
  // errorRate, refuse, hold, ... as docs/kubesim.md says); "{}" clears them
  // and lets held requests go on.
  void SetFaults(const std::string& body) {
    kube::Request r;
    r.method = "POST";
    r.path = "/kubesim/faults";
    r.body = body;
    auto resp = client_->Do(r);
    ASSERT_TRUE(resp.ok() && resp->code == 200) << (resp.ok() ? resp->body : resp.status().ToString());
  }
  // The requests a hold fault keeps waiting now (GET /kubesim/held), each
  // {verb, resource, subresource, namespace, name, userAgent}; empty when
  // unknown.
  Json Held() {
    const Json held = At(Get("/kubesim/held"), "/held");
    return held.is_array() ? held : Json::array();
  }

  // `text` as a URL query value.
  static std::string Encoded(const std::string& text) {
    std::string out;
    for (char ch : text) {
      if (absl::ascii_isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.') {
        out += ch;
      } else {
        absl::StrAppend(&out, "%", absl::Hex(static_cast<unsigned char>(ch), absl::kZeroPad2));
      }
    }
    return out;
  }

  // Writes (any verb but get/list/watch) kubesim served to clients whose
  // User-Agent starts with `agent`, Leases aside (electing a leader is not
  // acting on a cluster): from kubesim's access log; -1 when unknown.
  int64_t WritesBy(const std::string& agent) {
    auto used = client_->Get("/kubesim/requests?userAgent=" + Encoded(agent));
    if (!used.ok()) return -1;
    int64_t n = 0;
    for (const Json& u : (*used)["requests"]) {
      const std::string verb = u.value("verb", "");
      if (verb == "get" || verb == "list" || verb == "watch" || u.value("resource", "") == "leases") continue;
      n += u.value("count", int64_t{0});
    }
    return n;
  }

  // The fake FE's membership log (docs/kubesim.md): every membership write
  // that reached the master, oldest first; null when it could not be read.
  Json MembershipLog(const std::string& cluster) {
    const Json data = FeGet(cluster, "/api/_sim/membership-log");
    return data.is_object() && data["entries"].is_array() ? data["entries"] : Json();
  }

  // The membership writes the operator made for `host_port`, oldest first,
  // each as "OP host_port" (e.g. "DROP/be h:9050").
  std::vector<std::string> OperatorWrites(const std::string& cluster, const std::string& host_port) {
    const Json log = MembershipLog(cluster);
    if (!log.is_array()) return {"(membership log unreadable)"};
    std::vector<std::string> out;
    for (const Json& e : log) {
      if (e.value("by", "").rfind("doris-operator", 0) != 0) continue;
      for (const Json& hp : e.value("hostPorts", Json::array())) {
        if (hp == host_port) out.push_back(absl::StrCat(e.value("op", ""), " ", host_port));
      }
    }
    return out;
  }

  // The fake FE's backends: host:port -> tablets; nullopt when the FE could
  // not be read (unknown is not "no backends").
  std::optional<std::map<std::string, int64_t>> Backends(const std::string& cluster) {
    const Json nodes = FeGet(cluster, "/api/_sim/nodes");
    if (!nodes.is_object()) return std::nullopt;
    std::map<std::string, int64_t> out;
    for (const auto& [hp, node] : nodes.items()) out[hp] = node.value("tablets", 0);
    return out;
  }
  // How many backends the FE lists; -1 when it could not be read.
  int BackendCount(const std::string& cluster) {
    const auto b = Backends(cluster);
    return b ? static_cast<int>(b->size()) : -1;
  }
  // All tablets on the FE's backends; nullopt when it could not be read.
  std::optional<int64_t> Tablets(const std::string& cluster) {
    const auto b = Backends(cluster);
    if (!b) return std::nullopt;
    int64_t total = 0;
    for (const auto& [hp, n] : *b) total += n;
    return total;
  }

  // The fake FE's backends: host:port -> alive; nullopt when unknown.
  std::optional<std::map<std::string, bool>> BackendsAlive(const std::string& cluster) {
    const Json nodes = FeGet(cluster, "/api/_sim/nodes");
    if (!nodes.is_object()) return std::nullopt;
    std::map<std::string, bool> out;
    for (const auto& [hp, node] : nodes.items()) out[hp] = node.value("alive", false);
    return out;
  }

  // The fake FE's frontends: host -> role; nullopt when unknown.
  std::optional<std::map<std::string, std::string>> Frontends(const std::string& cluster) {
    const Json data = FeGet(cluster, "/rest/v2/manager/node/frontends");
    if (!data.is_object()) return std::nullopt;
    std::map<std::string, std::string> out;
    const Json& cols = data["column_names"];
    for (const Json& row : data["rows"]) {
      std::string host, role;
      for (size_t i = 0; i < cols.size() && i < row.size(); ++i) {
        if (cols[i] == "Host") host = row[i].get<std::string>();
        if (cols[i] == "Role") role = row[i].get<std::string>();
      }
      out[host] = role;
    }
    return out;
  }
  // How many frontends the FE lists; -1 when it could not be read.
  int FrontendCount(const std::string& cluster) {
    const auto f = Frontends(cluster);
    return f ? static_cast<int>(f->size()) : -1;
  }

  // The operator's /metrics: the sum of `name`'s samples whose labels
  // contain `label` (e.g. code="429"); -1 when it cannot be read.
  double MetricWith(const std::string& name, const std::string& label) {
    kube::ClusterConfig c;
    c.server = absl::StrCat("http://127.0.0.1:", metrics_port_);
    auto client = kube::Client::Create(c);
    kube::Request r;
    r.path = "/metrics";
    auto resp = (*client)->Do(r);
    if (!resp.ok()) return -1;
    return testing::MetricValue(resp->body, name, label);
  }
  double Metric(const std::string& name) { return MetricWith(name, ""); }

  // The HTTP status of a GET of `path` (/healthz, /readyz) on the metrics
  // port, as the kubelet's probes see it; -1 when it does not answer.
  int Probe(const std::string& path) {
    kube::ClusterConfig c;
    c.server = absl::StrCat("http://127.0.0.1:", metrics_port_);
    kube::ClientOptions o;
    o.max_retries = 0;
    auto client = kube::Client::Create(c, o);
    if (!client.ok()) return -1;
    kube::Request r;
    r.path = path;
    auto resp = (*client)->Do(r);
    return resp.ok() ? resp->code : -1;
  }

  // Polls `done` every 100 ms for up to `seconds` of wall time.
  bool Eventually(const std::function<bool()>& done, int seconds = 120) {
    return testing::Eventually(done, absl::Seconds(seconds));
  }

  // --- What the operator logged (its admin API) ------------------------------
  // Waiting for these, rather than for time to pass, is how a test knows the
  // operator has seen a change and decided on it.

  std::unique_ptr<admin::v1::Admin::Stub> AdminStub() {
    return admin::v1::Admin::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", admin_port_),
                                                         grpc::InsecureChannelCredentials()));
  }

  // Every page of an admin API list (page_token / next_page_token), each
  // answer handed to `page`, which returns false to stop early. False when
  // a call failed (nothing more is read then).
  template <typename Request, typename Response>
  bool EachPage(Request req,
                grpc::Status (admin::v1::Admin::Stub::*call)(grpc::ClientContext*, const Request&, Response*),
                const std::function<bool(const Response&)>& page) {
    auto stub = AdminStub();
    do {
      Response resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
      if (!((*stub).*call)(&ctx, req, &resp).ok()) return false;
      if (!page(resp)) return true;
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return true;
  }

  // The sequence number of the first watch record in the operator's log of
  // a version of the object that `match` accepts; 0 while there is none.
  uint64_t LoggedVersion(const std::string& api_version, const std::string& kind,
                         const std::string& ns, const std::string& name,
                         const std::function<bool(const Json&)>& match) {
    admin::v1::HistoryRequest req;
    req.mutable_object()->set_api_version(api_version);
    req.mutable_object()->set_kind(kind);
    req.mutable_object()->set_namespace_(ns);
    req.mutable_object()->set_name(name);
    req.mutable_filter()->add_record_types(admin::v1::WATCH);
    req.set_order(admin::v1::OLDEST_FIRST);
    req.set_page_size(1000);
    uint64_t found = 0;
    EachPage<admin::v1::HistoryRequest, admin::v1::HistoryResponse>(
        req, &admin::v1::Admin::Stub::History, [&](const admin::v1::HistoryResponse& resp) {
          for (const auto& r : resp.records()) {
            const Json object = Json::parse(r.watch().object_json(), nullptr, false);
            if (object.is_object() && match(object)) {
              found = r.seq();
              return false;
            }
          }
          return true;
        });
    return found;
  }

  // Every watch record of `kind` objects the operator logged for a cluster,
  // oldest first: the cluster's objects as the API server reported them,
  // in its order per watch stream. Empty when the log cannot be read.
  // `cluster_kind`: "" for a DorisCluster, else the cluster's kind.
  std::vector<log::v1::LogRecord> WatchRecords(const std::string& cluster, const std::string& kind,
                                               const std::string& ns = "default",
                                               const std::string& cluster_kind = "") {
    std::vector<log::v1::LogRecord> out;
    admin::v1::HistoryRequest req;
    *req.mutable_cluster() = ClusterRef(cluster, ns, KindOr(cluster_kind));
    req.mutable_filter()->add_record_types(admin::v1::WATCH);
    req.mutable_filter()->add_object_kinds(kind);
    req.set_order(admin::v1::OLDEST_FIRST);
    req.set_page_size(1000);
    const bool read = EachPage<admin::v1::HistoryRequest, admin::v1::HistoryResponse>(
        req, &admin::v1::Admin::Stub::History, [&](const admin::v1::HistoryResponse& resp) {
          out.insert(out.end(), resp.records().begin(), resp.records().end());
          return true;
        });
    return read ? out : std::vector<log::v1::LogRecord>{};
  }

  // The cluster kind the admin-API helpers name when given none: "" (a
  // DorisCluster) here; a fixture whose tests are about another resource
  // (ddc_fixture.h) says its kind once.
  virtual std::string DefaultClusterKind() const { return ""; }
  std::string KindOr(const std::string& kind) const { return kind.empty() ? DefaultClusterKind() : kind; }

  static log::v1::ClusterRef ClusterRef(const std::string& name, const std::string& ns = "default",
                                        const std::string& kind = "") {
    log::v1::ClusterRef r;
    r.set_namespace_(ns);
    r.set_name(name);
    r.set_kind(kind);
    return r;
  }

  // Every reconcile of a cluster the admin API lists, newest first (every
  // page); a failed call fails the test and answers what was read.
  std::vector<admin::v1::ReconcileSummary> ListReconciles(const std::string& cluster,
                                                          const std::string& cluster_kind = "") {
    std::vector<admin::v1::ReconcileSummary> out;
    admin::v1::ListReconcilesRequest req;
    *req.mutable_cluster() = ClusterRef(cluster, "default", KindOr(cluster_kind));
    req.set_page_size(1000);
    const bool read = EachPage<admin::v1::ListReconcilesRequest, admin::v1::ListReconcilesResponse>(
        req, &admin::v1::Admin::Stub::ListReconciles, [&](const admin::v1::ListReconcilesResponse& resp) {
          out.insert(out.end(), resp.reconciles().begin(), resp.reconciles().end());
          return true;
        });
    EXPECT_TRUE(read) << "ListReconciles of " << cluster << " failed";
    return out;
  }

  // The reconciles of a cluster whose input held the log through `seq`
  // (the folded state at their trigger_seq_end includes it), oldest first.
  std::vector<admin::v1::ReconcileSummary> ReconcilesThrough(const std::string& cluster, uint64_t seq,
                                                             const std::string& ns = "default",
                                                             const std::string& cluster_kind = "") {
    std::vector<admin::v1::ReconcileSummary> out;
    admin::v1::ListReconcilesRequest req;
    *req.mutable_cluster() = ClusterRef(cluster, ns, KindOr(cluster_kind));
    req.mutable_range()->set_from_seq(seq + 1);  // a reconcile record follows its input
    req.set_order(admin::v1::OLDEST_FIRST);
    req.set_page_size(1000);
    const bool read = EachPage<admin::v1::ListReconcilesRequest, admin::v1::ListReconcilesResponse>(
        req, &admin::v1::Admin::Stub::ListReconciles, [&](const admin::v1::ListReconcilesResponse& resp) {
          for (const auto& r : resp.reconciles()) {
            if (r.trigger_seq_end() >= seq) out.push_back(r);
          }
          return true;
        });
    return read ? out : std::vector<admin::v1::ReconcileSummary>{};
  }

  // Waits until the operator has logged a version of the object that `match`
  // accepts and then finished a reconcile of `cluster` that saw it; that
  // reconcile, or nullopt (with a test failure) when either never happens.
  std::optional<admin::v1::ReconcileSummary> ReconcileThatSaw(
      const std::string& cluster, const std::string& api_version, const std::string& kind,
      const std::string& name, const std::function<bool(const Json&)>& match) {
    uint64_t seq = 0;
    if (!Eventually([&] { return (seq = LoggedVersion(api_version, kind, "default", name, match)) != 0; })) {
      ADD_FAILURE() << "the operator never logged the expected version of " << kind << " " << name
                    << "\n" << operator_->Output();
      return std::nullopt;
    }
    std::optional<admin::v1::ReconcileSummary> found;
    if (!Eventually([&] {
          auto r = ReconcilesThrough(cluster, seq);
          if (!r.empty()) found = r.front();
          return found.has_value();
        })) {
      ADD_FAILURE() << "no reconcile of " << cluster << " saw record " << seq << "\n" << operator_->Output();
    }
    return found;
  }

  bool Available(const std::string& cluster) {
    return Phase(cluster, "fe") == "available" && Phase(cluster, "be") == "available";
  }

  // Whether the newest reconcile of `cluster` changed nothing: it has
  // settled (a change seen after this is what the next reconcile is about).
  bool Settled(const std::string& cluster, const std::string& cluster_kind = "") {
    const auto all = ReconcilesThrough(cluster, 0, "default", cluster_kind);
    return !all.empty() && all.back().outcome() == log::v1::ReconcileRecord::NO_CHANGE &&
           all.back().actions() == 0;
  }

  // Where `secret` (in clear or base64) is among what the operator records
  // or says about `cluster`: the admin API's history of `kinds` and its
  // reconciles, the log's files, its stderr, /metrics and the Events.
  std::vector<std::string> SecretFoundIn(const std::string& secret, const std::string& cluster,
                                         const std::vector<std::string>& kinds) {
    std::vector<std::string> found;
    const std::string b64 = absl::Base64Escape(secret);
    auto check = [&](const std::string& where, const std::string& text) {
      if (text.find(secret) != std::string::npos || text.find(b64) != std::string::npos) found.push_back(where);
    };
    std::string history;
    for (const std::string& kind : kinds) {
      for (const auto& r : WatchRecords(cluster, kind)) history += r.DebugString();
    }
    for (const auto& r : ReconcilesThrough(cluster, 0)) history += r.DebugString();
    EXPECT_FALSE(history.empty()) << "the admin API has no history of " << cluster;
    check("admin API history", history);
    for (const auto& f : std::filesystem::recursive_directory_iterator(dir_ + "/data")) {
      if (!f.is_regular_file()) continue;
      std::ifstream file(f.path(), std::ios::binary);
      std::ostringstream content;
      content << file.rdbuf();
      check(f.path().string(), content.str());
    }
    check("operator stderr", operator_->Output());
    kube::ClusterConfig c;
    c.server = absl::StrCat("http://127.0.0.1:", metrics_port_);
    auto metrics = (*kube::Client::Create(c))->Do(kube::Request{.path = "/metrics"});
    EXPECT_TRUE(metrics.ok());
    check("/metrics", metrics.ok() ? metrics->body : "");
    check("Events", Get("/api/v1/namespaces/default/events").dump());
    return found;
  }

  std::string dir_;
  std::unique_ptr<testing::KubesimProcess> sim_;
  std::unique_ptr<testing::ChildProcess> operator_;
  std::unique_ptr<kube::Client> client_;
  int metrics_port_ = 0;
  int admin_port_ = 0;
  int fe_http_port_ = 8030;  // fe.conf's http_port of the clusters under test
  std::string fe_user_ = "root:";  // user:password the test's own FE calls send
};

}  // namespace doris_operator

#endif  // DORIS_OPERATOR_TESTS_OPERATOR_OPERATOR_FIXTURE_H_
