#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_CLUSTER_NETWORK_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_CLUSTER_NETWORK_H_

// The simulated cluster's network as a client inside it sees it: an HTTP
// request is routed by its Host header, as cluster DNS and the pod network
// would route it, to the fake Doris FE behind a Service
// (<svc>.<ns>.svc[.cluster.local]), a pod's DNS name
// (<hostname>.<subdomain>.<ns>.svc[.cluster.local]) or a pod IP. Served on
// its own listener (--cluster-network-port) for an operator that reaches the
// FE "directly", as it does when deployed.

#include <string>

#include "tools/kubesim/fake_doris.h"
#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

class ClusterNetwork {
 public:
  ClusterNetwork(ObjectStore* store, FakeDoris* doris) : store_(store), doris_(doris) {}
  HttpResponse Handle(const HttpRequest& req);

 private:
  ObjectStore* store_;
  FakeDoris* doris_;
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_CLUSTER_NETWORK_H_
