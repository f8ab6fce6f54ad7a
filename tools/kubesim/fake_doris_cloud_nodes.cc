#include <algorithm>
#include <optional>
#include <variant>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/kubesim/fake_doris_cloud.h"
#include "tools/kubesim/fake_doris_cloud_internal.h"
#include "tools/kubesim/fake_doris_internal.h"
#include "tools/kubesim/fe_meta_claim.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers
using namespace fake_doris_cloud_internal;  // NOLINT

namespace {

// `hostname -f` of a StatefulSet pod: <hostname>.<subdomain>.<ns>.svc.cluster.local.
std::string Fqdn(const Json& pod) {
  const Json spec = pod.value("spec", Json::object());
  const std::string ns = pod["metadata"].value("namespace", "");
  const std::string hostname = spec.value("hostname", pod["metadata"].value("name", ""));
  const std::string subdomain = spec.value("subdomain", "");
  if (subdomain.empty()) return absl::StrCat(hostname, ".", ns, ".svc.cluster.local");
  return absl::StrCat(hostname, ".", subdomain, ".", ns, ".svc.cluster.local");
}

int Ordinal(const std::string& pod_name) {
  int ordinal = -1;
  absl::SimpleAtoi(pod_name.substr(pod_name.rfind('-') + 1), &ordinal);
  return ordinal;
}

}  // namespace

// A node's liveness follows its pod: Ready and the pod (uid) it registered
// from, for at least the heartbeat interval; a pod re-created under the same
// name is the node restarting (its LastStartTime moves). A BE whose pod is
// being deleted still runs, and answers heartbeats, until its container
// stops: Alive stays as it was (the FE's HeartbeatMgr knows no pods), and
// whether the FE still sends it queries is the shutdown rule's
// (fake_doris_cloud_sim.cc). Frontends keep the simpler rule (down once
// their pod is): clients reach them through the Service, which a
// terminating pod has left.
void FakeDorisCloud::RefreshNodes(Cluster& c, const std::map<std::string, Json>& pods, int64_t now_ms) {
  auto refresh = [&](auto& node, bool runs_while_terminating) {
    auto it = pods.find(node.pod);
    const bool same_pod = it != pods.end() && it->second["metadata"].value("uid", "") == node.pod_uid;
    bool up = same_pod && Ready(it->second);
    node.terminating = it == pods.end() || it->second["metadata"].contains("deletionTimestamp");
    if (runs_while_terminating && same_pod && node.terminating && node.up_since_ms >= 0) up = true;
    if (it != pods.end() && it->second["metadata"].value("uid", "") != node.pod_uid && Ready(it->second) &&
        !node.terminating) {
      node.pod_uid = it->second["metadata"].value("uid", "");
      node.up_since_ms = -1;
      up = true;
    }
    if (!up) {
      node.up_since_ms = -1;
    } else if (node.up_since_ms < 0) {
      node.up_since_ms = now_ms;
      node.last_start_ms = now_ms;
    }
    // HeartbeatMgr: a node whose heartbeat fails is not Alive, whatever its pod says.
    node.alive = up && now_ms - node.up_since_ms >= options_.heartbeat_ms && !c.not_alive_pods.count(node.pod);
  };
  for (auto& [hp, fe] : c.frontends) refresh(fe, false);
  for (auto& [id, g] : c.groups) {
    for (auto& [hp, be] : g.backends) {
      refresh(be, true);
      // HeartbeatMgr takes is_shutdown from every heartbeat: set once the
      // BE got its graceful stop, clear once a new process on a new pod answers.
      auto it = pods.find(be.pod);
      if (it == pods.end() || it->second["metadata"].value("uid", "") != be.pod_uid) continue;
      if (!it->second["metadata"].contains("deletionTimestamp")) {
        be.shut_down = false;
      } else if (GracefulBeStop(it->second)) {
        be.shut_down = true;
      }
    }
  }
}

void FakeDorisCloud::Register(Cluster& c, const std::string& ns, const std::string& ddc, const Config& conf,
                              const std::map<std::string, Json>& pods, int64_t now_ms) {
  // ms_disaggregated_entrypoint.sh writes fdb_cluster=$FDB_ENDPOINT; without
  // an FDB the meta service cannot serve.
  c.ms_up = false;
  for (const auto& [name, pod] : pods) {
    if (pod["metadata"]["labels"].value(kLabelType, "") != "ms") continue;
    if (Ready(pod) && !pod["metadata"].contains("deletionTimestamp") && !EnvOf(pod, "FDB_ENDPOINT").empty()) {
      c.ms_up = true;
    }
  }
  bool master = false;
  for (const auto& [hp, fe] : c.frontends) master |= fe.is_master && fe.alive;
  auto known = [&](const std::string& pod_name) {
    for (const auto& [hp, fe] : c.frontends) {
      if (fe.pod == pod_name) return true;
    }
    for (const auto& [id, g] : c.groups) {
      for (const auto& [hp, be] : g.backends) {
        if (be.pod == pod_name) return true;
      }
    }
    return false;
  };
  for (const auto& [name, pod] : pods) {
    if (!Ready(pod) || pod["metadata"].contains("deletionTimestamp")) continue;
    const std::string uid = pod["metadata"].value("uid", "");
    if (c.dropped_pod_uids.count(uid) || known(name)) continue;
    const std::string type = pod["metadata"]["labels"].value(kLabelType, "");
    const std::string ip = pod.value("status", Json::object()).value("podIP", "");
    if (type == "fe") {
      // fe_disaggregated_entrypoint.sh starts an FE whose meta_dir has
      // image/ROLE with that meta, without joining; a node the group dropped
      // is refused by it (Doris's metadata operations: a dropped FE's meta is
      // cleared before it is added again). It never serves.
      const std::string meta_claim = FeMetaClaimUid(*store_, pod, conf.fe_meta_dir);
      if (!meta_claim.empty() && c.dropped_meta_claims.count(meta_claim)) continue;
      // The FE in cloud mode reads meta_service_endpoint (MS_ENDPOINT) and
      // cannot start without a meta service to talk to.
      const std::string ms = EnvOf(pod, "MS_ENDPOINT");
      const std::vector<std::string> ms_host = absl::StrSplit(HostOf(ms), '.');
      const bool reaches_ms = c.ms_up && ms.find(':') != std::string::npos && ms_host[0] == ddc + "-ms" &&
                              PortOf(ms) == std::to_string(conf.ms_port);
      if (!reaches_ms) continue;
      const std::string host = conf.fe_fqdn ? Fqdn(pod) : ip;
      if (host.empty()) continue;
      Frontend fe;
      fe.pod = name;
      fe.pod_uid = uid;
      fe.ip = ip;
      fe.meta_claim_uid = meta_claim;
      fe.up_since_ms = now_ms;
      fe.last_start_ms = now_ms;
      fe.alive = options_.heartbeat_ms == 0;
      const int ordinal = Ordinal(name);
      if (c.frontends.empty() && ordinal == 0) {
        // The founder: master, and it creates the instance named by its
        // cluster_id (CLUSTER_ID; the entrypoint's default is 10000001).
        fe.role = "FOLLOWER";
        fe.is_master = true;
        fe.alive = true;
        master = true;
        const std::string cluster_id = EnvOf(pod, "CLUSTER_ID");
        if (c.instance_id.empty()) {
          c.instance_id = cluster_id.empty() ? "10000001" : cluster_id;
          c.instance_ctime_ms = now_ms;
        }
      } else if (master) {
        int elect = 1;  // ELECT_NUMBER=${ELECT_NUMBER:=1}
        absl::SimpleAtoi(EnvOf(pod, "ELECT_NUMBER"), &elect);
        fe.role = ordinal < elect ? "FOLLOWER" : "OBSERVER";
      } else {
        continue;  // no master to join yet
      }
      fe.cloud_unique_id = absl::StrCat("1:", c.instance_id, ":", name);
      c.frontends[absl::StrCat(host, ":", conf.fe_edit_log_port)] = fe;
      Log(c, "ADD/fe", Json::array({absl::StrCat(host, ":", conf.fe_edit_log_port)}), "pod " + name, 0);
    } else if (type == "compute" && master) {
      // be_disaggregated_entrypoint.sh: MY_SELF is `hostname -f` unless
      // HOST_TYPE=IP; the group is COMPUTE_GROUP_NAME, else the default one.
      const std::string host = EnvOf(pod, "HOST_TYPE") == "IP" ? ip : Fqdn(pod);
      if (host.empty()) continue;
      const std::string hp = absl::StrCat(host, ":", kHeartbeatPort);
      if (!AddBackend(c, hp, EnvOf(pod, "COMPUTE_GROUP_NAME")).empty()) continue;  // retried next tick
      Log(c, "ADD/be", Json::array({hp}), "pod " + name, 0);
      ComputeGroup* g = nullptr;
      Backend* be = FindBackend(c, hp, &g);
      be->pod = name;
      be->pod_uid = uid;
      be->ip = ip;
      be->up_since_ms = now_ms;
      be->last_start_ms = now_ms;
      be->alive = options_.heartbeat_ms == 0;
      be->tablets = options_.tablets_per_backend;
    }
  }
}

// CloudTabletRebalancer: a decommissioning backend's tablets are re-mapped to
// the other backends of its own compute group (each group maps every tablet
// to one of its backends; other groups are not involved). checkDecommissionState
// then tells MS it is decommissioned once it maps no tablet, or at once when
// it is its group's only backend.
void FakeDorisCloud::Decommission(Cluster& c, int64_t dt) {
  const int64_t rate = c.tablets_moved_per_second >= 0 ? c.tablets_moved_per_second : options_.tablets_moved_per_second;
  const int64_t budget = std::max<int64_t>(rate * dt / 1000, dt > 0 && rate > 0 ? 1 : 0);
  for (auto& [id, g] : c.groups) {
    for (auto& [hp, be] : g.backends) {
      if (be.status != NodeStatus::kDecommissioning) continue;
      std::vector<Backend*> targets;
      for (auto& [h2, other] : g.backends) {
        if (&other != &be && other.alive && other.status == NodeStatus::kRunning) targets.push_back(&other);
      }
      int64_t move = targets.empty() ? 0 : std::min(be.tablets, budget);
      be.tablets -= move;
      for (size_t i = 0; move > 0; i = (i + 1) % targets.size(), --move) targets[i]->tablets++;
      if (be.tablets == 0 || g.backends.size() == 1) {
        be.status = NodeStatus::kDecommissioned;
        Log(c, "NOTIFY_DECOMMISSIONED/be", Json::array({hp}), "fe", 0);
      }
    }
  }
}

}  // namespace doris_operator::kubesim
