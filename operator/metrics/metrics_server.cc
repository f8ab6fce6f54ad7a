#include "operator/metrics/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace doris_operator::metrics {

namespace {

void WriteAll(int fd, const std::string& out) {
  for (size_t off = 0; off < out.size();) {
    const ssize_t n = send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += n;
  }
}

std::string Answer(const Page& page) {
  return absl::StrCat("HTTP/1.1 ", page.code, page.code == 200 ? " OK" : " Error",
                      "\r\nContent-Type: ", page.content_type, "\r\nContent-Length: ",
                      page.body.size(), "\r\nConnection: close\r\n\r\n", page.body);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& address,
                                                                    PageHandler handler,
                                                                    MetricsServerOptions options) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address \"", address, "\": want host:port, e.g. 127.0.0.1:8080"));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  const std::string host = address.substr(0, colon);
  if (inet_pton(AF_INET, host.empty() ? "0.0.0.0" : host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address \"", address, "\": host must be an IPv4 address"));
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 64) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(fd, ntohs(addr.sin_port), std::move(handler), options));
}

MetricsServer::MetricsServer(int fd, int port, PageHandler handler, MetricsServerOptions options)
    : fd_(fd), port_(port), handler_(std::move(handler)), options_(options) {
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

MetricsServer::~MetricsServer() {
  stop_ = true;
  accept_thread_.join();
  close(fd_);
  // Wake connections blocked on a slow client.
  std::list<Connection> connections;
  {
    absl::MutexLock lock(&mu_);
    for (Connection& c : connections_) shutdown(c.fd, SHUT_RDWR);
    connections.splice(connections.end(), connections_);
  }
  for (Connection& c : connections) {
    c.thread.join();
    close(c.fd);
  }
}

void MetricsServer::Reap() {
  std::list<Connection> finished;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      auto next = std::next(it);
      if (it->done) finished.splice(finished.end(), connections_, it);
      it = next;
    }
  }
  for (Connection& c : finished) {
    c.thread.join();
    close(c.fd);
  }
}

void MetricsServer::AcceptLoop() {
  while (!stop_) {
    Reap();
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    absl::MutexLock lock(&mu_);
    if (connections_.size() >= static_cast<size_t>(options_.max_connections)) {
      // Answered here, without reading: the kernel buffers this small write.
      WriteAll(c, Answer({503, "text/plain",
                          absl::StrCat("too many connections to the metrics server (limit ",
                                       options_.max_connections, ")\n")}));
      close(c);
      continue;
    }
    Connection& conn = connections_.emplace_back();
    conn.fd = c;
    conn.thread = std::thread([this, c, &conn] {
      Serve(c);
      conn.done = true;
    });
  }
}

void MetricsServer::Serve(int c) {
  const absl::Time deadline = absl::Now() + options_.request_timeout;
  std::string request;
  char buf[2048];
  Page page;
  bool complete = false;
  while (!(complete = request.find("\r\n\r\n") != std::string::npos)) {
    if (request.size() > options_.max_request_bytes) {
      page = {431, "text/plain",
              absl::StrCat("request head is larger than the metrics server's limit of ",
                           options_.max_request_bytes, " bytes\n")};
      break;
    }
    const absl::Duration left = deadline - absl::Now();
    pollfd p{c, POLLIN, 0};
    if (left <= absl::ZeroDuration() ||
        poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1) == 0) {
      page = {408, "text/plain",
              absl::StrCat("request not complete within the metrics server's limit of ",
                           absl::FormatDuration(options_.request_timeout), "\n")};
      break;
    }
    const ssize_t n = read(c, buf, sizeof buf);
    if (n <= 0) break;  // closed by the client, or by ~MetricsServer
    request.append(buf, n);
  }
  if (complete) {
    const size_t sp1 = request.find(' ');
    const size_t sp2 = sp1 == std::string::npos ? sp1 : request.find(' ', sp1 + 1);
    if (request.rfind("GET ", 0) != 0 || sp2 == std::string::npos) {
      page = {405, "text/plain", "only GET is served here\n"};
    } else {
      std::string path = request.substr(sp1 + 1, sp2 - sp1 - 1);
      path = path.substr(0, path.find('?'));
      page = handler_(path);
    }
  }
  if (complete || !page.body.empty()) WriteAll(c, Answer(page));
  // The thread that joins this one closes the descriptor, so that
  // ~MetricsServer never shuts down a number already reused elsewhere.
  shutdown(c, SHUT_RDWR);
}

}  // namespace doris_operator::metrics
