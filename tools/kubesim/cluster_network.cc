#include "tools/kubesim/cluster_network.h"

#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace doris_operator::kubesim {

namespace {

// What a client sees when the name does not resolve: Go's resolver error,
// as text (the simulator has to answer something over HTTP).
HttpResponse NoSuchHost(const std::string& host) {
  HttpResponse r;
  r.status = 502;
  r.content_type = "text/plain";
  r.body = absl::StrCat("kubesim cluster network: dial tcp: lookup ", host, ": no such host");
  return r;
}

}  // namespace

HttpResponse ClusterNetwork::Handle(const HttpRequest& req) {
  // Host: name[:port] or [v6]:port.
  std::string host = absl::AsciiStrToLower(req.Header("host"));
  std::string port = "80";
  if (!host.empty() && host[0] == '[') {
    const size_t close = host.find(']');
    if (close == std::string::npos) return NoSuchHost(host);
    if (close + 1 < host.size() && host[close + 1] == ':') port = host.substr(close + 2);
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return NoSuchHost("(no Host header)");
  const std::optional<ResourceType> pods = store_->Find("", "v1", "pods");
  const std::optional<ResourceType> services = store_->Find("", "v1", "services");
  if (!pods || !services) return NoSuchHost(host);

  // A pod IP: the pod network delivers it to that pod.
  const bool ip = host.find_first_not_of("0123456789.") == std::string::npos || host.find(':') != std::string::npos;
  if (ip) {
    for (const Json& pod : store_->List(*pods, "", "", "", 0, "").items) {
      const Json status = pod.value("status", Json::object());
      if (status.value("podIP", "") != host) continue;
      return doris_->HandlePod(pod["metadata"].value("namespace", ""),
                               absl::StrCat(pod["metadata"].value("name", ""), ":", port), req.path, req);
    }
    HttpResponse r;
    r.status = 502;
    r.content_type = "text/plain";
    r.body = absl::StrCat("kubesim cluster network: dial tcp ", host, ":", port, ": no route to host");
    return r;
  }

  // Cluster DNS (kubernetes/dns docs/specification.md): <svc>.<ns>.svc.<zone>
  // for a Service, <hostname>.<subdomain>.<ns>.svc.<zone> for a pod whose
  // subdomain names a headless Service in its namespace.
  absl::string_view name(host);
  absl::ConsumeSuffix(&name, ".");
  if (!absl::ConsumeSuffix(&name, ".svc.cluster.local") && !absl::ConsumeSuffix(&name, ".svc")) {
    return NoSuchHost(host);
  }
  const std::vector<std::string> labels = absl::StrSplit(name, '.');
  if (labels.size() == 2) {
    const std::string& svc = labels[0];
    const std::string& ns = labels[1];
    if (!std::holds_alternative<Json>(store_->Get(*services, ns, svc))) return NoSuchHost(host);
    return doris_->Handle(ns, absl::StrCat(svc, ":", port), req.path, req);
  }
  if (labels.size() == 3) {
    const std::string& hostname = labels[0];
    const std::string& subdomain = labels[1];
    const std::string& ns = labels[2];
    if (!std::holds_alternative<Json>(store_->Get(*services, ns, subdomain))) return NoSuchHost(host);
    for (const Json& pod : store_->List(*pods, ns, "", "", 0, "").items) {
      const Json spec = pod.value("spec", Json::object());
      if (spec.value("hostname", "") != hostname || spec.value("subdomain", "") != subdomain) continue;
      return doris_->HandlePod(ns, absl::StrCat(pod["metadata"].value("name", ""), ":", port), req.path,
                               req);
    }
  }
  return NoSuchHost(host);
}

}  // namespace doris_operator::kubesim
