#include "operator/kube/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "operator/kube/watch_stream.h"
#include "translator/canonical_json.h"

namespace doris_operator::kube {

namespace {

using Json = nlohmann::json;

struct CurlInit {
  CurlInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

void EnsureCurlInit() { static CurlInit once; }

// Collects a response body up to a limit; a short count ends the transfer.
struct BodySink {
  std::string* body = nullptr;
  size_t limit = 0;
  bool over = false;
};

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * n > sink->limit) {
    sink->over = true;
    return 0;
  }
  sink->body->append(data, size * n);
  return size * n;
}

struct HeaderCapture {
  std::string retry_after;
};

size_t CaptureHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos &&
      absl::AsciiStrToLower(line.substr(0, colon)) == "retry-after") {
    static_cast<HeaderCapture*>(user)->retry_after =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

bool Retryable(int code) { return code == 429 || code == 500 || code == 502 || code == 503 || code == 504; }

absl::StatusCode CodeFor(int http) {
  switch (http) {
    case 400:
    case 422:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAborted;
    case 410:
      return absl::StatusCode::kOutOfRange;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 504:
      return absl::StatusCode::kDeadlineExceeded;
    default:
      return http >= 500 ? absl::StatusCode::kUnavailable : absl::StatusCode::kUnknown;
  }
}

absl::StatusOr<Json> ParseOk(const absl::StatusOr<Response>& r, const std::string& what) {
  if (!r.ok()) return r.status();
  if (r->code < 200 || r->code >= 300) return StatusFromResponse(*r, what);
  if (absl::Status deep = translator::CheckJsonDepth(r->body); !deep.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": the API server's answer: ", deep.message()));
  }
  Json body = Json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return absl::InternalError(absl::StrCat(what, ": the API server sent a body that is not JSON"));
  }
  return body;
}

}  // namespace

struct Client::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

Client::Client(ClusterConfig config, ClientOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      tokens_(std::max(1, options_.burst)),
      last_refill_(absl::Now()) {
  for (const std::string& c : options_.connect_to) connect_to_ = curl_slist_append(connect_to_, c.c_str());
}

Client::~Client() {
  {
    absl::MutexLock lock(&mu_);
    idle_.clear();  // handles first: they may point at connect_to_
  }
  if (connect_to_ != nullptr) curl_slist_free_all(connect_to_);
}

absl::StatusOr<std::unique_ptr<Client>> Client::Create(ClusterConfig config,
                                                       ClientOptions options) {
  EnsureCurlInit();
  if (config.server.empty()) return absl::InvalidArgumentError("kube client: no server address");
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  if (options.qps <= 0) return absl::InvalidArgumentError("kube client: qps must be > 0");
  return std::unique_ptr<Client>(new Client(std::move(config), std::move(options)));
}

std::unique_ptr<Client::Handle> Client::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      auto h = std::move(idle_.back());
      idle_.pop_back();
      return h;
    }
  }
  auto h = std::make_unique<Handle>();
  h->curl = curl_easy_init();
  return h;
}

void Client::Release(std::unique_ptr<Handle> handle) {
  absl::MutexLock lock(&mu_);
  if (idle_.size() < 32) idle_.push_back(std::move(handle));
}

void Client::WaitForToken() {
  for (;;) {
    absl::Duration wait;
    {
      absl::MutexLock lock(&mu_);
      const absl::Time now = absl::Now();
      tokens_ = std::min<double>(std::max(1, options_.burst),
                                 tokens_ + absl::ToDoubleSeconds(now - last_refill_) * options_.qps);
      last_refill_ = now;
      if (tokens_ >= 1) {
        tokens_ -= 1;
        return;
      }
      wait = absl::Seconds((1 - tokens_) / options_.qps);
    }
    absl::SleepFor(wait);
  }
}

absl::Status Client::Configure(Handle& h, const Request& request, const std::string& url) {
  CURL* c = h.curl;
  if (c == nullptr) return absl::InternalError("kube client: curl_easy_init failed");
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  if (connect_to_ != nullptr) curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to_);
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }
  if (!config_.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(config_.ca_pem.data()), config_.ca_pem.size(),
                   CURL_BLOB_COPY};
    curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (config_.insecure_skip_tls_verify) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!config_.client_cert_pem.empty()) {
    curl_blob cert{const_cast<char*>(config_.client_cert_pem.data()),
                   config_.client_cert_pem.size(), CURL_BLOB_COPY};
    curl_blob key{const_cast<char*>(config_.client_key_pem.data()), config_.client_key_pem.size(),
                  CURL_BLOB_COPY};
    curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  }
  return absl::OkStatus();
}

namespace {

curl_slist* Headers(const std::string& bearer_token, const Request& request) {
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!request.body.empty() || request.method != "GET") {
    headers = curl_slist_append(headers, absl::StrCat("Content-Type: ", request.content_type).c_str());
  }
  bool own_auth = false;
  for (const std::string& h : request.headers) {
    headers = curl_slist_append(headers, h.c_str());
    if (absl::StartsWithIgnoreCase(h, "authorization:")) own_auth = true;
  }
  if (!own_auth && !bearer_token.empty()) {
    headers = curl_slist_append(headers, absl::StrCat("Authorization: Bearer ", bearer_token).c_str());
  }
  // libcurl would otherwise send "Expect: 100-continue" for large bodies and
  // wait for an answer the API server does not give.
  headers = curl_slist_append(headers, "Expect:");
  return headers;
}

}  // namespace

std::string Client::BearerToken() {
  absl::MutexLock lock(&token_mu_);
  if (config_.bearer_token_file.empty()) return config_.bearer_token;
  const absl::Time now = absl::Now();
  if (token_.empty() || now - token_read_at_ >= options_.token_file_reread) {
    std::ifstream in(config_.bearer_token_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string token(absl::StripAsciiWhitespace(text.str()));
    if (in && !token.empty()) {
      token_ = token;
    } else if (token_.empty()) {
      token_ = config_.bearer_token;
    }
    token_read_at_ = now;
  }
  return token_;
}

absl::StatusOr<Response> Client::Do(const Request& request) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::string url = config_.server + request.path;
  const bool write = request.method != "GET";
  const bool idempotent = request.idempotent || request.method == "GET" ||
                          request.method == "PUT" || request.method == "DELETE";
  if (request.body.size() > options_.max_request_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        request.method, " ", request.path, ": the request body of ", request.body.size(),
        " bytes is larger than the client's limit of ", options_.max_request_bytes, " bytes"));
  }
  std::string last_error;
  for (int attempt = 0;; ++attempt) {
    WaitForToken();
    // Asked before every attempt, after any wait: leadership can be lost
    // while a write is retried or queued behind the rate limiter.
    if (write && !WritesAllowed()) {
      return absl::FailedPreconditionError(absl::StrCat(
          request.method, " ", request.path, ": writes are not allowed (not the leader)"));
    }
    std::unique_ptr<Handle> h = Acquire();
    absl::Status configured = Configure(*h, request, url);
    if (!configured.ok()) return configured;
    curl_slist* headers = Headers(BearerToken(), request);
    Response response;
    BodySink sink{&response.body, options_.max_response_bytes};
    HeaderCapture captured;
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, CaptureHeader);
    curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &captured);
    const absl::Duration timeout =
        write ? std::min(options_.request_timeout, options_.write_attempt_timeout) : options_.request_timeout;
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout)));
    const CURLcode rc = curl_easy_perform(h->curl);
    long code = 0;
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    Release(std::move(h));
    response.code = static_cast<int>(code);
    if (options_.on_response) options_.on_response(request.method, rc == CURLE_OK ? response.code : -1);
    if (sink.over) {
      // Asking again would fetch the same bytes.
      return absl::ResourceExhaustedError(absl::StrCat(
          request.method, " ", request.path, ": the answer is larger than the client's limit of ",
          options_.max_response_bytes, " bytes"));
    }

    bool retry = false;
    absl::Duration server_wait = absl::ZeroDuration();
    if (rc != CURLE_OK) {
      last_error = curl_easy_strerror(rc);
      // Nothing was sent when the connection could not be made, so even a
      // POST is safe to repeat then.
      retry = idempotent || rc == CURLE_COULDNT_CONNECT;
    } else if (Retryable(response.code)) {
      last_error = absl::StrCat("HTTP ", response.code);
      retry = idempotent || response.code == 429;
      int seconds = 0;
      if (absl::SimpleAtoi(captured.retry_after, &seconds) && seconds > 0) {
        server_wait = absl::Seconds(std::min(seconds, 60));
      }
    } else {
      return response;
    }
    if (!retry || attempt >= options_.max_retries) {
      if (rc == CURLE_OK) return response;
      return absl::UnavailableError(
          absl::StrCat(request.method, " ", request.path, ": ", last_error));
    }
    // Full jitter over an exponentially growing, capped window.
    const double window = std::min(absl::ToDoubleSeconds(options_.retry_max),
                                   absl::ToDoubleSeconds(options_.retry_base) * std::ldexp(1.0, attempt));
    std::uniform_real_distribution<double> jitter(0, window);
    absl::SleepFor(std::max(server_wait, absl::Seconds(jitter(rng))));
  }
}

absl::Status StatusFromResponse(const Response& response, const std::string& what) {
  Json body = Json::parse(response.body, nullptr, false);
  std::string message;
  std::string reason;
  if (body.is_object()) {
    if (body.contains("message") && body["message"].is_string()) message = body["message"].get<std::string>();
    if (body.contains("reason") && body["reason"].is_string()) reason = body["reason"].get<std::string>();
  }
  if (message.empty()) message = response.body.substr(0, 200);
  absl::StatusCode code = CodeFor(response.code);
  if (reason == "AlreadyExists") code = absl::StatusCode::kAlreadyExists;
  return absl::Status(code, absl::StrCat(what, ": HTTP ", response.code,
                                         reason.empty() ? "" : absl::StrCat(" ", reason), ": ",
                                         message));
}

absl::StatusOr<Json> Client::Get(const std::string& path) {
  Request r;
  r.path = path;
  return ParseOk(Do(r), absl::StrCat("GET ", path));
}

absl::StatusOr<Json> Client::Create(const std::string& collection_path, const std::string& body) {
  Request r;
  r.method = "POST";
  r.path = collection_path;
  r.body = body;
  return ParseOk(Do(r), absl::StrCat("POST ", collection_path));
}

absl::StatusOr<Json> Client::Update(const std::string& path, const std::string& body) {
  Request r;
  r.method = "PUT";
  r.path = path;
  r.body = body;
  return ParseOk(Do(r), absl::StrCat("PUT ", path));
}

absl::StatusOr<Json> Client::MergePatch(const std::string& path, const std::string& body) {
  Request r;
  r.method = "PATCH";
  r.path = path;
  r.body = body;
  r.content_type = "application/merge-patch+json";
  return ParseOk(Do(r), absl::StrCat("PATCH ", path));
}

absl::StatusOr<Json> Client::Apply(const std::string& path, const std::string& body,
                                   const std::string& field_manager) {
  Request r;
  r.method = "PATCH";
  r.path = absl::StrCat(path, path.find('?') == std::string::npos ? "?" : "&",
                        "fieldManager=", UrlEncode(field_manager), "&force=true");
  r.body = body;
  r.content_type = "application/apply-patch+yaml";
  r.idempotent = true;
  return ParseOk(Do(r), absl::StrCat("APPLY ", path));
}

absl::Status Client::Delete(const std::string& path, const std::string& propagation_policy) {
  Request r;
  r.method = "DELETE";
  r.path = path;
  r.body = nlohmann::json{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", propagation_policy}}
               .dump();
  return ParseOk(Do(r), absl::StrCat("DELETE ", path)).status();
}

absl::StatusOr<ListResult> Client::List(const std::string& collection_path,
                                        const std::string& api_version, const std::string& kind,
                                        const std::string& label_selector, int page_size) {
  ListResult result;
  std::string cont;
  do {
    std::string path = absl::StrCat(collection_path, "?limit=", page_size);
    if (!label_selector.empty()) absl::StrAppend(&path, "&labelSelector=", UrlEncode(label_selector));
    if (!cont.empty()) absl::StrAppend(&path, "&continue=", UrlEncode(cont));
    absl::StatusOr<Json> page = Get(path);
    if (!page.ok()) return page.status();
    const Json& meta = (*page)["metadata"];
    cont = meta.is_object() ? meta.value("continue", "") : "";
    if (meta.is_object()) result.resource_version = meta.value("resourceVersion", "");
    const Json& items = (*page)["items"];
    if (!items.is_array()) continue;
    for (const Json& item : items) {
      Json copy = item;
      copy["apiVersion"] = api_version;
      copy["kind"] = kind;
      result.items.push_back(std::move(copy));
    }
  } while (!cont.empty());
  return result;
}

namespace {

struct WatchSink {
  WatchFramer framer;
  const std::function<bool(Json)>* on_event = nullptr;
  bool stopped = false;
  bool gone = false;
  std::string error;
  int http_code = 0;
  CURL* curl = nullptr;
  std::string error_body;
  size_t max_event_bytes = 0;
};

size_t WatchWrite(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<WatchSink*>(user);
  if (sink->http_code == 0) {
    long code = 0;
    curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &code);
    sink->http_code = static_cast<int>(code);
  }
  if (sink->http_code != 200) {
    if (sink->error_body.size() + size * n > sink->max_event_bytes) return 0;
    sink->error_body.append(data, size * n);
    return size * n;
  }
  const auto too_large = [&] {
    sink->error = absl::StrCat("a watch event is larger than the client's limit of ", sink->max_event_bytes,
                               " bytes");
  };
  const bool go_on = sink->framer.Feed(std::string_view(data, size * n), [&](std::string_view line) {
    if (line.size() > sink->max_event_bytes) {
      too_large();
      return false;
    }
    if (absl::Status deep = translator::CheckJsonDepth(line); !deep.ok()) {
      sink->error = absl::StrCat("a watch event: ", deep.message());
      return false;
    }
    WatchLine decoded = DecodeWatchLine(line);
    switch (decoded.kind) {
      case WatchLine::Kind::kGone:
        sink->gone = true;
        return false;
      case WatchLine::Kind::kError:
        sink->error = std::move(decoded.error);
        return false;
      case WatchLine::Kind::kEvent:
        break;
    }
    if (!(*sink->on_event)(std::move(decoded.event))) {
      sink->stopped = true;
      return false;
    }
    return true;
  });
  if (!go_on) return 0;
  if (sink->framer.buffered() > sink->max_event_bytes) {
    too_large();
    return 0;
  }
  return size * n;
}

int WatchProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* stop = static_cast<const std::atomic<bool>*>(user);
  return stop != nullptr && stop->load() ? 1 : 0;
}

}  // namespace

absl::Status Client::Watch(const std::string& collection_path, const WatchOptions& options,
                           const std::function<bool(Json event)>& on_event) {
  std::string path = absl::StrCat(collection_path, "?watch=true&timeoutSeconds=",
                                  options.timeout_seconds);
  if (options.bookmarks) absl::StrAppend(&path, "&allowWatchBookmarks=true");
  if (!options.resource_version.empty()) {
    absl::StrAppend(&path, "&resourceVersion=", UrlEncode(options.resource_version));
  }
  if (!options.label_selector.empty()) {
    absl::StrAppend(&path, "&labelSelector=", UrlEncode(options.label_selector));
  }
  Request request;
  request.path = path;
  auto h = std::make_unique<Handle>();
  h->curl = curl_easy_init();
  absl::Status configured = Configure(*h, request, config_.server + path);
  if (!configured.ok()) return configured;
  curl_slist* headers = Headers(BearerToken(), request);
  WatchSink sink;
  sink.on_event = &on_event;
  sink.curl = h->curl;
  sink.max_event_bytes = options_.max_watch_event_bytes;
  curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, WatchWrite);
  curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, WatchProgress);
  curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, options.stop);
  // The server ends the watch after timeoutSeconds; a stream that stays
  // silent much longer than that is dead (bookmarks keep live ones busy).
  curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_seconds + 30) * 1000);
  const CURLcode rc = curl_easy_perform(h->curl);
  curl_slist_free_all(headers);
  if (options_.on_response) options_.on_response("WATCH", rc == CURLE_OK || sink.stopped ? sink.http_code : -1);
  if (sink.gone) {
    return absl::OutOfRangeError(absl::StrCat("watch ", collection_path, ": 410 Gone"));
  }
  if (sink.http_code != 0 && sink.http_code != 200) {
    return StatusFromResponse(Response{sink.http_code, sink.error_body},
                              absl::StrCat("watch ", collection_path));
  }
  if (!sink.error.empty()) {
    return absl::UnavailableError(absl::StrCat("watch ", collection_path, ": ", sink.error));
  }
  if (sink.stopped || rc == CURLE_OK) return absl::OkStatus();
  if (rc == CURLE_ABORTED_BY_CALLBACK) return absl::OkStatus();  // stop flag
  return absl::UnavailableError(
      absl::StrCat("watch ", collection_path, ": ", curl_easy_strerror(rc)));
}

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string ResourceFor(const std::string& kind) {
  if (kind == "StatefulSet") return "statefulsets";
  if (kind == "Service") return "services";
  if (kind == "HorizontalPodAutoscaler") return "horizontalpodautoscalers";
  if (kind == "PodDisruptionBudget") return "poddisruptionbudgets";
  if (kind == "ConfigMap") return "configmaps";
  if (kind == "Secret") return "secrets";
  return "";
}

std::string CollectionPath(const std::string& api_version, const std::string& ns,
                           const std::string& resource) {
  std::string path = api_version.find('/') == std::string::npos
                         ? absl::StrCat("/api/", api_version)
                         : absl::StrCat("/apis/", api_version);
  if (!ns.empty()) absl::StrAppend(&path, "/namespaces/", ns);
  absl::StrAppend(&path, "/", resource);
  return path;
}

std::string ObjectPath(const std::string& api_version, const std::string& ns,
                       const std::string& resource, const std::string& name) {
  return absl::StrCat(CollectionPath(api_version, ns, resource), "/", name);
}

}  // namespace doris_operator::kube
