#include "operator/reconcile/decide_ghosts.h"

#include <algorithm>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "operator/reconcile/doris_nodes.h"

namespace doris_operator::reconcile {

namespace {

using Step = MembershipStep;

constexpr char kInGrace[] = "InGracePeriod";
constexpr char kDropping[] = "Dropping";
constexpr char kKept[] = "Kept";

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

const model::v1::GhostNode* Previous(const GhostInput& in, const std::string& host_port) {
  for (const model::v1::GhostNode& g : in.previous) {
    if (g.host_port() == host_port) return &g;
  }
  return nullptr;
}

// A row no pod backs: its host is none of the cluster's pods, or names a
// pod above its StatefulSet's replicas that is gone. `component` is set to
// the pod's component when the host names one.
bool Unbacked(const GhostInput& in, const std::vector<std::string>& hosts, std::string* component) {
  const std::optional<NodePlace> place = in.node_map->FindAny(hosts);
  if (!place) return true;
  *component = place->component;
  if (!place->pod.empty()) return false;
  auto replicas = in.live_replicas.find(place->component);
  return replicas != in.live_replicas.end() && place->ordinal >= replicas->second;
}

// The component a backend row counts for when its host names no pod, "" for
// none of this cluster's: a DorisCluster's by Doris's NodeRole, a ddc's by
// the compute group its Tag names.
std::string BackendComponent(const GhostInput& in, const doris::NodeRow& row) {
  if (in.compute_groups.empty()) {
    const std::string* role = doris::CellOf(row, "NodeRole");
    return role != nullptr && *role == "computation" ? "cn" : "be";
  }
  const std::string* tag = doris::CellOf(row, "Tag");
  const nlohmann::json t = tag == nullptr ? nlohmann::json() : nlohmann::json::parse(*tag, nullptr, false);
  if (!t.is_object() || !t.contains("compute_group_name") || !t["compute_group_name"].is_string()) return "";
  auto it = in.compute_groups.find(t["compute_group_name"].get<std::string>());
  return it == in.compute_groups.end() ? "" : it->second;
}

bool IsBackendComponent(const GhostInput& in, const std::string& component) {
  if (in.compute_groups.empty()) return component == "be" || component == "cn";
  for (const auto& [name, c] : in.compute_groups) {
    if (c == component) return true;
  }
  return false;
}

// Why a ghost past its grace period stays in the FE ("" when it may go).
std::string WhyKept(const model::v1::GhostNode& g) {
  if (g.alive()) {
    return "the FE reports it alive: a process answers at this address, though no pod of this cluster "
           "is there; it is left to you";
  }
  if (g.component() == "fe" && g.role() != "OBSERVER") {
    return absl::StrCat("a ", g.role().empty() ? "frontend" : g.role(),
                        ": dropping it changes the FE quorum; drop it by hand (ALTER SYSTEM DROP FOLLOWER \"",
                        g.host_port(), "\") once you know it is gone for good");
  }
  if (g.component() != "fe" && g.tablets() > 0) {
    return absl::StrCat("holds ", g.tablets(),
                        " tablets, perhaps the last replica of some: it is never dropped automatically; bring "
                        "its pod back, or decommission it (ALTER SYSTEM DECOMMISSION BACKEND \"",
                        g.host_port(), "\") so Doris re-replicates its tablets, then drop it");
  }
  return "";
}

void Consider(const GhostInput& in, model::v1::GhostNode g, GhostPlan* plan) {
  const model::v1::GhostNode* prev = Previous(in, g.host_port());
  absl::Time since = in.now;
  std::string parse_error;
  if (prev != nullptr && absl::ParseTime(absl::RFC3339_full, prev->since(), &since, &parse_error)) {
    if (since > in.now) since = in.now;
  } else {
    since = in.now;
  }
  g.set_since(Rfc3339(since));
  const std::string what = absl::StrCat(g.component(), " node ", g.host_port());
  // Reported already (status is the memory): its grace period ended under
  // whichever process reported it, so a restart or a longer grace period
  // does not put it back in one, nor say it again. A stale picture decides
  // nothing new about it: it stays as reported.
  const bool reported = prev != nullptr && (prev->state() == kKept || prev->state() == kDropping);
  if (reported && !in.fresh) {
    g.set_state(prev->state());
    g.set_message(prev->message());
    plan->ghosts.push_back(std::move(g));
    return;
  }
  // Status keeps when it was first seen; the grace period is what this
  // process has watched of it.
  const absl::Time watched_from = std::min(in.now, std::max(since, in.watching_since));
  if (!reported && (!in.fresh || in.now - watched_from < in.grace)) {
    plan->recheck_after =
        std::min(plan->recheck_after, std::max(watched_from + in.grace - in.now, absl::ZeroDuration()));
    g.set_state(kInGrace);
    g.set_message(absl::StrCat("no pod backs it; reported once that lasts ", absl::FormatDuration(in.grace)));
    plan->ghosts.push_back(std::move(g));
    return;
  }
  const std::string why = WhyKept(g);
  g.set_state(why.empty() ? kDropping : kKept);
  g.set_message(why.empty() ? "no pod backs it, nor will: dropped from the FE" : why);
  if (prev == nullptr || prev->state() != g.state()) {  // once, when it is first reported
    Step e;
    e.type = "Warning";
    e.reason = "GhostNode";
    e.message = absl::StrCat(what, " is listed by the FE, but no pod has backed it since ", g.since(), ": ",
                             why.empty() ? "dropping it" : absl::StrCat("kept: ", why));
    plan->steps.push_back(std::move(e));
  }
  if (why.empty()) {
    Step s;
    const bool fe = g.component() == "fe";
    s.kind = fe ? Step::Kind::kDropFrontend : Step::Kind::kDropBackends;
    s.role = g.role();
    s.host_ports = {g.host_port()};
    s.verb = fe ? "doris:drop_frontend" : "doris:drop_backend";
    s.object_api_version = in.owner_api_version;
    s.object_kind = in.owner_kind;
    s.object_name = in.cluster;
    s.detail = absl::StrCat(fe ? absl::StrCat(g.role(), " ") : "", g.host_port(), " (ghost since ", g.since(), ")");
    s.reason = "GhostNodeDropped";
    s.message = absl::StrCat("dropped ", what, " from the FE: no pod since ", g.since(), " (grace period ",
                             absl::FormatDuration(in.grace), ")");
    s.failed_reason = "GhostNodeDropFailed";
    s.failed_prefix = absl::StrCat("could not drop ", what, ": ");
    s.failed_suffix = "; tried again on the next reconcile";
    plan->steps.push_back(std::move(s));
  }
  plan->ghosts.push_back(std::move(g));
}

}  // namespace

absl::StatusOr<absl::Duration> GhostGracePeriod(const google::protobuf::Map<std::string, std::string>& annotations) {
  auto it = annotations.find(kGhostGraceAnnotation);
  if (it == annotations.end()) return kDefaultGhostGrace;
  absl::Duration d;
  if (!absl::ParseDuration(it->second, &d) || d < absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("metadata.annotations[", kGhostGraceAnnotation, "]: \"", it->second,
                     "\" is not a duration >= 0 (write e.g. \"90s\", \"10m\" or \"1h\"); the default ",
                     absl::FormatDuration(kDefaultGhostGrace), " applies"));
  }
  return d;
}

GhostPlan DecideGhosts(const GhostInput& in) {
  GhostPlan plan;
  if (in.node_map == nullptr) return plan;
  if (in.frontends != nullptr) {
    for (const doris::NodeRow& row : *in.frontends) {
      const std::vector<std::string> hosts = doris::RowHosts(row);
      const std::string* port = doris::CellOf(row, "EditLogPort");
      std::string component = "fe";
      if (hosts.empty() || port == nullptr || doris::CellIsTrue(row, "IsMaster")) continue;
      if (!Unbacked(in, hosts, &component) || component != "fe") continue;
      model::v1::GhostNode g;
      g.set_host_port(absl::StrCat(hosts.front(), ":", *port));
      g.set_component("fe");
      const std::string* role = doris::CellOf(row, "Role");
      g.set_role(role == nullptr ? "" : *role);
      g.set_alive(doris::CellIsTrue(row, "Alive"));
      Consider(in, std::move(g), &plan);
    }
  }
  if (in.backends != nullptr) {
    for (const doris::NodeRow& row : *in.backends) {
      const std::vector<std::string> hosts = doris::RowHosts(row);
      const std::string* port = doris::CellOf(row, "HeartbeatPort");
      if (hosts.empty() || port == nullptr) continue;
      // A host that names no pod: Doris says what it is (its role or group).
      std::string component = BackendComponent(in, row);
      if (!Unbacked(in, hosts, &component) || !IsBackendComponent(in, component)) continue;
      model::v1::GhostNode g;
      g.set_host_port(absl::StrCat(hosts.front(), ":", *port));
      g.set_component(component);
      g.set_alive(doris::CellIsTrue(row, "Alive"));
      // A count that cannot be read is not zero: such a row is left alone.
      int64_t tablets = 0;
      const std::string* cell = doris::CellOf(row, "TabletNum");
      if (cell == nullptr || !absl::SimpleAtoi(*cell, &tablets)) continue;
      g.set_tablets(tablets);
      Consider(in, std::move(g), &plan);
    }
  }
  return plan;
}

}  // namespace doris_operator::reconcile
