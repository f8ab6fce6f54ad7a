#ifndef DORIS_OPERATOR_OPERATOR_KUBE_CLIENT_H_
#define DORIS_OPERATOR_OPERATOR_KUBE_CLIENT_H_

// A Kubernetes REST client over libcurl: pooled keep-alive connections, a
// client-side QPS/burst limit, and retries with jittered exponential backoff
// (honouring Retry-After) for idempotent requests. Thread-safe.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "operator/kube/kubeconfig.h"

struct curl_slist;

namespace doris_operator::kube {

struct ClientOptions {
  absl::Duration request_timeout = absl::Seconds(30);
  absl::Duration connect_timeout = absl::Seconds(10);
  double qps = 50;  // sustained requests/s (watches are not limited)
  int burst = 100;
  int max_retries = 6;  // for idempotent requests
  absl::Duration retry_base = absl::Milliseconds(100);
  absl::Duration retry_max = absl::Seconds(10);
  std::string user_agent = "doris-operator";
  // Called once per HTTP response (or -1 for a transport error), for metrics.
  std::function<void(const std::string& verb, int code)> on_response;
  // Asked before every attempt of a request that is not a GET; false fails
  // it with FailedPrecondition before anything more is sent. A replica that
  // is not the elected leader must not write, even from a reconcile or a
  // retry loop already under way.
  std::function<bool()> may_write;
  // Bounds one attempt of a write, so a write begun while leading lands (or
  // is abandoned) before another replica can take the lease: with leader
  // election, at most lease duration - renew deadline.
  absl::Duration write_attempt_timeout = absl::InfiniteDuration();
  // How long a token read from ClusterConfig::bearer_token_file is used
  // before the file is read again (client-go: one minute).
  absl::Duration token_file_reread = absl::Minutes(1);
  // libcurl CONNECT_TO entries ("HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT",
  // empty parts match any): the connection goes elsewhere while the URL, the
  // Host header and TLS names stay. For tests only (--dial-override).
  std::vector<std::string> connect_to;
  // Limits on what one request may send and one answer may make the
  // operator hold. kube-apiserver refuses request bodies over 3 MiB
  // (--max-request-bytes); a list page or an object larger than these is
  // an error naming the limit, never an allocation without bound.
  size_t max_request_bytes = 3 << 20;
  size_t max_response_bytes = 64 << 20;
  size_t max_watch_event_bytes = 16 << 20;  // one line of a watch stream
};

struct Request {
  std::string method = "GET";
  std::string path;  // with query, e.g. /api/v1/namespaces/x/pods?limit=500
  std::string body;
  std::string content_type = "application/json";
  // Extra headers ("Name: value"), e.g. basic auth for a proxied Doris call.
  std::vector<std::string> headers;
  // PATCH with server-side apply is idempotent; other PATCHes and POSTs are
  // retried only when the server surely did not act on them (429).
  bool idempotent = false;
};

struct Response {
  int code = 0;
  std::string body;
};

// A list's items (apiVersion/kind filled in) and its resourceVersion.
struct ListResult {
  std::vector<nlohmann::json> items;
  std::string resource_version;
};

struct WatchOptions {
  std::string resource_version;
  int timeout_seconds = 300;  // the server ends the watch after this
  bool bookmarks = true;
  std::string label_selector;
  // Polled while the stream is idle; true ends the watch promptly.
  const std::atomic<bool>* stop = nullptr;
};

class Client {
 public:
  static absl::StatusOr<std::unique_ptr<Client>> Create(ClusterConfig config,
                                                        ClientOptions options = {});
  ~Client();

  // One request with the retry policy. A transport failure after retries is
  // Unavailable; any HTTP answer (also 4xx/5xx) is returned as a Response.
  absl::StatusOr<Response> Do(const Request& request);

  // Typed helpers: non-2xx answers become Status values carrying the API's
  // message (404 NotFound, 409 AlreadyExists/Aborted for conflicts,
  // 410 OutOfRange, 422/400 InvalidArgument, 429 ResourceExhausted, ...).
  absl::StatusOr<nlohmann::json> Get(const std::string& path);
  absl::StatusOr<nlohmann::json> Create(const std::string& collection_path,
                                        const std::string& body);
  absl::StatusOr<nlohmann::json> Update(const std::string& path, const std::string& body);
  absl::StatusOr<nlohmann::json> MergePatch(const std::string& path, const std::string& body);
  // Server-side apply with `field_manager`, forcing ownership of conflicts
  // (force=true, as controllers do: the operator is the authority on the
  // fields it writes). Creates the object when it does not exist. Fields
  // the manager applied before and leaves out now are removed unless
  // another manager owns them.
  absl::StatusOr<nlohmann::json> Apply(const std::string& path, const std::string& body,
                                       const std::string& field_manager);
  // `propagation_policy`: "Background" (dependents collected after), or
  // "Orphan" (dependents keep running, released from the owner).
  absl::Status Delete(const std::string& path, const std::string& propagation_policy = "Background");

  // Every page of a list (limit/continue). `kind` fills items' kind, which a
  // list response leaves out.
  absl::StatusOr<ListResult> List(const std::string& collection_path,
                                  const std::string& api_version, const std::string& kind,
                                  const std::string& label_selector = "", int page_size = 500);

  // Streams watch events of a collection; `on_event` gets each event object
  // ({"type","object"}) and returns false to stop. Returns OK when the server
  // ended the stream or on_event/stop ended it; OutOfRange on 410 Gone.
  absl::Status Watch(const std::string& collection_path, const WatchOptions& options,
                     const std::function<bool(nlohmann::json event)>& on_event);

  const ClusterConfig& config() const { return config_; }
  // ClientOptions::may_write (true when unset), for writes that go elsewhere
  // on this client's behalf (e.g. straight to a Doris FE).
  bool WritesAllowed() const { return !options_.may_write || options_.may_write(); }

 private:
  struct Handle;
  Client(ClusterConfig config, ClientOptions options);

  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> handle);
  void WaitForToken();
  absl::Status Configure(Handle& h, const Request& request, const std::string& url);
  // The bearer token to send, re-read from its file when that is due; a
  // failed read keeps the token read before.
  std::string BearerToken();

  const ClusterConfig config_;
  const ClientOptions options_;
  curl_slist* connect_to_ = nullptr;  // from options_.connect_to
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_ ABSL_GUARDED_BY(mu_);
  double tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time last_refill_ ABSL_GUARDED_BY(mu_);
  absl::Mutex token_mu_;
  std::string token_ ABSL_GUARDED_BY(token_mu_);
  absl::Time token_read_at_ ABSL_GUARDED_BY(token_mu_);
};

// Maps an HTTP error answer (a metav1.Status body) to a Status value.
absl::Status StatusFromResponse(const Response& response, const std::string& what);

// Path helpers: "/api/v1" or "/apis/<group>/<version>", with namespace and
// resource, e.g. CollectionPath("apps/v1", "ns", "statefulsets").
std::string CollectionPath(const std::string& api_version, const std::string& ns,
                           const std::string& resource);
std::string ObjectPath(const std::string& api_version, const std::string& ns,
                       const std::string& resource, const std::string& name);
std::string UrlEncode(const std::string& s);
// The REST resource of a kind the operator writes or reads back
// ("StatefulSet" -> "statefulsets"); "" for kinds it does not handle.
std::string ResourceFor(const std::string& kind);

}  // namespace doris_operator::kube

#endif  // DORIS_OPERATOR_OPERATOR_KUBE_CLIENT_H_
