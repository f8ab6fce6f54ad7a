#ifndef DORIS_OPERATOR_OPERATOR_ADMIN_SERVER_H_
#define DORIS_OPERATOR_OPERATOR_ADMIN_SERVER_H_

// The admin gRPC server: AdminService behind doris_operator.admin.v1.Admin,
// with server reflection (grpcurl, grpc_cli, python by reflection) and the
// standard grpc.health.v1 service. Loopback by default; any other address
// must have TLS and a bearer token, or the server refuses to start.

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "operator/admin/service.h"
#include "store/event_log.h"

namespace grpc {
class Server;
}

namespace doris_operator::admin {

struct AdminServerOptions {
  // host:port ("127.0.0.1:0" picks a free port), "[::1]:port" or unix:PATH.
  std::string address = "127.0.0.1:9443";
  // PEM files; both or neither. Required off loopback.
  std::string tls_cert_file;
  std::string tls_key_file;
  // A file holding the bearer token clients must send ("authorization:
  // Bearer TOKEN"), e.g. a mounted Secret key. Needs TLS; required off
  // loopback.
  std::string token_file;
  // gRPC message limits, enforced by gRPC with RESOURCE_EXHAUSTED ("...
  // larger than max (N vs. LIMIT)"). Requests are names, page tokens and
  // filters; answers are paged well below the send limit.
  int max_request_bytes = 1 << 20;
  int max_response_bytes = 16 << 20;
  AdminServiceOptions service;
};

// True for 127.0.0.0/8, ::1, localhost and unix: sockets.
bool IsLoopbackAddress(const std::string& address);

class AdminServer {
 public:
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(const store::EventLog* log,
                                                            AdminServerOptions options);
  ~AdminServer();

  int port() const { return port_; }
  // Ends streams (Tail, Export) and in-flight calls, then stops. Idempotent.
  void Shutdown();

 private:
  class Impl;
  AdminServer() = default;

  std::unique_ptr<AdminService> service_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<grpc::Server> server_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

}  // namespace doris_operator::admin

#endif  // DORIS_OPERATOR_OPERATOR_ADMIN_SERVER_H_
