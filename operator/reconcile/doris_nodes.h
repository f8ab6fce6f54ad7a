#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DORIS_NODES_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DORIS_NODES_H_

// The FE's node lists as the membership planners see them: each row mapped
// to this cluster's pod through the NodeMap, rows that match no pod set
// apart, and the master FE found. Pure: parsed rows in, planner views out.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "operator/doris/node_list.h"
#include "operator/reconcile/frontends.h"
#include "operator/reconcile/node_map.h"
#include "operator/reconcile/scale_in.h"

namespace doris_operator::reconcile {

struct BackendList {
  std::vector<BackendView> mine;  // rows of the asked component's pods
  // host:port of rows that match no pod of the cluster (e.g. an IP no pod
  // has any more): nothing may shrink while there are any.
  std::vector<std::string> unmapped;
};

// The backends of `component` ("be" / "cn"), mapped to pods through `pods`.
absl::StatusOr<BackendList> BackendsOf(const std::vector<doris::NodeRow>& rows, const std::string& component,
                                       const NodeMap& pods);

struct FrontendList {
  std::vector<FrontendView> mine;
  std::vector<std::string> unmapped;  // host:edit_log_port
  // The master as listed (IsMaster), where membership writes must go.
  std::string master_host;
  int master_http_port = 0;  // 0 when the row has no HttpPort
  std::string master_pod;    // "" when no live pod is the master
};

absl::StatusOr<FrontendList> FrontendsOf(const std::vector<doris::NodeRow>& rows, const NodeMap& pods);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DORIS_NODES_H_
