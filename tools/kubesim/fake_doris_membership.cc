#include "tools/kubesim/fake_doris.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

HttpResponse FakeDoris::MembershipWrite(Cluster& c, const FeConfig& conf, const std::string& fe_pod,
                                        const std::string& path, const HttpRequest& req) {
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
  // A refusal set by the `refuse` knob: NodeAction catches the master's
  // exception and answers okWithCommonError (HTTP 200, code 1, msg "Error",
  // the exception's message as data); nothing changes.
  const std::string op = path.substr(std::string("/rest/v2/manager/node/").size());
  auto refused = c.knobs.refuse.find(op);
  HttpResponse answer =
      refused != c.knobs.refuse.end() ? DorisError(refused->second) : Membership(c, conf, op, body);
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
      if (!it->second.meta_claim_uid.empty()) c.dropped_meta_claims.insert(it->second.meta_claim_uid);
      c.frontends.erase(it);
    }
    return Envelope(nullptr);
  }
  return DorisError(absl::StrCat("unknown operation ", op));
}

}  // namespace doris_operator::kubesim
