#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_MANAGER_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_MANAGER_H_

// metadata.managedFields as kube-apiserver keeps it (one entry per manager,
// operation and subresource), and server-side apply on top of it: ownership,
// conflicts, force, and removal of what an applier stopped sending.

#include <optional>
#include <string>
#include <variant>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// Who writes, through which API version and subresource.
struct FieldManagerWrite {
  std::string manager;      // see ManagerName
  std::string api_version;  // of the request path, e.g. "apps/v1"
  std::string subresource;  // "", "status" or "scale"
};

// The fieldManager query parameter, or, when it is empty, what precedes the
// first '/' of the User-Agent, printable characters only, at most 128 bytes
// (apiserver handlers' managerOrUserAgent).
std::string ManagerName(const std::string& field_manager, const std::string& user_agent);

// The 422 a real server gives for an apply without fieldManager, or a
// fieldManager that is too long or not printable; nullopt when valid.
std::optional<ApiError> ValidateFieldManager(const std::string& field_manager, bool apply);

// A create, update or non-apply patch: `next` (to be stored) gets
// managedFields where fields this write added or changed belong to the
// writer's Update entry (and no longer to others) and removed fields belong
// to nobody. `live` is null for a create. Managed fields the request itself
// carries replace the live ones (an empty list or [{}] resets them).
Json RecordUpdate(const ResourceType& t, const Json& live, Json next, const FieldManagerWrite& w);

// Server-side apply of `config` onto `live` (null when the object does not
// exist yet). Conflicts with other managers (Apply or Update) are a 409
// unless `force`, which takes the fields over.
std::variant<Json, ApiError> ServerSideApply(const ResourceType& t, const Json& live, const Json& config,
                                             const FieldManagerWrite& w, bool force);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_FIELD_MANAGER_H_
