#include "operator/doris/fe_client.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "operator/doris/node_list.h"
#include "operator/kube/object_fields.h"

namespace doris_operator::doris {

namespace {

using Json = nlohmann::json;

// Doris: "backend does not exists[h:p]", "OBSERVER does not exist[h:p]".
absl::Status GoneIsDone(absl::Status s) {
  if (s.code() == absl::StatusCode::kFailedPrecondition &&
      s.message().find("does not exist") != absl::string_view::npos) {
    return absl::OkStatus();
  }
  return s;
}

}  // namespace

FeClient::FeClient(Access access, kube::Client* kube, FeClientOptions options)
    : access_(access), kube_(kube), options_(std::move(options)) {}

absl::StatusOr<std::shared_ptr<kube::Client>> FeClient::DirectClient(const std::string& server) {
  absl::MutexLock lock(&mu_);
  auto it = direct_.find(server);
  if (it != direct_.end()) return it->second;
  kube::ClusterConfig direct;
  direct.server = server;
  kube::ClientOptions options;
  options.user_agent = "doris-operator";
  options.request_timeout = absl::Seconds(10);
  options.max_retries = 2;
  if (!options_.dial_override.empty()) options.connect_to.push_back("::" + options_.dial_override);
  auto client = kube::Client::Create(direct, options);
  if (!client.ok()) return client.status();
  // Pods come and go (and IPs with them): a bounded set, oldest address out.
  if (direct_.size() >= 256) direct_.erase(direct_.begin());
  return direct_[server] = std::shared_ptr<kube::Client>(std::move(*client));
}

absl::StatusOr<std::string> FeClient::Call(const FeTarget& t, const std::string& method,
                                           const std::string& path, const std::string& body,
                                           bool idempotent) {
  const std::string fe_service = t.service.empty() ? absl::StrCat(t.cluster, "-fe-service") : t.service;
  const std::string service = t.pod.empty() ? fe_service : absl::StrCat("FE pod ", t.pod);
  kube::Request r;
  r.method = method;
  r.body = body;
  r.headers.push_back(absl::StrCat("Authorization: Basic ",
                                   absl::Base64Escape(absl::StrCat(t.user, ":", t.password))));
  // Node lists are safe to repeat; membership changes are not retried.
  r.idempotent = method == "GET" || idempotent;
  absl::StatusOr<kube::Response> resp;
  if (access_ == Access::kApiServerProxy) {
    r.path = t.pod.empty() ? absl::StrCat("/api/v1/namespaces/", t.ns, "/services/", service, ":",
                                          t.http_port, "/proxy", path)
                           : absl::StrCat("/api/v1/namespaces/", t.ns, "/pods/", t.pod, ":",
                                          t.http_port, "/proxy", path);
    resp = kube_->Do(r);
  } else {
    // The proxied path is gated by kube_ itself; a direct call must ask it.
    if (method != "GET" && !idempotent && !kube_->WritesAllowed()) {
      return absl::FailedPreconditionError(
          absl::StrCat("FE ", service, " ", path, ": writes are not allowed (not the leader)"));
    }
    std::string server;
    if (t.host.empty()) {
      server = absl::StrCat("http://", fe_service, ".", t.ns, ".svc:", t.http_port);
    } else {
      const bool v6 = t.host.find(':') != std::string::npos;
      server = absl::StrCat("http://", v6 ? "[" : "", t.host, v6 ? "]" : "", ":", t.http_port);
    }
    absl::StatusOr<std::shared_ptr<kube::Client>> client = DirectClient(server);
    if (!client.ok()) return client.status();
    r.path = path;
    resp = (*client)->Do(r);
  }
  if (!resp.ok()) return resp.status();
  if (resp->code == 401) {
    return absl::UnauthenticatedError(
        absl::StrCat("FE ", service, " refused the credentials of user ", t.user));
  }
  if (resp->code == 307) {
    // Doris 2.x: a membership write reached an FE that is not the master.
    return absl::UnavailableError(
        absl::StrCat(service, " ", path, ": HTTP 307, redirected to the master FE"));
  }
  if (resp->code != 200) {
    return absl::UnavailableError(absl::StrCat("FE ", service, " ", path, ": HTTP ", resp->code,
                                               ": ", resp->body.substr(0, 200)));
  }
  // The FE's REST controllers answer their own errors with HTTP 200 and the
  // code in the envelope (RestApiExceptionHandler): 401 for credentials it
  // refuses, 500 for an internal failure.
  const Json envelope = Json::parse(resp->body, nullptr, false);
  const int code = envelope.is_object() && envelope.contains("code") && envelope["code"].is_number_integer()
                       ? envelope["code"].get<int>()
                       : 0;
  const std::string data = envelope.is_object() && envelope.contains("data") && envelope["data"].is_string()
                               ? envelope["data"].get<std::string>().substr(0, 200)
                               : "";
  if (code == 401) {
    return absl::UnauthenticatedError(
        absl::StrCat("FE ", service, " refused the credentials of user ", t.user, " (", data, ")"));
  }
  if (code == 500) {
    return absl::InternalError(absl::StrCat("FE ", service, " ", path, ": Internal Error: ", data));
  }
  return resp->body;
}

absl::StatusOr<std::vector<NodeRow>> FeClient::Frontends(const FeTarget& t) {
  absl::StatusOr<std::string> body = Call(t, "GET", "/rest/v2/manager/node/frontends", "");
  if (!body.ok()) return body.status();
  return ParseNodeList(*body);
}

absl::StatusOr<std::vector<NodeRow>> FeClient::Backends(const FeTarget& t) {
  absl::StatusOr<std::string> body = Call(t, "GET", "/rest/v2/manager/node/backends", "");
  if (!body.ok()) return body.status();
  return ParseNodeList(*body);
}

absl::Status FeClient::DecommissionBackends(const FeTarget& t,
                                            const std::vector<std::string>& host_ports) {
  absl::StatusOr<std::string> body = Call(t, "POST", "/rest/v2/manager/node/DECOMMISSION/be",
                                          Json{{"hostPorts", host_ports}}.dump());
  if (!body.ok()) return body.status();
  return ParseWriteAnswer(*body, "decommission backends");
}

absl::Status FeClient::DropBackends(const FeTarget& t, const std::vector<std::string>& host_ports) {
  absl::StatusOr<std::string> body = Call(t, "POST", "/rest/v2/manager/node/DROP/be",
                                          Json{{"hostPorts", host_ports}}.dump());
  if (!body.ok()) return body.status();
  return GoneIsDone(ParseWriteAnswer(*body, "drop backends"));
}

absl::Status FeClient::DropFrontend(const FeTarget& t, const std::string& role,
                                    const std::string& host_port) {
  absl::StatusOr<std::string> body = Call(t, "POST", "/rest/v2/manager/node/DROP/fe",
                                          Json{{"role", role}, {"hostPort", host_port}}.dump());
  if (!body.ok()) return body.status();
  return GoneIsDone(ParseWriteAnswer(*body, "drop frontend"));
}

absl::StatusOr<StatementResult> FeClient::ExecuteStatement(const FeTarget& t, const std::string& stmt,
                                                          bool read_only) {
  absl::StatusOr<std::string> body =
      Call(t, "POST", kStatementPath, Json{{"stmt", stmt}, {"is_sync", true}}.dump(), read_only);
  if (!body.ok()) return body.status();
  return ParseStatementAnswer(*body, stmt);
}

}  // namespace doris_operator::doris
