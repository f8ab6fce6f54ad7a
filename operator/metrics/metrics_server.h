#ifndef DORIS_OPERATOR_OPERATOR_METRICS_METRICS_SERVER_H_
#define DORIS_OPERATOR_OPERATOR_METRICS_METRICS_SERVER_H_

// A small HTTP/1.0-style server for /metrics, /healthz and /readyz: one
// short GET per connection, which is all Prometheus and kubelet probes need.
// Each connection is served on its own thread, so a slow or stuck client
// cannot delay a probe; limits bound what one client can cost.

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace doris_operator::metrics {

struct Page {
  int code = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using PageHandler = std::function<Page(const std::string& path)>;

struct MetricsServerOptions {
  // Connections served at once; one more is answered 503 and closed.
  int max_connections = 32;
  // A request head (request line and headers) larger than this is answered
  // 431: a GET needs a few hundred bytes.
  size_t max_request_bytes = 16 << 10;
  // Whole-request deadline: a client still sending its head after this is
  // answered 408 and closed (a per-read timeout would let a client that
  // sends one byte a second hold its connection for ever).
  absl::Duration request_timeout = absl::Seconds(10);
};

class MetricsServer {
 public:
  // `address` is host:port ("127.0.0.1:8080"; port 0 picks one).
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& address,
                                                              PageHandler handler,
                                                              MetricsServerOptions options = {});
  ~MetricsServer();
  int port() const { return port_; }

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  MetricsServer(int fd, int port, PageHandler handler, MetricsServerOptions options);
  void AcceptLoop();
  void Serve(int fd);
  // Joins the threads of connections that have finished.
  void Reap();

  const int fd_;
  const int port_;
  const PageHandler handler_;
  const MetricsServerOptions options_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::list<Connection> connections_ ABSL_GUARDED_BY(mu_);
  std::thread accept_thread_;
};

}  // namespace doris_operator::metrics

#endif  // DORIS_OPERATOR_OPERATOR_METRICS_METRICS_SERVER_H_
