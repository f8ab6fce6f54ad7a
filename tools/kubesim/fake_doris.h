#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_H_

// A simulated Doris cluster behind the pods of each DorisCluster: the FE's
// HTTP node-management API (list frontends/backends/brokers; add, drop,
// decommission), reached through the API server's service proxy
// (/api/v1/namespaces/NS/services/NAME-fe-service:8030/proxy/...).
//
// Like the real images, pods register themselves once Ready (the FE at
// ordinal 0 founds the group; FEs join as FOLLOWER below ELECT_NUMBER, else
// OBSERVER). Backends hold tablets; a decommissioned backend hands its tablets
// to the others over simulated time and then reports 0 until it is dropped.
// Every node counts the queries routed to it; a node whose pod is being
// deleted gets no new ones.

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

struct FakeDorisOptions {
  int64_t tablets_per_backend = 120;
  int64_t tablets_moved_per_second = 200;
  // A node is alive for the FE only after it has been up this long (the
  // FE's heartbeat), so "Kubernetes Ready" and "Doris alive" can differ.
  int64_t heartbeat_ms = 0;
};

class FakeDoris {
 public:
  FakeDoris(ObjectStore* store, FakeDorisOptions options = {});

  void Tick(int64_t now_ms);
  // `service` is the proxied Service's name; `path` the rest after /proxy.
  HttpResponse Handle(const std::string& ns, const std::string& service, const std::string& path,
                      const HttpRequest& req);

  struct Node {
    std::string role;  // FOLLOWER | OBSERVER for FE; "BACKEND" | "COMPUTE" for BE/CN; "BROKER"
    std::string pod;
    std::string pod_uid;
    bool alive = true;
    int64_t up_since_ms = -1;  // since when its pod has been Ready, -1 if not
    bool is_master = false;
    bool decommissioned = false;
    int64_t tablets = 0;
    int64_t queries = 0;
    bool terminating = false;
  };

 private:
  struct Cluster {
    std::map<std::string, Node> frontends;  // host:edit_log_port
    std::map<std::string, Node> backends;   // host:heartbeat_port
    std::map<std::string, Node> brokers;    // host:ipc_port
    std::set<std::string> dropped_pod_uids;  // a dropped node re-registers only after a restart
    int64_t last_tick_ms = -1;
    size_t next_query = 0;
    // Queries the FE routed to a backend whose pod was already gone: what a
    // user would see fail. A graceful rollout keeps this at zero.
    int64_t lost_queries = 0;
  };

  bool Authorized(const std::string& ns, const std::string& cluster, const HttpRequest& req) const;
  Cluster& ClusterFor(const std::string& ns, const std::string& cluster);
  // fe.conf's http_port from the cluster's FE ConfigMap, else 8030.
  int FeHttpPort(const std::string& ns, const std::string& cluster) const;

  ObjectStore* store_;
  const FakeDorisOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Cluster> clusters_;  // "ns/name"
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_H_
