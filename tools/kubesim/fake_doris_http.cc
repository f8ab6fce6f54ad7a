#include "tools/kubesim/fake_doris.h"

#include <optional>
#include <variant>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

bool FakeDoris::Authorized(const std::string& ns, const std::string& cluster,
                           const HttpRequest& req) const {
  std::string user = "root", password;
  const auto dcr_type = store_->Find("doris.selectdb.com", "v1", "dorisclusters");
  const auto secret_type = store_->Find("", "v1", "secrets");
  if (dcr_type && secret_type) {
    auto dcr = store_->Get(*dcr_type, ns, cluster);
    if (auto* obj = std::get_if<Json>(&dcr)) {
      const std::string secret = (*obj)["spec"].value("authSecret", "");
      if (!secret.empty()) {
        auto s = store_->Get(*secret_type, ns, secret);
        if (auto* sec = std::get_if<Json>(&s)) {
          const Json data = sec->value("data", Json::object());
          std::string u, p;
          if (data.contains("username")) absl::Base64Unescape(data["username"].get<std::string>(), &u);
          if (data.contains("password")) absl::Base64Unescape(data["password"].get<std::string>(), &p);
          user = u.empty() ? "root" : u;
          password = p;
        }
      }
    }
  }
  const std::string header = req.Header("authorization");
  std::string decoded;
  if (header.rfind("Basic ", 0) != 0 || !absl::Base64Unescape(header.substr(6), &decoded)) return false;
  return decoded == user + ":" + password;
}

HttpResponse FakeDoris::Handle(const std::string& ns, const std::string& service,
                               const std::string& path, const HttpRequest& req) {
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
  if (!Authorized(ns, cluster, req)) {
    HttpResponse r;
    r.status = 401;
    r.body = Json{{"msg", "Unauthorized"}, {"code", 401}, {"data", "Access denied"}, {"count", 0}}.dump();
    return r;
  }
  std::lock_guard<std::mutex> l(mu_);
  Cluster& c = ClusterFor(ns, cluster);
  if (req.method == "GET" && absl::StartsWith(path, "/rest/v2/manager/node/")) {
    return NodeList(c, conf, path);
  }
  // Simulator-only: route one query, read the per-node counters, set knobs.
  if (std::optional<HttpResponse> sim = Simulator(c, ns, path, req)) return *std::move(sim);
  if (req.method == "POST" && absl::StartsWith(path, "/rest/v2/manager/node/")) {
    return MembershipWrite(c, conf, fe_pod, path, req);
  }
  HttpResponse r;
  r.status = 404;
  r.body = Json{{"msg", "Not Found"}, {"code", 404}, {"data", path}, {"count", 0}}.dump();
  return r;
}

}  // namespace doris_operator::kubesim
