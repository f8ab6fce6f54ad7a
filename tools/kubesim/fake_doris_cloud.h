#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_CLOUD_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_CLOUD_H_

// Doris in compute-storage decoupled ("cloud") mode behind each
// DorisDisaggregatedCluster (ddc): a meta service (MS) holding the instance,
// its compute groups and their nodes, and an FE in cloud mode whose backends
// each belong to one compute group. Only pods and Services labelled
// app.doris.disaggregated.cluster are served; DorisCluster pods never reach
// this class (FakeDoris serves them as before).
//
// As the images do: MS serves once a pod is Ready with FDB_ENDPOINT set; the
// FE at ordinal 0 founds the FE group once MS_ENDPOINT reaches a serving MS;
// other FEs join as FOLLOWER below ELECT_NUMBER (default 1), else OBSERVER;
// BEs register with "tag.compute_group_name" = $COMPUTE_GROUP_NAME (none:
// default_compute_group), which creates the group with its first backend.
// A decommissioned backend hands its tablets to the other live backends of
// its own group only; once it holds none (or is its group's only backend)
// the FE tells MS it is decommissioned, and it stays listed until dropped.
// A group with no backends left disappears from the FE.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

struct FakeDorisCloudOptions {
  int64_t tablets_per_backend = 120;
  int64_t tablets_moved_per_second = 200;
  int64_t heartbeat_ms = 0;  // a node is alive this long after its pod is Ready
};

class FakeDorisCloud {
 public:
  FakeDorisCloud(ObjectStore* store, FakeDorisCloudOptions options);

  void Tick(int64_t now_ms);
  // A request through the proxy to Service `service` (name[:port]); nullopt
  // when that Service is not one of a ddc (the caller serves it).
  std::optional<HttpResponse> HandleService(const std::string& ns, const std::string& service,
                                            const std::string& path, const HttpRequest& req);
  // The same to one pod (`pod` is name[:port]); nullopt when it is not a
  // ddc's pod.
  std::optional<HttpResponse> HandlePod(const std::string& ns, const std::string& pod, const std::string& path,
                                        const HttpRequest& req);

  // MS node status (cloud.proto NodeStatusPB).
  enum class NodeStatus { kRunning, kDecommissioning, kDecommissioned };

  struct Backend {
    int64_t id = 0;
    std::string cloud_unique_id;
    std::string group_id;
    std::string pod;
    std::string pod_uid;
    std::string ip;
    NodeStatus status = NodeStatus::kRunning;
    bool alive = false;
    bool terminating = false;
    // The FE's Backend.isShutDown: the BE was told to stop gracefully and
    // says so in its heartbeats; no query is scheduled on it. Until the
    // node answers from a new process (its pod re-created).
    bool shut_down = false;
    int64_t up_since_ms = -1;
    int64_t last_start_ms = -1;  // LastStartTime: when the BE process last started
    int64_t tablets = 0;
    int64_t queries = 0;
    // Queries it was sent while its pod was being deleted without the BE's
    // graceful stop (no preStop running `stop_be.sh --grace`): the kubelet
    // kills it with whatever it runs. A graceful rollout keeps this at 0.
    int64_t leaving_queries = 0;
  };
  struct ComputeGroup {
    std::string id;
    std::string name;
    int64_t ctime_ms = 0;
    std::map<std::string, Backend> backends;  // host:heartbeat_port
  };
  struct Frontend {
    std::string role;  // FOLLOWER | OBSERVER
    std::string pod;
    std::string pod_uid;
    std::string ip;
    std::string cloud_unique_id;
    bool is_master = false;
    bool alive = false;
    bool terminating = false;
    int64_t up_since_ms = -1;
    int64_t last_start_ms = -1;
    std::string meta_claim_uid;  // the claim holding its meta_dir, if any
  };

  // What the ddc's spec, ConfigMaps and pod env say (fake_doris_cloud_config.cc).
  struct Config {
    int ms_port = 5000;  // doris_cloud.conf brpc_listen_port
    std::string ms_token = "greedisgood9999";  // doris_cloud.conf http_token
    int fe_http_port = 8030;
    int fe_query_port = 9030;
    int fe_edit_log_port = 9010;
    std::string fe_meta_dir = "/opt/apache-doris/fe/doris-meta";  // fe.conf meta_dir (FeMetaDir)
    bool fe_fqdn = true;
    int major = 3;
    int minor = 0;
  };

 private:
  struct Cluster {
    // The meta service: serving while a Ready MS pod with an FDB address runs.
    bool ms_up = false;
    std::string instance_id;  // the FE's CLUSTER_ID, once the founder created it
    int64_t instance_ctime_ms = 0;
    std::map<std::string, ComputeGroup> groups;  // by id
    std::map<std::string, Frontend> frontends;   // host:edit_log_port
    std::set<std::string> dropped_pod_uids;      // a dropped node re-registers after a restart only
    // Claims that held a dropped FE's meta_dir: an FE started on one has
    // image/ROLE, so it starts as that node, which the group removed.
    std::set<std::string> dropped_meta_claims;
    int64_t last_tick_ms = -1;
    int64_t next_id = 10000;
    uint64_t next_group = 0;
    size_t next_fe = 0;
    size_t next_query = 0;
    int64_t lost_queries = 0;
    int64_t leaving_queries = 0;     // the backends' leaving_queries, summed
    int64_t shut_down_skipped = 0;   // queries kept off a backend that is shutting down
    std::vector<Json> membership_log;
    // Knobs (POST /api/_sim/config on the FE).
    int64_t tablets_moved_per_second = -1;
    std::string service_lands_on = "round-robin";
    // Membership writes refused with Doris' message, by op (DROP/fe,
    // DROP/be, DECOMMISSION/be): {"refuse": {...}} on /api/_sim/config.
    std::map<std::string, std::string> refuse;
    // Pods whose node's heartbeat fails (knob notAlive): listed not Alive.
    std::set<std::string> not_alive_pods;
  };

  Cluster& ClusterFor(const std::string& ns, const std::string& ddc) { return clusters_[ns + "/" + ddc]; }
  Config ConfigOf(const std::string& ns, const Json& ddc) const;
  std::optional<Json> Ddc(const std::string& ns, const std::string& name) const;

  // One tick (fake_doris_cloud_nodes.cc).
  void RefreshNodes(Cluster& c, const std::map<std::string, Json>& pods, int64_t now_ms);
  void Register(Cluster& c, const std::string& ns, const std::string& ddc, const Config& conf,
                const std::map<std::string, Json>& pods, int64_t now_ms);
  void Decommission(Cluster& c, int64_t dt);

  // Membership, shared by SQL and HTTP (fake_doris_cloud_membership.cc).
  // Each returns "" or Doris' error text; nothing changes on error.
  std::string AddBackend(Cluster& c, const std::string& host_port, const std::string& group_name);
  std::string DropBackends(Cluster& c, const std::vector<std::string>& host_ports);
  std::string DecommissionBackends(Cluster& c, const std::vector<std::string>& host_ports);
  std::string DropFrontend(Cluster& c, const std::string& role, const std::string& host_port);
  Backend* FindBackend(Cluster& c, const std::string& host_port, ComputeGroup** group = nullptr);
  // A membership-log entry; `fe_pod`: the FE a client's write reached ("" for
  // the FE's and the pods' own writes).
  void Log(Cluster& c, const std::string& op, const Json& host_ports, const std::string& by, int code,
           const std::string& fe_pod = "");

  // The FE's HTTP API (fake_doris_cloud_fe.cc) and its statements
  // (fake_doris_cloud_statements.cc).
  HttpResponse ServeFe(const std::string& ns, const std::string& ddc, const Config& conf,
                       const std::string& fe_pod, const std::string& port, const std::string& path,
                       const HttpRequest& req);
  Json BackendColumns() const;
  Json BackendRows(const Cluster& c, const Config& conf) const;
  Json FrontendColumns() const;
  Json FrontendRows(const Cluster& c, const Config& conf) const;
  HttpResponse Statement(Cluster& c, const Config& conf, const std::string& fe_pod, const std::string& path,
                         const HttpRequest& req);
  std::optional<HttpResponse> Simulator(Cluster& c, const std::string& ns, const std::string& path,
                                        const HttpRequest& req);

  // The meta service's HTTP API (fake_meta_service.cc).
  HttpResponse ServeMs(const std::string& ns, const std::string& ddc, const Config& conf,
                       const std::string& port, const std::string& path, const HttpRequest& req);
  Json ClusterJson(const Cluster& c, const ComputeGroup& g) const;
  Json SqlClusterJson(const Cluster& c, const Config& conf) const;

  ObjectStore* store_;
  const FakeDorisCloudOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Cluster> clusters_;  // "ns/ddc"
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FAKE_DORIS_CLOUD_H_
