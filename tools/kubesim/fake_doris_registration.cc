#include "tools/kubesim/fake_doris.h"

#include "absl/strings/str_cat.h"
#include "tools/kubesim/fake_doris_internal.h"
#include "tools/kubesim/fe_meta_claim.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

// A node's liveness follows its pod: Ready and the same pod (uid) it
// registered from, for at least the heartbeat interval.
void FakeDoris::RefreshNodes(Cluster& c, const std::map<std::string, Json>& pods, int64_t now_ms) {
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
      if (node.alive) {
        // Back after being lost: its replicas missed loads until repaired.
        if (node.lost) node.repair_until_ms = now_ms + c.knobs.tablet_repair_ms;
        node.lost = false;
        node.ever_alive = true;
      } else if (node.ever_alive) {
        node.lost = true;
      }
    }
  };
  refresh(c.frontends);
  refresh(c.backends);
  refresh(c.brokers);
}

void FakeDoris::RegisterPods(Cluster& c, const std::string& ns, const std::string& name, const FeConfig& conf,
                             const std::map<std::string, Json>& pods, int64_t now_ms) {
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
      // fe_entrypoint.sh: with image/ROLE under meta_dir it runs start_fe_with_meta,
      // never ALTER SYSTEM ADD; the group that dropped that node does not take
      // it back (Doris: empty a dropped FE's meta dir before adding it again).
      node.meta_claim_uid = FeMetaClaimUid(*store_, pod, conf.meta_dir);
      if (!node.meta_claim_uid.empty() && c.dropped_meta_claims.count(node.meta_claim_uid)) continue;
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
}

}  // namespace doris_operator::kubesim
