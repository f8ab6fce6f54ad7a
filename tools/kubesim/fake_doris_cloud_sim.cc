// The simulator's own endpoints on a ddc's FE (/api/_sim/*), as FakeDoris
// has them for a DorisCluster: route a query, read per-node counters and the
// membership log, set knobs. Not Doris' API.

#include <optional>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/kubesim/fake_doris_cloud.h"
#include "tools/kubesim/fake_doris_cloud_internal.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers
using namespace fake_doris_cloud_internal;  // NOLINT

std::optional<HttpResponse> FakeDorisCloud::Simulator(Cluster& c, const std::string& ns, const std::string& path,
                                                      const HttpRequest& req) {
  if (req.method == "POST" && path == "/api/_sim/query") {
    // {"computeGroup": "<name>"}: a query runs on one compute group (the
    // session's), on a backend the FE may schedule queries on
    // (Backend.isQueryAvailable: alive and not shut down) that is not
    // decommissioned. A BE whose pod is being deleted with the graceful
    // stop hook has been sent SIGTERM and reports is_shutdown: the FE sends
    // it nothing more. Without the hook it runs on, and gets queries, until
    // the kubelet kills it (counted: leavingQueries).
    const Json body = req.body.empty() ? Json::object() : Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return DorisError("kubesim: the query body is a JSON object");
    const std::string group = body.value("computeGroup", "");
    const std::optional<ResourceType> pod_type = store_->Find("", "v1", "pods");
    auto live_pod = [&](const Backend& be) -> std::optional<Json> {
      if (!pod_type) return std::nullopt;
      auto got = store_->Get(*pod_type, ns, be.pod);
      const Json* j = std::get_if<Json>(&got);
      if (j == nullptr || (*j)["metadata"].value("uid", "") != be.pod_uid) return std::nullopt;
      return *j;
    };
    // Each candidate with its pod as the FE's choice saw it (nullopt: gone).
    std::vector<std::pair<std::pair<const std::string, Backend>*, std::optional<Json>>> serving;
    bool group_known = group.empty();
    bool skipped = false;
    for (auto& [id, g] : c.groups) {
      if (!group.empty() && g.name != group) continue;
      group_known |= !g.backends.empty();
      for (auto& entry : g.backends) {
        const Backend& be = entry.second;
        if (!be.alive || be.status != NodeStatus::kRunning) continue;
        // Known at the last tick, or signalled since: taken as known at
        // once. Doris learns it at the next heartbeat, and the BE finishes
        // what it was sent meanwhile (docs/kubesim.md, the shutdown rule).
        const std::optional<Json> pod = live_pod(be);
        if (be.shut_down || (pod && (*pod)["metadata"].contains("deletionTimestamp") && GracefulBeStop(*pod))) {
          skipped = true;
          continue;
        }
        serving.emplace_back(&entry, pod);
      }
    }
    if (!group_known) return DorisError(absl::StrCat("Compute Group ", group, " not exist"));
    if (skipped) c.shut_down_skipped++;
    if (serving.empty()) return DorisError("no backend available to run the query");
    const auto& [chosen, live] = serving[c.next_query++ % serving.size()];
    if (!live) {
      c.lost_queries++;
      return DorisError(absl::StrCat("backend ", chosen->first, " is gone"));
    }
    if ((*live)["metadata"].contains("deletionTimestamp")) {
      chosen->second.leaving_queries++;
      c.leaving_queries++;
    }
    chosen->second.queries++;
    return Envelope({{"backend", chosen->first}});
  }
  if (req.method == "GET" && path == "/api/_sim/nodes") {
    Json nodes = Json::object();
    for (const auto& [id, g] : c.groups) {
      for (const auto& [hp, be] : g.backends) {
        nodes[hp] = {{"pod", be.pod},
                     {"computeGroup", g.name},
                     {"queries", be.queries},
                     {"leavingQueries", be.leaving_queries},
                     {"tablets", be.tablets},
                     {"status", StatusName(be.status)},
                     {"alive", be.alive}};
      }
    }
    return Envelope(nodes, {{"lostQueries", c.lost_queries},
                            {"leavingQueries", c.leaving_queries},
                            {"shutDownSkipped", c.shut_down_skipped},
                            {"metaServiceUp", c.ms_up}});
  }
  if (req.method == "GET" && path == "/api/_sim/membership-log") {
    return Envelope({{"entries", c.membership_log}});
  }
  if (req.method == "POST" && path == "/api/_sim/config") {
    const Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return DorisError("kubesim: the knobs are a JSON object");
    for (const auto& [k, v] : body.items()) {
      if (k != "tabletsMovedPerSecond" && k != "serviceLandsOn" && k != "refuse" && k != "notAlive") {
        return DorisError(
            "kubesim: a ddc's FE takes the knobs tabletsMovedPerSecond, serviceLandsOn, refuse and notAlive");
      }
    }
    if (body.contains("refuse")) {
      // {"DROP/fe"|"DROP/be"|"DECOMMISSION/be": true | "<Doris message>" | false}, as FakeDoris.
      if (!body["refuse"].is_object()) return DorisError("kubesim: refuse is an object");
      std::map<std::string, std::string> next = c.refuse;
      for (const auto& [op, v] : body["refuse"].items()) {
        if (op != "DROP/fe" && op != "DECOMMISSION/be" && op != "DROP/be") {
          return DorisError("kubesim: refuse takes DROP/fe, DECOMMISSION/be and DROP/be");
        }
        if (v.is_boolean() && !v.get<bool>()) {
          next.erase(op);
        } else if (v.is_boolean()) {
          next[op] = "Failed to acquire env lock. Try again";  // Env.dropFrontend's busy catalog lock
        } else if (v.is_string() && !v.get<std::string>().empty()) {
          next[op] = v.get<std::string>();
        } else {
          return DorisError("kubesim: a refusal is true, false or Doris' message");
        }
      }
      c.refuse = std::move(next);
    }
    if (body.contains("tabletsMovedPerSecond")) {
      if (!body["tabletsMovedPerSecond"].is_number_integer() || body["tabletsMovedPerSecond"].get<int64_t>() < 0) {
        return DorisError("kubesim: tabletsMovedPerSecond is an integer >= 0");
      }
      c.tablets_moved_per_second = body["tabletsMovedPerSecond"];
    }
    if (body.contains("serviceLandsOn")) {
      const std::string v = body["serviceLandsOn"].is_string() ? body["serviceLandsOn"].get<std::string>() : "";
      if (v != "round-robin" && v != "master" && v != "non-master") {
        return DorisError("kubesim: serviceLandsOn is round-robin, master or non-master");
      }
      c.service_lands_on = v;
    }
    if (body.contains("notAlive")) {
      // {"<pod>": true | false}: the FE's heartbeats to the node on that pod
      // fail (it is listed Alive=false) until set back to false.
      if (!body["notAlive"].is_object()) return DorisError("kubesim: notAlive maps pod names to true or false");
      for (const auto& [pod, v] : body["notAlive"].items()) {
        if (!v.is_boolean()) return DorisError("kubesim: notAlive maps pod names to true or false");
      }
      for (const auto& [pod, v] : body["notAlive"].items()) {
        if (v.get<bool>()) {
          c.not_alive_pods.insert(pod);
        } else {
          c.not_alive_pods.erase(pod);
        }
      }
    }
    Json refusals = Json::object();
    for (const auto& [op, why] : c.refuse) refusals[op] = why;
    return Envelope({{"tabletsMovedPerSecond", c.tablets_moved_per_second},
                     {"serviceLandsOn", c.service_lands_on},
                     {"refuse", refusals},
                     {"notAlive", Json(std::vector<std::string>(c.not_alive_pods.begin(), c.not_alive_pods.end()))}});
  }
  return std::nullopt;
}

}  // namespace doris_operator::kubesim
