#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_STATEFULSET_ADOPTION_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_STATEFULSET_ADOPTION_H_

// The StatefulSet controller's adoption of orphans: pods and
// ControllerRevisions without a controller owner (left behind by a
// StatefulSet deleted with propagationPolicy Orphan) that a StatefulSet's
// selector matches become its own again, so a re-created set takes over
// its running pods instead of replacing them.

#include <vector>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// Gives each of `orphans` (objects of type `t` in the set's namespace
// without a controller reference) that the set's selector matches the set
// as controller owner; for pods also only those named `<set>-<ordinal>`
// (isMemberOf). Returns the adopted objects as stored.
std::vector<Json> AdoptOrphans(ObjectStore* store, const ResourceType& t, const Json& sts,
                               const std::vector<Json>& orphans, bool pods);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_STATEFULSET_ADOPTION_H_
