#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_TABLES_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_TABLES_H_

// meta.k8s.io Table answers for `kubectl get`: the columns the API server
// prints for a kind (CRD printer columns for custom resources), Name and Age.

#include <string>
#include <vector>

#include "tools/kubesim/http_server.h"
#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

HttpResponse TableResponse(const ResourceType& t, const std::vector<Json>& items,
                           const std::string& rv);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_TABLES_H_
