#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_OWNER_REFERENCE_CHECKS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_OWNER_REFERENCE_CHECKS_H_

// The authorization checks kube-apiserver's OwnerReferencesPermissionEnforcement
// admission plugin makes for a create or update (kubernetes
// plugin/pkg/admission/gc/gc_admission.go). kubesim authorizes everything,
// but records each check beside the request's own verb, so that a test can
// compare a client's needs with an RBAC role (GET /kubesim/requests).

#include <string>
#include <vector>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

struct AuthorizationCheck {
  std::string verb;
  std::string group;
  std::string resource;  // with "/subresource" when there is one
  std::string ns;        // "" for a cluster-scoped resource
};

// For a write of `obj` (an object of type `t`, subresource `sub`, in `ns`),
// replacing `old` (null on create):
// - an update that changes metadata.ownerReferences needs `delete` on the
//   object itself (a create may set any owner: its writer could have not
//   created it);
// - each ownerReference that newly has blockOwnerDeletion=true needs
//   `update` on the owner's `finalizers` subresource, for every resource
//   the owner's kind maps to (`types`: the served resource types).
// pods/status is exempt, as upstream (its strategy keeps ownerReferences).
std::vector<AuthorizationCheck> OwnerReferenceChecks(const ResourceType& t, const std::string& sub,
                                                     const std::string& ns, const Json* old,
                                                     const Json& obj,
                                                     const std::vector<ResourceType>& types);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_OWNER_REFERENCE_CHECKS_H_
