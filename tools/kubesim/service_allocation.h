#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_SERVICE_ALLOCATION_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_SERVICE_ALLOCATION_H_

// Service cluster IPs and node ports as kube-apiserver's service registry
// hands them out (pkg/registry/core/service/storage: beginCreate,
// beginUpdate, alloc.go; strategy.go dropTypeDependentFields) on a
// single-stack IPv4 cluster with kubeadm's ranges.

#include <optional>
#include <string>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// --service-cluster-ip-range and --service-node-port-range.
inline constexpr char kServiceClusterIpRange[] = "10.96.0.0/12";
inline constexpr int kNodePortMin = 30000;
inline constexpr int kNodePortMax = 32767;

// Fills `svc` (already defaulted) for a create (`old` null) or an update of
// the stored `old`: clusterIP/clusterIPs allocated, or kept from `old` when
// an update leaves them out; ipFamilies/ipFamilyPolicy; nodePorts allocated
// or kept; fields of a type the Service left cleared. Returns the error the
// API server answers (a taken or out-of-range IP or port, a changed
// clusterIP, a nodePort on a ClusterIP Service). `store` is read for the
// IPs and ports other Services hold; the caller keeps Service writes
// serialized until the object is stored. A `dry_run` allocates nothing and
// answers as kube-apiserver's dry-run allocators do: a missing clusterIP is
// the range's network address (10.96.0.0), missing node ports are dummy
// numbers from 32769, requested ones are checked more loosely.
std::optional<ApiError> AdmitService(const ObjectStore& store, const ResourceType& t,
                                     const std::string& ns, const Json* old, bool dry_run, Json& svc);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_SERVICE_ALLOCATION_H_
