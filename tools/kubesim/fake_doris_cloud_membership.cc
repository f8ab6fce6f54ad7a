#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/kubesim/fake_doris_cloud.h"
#include "tools/kubesim/fake_doris_cloud_internal.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers
using namespace fake_doris_cloud_internal;  // NOLINT

namespace {

// RandomIdentifierGenerator.generateRandomIdentifier(8): the id the FE gives
// a new compute group; here derived from a counter so runs repeat.
std::string GroupId(uint64_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  uint64_t x = (n + 1) * 0x9E3779B97F4A7C15ULL;
  std::string id;
  for (int i = 0; i < 8; ++i) {
    id.push_back(kAlphabet[(x >> 7) % 36]);
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  if (!absl::ascii_isalpha(static_cast<unsigned char>(id[0]))) id[0] = 'a' + id[0] % 26;
  return id;
}

bool ValidHostPort(const std::string& hp) {
  int port = 0;
  return hp.find(':') != std::string::npos && !HostOf(hp).empty() && absl::SimpleAtoi(PortOf(hp), &port) &&
         port > 0 && port < 65536;
}

// Compute group names as the reference operator makes them (uniqueId with
// '-' turned into '_'): a letter, then letters, digits and '_'. Stricter than
// the FE, which is not known to refuse more.
bool ValidGroupName(const std::string& name) {
  if (name.empty() || !absl::ascii_isalpha(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  }
  return true;
}

}  // namespace

FakeDorisCloud::Backend* FakeDorisCloud::FindBackend(Cluster& c, const std::string& host_port,
                                                     ComputeGroup** group) {
  for (auto& [id, g] : c.groups) {
    auto it = g.backends.find(host_port);
    if (it == g.backends.end()) continue;
    if (group != nullptr) *group = &g;
    return &it->second;
  }
  return nullptr;
}

void FakeDorisCloud::Log(Cluster& c, const std::string& op, const Json& host_ports, const std::string& by,
                         int code, const std::string& fe_pod) {
  Json entry = {{"op", op}, {"hostPorts", host_ports}, {"by", by}, {"resourceVersion", store_->CurrentRv()},
                {"code", code}};
  if (!fe_pod.empty()) {
    // Which FE the client reached, and whether that FE had to forward the
    // write to the master (NodeAction.checkForwardToMaster).
    bool at_master = false;
    for (const auto& [hp, fe] : c.frontends) at_master |= fe.pod == fe_pod && fe.is_master;
    entry["fe"] = fe_pod;
    entry["forwarded"] = !at_master;
  }
  c.membership_log.push_back(std::move(entry));
}

// CloudSystemInfoService.addBackends: the group named by the
// tag.compute_group_name property (default_compute_group without it) is
// created in the meta service with a new id unless it exists there, then the
// node is added to it (ADD_NODE, status NODE_STATUS_RUNNING).
std::string FakeDorisCloud::AddBackend(Cluster& c, const std::string& host_port, const std::string& group_name) {
  const std::string name = group_name.empty() ? kDefaultGroup : group_name;
  if (!ValidHostPort(host_port)) return absl::StrCat("Invalid host port: ", host_port);
  if (!ValidGroupName(name)) return absl::StrCat("Invalid compute group name: ", name);
  if (FindBackend(c, host_port) != nullptr) return absl::StrCat("Same backend already exists[", host_port, "]");
  ComputeGroup* group = nullptr;
  for (auto& [id, g] : c.groups) {
    if (g.name == name) group = &g;
  }
  if (group == nullptr) {
    ComputeGroup g;
    g.id = GroupId(c.next_group++);
    g.name = name;
    g.ctime_ms = c.last_tick_ms;
    group = &(c.groups[g.id] = g);
  }
  Backend be;
  be.id = ++c.next_id;
  be.group_id = group->id;
  be.cloud_unique_id = absl::StrCat("1:", c.instance_id, ":", GroupId(1000 + be.id));
  group->backends[host_port] = be;
  return "";
}

// CloudSystemInfoService.dropBackends: every named backend must exist (else
// nothing changes), then DROP_NODE removes them from the meta service and
// the FE forgets them. A group left without backends is treated as dropped
// by the FE (updateCloudClusterMapNoLock); the meta service keeps it.
std::string FakeDorisCloud::DropBackends(Cluster& c, const std::vector<std::string>& host_ports) {
  if (auto r = c.refuse.find("DROP/be"); r != c.refuse.end()) return r->second;
  for (const std::string& hp : host_ports) {
    if (FindBackend(c, hp) == nullptr) return absl::StrCat("backend does not exists[", hp, "]");
  }
  for (const std::string& hp : host_ports) {
    ComputeGroup* g = nullptr;
    Backend* be = FindBackend(c, hp, &g);
    if (be == nullptr) continue;  // named twice
    if (!be->pod_uid.empty()) c.dropped_pod_uids.insert(be->pod_uid);
    g->backends.erase(hp);
  }
  return "";
}

// DECOMMISSION_NODE: every named backend must exist; the meta service marks
// them NODE_STATUS_DECOMMISSIONING, which the FE shows as
// SystemDecommissioned (CloudClusterChecker.updateStatus). One already
// decommissioning or decommissioned is left as it is.
std::string FakeDorisCloud::DecommissionBackends(Cluster& c, const std::vector<std::string>& host_ports) {
  if (auto r = c.refuse.find("DECOMMISSION/be"); r != c.refuse.end()) return r->second;
  for (const std::string& hp : host_ports) {
    if (FindBackend(c, hp) == nullptr) return absl::StrCat("Backend does not exist[", hp, "]");
  }
  for (const std::string& hp : host_ports) {
    Backend* be = FindBackend(c, hp);
    if (be->status == NodeStatus::kRunning) be->status = NodeStatus::kDecommissioning;
  }
  return "";
}

// Env.dropFrontend: the node must exist with that role; the master cannot be
// dropped.
std::string FakeDorisCloud::DropFrontend(Cluster& c, const std::string& role, const std::string& host_port) {
  if (auto r = c.refuse.find("DROP/fe"); r != c.refuse.end()) return r->second;
  auto it = c.frontends.find(host_port);
  if (it == c.frontends.end() || it->second.role != role) {
    return absl::StrCat(role, " does not exist[", host_port, "]");
  }
  if (it->second.is_master) return "can not drop current master node.";
  c.dropped_pod_uids.insert(it->second.pod_uid);
  if (!it->second.meta_claim_uid.empty()) c.dropped_meta_claims.insert(it->second.meta_claim_uid);
  c.frontends.erase(it);
  return "";
}

}  // namespace doris_operator::kubesim
