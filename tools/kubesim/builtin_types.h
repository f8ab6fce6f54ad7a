#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_BUILTIN_TYPES_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_BUILTIN_TYPES_H_

// The built-in kinds kubesim serves (core, apps, coordination, events,
// policy, autoscaling, RBAC, apiextensions), registered at start.

#include <vector>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

std::vector<ResourceType> BuiltInTypes();

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_BUILTIN_TYPES_H_
