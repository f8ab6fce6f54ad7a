#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_HTTP_SERVER_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_HTTP_SERVER_H_

// A small HTTP/1.1 server for the simulator: one thread per connection,
// keep-alive, Content-Length bodies, and chunked streaming responses (for
// watches). Plain HTTP or HTTPS (OpenSSL) on 127.0.0.1.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX, kept out of this header

namespace doris_operator::kubesim {

struct HttpRequest {
  std::string method;
  std::string path;   // without the query
  std::map<std::string, std::string> query;  // decoded
  std::map<std::string, std::string> headers;  // keys lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const;
};

// Writes a streaming response body chunk by chunk; Write returns false once
// the client has gone or the server is stopping.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  virtual bool Write(const std::string& chunk) = 0;
  virtual bool Stopping() const = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;
  // When set, the body is streamed (chunked) by this function instead.
  std::function<void(ChunkWriter&)> stream;
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  int port = 0;  // 0 picks a free port
  // Both set: serve HTTPS with this certificate chain and private key (PEM).
  std::string tls_cert_pem;
  std::string tls_key_pem;
};

class HttpServer {
 public:
  // Binds 127.0.0.1:port (0 picks a free port).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(int port, Handler handler);
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           Handler handler);
  ~HttpServer();

  int port() const { return port_; }
  bool tls() const { return ssl_ctx_ != nullptr; }
  void Stop();

 private:
  HttpServer(int fd, int port, Handler handler, ssl_ctx_st* ssl_ctx);
  void AcceptLoop();
  void Serve(int fd);

  const int listen_fd_;
  const int port_;
  const Handler handler_;
  ssl_ctx_st* const ssl_ctx_;  // owned; null for plain HTTP
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable idle_;
  int active_ = 0;  // connection threads still running (they are detached)
  std::vector<int> open_fds_;
};

std::string UrlDecode(const std::string& s);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_HTTP_SERVER_H_
