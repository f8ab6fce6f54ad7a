#ifndef DORIS_OPERATOR_OPERATOR_DORIS_FE_CLIENT_H_
#define DORIS_OPERATOR_OPERATOR_DORIS_FE_CLIENT_H_

// Talks to a Doris FE's HTTP node-management API: lists nodes, decommissions
// and drops backends, drops frontends; and runs single SQL statements
// through its Statement Execution Action. Reaches the FE directly by its
// Service DNS name (in-cluster) or through the API server's service proxy
// (operator outside the cluster, and tests against kubesim).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "operator/doris/node_list.h"
#include "operator/doris/statement.h"
#include "operator/kube/client.h"

namespace doris_operator::doris {

// kDirect: by the Service's cluster DNS name and the pods' addresses, from
// inside the cluster (the default; deploy/ runs it). kApiServerProxy:
// through the API server's service and pod proxy; the API server consumes
// the Authorization header, so Doris credentials cannot be carried and the
// reconciler refuses it for clusters whose FE needs a password.
enum class Access { kDirect, kApiServerProxy };

struct FeClientOptions {
  // Tests only: every direct connection goes to this host:port instead of
  // the FE's address, keeping the URL and Host header (libcurl CONNECT_TO),
  // e.g. kubesim's cluster-network listener. Empty: the real address.
  std::string dial_override;
};

struct FeTarget {
  std::string ns;
  std::string cluster;  // DorisCluster name; the FE service is <cluster>-fe-service
  // The FE Service when it is not <cluster>-fe-service (a ddc's is <ddc>-fe).
  std::string service;
  int http_port = 8030;
  // One FE rather than the load-balanced Service (membership writes go to
  // the master): its pod, for the API server's pod proxy, and its host as
  // Doris lists it (FQDN or IP), for direct calls. Empty: the Service.
  std::string pod;
  std::string host;
  std::string user = "root";
  std::string password;  // never logged
};

class FeClient {
 public:
  // `kube` carries the proxied calls; direct calls use a client of their own.
  FeClient(Access access, kube::Client* kube, FeClientOptions options = {});
  Access access() const { return access_; }

  absl::StatusOr<std::vector<NodeRow>> Frontends(const FeTarget& t);
  absl::StatusOr<std::vector<NodeRow>> Backends(const FeTarget& t);
  absl::Status DecommissionBackends(const FeTarget& t, const std::vector<std::string>& host_ports);
  // A node the FE no longer lists counts as dropped: Doris drops a drained
  // backend by itself (drop_backend_after_decommission).
  absl::Status DropBackends(const FeTarget& t, const std::vector<std::string>& host_ports);
  absl::Status DropFrontend(const FeTarget& t, const std::string& role, const std::string& host_port);
  // One statement through the Statement Execution Action (any FE runs it;
  // a DDL is forwarded to the master by the FE). Not retried unless `read_only`.
  absl::StatusOr<StatementResult> ExecuteStatement(const FeTarget& t, const std::string& stmt, bool read_only);

 private:
  absl::StatusOr<std::string> Call(const FeTarget& t, const std::string& method,
                                   const std::string& path, const std::string& body,
                                   bool idempotent = false);

  // One keep-alive client per FE address (Service or pod), made on first use.
  absl::StatusOr<std::shared_ptr<kube::Client>> DirectClient(const std::string& server);

  const Access access_;
  kube::Client* const kube_;
  const FeClientOptions options_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<kube::Client>> direct_ ABSL_GUARDED_BY(mu_);
};

}  // namespace doris_operator::doris

#endif  // DORIS_OPERATOR_OPERATOR_DORIS_FE_CLIENT_H_
