#include "tools/kubesim/fake_doris.h"

#include <chrono>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tools/kubesim/doris_account.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

bool FakeDoris::Authorized(const std::string& ns, const std::string& cluster, const HttpRequest& req,
                           const std::optional<std::string>& doris_password) const {
  const DorisAccount account = AccountOf(*store_, ns, cluster);
  const std::string& user = account.user;
  std::string password = account.password;
  if (doris_password) password = *doris_password;
  const std::string header = req.Header("authorization");
  std::string decoded;
  if (header.rfind("Basic ", 0) != 0 || !absl::Base64Unescape(header.substr(6), &decoded)) return false;
  return decoded == user + ":" + password;
}

HttpResponse FakeDoris::Handle(const std::string& ns, const std::string& service,
                               const std::string& path, const HttpRequest& req) {
  if (std::optional<HttpResponse> r = cloud_->HandleService(ns, service, path, req)) return *std::move(r);
  absl::string_view cluster_view(service);
  cluster_view = cluster_view.substr(0, cluster_view.find(':'));
  const bool fe_service = absl::ConsumeSuffix(&cluster_view, "-fe-service") ||
                          absl::ConsumeSuffix(&cluster_view, "-fe-internal");
  const std::string cluster(cluster_view);
  if (!fe_service) return Refused("kubesim: only the FE services of a DorisCluster are proxied");
  const size_t colon = service.find(':');
  const std::string port = colon == std::string::npos ? "" : service.substr(colon + 1);
  // The Service picks one of its ready endpoints: an FE that is up.
  std::string fe_pod;
  {
    std::lock_guard<std::mutex> l(mu_);
    Cluster& c = ClusterFor(ns, cluster);
    std::vector<const Node*> up;
    const Node* master = nullptr;
    for (const auto& [hp, fe] : c.frontends) {
      if (!fe.alive || fe.terminating) continue;
      up.push_back(&fe);
      if (fe.is_master) master = &fe;
    }
    const std::string& mode = c.knobs.service_lands_on;
    if (mode == "master" && master != nullptr) {
      fe_pod = master->pod;
    } else if (mode == "non-master") {
      for (const Node* n : up) {
        if (!n->is_master) fe_pod = n->pod;
      }
      if (fe_pod.empty() && master != nullptr) fe_pod = master->pod;
    } else if (!up.empty()) {
      fe_pod = up[c.next_fe++ % up.size()]->pod;
    }
  }
  return Serve(ns, cluster, fe_pod, port, path, req);
}

HttpResponse FakeDoris::HandlePod(const std::string& ns, const std::string& pod,
                                  const std::string& path, const HttpRequest& req) {
  if (std::optional<HttpResponse> r = cloud_->HandlePod(ns, pod, path, req)) return *std::move(r);
  const size_t colon = pod.find(':');
  const std::string name = pod.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : pod.substr(colon + 1);
  const std::optional<ResourceType> pod_type = store_->Find("", "v1", "pods");
  auto got = pod_type ? store_->Get(*pod_type, ns, name)
                      : std::variant<Json, ApiError>(ApiError{404, "NotFound", ""});
  const Json* live = std::get_if<Json>(&got);
  const Json labels = live == nullptr ? Json::object()
                                      : (*live)["metadata"].value("labels", Json::object());
  if (labels.value("app.kubernetes.io/component", "") != "fe" ||
      labels.value("app.doris.cluster", "").empty()) {
    return Refused("kubesim: only the FE pods of a DorisCluster are proxied");
  }
  const std::string cluster = labels.value("app.doris.cluster", "");
  std::string fe_pod;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [hp, fe] : ClusterFor(ns, cluster).frontends) {
      if (fe.pod == name && fe.alive && fe.pod_uid == (*live)["metadata"].value("uid", "")) fe_pod = name;
    }
  }
  if (fe_pod.empty()) return Refused(absl::StrCat("kubesim: connection refused: the FE in ", name, " is not up"));
  return Serve(ns, cluster, fe_pod, port, path, req);
}

HttpResponse FakeDoris::Serve(const std::string& ns, const std::string& cluster, const std::string& fe_pod,
                              const std::string& port, const std::string& path, const HttpRequest& req) {
  const FeConfig conf = ConfigOf(ns, cluster);
  // The FE listens on fe.conf's http_port (8030 unless the cluster's FE
  // ConfigMap says otherwise); another port refuses the connection.
  if (!port.empty() && port != std::to_string(conf.http_port)) {
    return Refused(absl::StrCat("kubesim: connection refused: the FE of ", cluster, " serves HTTP on ",
                                conf.http_port, ", not ", port));
  }
  if (fe_pod.empty()) {
    return Refused(absl::StrCat("kubesim: no endpoints available for the FE service of ", cluster));
  }
  if (path == "/api/health") {
    std::lock_guard<std::mutex> l(mu_);
    const Cluster& c = ClusterFor(ns, cluster);
    int online = 0;
    for (const auto& [h, be] : c.backends) online += be.alive;
    bool master = false;
    for (const auto& [h, fe] : c.frontends) master |= fe.is_master && fe.alive;
    if (!master) return Refused("no FE master yet");
    return Envelope({{"online_backend_num", online}, {"total_backend_num", c.backends.size()}});
  }
  // The simulator's own endpoints keep the Secret's credentials and answer
  // at once, so a test can still read the cluster and lift a fault.
  const bool sim = absl::StartsWith(path, "/api/_sim/");
  std::optional<std::string> doris_password;
  int64_t latency_ms = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    const Knobs& k = ClusterFor(ns, cluster).knobs;
    if (!sim) doris_password = k.doris_password;
    if (!sim) latency_ms = k.latency_ms;
  }
  if (latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms));
  if (!Authorized(ns, cluster, req, doris_password)) {
    // BaseController.checkPassword throws UnauthorizedException;
    // RestApiExceptionHandler answers it as ResponseEntityBuilder.unauthorized:
    // HTTP 200 with code 401 in the envelope.
    std::string user = "root", decoded;
    const std::string header = req.Header("authorization");
    if (header.rfind("Basic ", 0) == 0 && absl::Base64Unescape(header.substr(6), &decoded)) {
      user = decoded.substr(0, decoded.find(':'));
    }
    HttpResponse r;
    r.body = Json{{"msg", "Unauthorized"},
                  {"code", 401},
                  {"data", header.empty() ? std::string("Need auth information.")
                                          : absl::StrCat("Access denied for ", user, "@127.0.0.1")},
                  {"count", 0}}
                 .dump();
    return r;
  }
  std::lock_guard<std::mutex> l(mu_);
  Cluster& c = ClusterFor(ns, cluster);
  const bool node_list = req.method == "GET" && absl::StartsWith(path, "/rest/v2/manager/node/");
  const bool show_proc = req.method == "GET" && path == "/api/show_proc";
  if ((node_list || show_proc) && !c.knobs.node_lists_fail.empty()) {
    HttpResponse r;
    if (c.knobs.node_lists_fail == "http500") {
      r.status = 500;
      r.content_type = "text/html;charset=utf-8";
      r.body = "<html><body><h1>500 Internal Server Error</h1></body></html>";
    } else {
      // fetchNodeInfo rethrows; RestApiExceptionHandler.unexpectedExceptionHandler
      // answers ResponseEntityBuilder.internalError (HTTP 200, code 500).
      r.body = Json{{"msg", "Internal Error"}, {"code", 500},
                    {"data", "kubesim: the FE could not read its node catalog (knob nodeListsFail)"},
                    {"count", 0}}
                   .dump();
    }
    return r;
  }
  if (node_list) return NodeList(c, conf, path);
  if (show_proc) return ShowProc(c, conf, req);
  // Simulator-only: route one query, read the per-node counters, set knobs.
  if (std::optional<HttpResponse> sim = Simulator(c, ns, path, req)) return *std::move(sim);
  if (req.method == "POST" && absl::StartsWith(path, "/rest/v2/manager/node/")) {
    return MembershipWrite(c, conf, fe_pod, path, req);
  }
  // StmtExecutionAction runs the statement over the FE's own MySQL port, so
  // any FE serves it (a DDL is forwarded to the master there).
  if (req.method == "POST" && absl::StartsWith(path, "/api/query/")) {
    return ExecuteStatement(c, conf, path, req);
  }
  HttpResponse r;
  r.status = 404;
  r.body = Json{{"msg", "Not Found"}, {"code", 404}, {"data", path}, {"count", 0}}.dump();
  return r;
}

}  // namespace doris_operator::kubesim
