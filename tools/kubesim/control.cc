#include "tools/kubesim/api_server.h"

#include <vector>

#include "absl/strings/str_split.h"
#include "tools/kubesim/wire.h"

namespace doris_operator::kubesim {

HttpResponse ApiServer::Control(const HttpRequest& req) {
  if (req.method == "POST" && req.path == "/kubesim/expire-history") {
    // Every watch from an earlier resourceVersion now gets 410 Gone.
    store_.ExpireHistory();
    return JsonResponse(200, {{"expired", true}, {"resourceVersion", std::to_string(store_.CurrentRv())}});
  }
  if (req.method == "GET" && req.path == "/kubesim/requests") {
    // Which verbs on which resources (and namespaces) a client, by
    // User-Agent prefix, was authorized for: its requests' own, and the
    // checks the API server makes on its behalf (`check`).
    const std::string agent = req.query.count("userAgent") ? req.query.at("userAgent") : "";
    Json out = Json::array();
    std::lock_guard<std::mutex> l(access_mu_);
    for (const auto& [key, count] : access_) {
      std::vector<std::string> f = absl::StrSplit(key, '\t');
      if (f.size() != 6 || f[0].rfind(agent, 0) != 0) continue;
      out.push_back({{"userAgent", f[0]}, {"verb", f[1]}, {"group", f[2]}, {"resource", f[3]},
                     {"namespace", f[4]}, {"check", f[5]}, {"count", count}});
    }
    return JsonResponse(200, {{"requests", out}});
  }
  if (req.method == "POST" && req.path == "/kubesim/drop-watches") {
    // Every open watch ends now, as when a connection or an API server
    // instance goes away; clients must resume from their last version.
    const int64_t epoch = ++watch_epoch_;
    return JsonResponse(200, {{"dropped", true}, {"epoch", epoch}});
  }
  if (req.method == "POST" && req.path == "/kubesim/faults") {
    Json body;
    try {
      body = Json::parse(req.body.empty() ? "{}" : req.body);
    } catch (const Json::exception&) {
      return StatusResponse({400, "BadRequest", "faults: body must be JSON"});
    }
    Faults f;
    f.error_rate = body.value("errorRate", 0.0);
    f.error_code = body.value("errorCode", 500);
    f.retry_after_seconds = body.value("retryAfterSeconds", 1);
    f.delay_ms = body.value("delayMs", 0);
    f.seed = body.value("seed", 1);
    if (f.error_rate < 0 || f.error_rate > 1 || (f.error_code != 500 && f.error_code != 429)) {
      return StatusResponse({400, "BadRequest", "faults: errorRate in [0,1], errorCode 500 or 429"});
    }
    // verb and resource (strings) required; subresource, namespace, name
    // and userAgent (a prefix) optional strings.
    auto request_match = [](const Json& r, RequestMatch* m) {
      if (!r.is_object() || !r.value("verb", Json()).is_string() || !r.value("resource", Json()).is_string()) {
        return false;
      }
      for (const char* k : {"subresource", "namespace", "name", "userAgent"}) {
        if (r.contains(k) && !r[k].is_string()) return false;
      }
      m->verb = r["verb"];
      m->resource = r["resource"];
      m->subresource = r.value("subresource", "");
      m->ns = r.value("namespace", "");
      m->name = r.value("name", "");
      m->user_agent = r.value("userAgent", "");
      return true;
    };
    const Json refuse = body.value("refuse", Json::array());
    const Json hold = body.value("hold", Json::array());
    if (!refuse.is_array() || !hold.is_array()) {
      return StatusResponse({400, "BadRequest", "faults: refuse and hold are lists"});
    }
    for (const Json& h : hold) {
      RequestMatch m;
      if (!request_match(h, &m)) {
        return StatusResponse({400, "BadRequest", "faults: hold entries need verb and resource (strings)"});
      }
      f.hold.push_back(std::move(m));
    }
    for (const Json& r : refuse) {
      Refusal x;
      if (!request_match(r, &x.match) || !r.value("message", Json()).is_string()) {
        return StatusResponse(
            {400, "BadRequest", "faults: refuse entries need verb, resource and message (strings)"});
      }
      x.message = r["message"];
      x.code = r.value("code", 422);
      x.reason = r.value("reason", "Invalid");
      if (x.code < 400 || x.code > 599) return StatusResponse({400, "BadRequest", "faults: refuse code is 4xx or 5xx"});
      f.refuse.push_back(std::move(x));
    }
    {
      std::lock_guard<std::mutex> l(faults_mu_);
      faults_ = f;
      rng_.seed(f.seed);
    }
    faults_changed_.notify_all();  // held requests no longer held go on
    return JsonResponse(200, body);
  }
  if (req.method == "GET" && req.path == "/kubesim/held") {
    // The requests a hold keeps waiting now.
    Json out = Json::array();
    std::lock_guard<std::mutex> l(faults_mu_);
    for (const std::vector<std::string>& h : held_) {
      out.push_back({{"verb", h[0]}, {"resource", h[1]}, {"subresource", h[2]}, {"namespace", h[3]},
                     {"name", h[4]}, {"userAgent", h[5]}});
    }
    return JsonResponse(200, {{"held", out}});
  }
  if (req.method == "POST" && req.path == "/kubesim/hpa-metric") {
    // {"namespace","name","value"} and/or {"metrics":{"cpu":V,...}}: what
    // the HPA's metrics report from now on (utilization in percent for
    // Utilization targets, else the quantity in base units); neither
    // clears them, as if the metrics API had nothing.
    Json body = Json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    const char* usage =
        "hpa-metric: {\"namespace\":NS,\"name\":HPA[,\"value\":NUMBER][,\"metrics\":{NAME:NUMBER}]} required";
    if (!body.is_object()) return StatusResponse({400, "BadRequest", usage});
    const Json ns = body.value("namespace", Json("default"));
    const Json name = body.value("name", Json());
    const Json value = body.value("value", Json());
    const Json metrics = body.value("metrics", Json::object());
    if (!ns.is_string() || !name.is_string() || name.get<std::string>().empty() ||
        !(value.is_null() || value.is_number()) || !metrics.is_object()) {
      return StatusResponse({400, "BadRequest", usage});
    }
    SimMetrics::Values values;
    if (value.is_number()) values.all = value.get<double>();
    for (const auto& [metric, v] : metrics.items()) {
      if (!v.is_number()) return StatusResponse({400, "BadRequest", usage});
      values.by_metric[metric] = v.get<double>();
    }
    ResourceType hpas = *store_.Find("autoscaling", "v2", "horizontalpodautoscalers");
    if (std::holds_alternative<ApiError>(store_.Get(hpas, ns.get<std::string>(), name.get<std::string>()))) {
      return StatusResponse(
          {404, "NotFound", "horizontalpodautoscalers.autoscaling \"" + name.get<std::string>() + "\" not found"});
    }
    sim_metrics_.Set(ns.get<std::string>(), name.get<std::string>(), std::move(values));
    return JsonResponse(200, {{"hpa-metric", body}});
  }
  if (req.method == "POST" &&
      (req.path == "/kubesim/crash-pod" || req.path == "/kubesim/node-not-ready" ||
       req.path == "/kubesim/pvc-provisioning")) {
    Json body;
    try {
      body = Json::parse(req.body.empty() ? "{}" : req.body);
    } catch (const Json::exception&) {
      return StatusResponse({400, "BadRequest", "kubesim: body must be JSON"});
    }
    if (!body.is_object()) return StatusResponse({400, "BadRequest", "kubesim: body must be a JSON object"});
    if (req.path == "/kubesim/crash-pod") {
      const Json ns = body.value("namespace", Json("default"));
      const Json name = body.value("name", Json());
      if (!ns.is_string() || !name.is_string() || name.get<std::string>().empty()) {
        return StatusResponse({400, "BadRequest", "crash-pod: {\"namespace\",\"name\"} required"});
      }
      ResourceType pods = *store_.Find("", "v1", "pods");
      if (std::holds_alternative<ApiError>(store_.Get(pods, ns.get<std::string>(), name.get<std::string>()))) {
        return StatusResponse({404, "NotFound", "pods \"" + name.get<std::string>() + "\" not found"});
      }
      sim_faults_.CrashPod(ns.get<std::string>(), name.get<std::string>());
      return JsonResponse(200, {{"crashed", body}});
    }
    if (req.path == "/kubesim/node-not-ready") {
      const Json node = body.value("node", Json());
      const Json ready = body.value("ready", Json(false));
      if (!node.is_string() || node.get<std::string>().empty() || !ready.is_boolean()) {
        return StatusResponse({400, "BadRequest", "node-not-ready: {\"node\":NAME[,\"ready\":BOOL]} required"});
      }
      sim_faults_.SetNodeReady(node.get<std::string>(), ready.get<bool>());
      return JsonResponse(200, {{"node", node}, {"ready", ready}});
    }
    const Json fail = body.value("fail", Json(false));
    if (!fail.is_boolean()) return StatusResponse({400, "BadRequest", "pvc-provisioning: {\"fail\":BOOL}"});
    sim_faults_.SetProvisioningFails(fail.get<bool>());
    return JsonResponse(200, {{"fail", fail}});
  }
  return StatusResponse({404, "NotFound", "unknown kubesim control endpoint"});
}

}  // namespace doris_operator::kubesim
