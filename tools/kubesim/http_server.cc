#include "tools/kubesim/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace doris_operator::kubesim {

namespace {

constexpr size_t kMaxHeaderBytes = 64 << 10;
constexpr size_t kMaxBodyBytes = 16 << 20;

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

class SocketChunkWriter : public ChunkWriter {
 public:
  SocketChunkWriter(int fd, const std::atomic<bool>* stopping) : fd_(fd), stopping_(stopping) {}
  bool Write(const std::string& chunk) override {
    if (Stopping() || chunk.empty()) return !Stopping();
    std::string frame = absl::StrCat(absl::Hex(chunk.size()), "\r\n", chunk, "\r\n");
    if (!SendAll(fd_, frame)) {
      gone_ = true;
      return false;
    }
    return true;
  }
  bool Stopping() const override {
    if (gone_ || stopping_->load()) return true;
    // A client that hung up shows as readable with 0 bytes.
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLIN))) {
      char c;
      if (recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) gone_ = true;
    }
    return gone_;
  }

 private:
  int fd_;
  const std::atomic<bool>* stopping_;
  mutable bool gone_ = false;
};

}  // namespace

std::string HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string UrlDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      if (absl::SimpleHexAtoi(s.substr(i + 1, 2), &v)) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(int port, Handler handler) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 128) != 0) {
    const std::string err = std::strerror(errno);
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot listen on 127.0.0.1:", port, ": ", err));
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::unique_ptr<HttpServer> server(new HttpServer(fd, ntohs(addr.sin_port), std::move(handler)));
  server->acceptor_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  return server;
}

HttpServer::HttpServer(int fd, int port, Handler handler)
    : listen_fd_(fd), port_(port), handler_(std::move(handler)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  if (acceptor_.joinable()) acceptor_.join();
  std::unique_lock<std::mutex> l(mu_);
  for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
  idle_.wait(l, [this] { return active_ == 0; });
}

void HttpServer::AcceptLoop() {
  while (!stopping_) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::lock_guard<std::mutex> l(mu_);
    open_fds_.push_back(fd);
    ++active_;
    std::thread([this, fd] { Serve(fd); }).detach();
  }
}

void HttpServer::Serve(int fd) {
  std::string buf;
  char chunk[16384];
  while (!stopping_) {
    // Read the head.
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (buf.size() > kMaxHeaderBytes) goto done;
      const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) goto done;
      buf.append(chunk, static_cast<size_t>(n));
    }
    {
      HttpRequest req;
      std::vector<std::string> lines = absl::StrSplit(buf.substr(0, head_end), "\r\n");
      std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
      if (first.size() < 2) goto done;
      req.method = first[0];
      const std::string target = first[1];
      const size_t q = target.find('?');
      req.path = UrlDecode(target.substr(0, q));
      if (q != std::string::npos) {
        for (absl::string_view kv : absl::StrSplit(target.substr(q + 1), '&', absl::SkipEmpty())) {
          const size_t eq = kv.find('=');
          req.query[UrlDecode(std::string(kv.substr(0, eq)))] =
              eq == absl::string_view::npos ? "" : UrlDecode(std::string(kv.substr(eq + 1)));
        }
      }
      for (size_t i = 1; i < lines.size(); ++i) {
        const size_t colon = lines[i].find(':');
        if (colon == std::string::npos) continue;
        req.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
            std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
      }
      size_t length = 0;
      if (!req.Header("content-length").empty() &&
          (!absl::SimpleAtoi(req.Header("content-length"), &length) || length > kMaxBodyBytes)) {
        goto done;
      }
      buf.erase(0, head_end + 4);
      while (buf.size() < length) {
        const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) goto done;
        buf.append(chunk, static_cast<size_t>(n));
      }
      req.body = buf.substr(0, length);
      buf.erase(0, length);

      HttpResponse resp = handler_(req);
      std::string head = absl::StrCat("HTTP/1.1 ", resp.status, " ", Reason(resp.status), "\r\n",
                                      "Content-Type: ", resp.content_type, "\r\n");
      for (const auto& [k, v] : resp.headers) absl::StrAppend(&head, k, ": ", v, "\r\n");
      if (resp.stream) {
        absl::StrAppend(&head, "Transfer-Encoding: chunked\r\n\r\n");
        if (!SendAll(fd, head)) goto done;
        SocketChunkWriter writer(fd, &stopping_);
        resp.stream(writer);
        SendAll(fd, "0\r\n\r\n");
        goto done;  // a finished watch closes the connection, as the API server does
      }
      absl::StrAppend(&head, "Content-Length: ", resp.body.size(), "\r\n\r\n");
      if (!SendAll(fd, head + resp.body)) goto done;
      if (absl::AsciiStrToLower(req.Header("connection")) == "close") goto done;
    }
  }
done:
  {
    // Forget the fd before closing it: accept() may hand the number out again.
    std::lock_guard<std::mutex> l(mu_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  }
  close(fd);
  std::lock_guard<std::mutex> l(mu_);
  if (--active_ == 0) idle_.notify_all();
}

}  // namespace doris_operator::kubesim
