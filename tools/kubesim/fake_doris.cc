#include "tools/kubesim/fake_doris.h"

#include <algorithm>
#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
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

HttpResponse Refused(const std::string& text) {
  HttpResponse r;
  r.status = 503;
  r.content_type = "text/plain";
  r.body = text;
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

// `key = value` lines of a Doris conf file; the last one wins, as in Doris'
// ConfigBase (java.util.Properties).
std::map<std::string, std::string> ParseConf(const std::string& conf) {
  std::map<std::string, std::string> out;
  for (absl::string_view line : absl::StrSplit(conf, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) continue;
    out[std::string(absl::StripAsciiWhitespace(line.substr(0, eq)))] =
        std::string(absl::StripAsciiWhitespace(line.substr(eq + 1)));
  }
  return out;
}

std::string HostOf(const std::string& hp) { return hp.substr(0, hp.rfind(':')); }
std::string PortOf(const std::string& hp) { return hp.substr(hp.rfind(':') + 1); }

}  // namespace

FakeDoris::FakeDoris(ObjectStore* store, FakeDorisOptions options)
    : store_(store), options_(options) {}

FakeDoris::Cluster& FakeDoris::ClusterFor(const std::string& ns, const std::string& cluster) {
  return clusters_[ns + "/" + cluster];
}

FakeDoris::FeConfig FakeDoris::ConfigOf(const std::string& ns, const std::string& cluster) const {
  FeConfig out;
  const std::optional<ResourceType> dcr_type = store_->Find("doris.selectdb.com", "v1", "dorisclusters");
  const std::optional<ResourceType> cm_type = store_->Find("", "v1", "configmaps");
  if (!dcr_type || !cm_type) return out;
  auto dcr = store_->Get(*dcr_type, ns, cluster);
  const Json* d = std::get_if<Json>(&dcr);
  if (d == nullptr) return out;
  const Json fe = d->value("spec", Json::object()).value("feSpec", Json::object());
  // The image tag names the Doris version: apache/doris:fe-2.1.8.
  const std::string image = fe.value("image", "");
  absl::string_view tag(image);
  tag = tag.substr(tag.rfind(':') == absl::string_view::npos ? tag.size() : tag.rfind(':') + 1);
  absl::ConsumePrefix(&tag, "fe-");
  std::vector<std::string> parts = absl::StrSplit(tag, '.');
  int major = 0, minor = 0;
  if (parts.size() >= 2 && absl::SimpleAtoi(parts[0], &major) && absl::SimpleAtoi(parts[1], &minor)) {
    out.major = major;
    out.minor = minor;
  }
  const std::string cm_name = fe.value("configMapInfo", Json::object()).value("configMapName", "");
  if (cm_name.empty()) return out;  // no fe.conf of the user's: the image's entrypoint turns FQDN on
  auto cm = store_->Get(*cm_type, ns, cm_name);
  const Json* c = std::get_if<Json>(&cm);
  if (c == nullptr) return out;
  const std::map<std::string, std::string> conf =
      ParseConf(c->value("data", Json::object()).value("fe.conf", ""));
  auto get = [&conf](const char* key) {
    auto it = conf.find(key);
    return it == conf.end() ? std::string() : absl::AsciiStrToLower(it->second);
  };
  int port = 0;
  if (absl::SimpleAtoi(get("http_port"), &port)) out.http_port = port;
  // A mounted fe.conf is read-only: the entrypoint cannot add FQDN mode to
  // it, so the FE runs in IP mode unless the file turns FQDN on.
  out.fqdn = get("enable_fqdn_mode") == "true";
  out.drop_backend_after_decommission = get("drop_backend_after_decommission") != "false";
  return out;
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
    const FeConfig conf = ConfigOf(ns, name);
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

    // Self-registration of Ready pods, as the images' entrypoints do: by
    // FQDN in FQDN mode, else by pod IP.
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
      Node node;
      node.pod = pod_name;
      node.pod_uid = uid;
      node.fqdn = absl::StrCat(pod_name, ".", sts, "-internal.", ns, ".svc.cluster.local");
      node.ip = pod.value("status", Json::object()).value("podIP", "");
      node.up_since_ms = now_ms;
      node.alive = options_.heartbeat_ms == 0;
      const std::string host = conf.fqdn ? node.fqdn : node.ip;
      if (host.empty()) continue;  // no IP yet
      bool known = false;  // registered already (under this pod's name)
      for (const auto* nodes : {&c.frontends, &c.backends, &c.brokers}) {
        for (const auto& [hp, n] : *nodes) known |= n.pod == pod_name;
      }
      if (known) continue;
      if (comp == "fe") {
        const std::string key = absl::StrCat(host, ":", kEditLogPort);
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
        const std::string key = absl::StrCat(host, ":", kHeartbeatPort);
        node.role = comp == "be" ? "BACKEND" : "COMPUTE";
        node.tablets = comp == "be" ? options_.tablets_per_backend : 0;
        node.id = ++c.next_id;
        c.backends[key] = node;
      } else if (comp == "broker" && master) {
        node.role = "BROKER";
        c.brokers[absl::StrCat(host, ":", kBrokerPort)] = node;
      }
    }

    // Decommissioning backends hand their tablets to the others: each
    // tablet needs a backend that holds no replica of it yet, so at least
    // replication_num others must take data.
    const int64_t rate = c.knobs.tablets_moved_per_second >= 0 ? c.knobs.tablets_moved_per_second
                                                               : options_.tablets_moved_per_second;
    const int64_t budget = rate * dt / 1000;
    for (auto& [host, be] : c.backends) {
      if (!be.decommissioned || be.tablets == 0) continue;
      std::vector<Node*> targets;
      for (auto& [h2, other] : c.backends) {
        if (&other != &be && other.alive && !other.decommissioned && other.role == "BACKEND") {
          targets.push_back(&other);
        }
      }
      if (targets.empty() || static_cast<int>(targets.size()) < c.knobs.replication_num) continue;
      int64_t move = std::min(be.tablets, std::max<int64_t>(budget, dt > 0 && rate > 0 ? 1 : 0));
      be.tablets -= move;
      for (size_t i = 0; move > 0; i = (i + 1) % targets.size(), --move) targets[i]->tablets++;
    }
    // SystemHandler: a decommissioned backend with no tablets left is
    // dropped by the master itself unless drop_backend_after_decommission
    // is false.
    if (conf.drop_backend_after_decommission) {
      for (auto it = c.backends.begin(); it != c.backends.end();) {
        if (it->second.decommissioned && it->second.tablets == 0) {
          c.membership_log.push_back({{"op", "DROP/be"},
                                      {"hostPorts", Json::array({it->first})},
                                      {"by", "fe"},
                                      {"resourceVersion", store_->CurrentRv()},
                                      {"code", 0}});
          c.dropped_pod_uids.insert(it->second.pod_uid);
          it = c.backends.erase(it);
        } else {
          ++it;
        }
      }
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
  if (req.method == "GET" && path == "/api/_sim/membership-log") {
    return Envelope({{"entries", c.membership_log}});
  }
  if (req.method == "POST" && path == "/api/_sim/config") {
    const Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return DorisError("kubesim: the knobs are a JSON object");
    if (body.contains("replicationNum")) {
      if (!body["replicationNum"].is_number_integer() || body["replicationNum"].get<int>() < 1) {
        return DorisError("kubesim: replicationNum is an integer >= 1");
      }
      c.knobs.replication_num = body["replicationNum"];
    }
    if (body.contains("tabletsMovedPerSecond")) {
      if (!body["tabletsMovedPerSecond"].is_number_integer() ||
          body["tabletsMovedPerSecond"].get<int64_t>() < 0) {
        return DorisError("kubesim: tabletsMovedPerSecond is an integer >= 0");
      }
      c.knobs.tablets_moved_per_second = body["tabletsMovedPerSecond"];
    }
    if (body.contains("serviceLandsOn")) {
      const std::string v = body["serviceLandsOn"].is_string() ? body["serviceLandsOn"].get<std::string>() : "";
      if (v != "round-robin" && v != "master" && v != "non-master") {
        return DorisError("kubesim: serviceLandsOn is round-robin, master or non-master");
      }
      c.knobs.service_lands_on = v;
    }
    return Envelope({{"replicationNum", c.knobs.replication_num},
                     {"tabletsMovedPerSecond", c.knobs.tablets_moved_per_second},
                     {"serviceLandsOn", c.knobs.service_lands_on}});
  }
  if (req.method != "POST" || path.rfind("/rest/v2/manager/node/", 0) != 0) {
    HttpResponse r;
    r.status = 404;
    r.body = Json{{"msg", "Not Found"}, {"code", 404}, {"data", path}, {"count", 0}}.dump();
    return r;
  }
  // Membership writes are the master's. Doris 3.x forwards them there
  // (NodeAction checkForwardToMaster/forwardToMaster); earlier FEs answer
  // with a redirect to the master (RestBaseController.redirectTo, 307).
  const Node* here = nullptr;
  const Node* master = nullptr;
  std::string master_host;
  for (const auto& [hp, fe] : c.frontends) {
    if (fe.pod == fe_pod) here = &fe;
    if (fe.is_master) {
      master = &fe;
      master_host = HostOf(hp);
    }
  }
  if (here == nullptr || !here->is_master) {
    if (master == nullptr) return DorisError("Node catalog is not ready, please wait for a while.");
    if (conf.major < 3) {
      HttpResponse r;
      r.status = 307;
      r.content_type = "text/html;charset=utf-8";
      r.headers["Location"] = absl::StrCat("http://", master_host, ":", conf.http_port, path);
      return r;
    }
  }
  Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return DorisError("request body is not JSON");
  const std::string op = path.substr(std::string("/rest/v2/manager/node/").size());
  HttpResponse answer = Membership(c, conf, op, body);
  const Json envelope = Json::parse(answer.body, nullptr, false);
  Json hosts = Json::array();
  if (body.is_object() && body.contains("hostPorts")) hosts = body["hostPorts"];
  if (body.is_object() && body.contains("hostPort")) hosts.push_back(body["hostPort"]);
  c.membership_log.push_back(
      {{"op", op},
       {"hostPorts", hosts},
       {"by", req.Header("user-agent")},
       {"resourceVersion", store_->CurrentRv()},
       {"code", envelope.is_object() ? envelope.value("code", Json()) : Json()}});
  return answer;
}

HttpResponse FakeDoris::NodeList(const Cluster& c, const FeConfig& conf, const std::string& path) const {
  // Columns as FrontendsProcNode / BackendsProcDir name them: 1.2 lists a
  // node's IP and HostName, 2.x one Host (FQDN or IP, as it registered).
  const bool v12 = conf.major < 2;
  auto host_cells = [&](const std::string& hp, const Node& n) {
    return v12 ? Json::array({n.ip, n.fqdn}) : Json::array({HostOf(hp)});
  };
  auto row = [](Json head, const Json& hosts, std::initializer_list<Json> tail) {
    for (const Json& h : hosts) head.push_back(h);
    for (const Json& t : tail) head.push_back(t);
    return head;
  };
  const std::string tf[] = {"false", "true"};
  if (path == "/rest/v2/manager/node/frontends") {
    Json rows = Json::array();
    for (const auto& [hp, fe] : c.frontends) {
      rows.push_back(row({fe.pod}, host_cells(hp, fe),
                         {PortOf(hp), std::to_string(conf.http_port), "9030", "9020", fe.role,
                          tf[fe.is_master], tf[fe.alive],
                          absl::StrCat("doris-", conf.major, ".", conf.minor, "-kubesim")}));
    }
    Json cols = v12 ? Json::array({"Name", "IP", "HostName"}) : Json::array({"Name", "Host"});
    for (const char* col : {"EditLogPort", "HttpPort", "QueryPort", "RpcPort", "Role", "IsMaster", "Alive", "Version"}) {
      cols.push_back(col);
    }
    return Envelope({{"column_names", cols}, {"rows", rows}});
  }
  if (path == "/rest/v2/manager/node/backends") {
    Json rows = Json::array();
    for (const auto& [hp, be] : c.backends) {
      rows.push_back(row({std::to_string(be.id)}, host_cells(hp, be),
                         {PortOf(hp), "9060", "8040", "8060", tf[be.alive], tf[be.decommissioned],
                          std::to_string(be.tablets), be.role == "COMPUTE" ? "computation" : "mix"}));
    }
    Json cols = v12 ? Json::array({"BackendId", "IP", "HostName"}) : Json::array({"BackendId", "Host"});
    for (const char* col : {"HeartbeatPort", "BePort", "HttpPort", "BrpcPort", "Alive",
                            "SystemDecommissioned", "TabletNum", "NodeRole"}) {
      cols.push_back(col);
    }
    return Envelope({{"column_names", cols}, {"rows", rows}});
  }
  if (path == "/rest/v2/manager/node/brokers") {
    Json rows = Json::array();
    for (const auto& [hp, b] : c.brokers) {
      rows.push_back(row({b.pod}, host_cells(hp, b), {PortOf(hp), tf[b.alive]}));
    }
    Json cols = v12 ? Json::array({"Name", "IP", "HostName", "Port", "Alive"})
                    : Json::array({"Name", "Host", "Port", "Alive"});
    return Envelope({{"column_names", cols}, {"rows", rows}});
  }
  HttpResponse r;
  r.status = 404;
  r.body = Json{{"msg", "Not Found"}, {"code", 404}, {"data", path}, {"count", 0}}.dump();
  return r;
}

HttpResponse FakeDoris::Membership(Cluster& c, const FeConfig& conf, const std::string& op, const Json& body) {
  // 1.2 resolves a host name to the node's IP (SystemInfoService.getIpHostAndPort);
  // 2.x matches the host exactly as the node registered.
  auto find = [&](std::map<std::string, Node>& nodes, const std::string& hp) {
    auto it = nodes.find(hp);
    if (it != nodes.end() || conf.major >= 2) return it;
    for (auto i = nodes.begin(); i != nodes.end(); ++i) {
      if (PortOf(i->first) == PortOf(hp) && (i->second.fqdn == HostOf(hp) || i->second.ip == HostOf(hp))) {
        return i;
      }
    }
    return nodes.end();
  };
  if (op == "ADD/be" || op == "DROP/be" || op == "DECOMMISSION/be") {
    if (!body.contains("hostPorts") || !body["hostPorts"].is_array()) {
      return DorisError("hostPorts is required");
    }
    std::vector<std::string> hps;
    for (const Json& hpj : body["hostPorts"]) {
      const std::string hp = hpj.is_string() ? hpj.get<std::string>() : "";
      if (hp.find(':') == std::string::npos) return DorisError(absl::StrCat("Invalid host port: ", hp));
      hps.push_back(hp);
    }
    for (const std::string& hp : hps) {
      auto it = find(c.backends, hp);
      if (op == "ADD/be") {
        if (it != c.backends.end()) return DorisError(absl::StrCat("Same backend already exists[", hp, "]"));
        Node n;
        n.role = "BACKEND";
        n.id = ++c.next_id;
        c.backends[hp] = n;
      } else if (op == "DECOMMISSION/be") {
        // NodeAction marks the listed backends it finds; others are ignored.
        if (it != c.backends.end()) it->second.decommissioned = true;
      } else {
        if (it == c.backends.end()) return DorisError(absl::StrCat("backend does not exists[", hp, "]"));
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
    auto it = find(c.frontends, hp);
    if (op == "ADD/fe") {
      if (it != c.frontends.end()) return DorisError(absl::StrCat("frontend already exists[", hp, "]"));
      Node n;
      n.role = role;
      c.frontends[hp] = n;
    } else {
      if (it == c.frontends.end() || it->second.role != role) {
        return DorisError(absl::StrCat(role, " does not exist[", hp, "]"));
      }
      if (it->second.is_master) return DorisError("can not drop current master node.");
      c.dropped_pod_uids.insert(it->second.pod_uid);
      c.frontends.erase(it);
    }
    return Envelope(nullptr);
  }
  return DorisError(absl::StrCat("unknown operation ", op));
}

}  // namespace doris_operator::kubesim
