#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_NODE_MAP_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_NODE_MAP_H_

// Maps a node as the FE lists it to the pod it runs in. Doris names a node
// by its FQDN when fe.conf sets enable_fqdn_mode = true and by its pod IP
// otherwise, so both are looked up: the pods' status.podIP, their names, and
// the `<statefulset>-<ordinal>` form of a StatefulSet pod's FQDN (which names
// the pod even after it is gone). Pure: built from the pods the log holds.

#include <optional>
#include <string>
#include <vector>

namespace doris_operator::reconcile {

struct PodAddress {
  std::string name;       // "demo-be-2"
  std::vector<std::string> ips;  // status.podIP and status.podIPs[].ip
};

// A component whose pods are nodes, and its StatefulSet (pods `<statefulset>-<n>`).
struct NodeWorkload {
  std::string component;
  std::string statefulset;
};

struct NodePlace {
  std::string component;  // "fe", "be", "cn", "broker"; a ddc's "fe", "cg/<uniqueId>"
  int ordinal = -1;
  std::string pod;  // the live pod; "" when the FQDN names a pod that is gone
};

class NodeMap {
 public:
  NodeMap() = default;
  // A DorisCluster's: fe, be, cn and broker, StatefulSets `<cluster>-<component>`.
  NodeMap(const std::string& cluster, std::vector<PodAddress> pods);
  // Any other set of StatefulSets (a ddc's FE and compute groups).
  NodeMap(std::vector<NodeWorkload> workloads, std::vector<PodAddress> pods);

  // nullopt when `host` (FQDN, IP or pod name) is none of the cluster's pods.
  std::optional<NodePlace> Find(const std::string& host) const;
  // The first of `hosts` (e.g. a 1.2 row's IP and HostName) that maps.
  std::optional<NodePlace> FindAny(const std::vector<std::string>& hosts) const;

 private:
  std::optional<NodePlace> FromName(const std::string& pod_name, bool live) const;

  std::vector<NodeWorkload> workloads_;
  std::vector<PodAddress> pods_;
};

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_NODE_MAP_H_
