#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_TLS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_TLS_H_

// Credentials kubesim makes up at start for --tls: a throwaway CA, a server
// certificate for 127.0.0.1/localhost signed by it, and the bearer token
// clients must present. Nothing is read from or written to disk here.

#include <string>

#include "absl/status/statusor.h"

namespace doris_operator::kubesim {

struct TlsMaterial {
  std::string ca_cert_pem;
  std::string server_cert_pem;
  std::string server_key_pem;
};

// A fresh P-256 CA (valid one year) and a server certificate with SAN
// IP:127.0.0.1 and DNS:localhost, strict enough for Go's and Python's
// verifiers.
absl::StatusOr<TlsMaterial> GenerateTlsMaterial();

// 64 hex characters from the system's CSPRNG.
absl::StatusOr<std::string> RandomToken();

// The same 64 hex characters for the same seed, so a test or a sandbox can
// know the token without reading the kubeconfig.
std::string TokenFromSeed(const std::string& seed);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_TLS_H_
