#include "tools/kubesim/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace doris_operator::kubesim {

namespace {

constexpr size_t kMaxHeaderBytes = 64 << 10;
// kube-apiserver's --max-request-bytes default (MaxRequestBodyBytes,
// k8s.io/apiserver/pkg/server/config.go); a larger body is answered 413
// (limitedReadBody, k8s.io/apiserver/pkg/endpoints/handlers/rest.go).
constexpr size_t kMaxBodyBytes = 3 << 20;
// Past the limit, this much more is read and dropped so the client gets to
// read the 413 instead of a reset; beyond it the connection just closes.
constexpr size_t kMaxDiscardBytes = 64 << 20;

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
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

// One accepted connection, plain or TLS. Used by its connection thread only;
// Stop() merely shuts the socket down underneath it.
class Conn {
 public:
  virtual ~Conn() = default;
  // >0 bytes read, 0 on orderly close, <0 on error.
  virtual ssize_t Read(char* buf, size_t n) = 0;
  virtual bool WriteAll(const std::string& data) = 0;
  // Without blocking: has the client hung up?
  virtual bool PeerGone() = 0;
};

class PlainConn : public Conn {
 public:
  explicit PlainConn(int fd) : fd_(fd) {}
  ssize_t Read(char* buf, size_t n) override {
    for (;;) {
      const ssize_t r = recv(fd_, buf, n, 0);
      if (r < 0 && errno == EINTR) continue;
      return r;
    }
  }
  bool WriteAll(const std::string& data) override {
    size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  bool PeerGone() override {
    // A client that hung up shows as readable with 0 bytes.
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLIN))) {
      char c;
      return recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
    }
    return false;
  }

 private:
  const int fd_;
};

class TlsConn : public Conn {
 public:
  TlsConn(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~TlsConn() override {
    // close_notify is a courtesy; skipped after a fatal error, where OpenSSL
    // forbids it.
    if (!broken_) {
      ERR_clear_error();
      SSL_shutdown(ssl_);
    }
    SSL_free(ssl_);
    ERR_clear_error();
  }

  bool Handshake() {
    ERR_clear_error();
    if (SSL_accept(ssl_) == 1) return true;
    broken_ = true;
    return false;
  }
  ssize_t Read(char* buf, size_t n) override {
    ERR_clear_error();
    const int r = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(n, INT32_MAX)));
    if (r > 0) return r;
    if (SSL_get_error(ssl_, r) == SSL_ERROR_ZERO_RETURN) return 0;
    broken_ = true;
    return -1;
  }
  bool WriteAll(const std::string& data) override {
    if (broken_) return false;
    if (data.empty()) return true;
    ERR_clear_error();
    // SSL_MODE_ENABLE_PARTIAL_WRITE is off, so a blocking SSL_write writes
    // everything or fails.
    if (SSL_write(ssl_, data.data(), static_cast<int>(data.size())) > 0) return true;
    broken_ = true;
    return false;
  }
  bool PeerGone() override {
    if (broken_) return true;
    pollfd p{fd_, POLLIN, 0};
    if (SSL_pending(ssl_) > 0 || poll(&p, 1, 0) <= 0) return false;
    // Something arrived: application data, a TLS close_notify, or EOF. Only
    // OpenSSL can tell, so peek through it without blocking.
    const int flags = fcntl(fd_, F_GETFL);
    fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
    ERR_clear_error();
    char c;
    const int r = SSL_peek(ssl_, &c, 1);
    const int err = SSL_get_error(ssl_, r);
    fcntl(fd_, F_SETFL, flags);
    if (r > 0 || err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      ERR_clear_error();
      return false;
    }
    if (err != SSL_ERROR_ZERO_RETURN) broken_ = true;
    return true;
  }

 private:
  const int fd_;
  SSL* const ssl_;
  bool broken_ = false;
};

class ConnChunkWriter : public ChunkWriter {
 public:
  ConnChunkWriter(Conn* conn, const std::atomic<bool>* stopping) : conn_(conn), stopping_(stopping) {}
  bool Write(const std::string& chunk) override {
    if (Stopping() || chunk.empty()) return !Stopping();
    std::string frame = absl::StrCat(absl::Hex(chunk.size()), "\r\n", chunk, "\r\n");
    if (!conn_->WriteAll(frame)) {
      gone_ = true;
      return false;
    }
    return true;
  }
  bool Stopping() const override {
    if (gone_ || stopping_->load()) return true;
    if (conn_->PeerGone()) gone_ = true;
    return gone_;
  }

 private:
  Conn* const conn_;
  const std::atomic<bool>* stopping_;
  mutable bool gone_ = false;
};

absl::Status SslError(const std::string& what) {
  const unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return absl::InvalidArgumentError(absl::StrCat("tls: ", what, ": ", buf));
}

absl::StatusOr<SSL_CTX*> NewServerContext(const std::string& cert_pem, const std::string& key_pem) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return SslError("SSL_CTX_new");
  auto fail = [ctx](const std::string& what) {
    absl::Status s = SslError(what);
    SSL_CTX_free(ctx);
    return s;
  };
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = bio == nullptr ? nullptr : PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return fail("reading the certificate");
  const int cert_ok = SSL_CTX_use_certificate(ctx, cert);
  X509_free(cert);
  if (cert_ok != 1) return fail("using the certificate");
  bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = bio == nullptr ? nullptr : PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return fail("reading the private key");
  const int key_ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (key_ok != 1 || SSL_CTX_check_private_key(ctx) != 1) return fail("using the private key");
  return ctx;
}

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
  HttpServerOptions options;
  options.port = port;
  return Start(options, std::move(handler));
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              Handler handler) {
  const int port = options.port;
  SSL_CTX* ssl_ctx = nullptr;
  if (!options.tls_cert_pem.empty() || !options.tls_key_pem.empty()) {
    absl::StatusOr<SSL_CTX*> ctx = NewServerContext(options.tls_cert_pem, options.tls_key_pem);
    if (!ctx.ok()) return ctx.status();
    ssl_ctx = *ctx;
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    SSL_CTX_free(ssl_ctx);
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 128) != 0) {
    const std::string err = std::strerror(errno);
    close(fd);
    SSL_CTX_free(ssl_ctx);
    return absl::UnavailableError(absl::StrCat("cannot listen on 127.0.0.1:", port, ": ", err));
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::unique_ptr<HttpServer> server(new HttpServer(fd, ntohs(addr.sin_port), std::move(handler), ssl_ctx));
  server->acceptor_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  return server;
}

HttpServer::HttpServer(int fd, int port, Handler handler, SSL_CTX* ssl_ctx)
    : listen_fd_(fd), port_(port), handler_(std::move(handler)), ssl_ctx_(ssl_ctx) {}

HttpServer::~HttpServer() {
  Stop();
  SSL_CTX_free(ssl_ctx_);
}

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

namespace {

// kube-apiserver's answer to a body over the limit
// (errors.NewRequestEntityTooLargeError); the connection closes after it.
void AnswerTooLarge(Conn& conn) {
  const std::string body = absl::StrCat(
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)",
      R"("message":"Request entity too large: limit is )", kMaxBodyBytes,
      R"(","reason":"RequestEntityTooLarge","code":413})");
  conn.WriteAll(absl::StrCat("HTTP/1.1 413 ", Reason(413),
                             "\r\nContent-Type: application/json\r\nContent-Length: ",
                             body.size(), "\r\nConnection: close\r\n\r\n", body));
}

// Requests on one connection until the client or the server ends it.
void ServeRequests(Conn& conn, const Handler& handler, const std::atomic<bool>& stopping) {
  std::string buf;
  char chunk[16384];
  while (!stopping) {
    // Read the head.
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (buf.size() > kMaxHeaderBytes) return;
      const ssize_t n = conn.Read(chunk, sizeof(chunk));
      if (n <= 0) return;
      buf.append(chunk, static_cast<size_t>(n));
    }
    {
      HttpRequest req;
      std::vector<std::string> lines = absl::StrSplit(buf.substr(0, head_end), "\r\n");
      std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
      if (first.size() < 2) return;
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
          !absl::SimpleAtoi(req.Header("content-length"), &length)) {
        return;
      }
      buf.erase(0, head_end + 4);
      if (length > kMaxBodyBytes) {
        for (size_t dropped = buf.size(); dropped < std::min(length, kMaxBodyBytes + kMaxDiscardBytes);) {
          const ssize_t n = conn.Read(chunk, sizeof(chunk));
          if (n <= 0) break;
          dropped += static_cast<size_t>(n);
        }
        AnswerTooLarge(conn);
        return;
      }
      // A body of unknown length comes chunked, as Go's client sends a
      // streamed one (`kubectl create --raw -f FILE`); Go's server decodes it.
      if (absl::AsciiStrToLower(req.Header("transfer-encoding")).find("chunked") != std::string::npos) {
        auto fill = [&](size_t want) {
          while (buf.size() < want) {
            const ssize_t n = conn.Read(chunk, sizeof(chunk));
            if (n <= 0) return false;
            buf.append(chunk, static_cast<size_t>(n));
          }
          return true;
        };
        for (;;) {
          size_t eol;
          while ((eol = buf.find("\r\n")) == std::string::npos) {
            if (buf.size() > kMaxHeaderBytes || !fill(buf.size() + 1)) return;
          }
          size_t size = 0;
          const std::string hex = buf.substr(0, std::min(eol, buf.find(';')));
          if (!absl::SimpleHexAtoi(hex, &size)) return;
          if (req.body.size() + size > kMaxBodyBytes) {
            AnswerTooLarge(conn);
            return;
          }
          buf.erase(0, eol + 2);
          if (size == 0) {
            // Trailers, if any, end with an empty line.
            size_t end;
            while ((end = buf.find("\r\n")) != 0) {
              if (end != std::string::npos) {
                buf.erase(0, end + 2);
              } else if (buf.size() > kMaxHeaderBytes || !fill(buf.size() + 1)) {
                return;
              }
            }
            buf.erase(0, 2);
            break;
          }
          if (!fill(size + 2)) return;
          req.body.append(buf, 0, size);
          buf.erase(0, size + 2);
        }
      }
      while (buf.size() < length) {
        const ssize_t n = conn.Read(chunk, sizeof(chunk));
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      if (length > 0) req.body = buf.substr(0, length);
      buf.erase(0, length);

      HttpResponse resp = handler(req);
      std::string head = absl::StrCat("HTTP/1.1 ", resp.status, " ", Reason(resp.status), "\r\n",
                                      "Content-Type: ", resp.content_type, "\r\n");
      for (const auto& [k, v] : resp.headers) absl::StrAppend(&head, k, ": ", v, "\r\n");
      if (resp.stream) {
        absl::StrAppend(&head, "Transfer-Encoding: chunked\r\n\r\n");
        if (!conn.WriteAll(head)) return;
        ConnChunkWriter writer(&conn, &stopping);
        resp.stream(writer);
        conn.WriteAll("0\r\n\r\n");
        return;  // a finished watch closes the connection, as the API server does
      }
      absl::StrAppend(&head, "Content-Length: ", resp.body.size(), "\r\n\r\n");
      if (!conn.WriteAll(head + resp.body)) return;
      if (absl::AsciiStrToLower(req.Header("connection")) == "close") return;
    }
  }
}

}  // namespace

void HttpServer::Serve(int fd) {
  // SSL_write reaches the socket through write(), which raises SIGPIPE when
  // the client has gone; blocked here, the signal stays with this thread and
  // is dropped when it exits.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  if (ssl_ctx_ == nullptr) {
    PlainConn conn(fd);
    ServeRequests(conn, handler_, stopping_);
  } else if (SSL* ssl = SSL_new(ssl_ctx_); ssl != nullptr && SSL_set_fd(ssl, fd) == 1) {
    TlsConn conn(fd, ssl);
    // A client that does not trust the CA aborts here; nothing to answer.
    if (conn.Handshake()) ServeRequests(conn, handler_, stopping_);
  } else {
    SSL_free(ssl);
    ERR_clear_error();
  }
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
