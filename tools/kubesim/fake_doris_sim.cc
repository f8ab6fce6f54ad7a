#include "tools/kubesim/fake_doris.h"

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
  return std::nullopt;
}

}  // namespace doris_operator::kubesim
