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
#include "operator/reconcile/frontends.h"
#include "operator/reconcile/node_map.h"
#include "operator/reconcile/scale_in.h"

namespace doris_operator::doris {

using NodeRow = std::map<std::string, std::string>;  // column name -> value

// Error envelopes (code != 0) become FailedPrecondition carrying Doris' text.
absl::StatusOr<std::vector<NodeRow>> ParseNodeList(std::string_view body);

// A membership write's answer ({"code":0,...} is done): Internal when it
// is not a JSON object, FailedPrecondition "<what>: <Doris' text>" for any
// other code, also one that is not an integer (never an exception).
absl::Status ParseWriteAnswer(std::string_view body, const std::string& what);

// The hosts a row names its node by, the one membership writes use first:
// 2.x lists `Host` (FQDN or IP, as the node registered); 1.2 lists `IP` and
// `HostName`. Empty when the row has none of them.
std::vector<std::string> RowHosts(const NodeRow& row);

struct BackendList {
  std::vector<reconcile::BackendView> mine;  // rows of the asked component's pods
  // host:port of rows that match no pod of the cluster (e.g. an IP no pod
  // has any more): nothing may shrink while there are any.
  std::vector<std::string> unmapped;
};

// The backends of `component` ("be" / "cn"), mapped to pods through `pods`.
absl::StatusOr<BackendList> BackendsOf(const std::vector<NodeRow>& rows, const std::string& component,
                                       const reconcile::NodeMap& pods);

struct FrontendList {
  std::vector<reconcile::FrontendView> mine;
  std::vector<std::string> unmapped;  // host:edit_log_port
  // The master as listed (IsMaster), where membership writes must go.
  std::string master_host;
  int master_http_port = 0;  // 0 when the row has no HttpPort
  std::string master_pod;    // "" when no live pod is the master
};

absl::StatusOr<FrontendList> FrontendsOf(const std::vector<NodeRow>& rows, const reconcile::NodeMap& pods);

}  // namespace doris_operator::doris

#endif  // DORIS_OPERATOR_OPERATOR_DORIS_NODE_LIST_H_
