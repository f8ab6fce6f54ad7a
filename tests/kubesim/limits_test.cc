// kube-apiserver's limits on what a request may carry, over real HTTP:
// bodies over --max-request-bytes (3 MiB) are answered 413 with its Status,
// Content-Length or chunked; JSON nested past 10000 levels is a 400.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/http_server.h"

namespace doris_operator::kubesim {
namespace {

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = HttpServer::Start(0, [this](const HttpRequest& r) { return api_.Handle(r); });
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
  }

  // Sends `request` as is; the whole answer, until the server closes or
  // has sent Content-Length bytes of body.
  std::string Exchange(const std::string& request) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_->port());
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    for (size_t off = 0; off < request.size();) {
      const ssize_t n = send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += n;
    }
    std::string answer;
    char buf[8192];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
      answer.append(buf, n);
      const size_t head = answer.find("\r\n\r\n");
      const size_t cl = answer.find("Content-Length: ");
      if (head != std::string::npos && cl != std::string::npos && cl < head &&
          answer.size() >= head + 4 + std::stoul(answer.substr(cl + 16))) {
        break;
      }
    }
    close(fd);
    return answer;
  }

  static std::string Cm(const std::string& value) {
    return absl::StrCat(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":")",
                        value, R"("}})");
  }

  ApiServer api_;
  std::unique_ptr<HttpServer> server_;
  const std::string cms_ = "/api/v1/namespaces/default/configmaps";
};

TEST_F(LimitsTest, ABodyOverThreeMebibytesIs413) {
  const std::string body = Cm(std::string(3 << 20, 'x'));
  const std::string answer = Exchange(absl::StrCat(
      "POST ", cms_, " HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nContent-Length: ",
      body.size(), "\r\n\r\n", body));
  EXPECT_EQ(answer.rfind("HTTP/1.1 413 ", 0), 0u) << answer.substr(0, 300);
  EXPECT_NE(answer.find(R"("reason":"RequestEntityTooLarge")"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Request entity too large: limit is 3145728"), std::string::npos) << answer;
}

TEST_F(LimitsTest, AChunkedBodyOverThreeMebibytesIs413) {
  std::string request = absl::StrCat("POST ", cms_,
                                     " HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
                                     "Transfer-Encoding: chunked\r\n\r\n");
  const std::string piece(1 << 20, 'x');
  for (int i = 0; i < 4; ++i) absl::StrAppend(&request, absl::Hex(piece.size()), "\r\n", piece, "\r\n");
  absl::StrAppend(&request, "0\r\n\r\n");
  const std::string answer = Exchange(request);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413 ", 0), 0u) << answer.substr(0, 300);
  EXPECT_NE(answer.find("limit is 3145728"), std::string::npos) << answer;
}

TEST_F(LimitsTest, ABodyAtTheLimitIsRead) {
  // Just under the limit: read and judged on its content (a ConfigMap over
  // 1 MiB of data is refused by validation, not by size).
  const std::string body = Cm(std::string((3 << 20) - 200, 'x'));
  ASSERT_LE(body.size(), 3u << 20);
  const std::string answer = Exchange(absl::StrCat(
      "POST ", cms_, " HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nContent-Length: ",
      body.size(), "\r\nConnection: close\r\n\r\n", body));
  EXPECT_EQ(answer.find("RequestEntityTooLarge"), std::string::npos) << answer.substr(0, 300);
  EXPECT_NE(answer.rfind("HTTP/1.1 ", 0), std::string::npos);
}

TEST_F(LimitsTest, JsonNestedPastTenThousandLevelsIs400) {
  const std::string body = absl::StrCat(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"x":)",
                                        std::string(10001, '['), std::string(10001, ']'), "}");
  const std::string answer = Exchange(absl::StrCat(
      "POST ", cms_, " HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\nContent-Length: ",
      body.size(), "\r\nConnection: close\r\n\r\n", body));
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer.substr(0, 300);
  EXPECT_NE(answer.find("exceeded max depth of 10000"), std::string::npos) << answer;
}

}  // namespace
}  // namespace doris_operator::kubesim
