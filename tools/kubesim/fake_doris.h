#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_H_

// A simulated Doris cluster behind the pods of each DorisCluster: the FE's
// HTTP node-management API (list frontends/backends/brokers; add, drop,
// decommission), reached through the API server's proxy to the FE Service
// (any FE answers, as a load-balanced Service would pick one) or to one FE
// pod.
//
// Like the real images, pods register themselves once Ready (the FE at
// ordinal 0 founds the group; FEs join as FOLLOWER below ELECT_NUMBER, else
// OBSERVER), by FQDN when fe.conf sets enable_fqdn_mode = true (or there is no
// FE ConfigMap), else by pod IP. Node lists carry the columns of the FE
// image's Doris version (1.2: IP/HostName; 2.x: Host). Membership writes are
// served by the master only; another FE redirects them (307). Backends hold
// tablets; a decommissioned backend hands them to the others over simulated
// time (never if too few backends remain for the replication factor), and
// the FE drops it once empty unless fe.conf sets
// drop_backend_after_decommission = false. An FE pod started on the claim
// that held a dropped FE's meta_dir never joins (fe_entrypoint.sh starts it
// as the dropped node). Every node counts the queries
// routed to it; a node whose pod is being deleted gets no new ones.
// Tablet health (SHOW PROC '/cluster_health/tablet_health') follows the
// backends: replicas on a dead backend are missing, on a decommissioned one
// relocating, on one that came back incomplete until repaired. The
// Statement Execution Action (POST /api/query/<ns>/<db>) runs SHOW PROC and
// CANCEL DECOMMISSION BACKEND. Knobs on
// /api/_sim/config inject Doris' failures: refused membership writes, a
// password changed in Doris, node lists that fail, slow answers. Services
// and pods of a DorisDisaggregatedCluster are handed to FakeDorisCloud.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tools/kubesim/fake_doris_cloud.h"
#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// The one database of a simulated cluster, whose tablets the backends hold.
inline constexpr int64_t kDatabaseId = 10000;
inline constexpr char kDatabaseName[] = "kubesim_db";

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
  // `service` is the proxied Service's name[:port]; `path` the rest after /proxy.
  HttpResponse Handle(const std::string& ns, const std::string& service, const std::string& path,
                      const HttpRequest& req);
  // The same API reached on one pod (`pod` is name[:port]).
  HttpResponse HandlePod(const std::string& ns, const std::string& pod, const std::string& path,
                         const HttpRequest& req);

  struct Node {
    std::string role;  // FOLLOWER | OBSERVER for FE; "BACKEND" | "COMPUTE" for BE/CN; "BROKER"
    std::string pod;
    std::string pod_uid;
    std::string ip;    // the pod's IP when it registered
    std::string fqdn;  // <pod>.<sts>-internal.<ns>.svc.cluster.local
    int64_t id = 0;
    bool alive = true;
    int64_t up_since_ms = -1;  // since when its pod has been Ready, -1 if not
    bool is_master = false;
    bool decommissioned = false;
    int64_t tablets = 0;
    int64_t queries = 0;
    bool terminating = false;
    // Tablet health: a backend that was alive, went down and came back
    // holds replicas that missed loads until its repair is done.
    bool ever_alive = false;
    bool lost = false;
    int64_t repair_until_ms = -1;
    std::string meta_claim_uid;  // FE: the claim holding its meta_dir, if any
  };

 private:
  // What the simulator's own control endpoint (/api/_sim/config) sets.
  struct Knobs {
    // Replicas of every tablet: a decommissioned backend can hand a tablet
    // only to a backend that holds no replica of it yet, so with N backends
    // and replication N a decommission never finishes.
    int replication_num = 1;
    int64_t tablets_moved_per_second = -1;  // -1: the options' rate
    // Which FE a request through the Service reaches: "round-robin" (the
    // default, like kube-proxy), "master" or "non-master".
    std::string service_lands_on = "round-robin";
    // How long a backend's replicas stay VersionIncomplete after it comes
    // back (Doris' tablet scheduler repairs them by clone/compaction).
    int64_t tablet_repair_ms = 0;

    // Faults. Membership writes the master refuses, by operation
    // ("DROP/fe", "DECOMMISSION/be", "DROP/be") -> Doris' error text.
    std::map<std::string, std::string> refuse;
    // The admin user's password as Doris has it when someone changed it
    // in Doris and not in the cluster's Secret (nullopt: the Secret's).
    std::optional<std::string> doris_password;
    // Node lists the FE cannot produce: "" (they can), "internal" (Doris'
    // internalError envelope, code 500), "http500" (an HTTP 500).
    std::string node_lists_fail;
    // Every Doris API request (not /api/_sim/*) is answered this late.
    int64_t latency_ms = 0;
    // Tablets of kubesim_db whose replica is missing for a reason the
    // backends do not show (a broken disk, a lost replica): they count as
    // ReplicaMissing in the tablet health until set back to 0.
    int64_t replica_missing_tablets = 0;
  };
  struct Cluster {
    std::map<std::string, Node> frontends;  // host:edit_log_port
    std::map<std::string, Node> backends;   // host:heartbeat_port
    std::map<std::string, Node> brokers;    // host:ipc_port
    std::set<std::string> dropped_pod_uids;  // a dropped node re-registers only after a restart
    // Claims that held a dropped FE's meta_dir: an FE started on one has
    // image/ROLE, so it starts as that node, which the group removed.
    std::set<std::string> dropped_meta_claims;
    int64_t last_tick_ms = -1;
    size_t next_query = 0;
    size_t next_fe = 0;
    int64_t next_id = 10000;
    // Queries the FE routed to a backend whose pod was already gone: what a
    // user would see fail. A graceful rollout keeps this at zero.
    int64_t lost_queries = 0;
    // Every membership write that reached the master, and every drop the FE
    // made itself, in order (GET /api/_sim/membership-log): who asked (the
    // User-Agent; "fe" for the FE's own drops), and the API server's
    // resourceVersion at that moment, which orders it against object writes.
    std::vector<Json> membership_log;
    Knobs knobs;
  };
  // What the cluster's FE ConfigMap and image say.
  struct FeConfig {
    int http_port = 8030;
    bool fqdn = true;
    bool drop_backend_after_decommission = true;
    std::string meta_dir = "/opt/apache-doris/fe/doris-meta";  // fe.conf meta_dir (FeMetaDir)
    int major = 2;  // Doris version of the FE image
    int minor = 1;
  };

  // The request's Basic credentials against the cluster's Secret (or, with
  // `password`, against that password for the same user).
  bool Authorized(const std::string& ns, const std::string& cluster, const HttpRequest& req,
                  const std::optional<std::string>& password = std::nullopt) const;
  Cluster& ClusterFor(const std::string& ns, const std::string& cluster);
  FeConfig ConfigOf(const std::string& ns, const std::string& cluster) const;
  // Serves a request that reached the FE of `fe_pod` ("" = none could be reached).
  HttpResponse Serve(const std::string& ns, const std::string& cluster, const std::string& fe_pod,
                     const std::string& port, const std::string& path, const HttpRequest& req);

  // One tick of a cluster (fake_doris_registration.cc, fake_doris_tablets.cc).
  void RefreshNodes(Cluster& c, const std::map<std::string, Json>& pods, int64_t now_ms);
  void RegisterPods(Cluster& c, const std::string& ns, const std::string& name, const FeConfig& conf,
                    const std::map<std::string, Json>& pods, int64_t now_ms);
  void MoveTablets(Cluster& c, const FeConfig& conf, int64_t dt);

  // SHOW FRONTENDS / BACKENDS / BROKERS over HTTP (fake_doris_node_lists.cc).
  HttpResponse NodeList(const Cluster& c, const FeConfig& conf, const std::string& path) const;
  // ADD / DROP / DECOMMISSION, served by the master (fake_doris_membership.cc).
  HttpResponse MembershipWrite(Cluster& c, const FeConfig& conf, const std::string& fe_pod,
                               const std::string& path, const HttpRequest& req);
  HttpResponse Membership(Cluster& c, const FeConfig& conf, const std::string& op, const Json& body);
  // GET /api/show_proc (fake_doris_show_proc.cc) and the tablet health it
  // reports (fake_doris_tablets.cc). ProcNode: the titles and rows of SHOW
  // PROC 'path', false (with Doris' error text) when there is no such node.
  HttpResponse ShowProc(const Cluster& c, const FeConfig& conf, const HttpRequest& req) const;
  bool ProcNode(const Cluster& c, const FeConfig& conf, const std::string& path, Json* titles, Json* rows,
                std::string* error) const;
  Json TabletHealthRows(const Cluster& c, const FeConfig& conf) const;
  Json TabletHealthTitles(const FeConfig& conf) const;
  // POST /api/query/<ns>/<db> (fake_doris_statements.cc): the Statement
  // Execution Action, for the statements an operator sends.
  HttpResponse ExecuteStatement(Cluster& c, const FeConfig& conf, const std::string& path,
                                const HttpRequest& req);
  // The simulator's own endpoints, /api/_sim/* (fake_doris_sim.cc); nullopt
  // for any other path.
  std::optional<HttpResponse> Simulator(Cluster& c, const std::string& ns, const std::string& path,
                                        const HttpRequest& req);

  ObjectStore* store_;
  const FakeDorisOptions options_;
  // The DorisDisaggregatedClusters' Doris: requests to their Services and
  // pods go there, everything else is served here.
  std::unique_ptr<FakeDorisCloud> cloud_;
  mutable std::mutex mu_;
  std::map<std::string, Cluster> clusters_;  // "ns/name"
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_H_
