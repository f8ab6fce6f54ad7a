#include "operator/metrics/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace doris_operator::metrics {
namespace {

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

void Send(int fd, const std::string& s) {
  ASSERT_EQ(send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
}

// Everything the server sends until it closes the connection.
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, n);
  return out;
}

std::string Get(int port, const std::string& path) {
  const int fd = Connect(port);
  Send(fd, absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string answer = ReadAll(fd);
  close(fd);
  return answer;
}

std::unique_ptr<MetricsServer> StartServer(MetricsServerOptions options = {}) {
  auto s = MetricsServer::Start("127.0.0.1:0", [](const std::string& path) {
    return path == "/healthz" ? Page{200, "text/plain", "ok\n"} : Page{404, "text/plain", "no\n"};
  }, options);
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(*s);
}

TEST(MetricsServerTest, ServesAGet) {
  auto server = StartServer();
  const std::string answer = Get(server->port(), "/healthz");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("\r\n\r\nok\n"), std::string::npos) << answer;
}

// A client sending one byte a second does not hold up a probe: /healthz is
// answered while that client is still connected and still sending. (With one
// thread serving connections in turn, the probe waited for the slow one.)
TEST(MetricsServerTest, SlowClientDoesNotHoldUpAProbe) {
  auto server = StartServer();
  const int slow = Connect(server->port());  // accepted before the probe
  std::atomic<bool> stop{false};
  std::atomic<bool> slow_finished{false};
  std::thread slow_client([&] {
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: a-slow-client\r\n\r\n";
    for (char ch : request) {
      if (stop) return;
      Send(slow, std::string(1, ch));
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    slow_finished = true;
  });
  const std::string answer = Get(server->port(), "/healthz");
  const bool slow_still_sending = !slow_finished;
  stop = true;
  slow_client.join();
  close(slow);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_TRUE(slow_still_sending) << "the probe was answered only after the slow client finished";
}

TEST(MetricsServerTest, RequestHeadLargerThanTheLimitIsRefused) {
  auto server = StartServer({.max_request_bytes = 1024});
  const int fd = Connect(server->port());
  Send(fd, absl::StrCat("GET /healthz HTTP/1.1\r\nX-Big: ", std::string(4096, 'a')));
  const std::string answer = ReadAll(fd);
  close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 431 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("limit of 1024 bytes"), std::string::npos) << answer;
}

TEST(MetricsServerTest, IncompleteRequestIsAnsweredAtTheDeadline) {
  auto server = StartServer({.request_timeout = absl::Milliseconds(300)});
  const int fd = Connect(server->port());
  Send(fd, "GET /healthz HTTP/1.1\r\n");  // never finished
  const std::string answer = ReadAll(fd);
  close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("limit of 300ms"), std::string::npos) << answer;
}

TEST(MetricsServerTest, ConnectionsBeyondTheLimitAreRefused) {
  auto server = StartServer({.max_connections = 2});
  const int a = Connect(server->port());
  const int b = Connect(server->port());
  Send(a, "G");  // both idle, both held open
  Send(b, "G");
  const std::string answer = Get(server->port(), "/healthz");  // accepted after a and b
  EXPECT_EQ(answer.rfind("HTTP/1.1 503 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("(limit 2)"), std::string::npos) << answer;
  close(a);
  close(b);
}

// Stopping the server does not wait for a client that never finishes.
TEST(MetricsServerTest, StopsWithAStuckClientConnected) {
  auto server = StartServer({.request_timeout = absl::Hours(1)});
  const int fd = Connect(server->port());
  Send(fd, "GET /");
  EXPECT_EQ(Get(server->port(), "/healthz").rfind("HTTP/1.1 200 OK", 0), 0u);
  server.reset();  // returns: the stuck connection is shut down
  EXPECT_EQ(ReadAll(fd), "");
  close(fd);
}

// Many probes at once, from many threads: all answered (run under TSan).
TEST(MetricsServerTest, ConcurrentClientsAreAllAnswered) {
  auto server = StartServer();
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        if (Get(server->port(), "/healthz").rfind("HTTP/1.1 200 OK", 0) == 0) ++ok;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(ok, 80);
}

}  // namespace
}  // namespace doris_operator::metrics
