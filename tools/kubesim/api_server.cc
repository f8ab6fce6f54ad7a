#include "tools/kubesim/api_server.h"

#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/kubesim/builtin_types.h"
#include "tools/kubesim/wire.h"

namespace doris_operator::kubesim {

ApiServer::ApiServer() {
  for (const ResourceType& t : BuiltInTypes()) store_.Register(t);
  ResourceType ns;
  for (const ResourceType& t : store_.Types()) {
    if (t.resource == "namespaces") ns = t;
  }
  for (const char* name : {"default", "kube-system", "kube-public"}) {
    store_.Create(ns, "", Json{{"metadata", {{"name", name}}}, {"status", {{"phase", "Active"}}}});
  }
}

bool ApiServer::Authenticated(const HttpRequest& req) const {
  // Parsed as the API server's bearer token authenticator does: scheme
  // case-insensitive, the token is the second space-separated word.
  const std::string header(absl::StripAsciiWhitespace(req.Header("authorization")));
  std::vector<std::string> parts = absl::StrSplit(header, absl::MaxSplits(' ', 2));
  if (parts.size() < 2 || absl::AsciiStrToLower(parts[0]) != "bearer") return false;
  const std::string& presented = parts[1];
  // Compare in time independent of where the first difference is.
  unsigned char diff = presented.size() != token_.size();
  for (size_t i = 0; i < presented.size(); ++i) {
    diff |= static_cast<unsigned char>(presented[i] ^ token_[i % token_.size()]);
  }
  return diff == 0;
}

HttpResponse ApiServer::Handle(const HttpRequest& req) {
  const std::string& p = req.path;
  if (!token_.empty() && !Authenticated(req)) {
    return StatusResponse({401, "Unauthorized", "Unauthorized"});
  }
  if (p.rfind("/kubesim/", 0) == 0) return Control(req);
  {
    int delay = 0;
    bool fail = false;
    Faults f;
    {
      std::lock_guard<std::mutex> l(faults_mu_);
      f = faults_;
      delay = f.delay_ms;
      fail = f.error_rate > 0 &&
             std::uniform_real_distribution<double>(0, 1)(rng_) < f.error_rate;
    }
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    if (fail) {
      HttpResponse r = f.error_code == 429
                           ? StatusResponse({429, "TooManyRequests", "kubesim: injected throttling"})
                           : StatusResponse({500, "InternalError", "kubesim: injected failure"});
      if (f.error_code == 429) r.headers["Retry-After"] = std::to_string(f.retry_after_seconds);
      return r;
    }
  }
  if (p == "/version") {
    return JsonResponse(200, {{"major", "1"},
                              {"minor", "32"},
                              {"gitVersion", "v1.32.0-kubesim"},
                              {"platform", "linux/amd64"}});
  }
  if (p == "/healthz" || p == "/readyz" || p == "/livez") {
    HttpResponse r;
    r.content_type = "text/plain";
    r.body = "ok";
    return r;
  }
  if (p.rfind("/openapi/", 0) == 0) return OpenApi(req);
  std::vector<std::string> seg = absl::StrSplit(p, '/', absl::SkipEmpty());
  if (seg.empty()) return StatusResponse({404, "NotFound", "the server could not find the requested resource"});
  std::string group, version;
  size_t i;
  if (seg[0] == "api") {
    if (seg.size() <= 2) return Discovery(req);
    version = seg[1];
    i = 2;
  } else if (seg[0] == "apis") {
    if (seg.size() <= 3) return Discovery(req);
    group = seg[1];
    version = seg[2];
    i = 3;
  } else {
    return StatusResponse({404, "NotFound", "the server could not find the requested resource"});
  }
  std::string ns;
  if (seg.size() > i + 2 && seg[i] == "namespaces") {
    if (store_.Find(group, version, seg[i + 2]).has_value() &&
        store_.Find(group, version, seg[i + 2])->namespaced) {
      ns = seg[i + 1];
      i += 2;
    }
  }
  const std::optional<ResourceType> t = store_.Find(group, version, seg[i]);
  if (!t) {
    return StatusResponse({404, "NotFound", "the server could not find the requested resource"});
  }
  const std::string name = seg.size() > i + 1 ? seg[i + 1] : "";
  const std::string sub = seg.size() > i + 2 ? seg[i + 2] : "";
  RecordAccess(req, *t, ns, name, sub);
  {
    std::unique_lock<std::mutex> l(faults_mu_);
    const std::string verb = RbacVerb(req, name);
    WaitWhileHeld(l, req, verb, *t, ns, name, sub);
    for (const Refusal& r : faults_.refuse) {
      if (r.match.Matches(verb, t->resource, sub, ns, name, req.Header("user-agent"))) {
        return StatusResponse({r.code, r.reason, r.message}, &*t, name);
      }
    }
  }
  return Resource(req, *t, ns, name, sub);
}

bool ApiServer::RequestMatch::Matches(const std::string& v, const std::string& r, const std::string& s,
                                      const std::string& n, const std::string& object,
                                      const std::string& agent) const {
  return verb == v && resource == r && subresource == s && (ns.empty() || ns == n) &&
         (name.empty() || name == object) && agent.rfind(user_agent, 0) == 0;
}

void ApiServer::WaitWhileHeld(std::unique_lock<std::mutex>& lock, const HttpRequest& req, const std::string& verb,
                              const ResourceType& t, const std::string& ns, const std::string& name,
                              const std::string& sub) {
  const std::string agent = req.Header("user-agent");
  auto held = [&] {
    for (const RequestMatch& h : faults_.hold) {
      if (h.Matches(verb, t.resource, sub, ns, name, agent)) return true;
    }
    return false;
  };
  if (!held()) return;
  auto entry = held_.insert({verb, t.resource, sub, ns, name, agent});
  faults_changed_.wait(lock, [&] { return !held(); });
  held_.erase(entry);
}

std::optional<ApiError> ApiServer::WriteScale(const ResourceType& t, const std::string& ns, const std::string& name,
                                              int32_t replicas, const std::string& user_agent) {
  HttpRequest req;
  req.method = "PUT";
  req.path = absl::StrCat(t.group.empty() ? "/api/" : absl::StrCat("/apis/", t.group, "/"), t.version,
                          t.namespaced ? absl::StrCat("/namespaces/", ns) : "", "/", t.resource, "/", name, "/scale");
  req.headers["content-type"] = "application/json";
  req.headers["user-agent"] = user_agent;
  if (!token_.empty()) req.headers["authorization"] = "Bearer " + token_;
  req.body = Json{{"apiVersion", "autoscaling/v1"},
                  {"kind", "Scale"},
                  {"metadata", {{"name", name}, {"namespace", ns}}},
                  {"spec", {{"replicas", replicas}}}}
                 .dump();
  const HttpResponse resp = Handle(req);
  if (resp.status < 300) return std::nullopt;
  const Json status = Json::parse(resp.body, nullptr, false);
  return ApiError{resp.status, status.is_object() ? status.value("reason", "") : "",
                  status.is_object() ? status.value("message", resp.body) : resp.body};
}

std::string ApiServer::RbacVerb(const HttpRequest& req, const std::string& name) {
  // The RBAC verb the request needs, as the real authorizer derives it.
  const std::string& m = req.method;
  if (m == "GET") return QueryFlag(req, "watch") ? "watch" : name.empty() ? "list" : "get";
  if (m == "POST") return "create";
  if (m == "PUT") return "update";
  if (m == "PATCH") return "patch";
  if (m == "DELETE") return name.empty() ? "deletecollection" : "delete";
  return "";
}

void ApiServer::RecordAccess(const HttpRequest& req, const ResourceType& t, const std::string& ns,
                             const std::string& name, const std::string& sub, const std::string& verb_override,
                             const std::string& check) {
  const std::string verb = verb_override.empty() ? RbacVerb(req, name) : verb_override;
  if (verb.empty()) return;
  RecordAuthorization(req, verb, t.group, sub.empty() ? t.resource : absl::StrCat(t.resource, "/", sub), ns,
                      check);
}

void ApiServer::RecordAuthorization(const HttpRequest& req, const std::string& verb, const std::string& group,
                                    const std::string& resource, const std::string& ns,
                                    const std::string& check) {
  const std::string key =
      absl::StrCat(req.Header("user-agent"), "\t", verb, "\t", group, "\t", resource, "\t", ns, "\t", check);
  std::lock_guard<std::mutex> l(access_mu_);
  ++access_[key];
}

}  // namespace doris_operator::kubesim
