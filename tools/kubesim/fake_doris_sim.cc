#include "tools/kubesim/fake_doris.h"

#include <algorithm>
#include <optional>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

std::optional<HttpResponse> FakeDoris::Simulator(Cluster& c, const std::string& ns, const std::string& path,
                                                const HttpRequest& req) {
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
    if (body.contains("tabletRepairMs")) {
      if (!body["tabletRepairMs"].is_number_integer() || body["tabletRepairMs"].get<int64_t>() < 0) {
        return DorisError("kubesim: tabletRepairMs is an integer >= 0");
      }
      c.knobs.tablet_repair_ms = body["tabletRepairMs"];
    }
    if (body.contains("unhealthy")) {
      // {"<backend pod>": ms}: its replicas are VersionIncomplete for ms.
      if (!body["unhealthy"].is_object()) return DorisError("kubesim: unhealthy maps backend pods to ms");
      for (const auto& [pod, ms] : body["unhealthy"].items()) {
        if (!ms.is_number_integer() || ms.get<int64_t>() < 0) {
          return DorisError("kubesim: unhealthy maps backend pods to ms >= 0");
        }
        bool found = false;
        for (auto& [hp, be] : c.backends) {
          if (be.pod != pod) continue;
          be.repair_until_ms = std::max<int64_t>(c.last_tick_ms, 0) + ms.get<int64_t>();
          found = true;
        }
        if (!found) return DorisError(absl::StrCat("kubesim: no backend of pod ", pod));
      }
    }
    if (body.contains("replicaMissingTablets")) {
      if (!body["replicaMissingTablets"].is_number_integer() || body["replicaMissingTablets"].get<int64_t>() < 0) {
        return DorisError("kubesim: replicaMissingTablets is an integer >= 0");
      }
      c.knobs.replica_missing_tablets = body["replicaMissingTablets"];
    }
    if (body.contains("refuse")) {
      // {"DROP/fe"|"DECOMMISSION/be"|"DROP/be": true | "<Doris message>" | false}
      if (!body["refuse"].is_object()) return DorisError("kubesim: refuse is an object");
      for (const auto& [op, v] : body["refuse"].items()) {
        if (op != "DROP/fe" && op != "DECOMMISSION/be" && op != "DROP/be" && op != "CANCEL_DECOMMISSION/be") {
          return DorisError("kubesim: refuse takes DROP/fe, DECOMMISSION/be, DROP/be and CANCEL_DECOMMISSION/be");
        }
        if (v.is_boolean() && !v.get<bool>()) {
          c.knobs.refuse.erase(op);
        } else if (v.is_boolean()) {
          // Env.dropFrontend's refusal when the catalog lock is busy.
          c.knobs.refuse[op] = "Failed to acquire env lock. Try again";
        } else if (v.is_string() && !v.get<std::string>().empty()) {
          c.knobs.refuse[op] = v.get<std::string>();
        } else {
          return DorisError("kubesim: a refusal is true, false or Doris' message");
        }
      }
    }
    if (body.contains("dorisPassword")) {
      if (body["dorisPassword"].is_null()) {
        c.knobs.doris_password.reset();
      } else if (body["dorisPassword"].is_string()) {
        c.knobs.doris_password = body["dorisPassword"].get<std::string>();
      } else {
        return DorisError("kubesim: dorisPassword is a string, or null for the Secret's");
      }
    }
    if (body.contains("nodeListsFail")) {
      const std::string v = body["nodeListsFail"].is_string() ? body["nodeListsFail"].get<std::string>() : "?";
      if (v != "" && v != "internal" && v != "http500") {
        return DorisError("kubesim: nodeListsFail is \"\", internal or http500");
      }
      c.knobs.node_lists_fail = v;
    }
    if (body.contains("latencyMs")) {
      if (!body["latencyMs"].is_number_integer() || body["latencyMs"].get<int64_t>() < 0 ||
          body["latencyMs"].get<int64_t>() > 120000) {
        return DorisError("kubesim: latencyMs is an integer in [0, 120000]");
      }
      c.knobs.latency_ms = body["latencyMs"];
    }
    Json refusals = Json::object();
    for (const auto& [op, why] : c.knobs.refuse) refusals[op] = why;
    return Envelope({{"replicationNum", c.knobs.replication_num},
                     {"tabletRepairMs", c.knobs.tablet_repair_ms},
                     {"replicaMissingTablets", c.knobs.replica_missing_tablets},
                     {"refuse", refusals},
                     {"dorisPassword", c.knobs.doris_password ? Json("(set)") : Json()},
                     {"nodeListsFail", c.knobs.node_lists_fail},
                     {"latencyMs", c.knobs.latency_ms},
                     {"tabletsMovedPerSecond", c.knobs.tablets_moved_per_second},
                     {"serviceLandsOn", c.knobs.service_lands_on}});
  }
  return std::nullopt;
}

}  // namespace doris_operator::kubesim
