#ifndef DORIS_OPERATOR_OPERATOR_METRICS_METRICS_SERVER_H_
#define DORIS_OPERATOR_OPERATOR_METRICS_METRICS_SERVER_H_

// A small HTTP/1.0-style server for /metrics, /healthz and /readyz: one
// short GET per connection, which is all Prometheus and kubelet probes need.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace doris_operator::metrics {

struct Page {
  int code = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using PageHandler = std::function<Page(const std::string& path)>;

class MetricsServer {
 public:
  // `address` is host:port ("127.0.0.1:8080"; port 0 picks one).
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& address,
                                                              PageHandler handler);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  MetricsServer(int fd, int port, PageHandler handler);
  void Loop();

  const int fd_;
  const int port_;
  const PageHandler handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace doris_operator::metrics

#endif  // DORIS_OPERATOR_OPERATOR_METRICS_METRICS_SERVER_H_
