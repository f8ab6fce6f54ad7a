#ifndef DORIS_OPERATOR_OPERATOR_DORIS_NODE_LIST_H_
#define DORIS_OPERATOR_OPERATOR_DORIS_NODE_LIST_H_

// Parses the FE node-management API's answers
// (GET /rest/v2/manager/node/{frontends,backends,brokers}): a JSON envelope
// {"code":0,"msg":"success","data":{"column_names":[...],"rows":[[...]]}}
// with the same columns as SHOW FRONTENDS / SHOW BACKENDS.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "operator/reconcile/scale_in.h"

namespace doris_operator::doris {

using NodeRow = std::map<std::string, std::string>;  // column name -> value

// Error envelopes (code != 0) become FailedPrecondition carrying Doris' text.
absl::StatusOr<std::vector<NodeRow>> ParseNodeList(std::string_view body);

// Backends of one StatefulSet as the scale planner needs them. Hosts that are
// not pods of `statefulset` get ordinal -1.
absl::StatusOr<std::vector<reconcile::BackendView>> BackendsOf(const std::vector<NodeRow>& rows,
                                                                const std::string& statefulset);

}  // namespace doris_operator::doris

#endif  // DORIS_OPERATOR_OPERATOR_DORIS_NODE_LIST_H_
