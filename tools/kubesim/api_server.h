#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_API_SERVER_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_API_SERVER_H_

// The Kubernetes REST API over the object store: discovery, OpenAPI (enough
// for kubectl's validation), CRUD, patch (merge, JSON patch, strategic merge,
// server-side apply), watch, and CRDs that make new resources appear. The
// members live in one file per concern (see BUILD.bazel).

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tools/kubesim/cel_evaluator.h"
#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"
#include "tools/kubesim/sim_faults.h"
#include "tools/kubesim/sim_metrics.h"

namespace doris_operator::kubesim {

class ApiServer {
 public:
  ApiServer();
  HttpResponse Handle(const HttpRequest& req);
  ObjectStore& store() { return store_; }
  // PUT <t>/NAME/scale with `replicas`, as a controller's scale client
  // sends it, through every step a request takes (faults, admission);
  // nullopt when it succeeded, else the error the answer's Status carries.
  std::optional<ApiError> WriteScale(const ResourceType& t, const std::string& ns, const std::string& name,
                                     int32_t replicas, const std::string& user_agent);
  // Set by the /kubesim/crash-pod, node-not-ready and pvc-provisioning
  // control endpoints; the simulated controllers read them.
  SimFaults& sim_faults() { return sim_faults_; }
  // What each HPA's metrics report, set by POST /kubesim/hpa-metric; the
  // simulated HPA controller reads it.
  SimMetrics& sim_metrics() { return sim_metrics_; }

  // One pass of the garbage collector (kube-controller-manager's, in
  // pkg/controller/garbagecollector): an object whose owners are all gone,
  // or deleted in the foreground, is deleted (also one created after its
  // owner's deletion began); an owner deleted in the foreground goes once
  // no dependent with blockOwnerDeletion is left. The kubesim binary runs
  // it on the simulated controllers' beat.
  void CollectGarbage();

  // Serves /api/v1/namespaces/NS/services/NAME[:PORT]/proxy/PATH, as the real
  // API server proxies to a Service's pods.
  using ServiceProxy = std::function<HttpResponse(const std::string& ns, const std::string& service,
                                                  const std::string& path, const HttpRequest& req)>;
  void SetServiceProxy(ServiceProxy proxy) { proxy_ = std::move(proxy); }
  // Serves /api/v1/namespaces/NS/pods/NAME[:PORT]/proxy/PATH (one pod).
  void SetPodProxy(ServiceProxy proxy) { pod_proxy_ = std::move(proxy); }

  // From now on every request needs "Authorization: Bearer <token>" and gets
  // 401 Unauthorized otherwise, as on an API server whose only authenticator
  // is a static token. Call before serving.
  void RequireBearerToken(std::string token) { token_ = std::move(token); }

  // Custom resource writes get their CRD's x-kubernetes-validations (CEL)
  // rules evaluated by this node process; without one (unit tests) the
  // rules are not evaluated. Call before serving.
  void SetCelEvaluator(CelEvaluatorOptions options) {
    cel_ = std::make_unique<CelEvaluator>(std::move(options));
  }

 private:
  HttpResponse Discovery(const HttpRequest& req);
  HttpResponse OpenApi(const HttpRequest& req);
  HttpResponse Resource(const HttpRequest& req, const ResourceType& t, const std::string& ns,
                        const std::string& name, const std::string& sub);
  HttpResponse Watch(const HttpRequest& req, const ResourceType& t, const std::string& ns);
  void AfterWrite(const ResourceType& t, const Json& obj, bool deleted);
  // Counts the request by User-Agent, RBAC verb, resource and namespace,
  // for GET /kubesim/requests (tests compare it with an RBAC role). `verb`
  // overrides the one the method implies: an apply that creates the object
  // is authorized for create as well as patch (`check` says which rule
  // asked: "request", "apply-create", "owner-references").
  void RecordAccess(const HttpRequest& req, const ResourceType& t, const std::string& ns,
                    const std::string& name, const std::string& sub, const std::string& verb = "",
                    const std::string& check = "request");
  void RecordAuthorization(const HttpRequest& req, const std::string& verb, const std::string& group,
                           const std::string& resource, const std::string& ns, const std::string& check);
  static std::string RbacVerb(const HttpRequest& req, const std::string& name);
  // The garbage collector: dependents of a deleted owner are deleted
  // (background propagation) or, with Orphan, released. False when a
  // dependent could not be released (its owner then keeps its `orphan`
  // finalizer, and the collector's next pass tries again).
  bool CollectDependents(const std::string& owner_uid, bool orphan);

  // Fault injection, set through POST /kubesim/faults; deterministic under
  // its seed.
  // A write the API server refuses, as an admission policy or webhook would
  // (code and reason of the answer, its message): matched by RBAC verb,
  // resource and subresource ("" the object itself, "scale", "status") and,
  // when set, namespace and name.
  // Which requests a fault applies to: RBAC verb, resource and subresource
  // ("" the object itself, "scale", "status") and, when set, namespace, name
  // and a User-Agent prefix (one client among several).
  struct RequestMatch {
    std::string verb;
    std::string resource;
    std::string subresource;
    std::string ns;
    std::string name;
    std::string user_agent;
    bool Matches(const std::string& verb, const std::string& resource, const std::string& sub,
                 const std::string& ns, const std::string& name, const std::string& agent) const;
  };
  struct Refusal {
    RequestMatch match;
    int code = 422;
    std::string reason = "Invalid";
    std::string message;
  };
  struct Faults {
    std::vector<Refusal> refuse;
    // Requests that wait, before anything is done for them, until the
    // faults no longer hold them: a test instrument that stops a client
    // between two of its calls at a moment the test chooses.
    std::vector<RequestMatch> hold;
    double error_rate = 0;
    int error_code = 500;  // 500 or 429 (with Retry-After)
    int retry_after_seconds = 1;
    int delay_ms = 0;
    uint64_t seed = 1;
  };
  HttpResponse Control(const HttpRequest& req);
  bool Authenticated(const HttpRequest& req) const;

  ObjectStore store_;
  SimFaults sim_faults_;
  SimMetrics sim_metrics_;
  ServiceProxy proxy_;
  ServiceProxy pod_proxy_;
  std::string token_;  // empty: no authentication (plain HTTP mode)
  std::unique_ptr<CelEvaluator> cel_;
  std::atomic<int64_t> watch_epoch_{0};
  std::mutex access_mu_;
  // "agent\tverb\tgroup\tresource[/sub]\tnamespace\tcheck" -> count
  std::map<std::string, int64_t> access_;
  std::mutex service_allocation_mu_;  // Service writes, see resource_handler.cc
  // Held by a garbage collector pass and by an orphan delete from its first
  // release to its last: the collector never looks between an owner's
  // removal and the release of a dependent adopted meanwhile.
  std::mutex collector_mu_;
  // Waits while a hold of faults_ matches the request (faults_mu_ held).
  void WaitWhileHeld(std::unique_lock<std::mutex>& lock, const HttpRequest& req, const std::string& verb,
                     const ResourceType& t, const std::string& ns, const std::string& name,
                     const std::string& sub);

  std::mutex faults_mu_;
  std::condition_variable faults_changed_;
  Faults faults_;
  // The requests waiting on a hold now, for GET /kubesim/held.
  std::multiset<std::vector<std::string>> held_;
  std::mt19937_64 rng_{1};
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_API_SERVER_H_
