#include "operator/admin/server.h"

#include <openssl/crypto.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "grpcpp/security/server_credentials.h"
#include "proto/admin.grpc.pb.h"

namespace doris_operator::admin {

namespace {

constexpr char kServiceName[] = "doris_operator.admin.v1.Admin";

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " ", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Checks "authorization: Bearer TOKEN" on every call of a TLS connection.
class TokenAuth : public grpc::AuthMetadataProcessor {
 public:
  explicit TokenAuth(std::string token) : expected_(absl::StrCat("Bearer ", token)) {}
  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext*, OutputMetadata* consumed,
                       OutputMetadata*) override {
    auto it = metadata.find("authorization");
    if (it == metadata.end()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "this admin API needs \"authorization: Bearer TOKEN\"");
    }
    const std::string got(it->second.data(), it->second.size());
    if (got.size() != expected_.size() ||
        CRYPTO_memcmp(got.data(), expected_.data(), got.size()) != 0) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bearer token does not match");
    }
    consumed->emplace("authorization", got);
    return grpc::Status::OK;
  }

 private:
  const std::string expected_;
};

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  if (absl::StartsWith(address, "unix:")) return true;
  std::string host = address;
  if (absl::StartsWith(host, "ipv4:")) host = host.substr(5);
  if (absl::StartsWith(host, "ipv6:")) host = host.substr(5);
  if (absl::StartsWith(host, "[")) {
    const size_t end = host.find(']');
    if (end == std::string::npos) return false;
    host = host.substr(1, end - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  host = absl::AsciiStrToLower(host);
  // 127.0.0.0/8 as a literal only: "127.0.0.1.example.com" may resolve anywhere.
  const bool ipv4_literal =
      !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
  return host == "localhost" || host == "::1" || (ipv4_literal && absl::StartsWith(host, "127."));
}

class AdminServer::Impl final : public v1::Admin::Service {
 public:
  Impl(const AdminService* service, const std::atomic<bool>* stopping)
      : service_(service), stopping_(stopping) {}

  grpc::Status History(grpc::ServerContext*, const v1::HistoryRequest* req,
                       v1::HistoryResponse* resp) override {
    return Unary(service_->History(*req), resp);
  }
  grpc::Status ListReconciles(grpc::ServerContext*, const v1::ListReconcilesRequest* req,
                              v1::ListReconcilesResponse* resp) override {
    return Unary(service_->ListReconciles(*req), resp);
  }
  grpc::Status GetReconcile(grpc::ServerContext*, const v1::GetReconcileRequest* req,
                            v1::GetReconcileResponse* resp) override {
    return Unary(service_->GetReconcile(*req), resp);
  }
  grpc::Status Replay(grpc::ServerContext*, const v1::ReplayRequest* req,
                      v1::ReplayResponse* resp) override {
    return Unary(service_->Replay(*req), resp);
  }
  grpc::Status Drift(grpc::ServerContext*, const v1::DriftRequest* req,
                     v1::DriftResponse* resp) override {
    return Unary(service_->Drift(*req), resp);
  }
  grpc::Status Tail(grpc::ServerContext* ctx, const v1::TailRequest* req,
                    grpc::ServerWriter<v1::TailResponse>* writer) override {
    return ToGrpc(service_->Tail(
        *req, [&](const v1::TailResponse& r) { return writer->Write(r); },
        [&] { return ctx->IsCancelled() || stopping_->load(); }));
  }
  grpc::Status Export(grpc::ServerContext* ctx, const v1::ExportRequest* req,
                      grpc::ServerWriter<v1::Bundle>* writer) override {
    return ToGrpc(service_->Export(*req, [&](const v1::Bundle& b) {
      return !ctx->IsCancelled() && !stopping_->load() && writer->Write(b);
    }));
  }

 private:
  template <typename T>
  static grpc::Status Unary(absl::StatusOr<T> result, T* out) {
    if (!result.ok()) return ToGrpc(result.status());
    *out = *std::move(result);
    return grpc::Status::OK;
  }

  const AdminService* service_;
  const std::atomic<bool>* stopping_;
};

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const store::EventLog* log,
                                                               AdminServerOptions options) {
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (tls && (options.tls_cert_file.empty() || options.tls_key_file.empty())) {
    return absl::InvalidArgumentError("admin API: TLS needs both a certificate and a key file");
  }
  if (!options.token_file.empty() && !tls) {
    return absl::InvalidArgumentError(
        "admin API: a bearer token needs TLS (it would travel in clear text)");
  }
  if (!IsLoopbackAddress(options.address) && (!tls || options.token_file.empty())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "admin API: refusing to serve on ", options.address,
        " without TLS and a bearer token; give a certificate, key and token file, or use a "
        "loopback address (127.0.0.1) with kubectl port-forward"));
  }
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (tls) {
    absl::StatusOr<std::string> cert = ReadFile(options.tls_cert_file, "TLS certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFile(options.tls_key_file, "TLS key");
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    creds = grpc::SslServerCredentials(ssl);
    if (!options.token_file.empty()) {
      absl::StatusOr<std::string> token = ReadFile(options.token_file, "bearer token file");
      if (!token.ok()) return token.status();
      const std::string t(absl::StripAsciiWhitespace(*token));
      if (t.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("admin API: bearer token file ", options.token_file, " is empty"));
      }
      creds->SetAuthMetadataProcessor(std::make_shared<TokenAuth>(t));
    }
  } else {
    creds = grpc::InsecureServerCredentials();
  }

  std::unique_ptr<AdminServer> server(new AdminServer());
  server->service_ = std::make_unique<AdminService>(log, options.service);
  server->impl_ = std::make_unique<Impl>(server->service_.get(), &server->stopping_);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC's default SO_REUSEPORT would let a second operator on this host
  // share the port silently; fail at start instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.SetMaxSendMessageSize(options.max_response_bytes);
  builder.AddListeningPort(options.address, creds, &server->port_);
  builder.RegisterService(server->impl_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("admin API: cannot listen on ", options.address,
                     " (address in use, or not an address of this host)"));
  }
  if (absl::StartsWith(options.address, "unix:")) server->port_ = 0;
  grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService();
  if (health != nullptr) {
    health->SetServingStatus(true);
    health->SetServingStatus(kServiceName, true);
  }
  return server;
}

void AdminServer::Shutdown() {
  if (server_ == nullptr || stopping_.exchange(true)) return;
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->Shutdown();
  }
  // Streams notice `stopping_` within a tail poll; give them a moment.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->Wait();
}

AdminServer::~AdminServer() { Shutdown(); }

}  // namespace doris_operator::admin
