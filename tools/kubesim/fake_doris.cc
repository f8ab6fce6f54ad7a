#include "tools/kubesim/fake_doris.h"

#include <algorithm>
#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace doris_operator::kubesim {

namespace {

constexpr int kEditLogPort = 9010;
constexpr int kHeartbeatPort = 9050;
constexpr int kBrokerPort = 8000;

HttpResponse Envelope(const Json& data, const Json& extra = Json::object()) {
  HttpResponse r;
  Json body = {{"msg", "success"}, {"code", 0}, {"data", data}, {"count", 0}};
  for (const auto& [k, v] : extra.items()) body[k] = v;
  r.body = body.dump();
  return r;
}

HttpResponse DorisError(const std::string& detail) {
  HttpResponse r;
  r.body = Json{{"msg", "Error"}, {"code", 1},
                {"data", absl::StrCat("errCode = 2, detailMessage = ", detail)}, {"count", 0}}
               .dump();
  return r;
}

bool Ready(const Json& pod) {
  if (!pod.contains("status") || !pod["status"].contains("conditions")) return false;
  for (const Json& c : pod["status"]["conditions"]) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

int ElectNumber(const Json& pod) {
  if (!pod.contains("spec") || !pod["spec"].contains("containers")) return 3;
  for (const Json& c : pod["spec"]["containers"]) {
    for (const Json& e : c.value("env", Json::array())) {
      int v = 0;
      if (e.value("name", "") == "ELECT_NUMBER" && absl::SimpleAtoi(e.value("value", ""), &v)) return v;
    }
  }
  return 3;
}

}  // namespace

FakeDoris::FakeDoris(ObjectStore* store, FakeDorisOptions options)
    : store_(store), options_(options) {}

FakeDoris::Cluster& FakeDoris::ClusterFor(const std::string& ns, const std::string& cluster) {
  return clusters_[ns + "/" + cluster];
}

void FakeDoris::Tick(int64_t now_ms) {
  const std::optional<ResourceType> dcr_type = store_->Find("doris.selectdb.com", "v1", "dorisclusters");
  const std::optional<ResourceType> pod_type = store_->Find("", "v1", "pods");
  if (!dcr_type || !pod_type) return;
  std::lock_guard<std::mutex> l(mu_);
  // Every Doris pod once per tick, grouped by namespace and cluster label.
  std::map<std::pair<std::string, std::string>, std::map<std::string, Json>> pods_by_cluster;
  for (Json& pod : store_->List(*pod_type, "", "app.doris.cluster", "", 0, "").items) {
    const std::string ns = pod["metadata"].value("namespace", "");
    const std::string cluster = pod["metadata"]["labels"].value("app.doris.cluster", "");
    const std::string pod_name = pod["metadata"].value("name", "");
    pods_by_cluster[{ns, cluster}][pod_name] = std::move(pod);
  }
  for (const Json& dcr : store_->List(*dcr_type, "", "", "", 0, "").items) {
    const std::string name = dcr["metadata"]["name"];
    const std::string ns = dcr["metadata"].value("namespace", "");
    Cluster& c = ClusterFor(ns, name);
    const int64_t dt = c.last_tick_ms < 0 ? 0 : now_ms - c.last_tick_ms;
    c.last_tick_ms = now_ms;

    std::map<std::string, Json>& pods = pods_by_cluster[{ns, name}];  // pod name -> pod
    auto refresh = [&](std::map<std::string, Node>& nodes) {
      for (auto& [host, node] : nodes) {
        auto it = pods.find(node.pod);
        bool up = it != pods.end() && Ready(it->second) &&
                  it->second["metadata"].value("uid", "") == node.pod_uid;
        node.terminating = it == pods.end() || it->second["metadata"].contains("deletionTimestamp");
        if (it != pods.end() && it->second["metadata"].value("uid", "") != node.pod_uid && Ready(it->second)) {
          // The pod restarted (same name, new uid): the node comes back.
          node.pod_uid = it->second["metadata"]["uid"];
          node.up_since_ms = -1;
          up = true;
          node.terminating = false;
        }
        if (!up) {
          node.up_since_ms = -1;
        } else if (node.up_since_ms < 0) {
          node.up_since_ms = now_ms;
        }
        node.alive = up && now_ms - node.up_since_ms >= options_.heartbeat_ms;
      }
    };
    refresh(c.frontends);
    refresh(c.backends);
    refresh(c.brokers);

    // Self-registration of Ready pods, as the images' entrypoints do.
    bool master = false;
    for (const auto& [h, fe] : c.frontends) master |= fe.is_master && fe.alive;
    for (const auto& [pod_name, pod] : pods) {
      if (!Ready(pod) || pod["metadata"].contains("deletionTimestamp")) continue;
      const std::string uid = pod["metadata"].value("uid", "");
      if (c.dropped_pod_uids.count(uid)) continue;
      const Json labels = pod["metadata"].value("labels", Json::object());
      const std::string comp = labels.value("app.kubernetes.io/component", "");
      const std::string sts = absl::StrCat(name, "-", comp);
      int ordinal = -1;
      absl::SimpleAtoi(absl::StripPrefix(pod_name, sts + "-"), &ordinal);
      const std::string fqdn = absl::StrCat(pod_name, ".", sts, "-internal.", ns, ".svc.cluster.local");
      Node node;
      node.pod = pod_name;
      node.pod_uid = uid;
      node.up_since_ms = now_ms;
      node.alive = options_.heartbeat_ms == 0;
      if (comp == "fe") {
        const std::string key = absl::StrCat(fqdn, ":", kEditLogPort);
        if (c.frontends.count(key)) continue;
        if (c.frontends.empty() && ordinal == 0) {
          node.role = "FOLLOWER";
          node.is_master = true;
          node.alive = true;  // the founder is its own master from the start
          master = true;
        } else if (master) {
          node.role = ordinal < ElectNumber(pod) ? "FOLLOWER" : "OBSERVER";
        } else {
          continue;  // nothing to join yet
        }
        c.frontends[key] = node;
      } else if ((comp == "be" || comp == "cn") && master) {
        const std::string key = absl::StrCat(fqdn, ":", kHeartbeatPort);
        if (c.backends.count(key)) continue;
        node.role = comp == "be" ? "BACKEND" : "COMPUTE";
        node.tablets = comp == "be" ? options_.tablets_per_backend : 0;
        c.backends[key] = node;
      } else if (comp == "broker" && master) {
        const std::string key = absl::StrCat(fqdn, ":", kBrokerPort);
        if (!c.brokers.count(key)) {
          node.role = "BROKER";
          c.brokers[key] = node;
        }
      }
    }

    // Decommissioning backends hand their tablets to the others.
    const int64_t budget = options_.tablets_moved_per_second * dt / 1000;
    for (auto& [host, be] : c.backends) {
      if (!be.decommissioned || be.tablets == 0) continue;
      std::vector<Node*> targets;
      for (auto& [h2, other] : c.backends) {
        if (&other != &be && other.alive && !other.decommissioned && other.role == "BACKEND") {
          targets.push_back(&other);
        }
      }
      if (targets.empty()) continue;  // nowhere to go: stuck, as in Doris
      int64_t move = std::min(be.tablets, std::max<int64_t>(budget, dt > 0 ? 1 : 0));
      be.tablets -= move;
      for (size_t i = 0; move > 0; i = (i + 1) % targets.size(), --move) targets[i]->tablets++;
    }
  }
}

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

int FakeDoris::FeHttpPort(const std::string& ns, const std::string& cluster) const {
  const std::optional<ResourceType> dcr_type = store_->Find("doris.selectdb.com", "v1", "dorisclusters");
  const std::optional<ResourceType> cm_type = store_->Find("", "v1", "configmaps");
  if (!dcr_type || !cm_type) return 8030;
  auto dcr = store_->Get(*dcr_type, ns, cluster);
  const Json* d = std::get_if<Json>(&dcr);
  if (d == nullptr) return 8030;
  const Json fe = d->value("spec", Json::object()).value("feSpec", Json::object());
  const std::string cm_name = fe.value("configMapInfo", Json::object()).value("configMapName", "");
  if (cm_name.empty()) return 8030;
  auto cm = store_->Get(*cm_type, ns, cm_name);
  const Json* c = std::get_if<Json>(&cm);
  if (c == nullptr) return 8030;
  const std::string conf = c->value("data", Json::object()).value("fe.conf", "");
  for (absl::string_view line : absl::StrSplit(conf, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&line, "http_port")) continue;
    line = absl::StripLeadingAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&line, "=")) continue;
    int port = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &port)) return port;
  }
  return 8030;
}

HttpResponse FakeDoris::Handle(const std::string& ns, const std::string& service,
                               const std::string& path, const HttpRequest& req) {
  absl::string_view cluster_view(service);
  cluster_view = cluster_view.substr(0, cluster_view.find(':'));
  const bool fe_service = absl::ConsumeSuffix(&cluster_view, "-fe-service") ||
                          absl::ConsumeSuffix(&cluster_view, "-fe-internal");
  const std::string cluster(cluster_view);
  if (!fe_service) {
    HttpResponse r;
    r.status = 503;
    r.content_type = "text/plain";
    r.body = "kubesim: only the FE services of a DorisCluster are proxied";
    return r;
  }
  // The FE listens on fe.conf's http_port (8030 unless the cluster's FE
  // ConfigMap says otherwise); another port refuses the connection.
  const size_t colon = service.find(':');
  const std::string port = colon == std::string::npos ? "" : service.substr(colon + 1);
  const int http_port = FeHttpPort(ns, cluster);
  if (!port.empty() && port != std::to_string(http_port)) {
    HttpResponse r;
    r.status = 503;
    r.content_type = "text/plain";
    r.body = absl::StrCat("kubesim: connection refused: the FE of ", cluster, " serves HTTP on ",
                          http_port, ", not ", port);
    return r;
  }
  if (path == "/api/health") {
    std::lock_guard<std::mutex> l(mu_);
    const Cluster& c = ClusterFor(ns, cluster);
    int online = 0;
    for (const auto& [h, be] : c.backends) online += be.alive;
    bool master = false;
    for (const auto& [h, fe] : c.frontends) master |= fe.is_master && fe.alive;
    if (!master) {
      HttpResponse r;
      r.status = 503;
      r.content_type = "text/plain";
      r.body = "no FE master yet";
      return r;
    }
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
  auto host_of = [](const std::string& hp) { return hp.substr(0, hp.rfind(':')); };
  auto port_of = [](const std::string& hp) { return hp.substr(hp.rfind(':') + 1); };
  if (req.method == "GET" && path == "/rest/v2/manager/node/frontends") {
    Json rows = Json::array();
    for (const auto& [hp, fe] : c.frontends) {
      rows.push_back({fe.pod, host_of(hp), port_of(hp), "8030", "9030", "9020", fe.role,
                      fe.is_master ? "true" : "false", fe.alive ? "true" : "false", "doris-2.1.8-kubesim"});
    }
    return Envelope({{"column_names", {"Name", "Host", "EditLogPort", "HttpPort", "QueryPort", "RpcPort",
                                       "Role", "IsMaster", "Alive", "Version"}},
                     {"rows", rows}});
  }
  if (req.method == "GET" && path == "/rest/v2/manager/node/backends") {
    Json rows = Json::array();
    int64_t id = 10000;
    for (const auto& [hp, be] : c.backends) {
      rows.push_back({std::to_string(++id), host_of(hp), port_of(hp), "9060", "8040", "8060",
                      be.alive ? "true" : "false", be.decommissioned ? "true" : "false",
                      std::to_string(be.tablets), be.role == "COMPUTE" ? "computation" : "mix"});
    }
    return Envelope({{"column_names", {"BackendId", "Host", "HeartbeatPort", "BePort", "HttpPort",
                                       "BrpcPort", "Alive", "SystemDecommissioned", "TabletNum",
                                       "NodeRole"}},
                     {"rows", rows}});
  }
  if (req.method == "GET" && path == "/rest/v2/manager/node/brokers") {
    Json rows = Json::array();
    for (const auto& [hp, b] : c.brokers) {
      rows.push_back({b.pod, host_of(hp), port_of(hp), b.alive ? "true" : "false"});
    }
    return Envelope({{"column_names", {"Name", "Host", "Port", "Alive"}}, {"rows", rows}});
  }
  // Simulator-only: route one query, and read the per-node counters.
  if (req.method == "POST" && path == "/api/_sim/query") {
    std::vector<std::pair<const std::string, Node>*> serving;
    for (auto& entry : c.backends) {
      if (entry.second.alive && !entry.second.decommissioned && !entry.second.terminating) {
        serving.push_back(&entry);
      }
    }
    if (serving.empty()) return DorisError("no backend available to run the query");
    auto* chosen = serving[c.next_query++ % serving.size()];
    // The FE's view lags the pods by up to a tick; a pod deleted without a
    // grace period may already be gone.
    const std::optional<ResourceType> pod_type = store_->Find("", "v1", "pods");
    auto pod = pod_type ? store_->Get(*pod_type, ns, chosen->second.pod)
                        : std::variant<Json, ApiError>(ApiError{404, "NotFound", ""});
    const Json* live = std::get_if<Json>(&pod);
    if (live == nullptr || (*live)["metadata"].value("uid", "") != chosen->second.pod_uid) {
      c.lost_queries++;
      return DorisError(absl::StrCat("backend ", chosen->first, " is gone"));
    }
    chosen->second.queries++;
    return Envelope({{"backend", chosen->first}});
  }
  if (req.method == "GET" && path == "/api/_sim/nodes") {
    Json nodes = Json::object();
    for (const auto& [hp, n] : c.backends) {
      nodes[hp] = {{"pod", n.pod}, {"queries", n.queries}, {"tablets", n.tablets},
                   {"decommissioned", n.decommissioned}, {"alive", n.alive}};
    }
    return Envelope(nodes, {{"lostQueries", c.lost_queries}});
  }
  if (req.method != "POST" || path.rfind("/rest/v2/manager/node/", 0) != 0) {
    HttpResponse r;
    r.status = 404;
    r.body = Json{{"msg", "Not Found"}, {"code", 404}, {"data", path}, {"count", 0}}.dump();
    return r;
  }
  Json body;
  try {
    body = Json::parse(req.body);
  } catch (const Json::exception&) {
    return DorisError("request body is not JSON");
  }
  const std::string op = path.substr(std::string("/rest/v2/manager/node/").size());
  if (op == "ADD/be" || op == "DROP/be" || op == "DECOMMISSION/be") {
    if (!body.contains("hostPorts") || !body["hostPorts"].is_array()) {
      return DorisError("hostPorts is required");
    }
    for (const Json& hpj : body["hostPorts"]) {
      const std::string hp = hpj.is_string() ? hpj.get<std::string>() : "";
      auto it = c.backends.find(hp);
      if (op == "ADD/be") {
        if (it != c.backends.end()) return DorisError(absl::StrCat("Same backend already exists[", hp, "]"));
        Node n;
        n.role = "BACKEND";
        c.backends[hp] = n;
        continue;
      }
      if (it == c.backends.end()) return DorisError(absl::StrCat("backend does not exist[", hp, "]"));
      if (op == "DECOMMISSION/be") {
        it->second.decommissioned = true;
      } else {
        c.dropped_pod_uids.insert(it->second.pod_uid);
        c.backends.erase(it);
      }
    }
    return Envelope(nullptr);
  }
  if (op == "ADD/fe" || op == "DROP/fe") {
    const std::string hp = body.value("hostPort", "");
    const std::string role = body.value("role", "");
    if (hp.empty() || (role != "FOLLOWER" && role != "OBSERVER")) {
      return DorisError("role (FOLLOWER|OBSERVER) and hostPort are required");
    }
    auto it = c.frontends.find(hp);
    if (op == "ADD/fe") {
      if (it != c.frontends.end()) return DorisError(absl::StrCat("frontend already exists[", hp, "]"));
      Node n;
      n.role = role;
      c.frontends[hp] = n;
    } else {
      if (it == c.frontends.end()) return DorisError(absl::StrCat("frontend does not exist[", hp, "]"));
      if (it->second.is_master) return DorisError("can not drop the master frontend");
      c.dropped_pod_uids.insert(it->second.pod_uid);
      c.frontends.erase(it);
    }
    return Envelope(nullptr);
  }
  return DorisError(absl::StrCat("unknown operation ", op));
}

}  // namespace doris_operator::kubesim
