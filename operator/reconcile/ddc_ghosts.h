#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_GHOSTS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_GHOSTS_H_

// Ghost nodes of a DorisDisaggregatedCluster (ddc): FEs and backends of its
// compute groups that the FE lists and no pod backs, nor will. The
// DorisCluster path's decision (decide_ghosts.h: the grace period from the
// annotation doris-operator.io/ghost-node-grace-period, then a dead node
// that holds no tablets is dropped at the master FE, anything else only
// reported) and its carrying out (apply_membership.h); status.ghostNodes of
// the ddc is the memory of when each was first seen.

#include "operator/reconcile/run.h"
#include "proto/doris_disaggregated_cluster.pb.h"

namespace doris_operator::reconcile {

// Decides and carries out the ddc's ghosts into run.ghosts (and
// run.ghost_recheck). `ddc` is the object as read (its status is the
// memory, its annotations the grace period); `translated` holds the
// replicas this reconcile keeps (scale-ins hold pods that are still nodes).
// Without a serving FE follower or a readable node list, the ghosts stay as
// status last said.
void ReconcileDdcGhosts(Run& run, const model::disaggregated::v1::DorisDisaggregatedCluster& ddc,
                        const model::disaggregated::v1::DorisDisaggregatedCluster& translated, bool fe_serving);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_GHOSTS_H_
