#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_OBJECT_STORE_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_OBJECT_STORE_H_

// The simulator's etcd: every object as JSON with Kubernetes' bookkeeping
// (uid, resourceVersion, generation, creationTimestamp, deletion with
// finalizers), a history of changes for watches, and the registry of
// resource types (built-in and CRD-defined).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace doris_operator::kubesim {

using Json = nlohmann::json;

struct ResourceType {
  std::string group;  // "" for core
  std::string version;
  std::string resource;  // plural
  std::string singular;
  std::string kind;
  bool namespaced = true;
  std::vector<std::string> short_names;
  bool status_subresource = false;
  bool scale_subresource = false;
  Json printer_columns = Json::array();  // CRD additionalPrinterColumns
  // A CRD version's openAPIV3Schema (null for built-in kinds): writes are
  // pruned, defaulted and validated against it. Shared: types are copied often.
  std::shared_ptr<const Json> schema;
  // Served for a CustomResourceDefinition (not a built-in kind).
  bool custom = false;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  std::string key() const { return group + "/" + resource; }  // version-independent
};

// An error in Kubernetes' terms; the API layer renders it as a metav1.Status.
struct ApiError {
  int code;
  std::string reason;  // NotFound, AlreadyExists, Conflict, Invalid, Gone, BadRequest ...
  std::string message;
  Json details;  // when set, the Status' details (Invalid carries kind and causes)
};

struct WatchEvent {
  int64_t rv;
  std::string type;  // ADDED MODIFIED DELETED
  std::string resource_key;
  std::string ns;
  Json object;
};

class ObjectStore {
 public:
  explicit ObjectStore(size_t history_window = 10000);

  void Register(const ResourceType& type);
  void Unregister(const std::string& group, const std::string& resource);
  std::vector<ResourceType> Types() const;
  std::optional<ResourceType> Find(const std::string& group, const std::string& version,
                                   const std::string& resource) const;

  // The returned object is what was stored, with bookkeeping filled in.
  // `dry_run` (dryRun=All): every check and the answer as for a real write,
  // but nothing is stored, no watch event is sent and no resourceVersion is
  // used up, as apiserver's DryRunnableStorage does
  // (pkg/registry/generic/registry/dryrun.go): a created object has a uid
  // and creationTimestamp but no resourceVersion; an updated or deleted one
  // keeps the stored resourceVersion.
  std::variant<Json, ApiError> Create(const ResourceType& t, const std::string& ns, Json obj,
                                      bool dry_run = false);
  std::variant<Json, ApiError> Get(const ResourceType& t, const std::string& ns,
                                   const std::string& name) const;
  // `status_only`: the status subresource (spec changes ignored), else status
  // is kept from the stored object.
  std::variant<Json, ApiError> Update(const ResourceType& t, const std::string& ns, Json obj,
                                      bool status_only, bool dry_run = false);
  std::variant<Json, ApiError> Delete(const ResourceType& t, const std::string& ns,
                                      const std::string& name, bool dry_run = false);
  // Removes the object now, whatever its finalizers or grace period (the
  // simulated kubelet finishing a terminating pod).
  std::variant<Json, ApiError> Erase(const ResourceType& t, const std::string& ns,
                                     const std::string& name);

  struct ListResult {
    std::vector<Json> items;
    int64_t rv = 0;
    std::string continue_token;
  };
  ListResult List(const ResourceType& t, const std::string& ns, const std::string& label_selector,
                  const std::string& field_selector, size_t limit,
                  const std::string& continue_from) const;

  int64_t CurrentRv() const;
  // Events after `rv` for the type (and namespace, "" = all); Gone when `rv`
  // is older than the retained history. Blocks up to `wait_ms` for news.
  std::variant<std::vector<WatchEvent>, ApiError> EventsSince(const ResourceType& t,
                                                              const std::string& ns, int64_t rv,
                                                              int wait_ms) const;
  // Subsequent watches from before the current version get 410 Gone.
  void ExpireHistory();

 private:
  std::string Key(const ResourceType& t, const std::string& ns, const std::string& name) const;
  void Record(const std::string& type, const ResourceType& t, const std::string& ns,
              const Json& obj);

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::map<std::string, ResourceType> types_;  // by group/resource/version
  std::map<std::string, Json> objects_;        // by group/resource/ns/name
  std::deque<WatchEvent> history_;
  const size_t history_window_;
  int64_t rv_ = 1;
  int64_t oldest_watchable_rv_ = 1;
  uint64_t uid_counter_ = 0;
};

// The wall-clock time in RFC 3339 (UTC, seconds), as timestamps are written.
std::string NowRfc3339();

// The value at `path` in `j`; null when a step is missing or not an object.
const Json& JsonAt(const Json& j, std::initializer_list<const char*> path);

// A metav1.LabelSelector ({matchLabels, matchExpressions}) in the string
// form the API uses (scale subresources' status.selector): requirements
// sorted by key, as LabelSelectorAsSelector(...).String() writes them.
std::string LabelSelectorString(const Json& selector);

// true when `obj`'s labels match a selector like "a=b,c!=d,e,!f,g in (x,y)".
bool MatchesLabels(const Json& obj, const std::string& selector);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_OBJECT_STORE_H_
