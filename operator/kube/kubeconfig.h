#ifndef DORIS_OPERATOR_OPERATOR_KUBE_KUBECONFIG_H_
#define DORIS_OPERATOR_OPERATOR_KUBE_KUBECONFIG_H_

// Where the API server is and how to authenticate to it: from a kubeconfig
// file (current context or a named one) or from inside a pod (service
// account token and CA). TLS is verified unless the kubeconfig says
// `insecure-skip-tls-verify: true`.

#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace doris_operator::kube {

struct ClusterConfig {
  std::string server;           // https://host:port (or http:// for tests)
  std::string ca_pem;           // trusted CA bundle; empty = system roots
  bool insecure_skip_tls_verify = false;
  std::string client_cert_pem;  // client certificate auth
  std::string client_key_pem;
  std::string bearer_token;
  // Where bearer_token came from, if a file: bound service account tokens
  // rotate, so the client re-reads it (as client-go does).
  std::string bearer_token_file;
  std::string namespace_;       // the context's default namespace ("default" if unset)
};

absl::StatusOr<ClusterConfig> LoadKubeconfig(const std::string& path,
                                             const std::string& context = "");

struct InClusterOptions {
  std::string token_path = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_path = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
  std::function<std::string(const char*)> getenv;  // null: the process environment
};

absl::StatusOr<ClusterConfig> InClusterConfig(const InClusterOptions& options = {});

}  // namespace doris_operator::kube

#endif  // DORIS_OPERATOR_OPERATOR_KUBE_KUBECONFIG_H_
