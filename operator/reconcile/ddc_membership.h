#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_MEMBERSHIP_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_MEMBERSHIP_H_

// FE membership of a DorisDisaggregatedCluster (ddc): on an FE scale-in the
// leaving observers (ordinal >= electionNumber) are dropped from the FE
// group, at the master FE, before the StatefulSet shrinks. The decision and
// the calls are the DorisCluster path's (decide_membership.h,
// apply_membership.h): a refused drop keeps the pod and is tried again;
// followers are never dropped. Once the StatefulSet shrinks, the claims of
// the dropped FEs go with their pods (the FE StatefulSet's
// persistentVolumeClaimRetentionPolicy, translator/disaggregated).

#include <cstdint>
#include <string>

#include "operator/reconcile/node_map.h"
#include "operator/reconcile/run.h"
#include "proto/doris_disaggregated_cluster.pb.h"

namespace doris_operator::reconcile {

// The ddc's pods by name and IP, so that the FE's rows can be placed on
// them: components "fe" (`<ddc>-fe-<n>`, as a DorisCluster's) and
// ComputeGroupPart (translator/disaggregated/names.h) of each compute group of `spec`.
NodeMap DdcNodeMap(const Run& run, const model::disaggregated::v1::DorisDisaggregatedClusterSpec& spec);

struct DdcFeScaleIn {
  bool under_way = false;  // observers still to drop: look again soon
  int32_t replicas = 0;    // what the FE StatefulSet keeps for now
  std::string waiting;     // for the FEAvailable condition, when under way
};

// Decides the FE's scale-in from the live StatefulSet and the FE's
// frontends (read only when the spec asks for fewer FE pods), carries out
// the drops, and gives `translated` the replicas the FE StatefulSet may have
// now (recorded as the replica override "fe", so a replay translates the same).
DdcFeScaleIn ScaleInDdcFe(Run& run, const model::disaggregated::v1::DorisDisaggregatedCluster& ddc,
                          model::disaggregated::v1::DorisDisaggregatedCluster* translated);

// While observers leave, feStatus.phase is `Scaling` (as the reference
// says it) and a green health is yellow.
void MarkFeScaling(const DdcFeScaleIn& fe, model::disaggregated::v1::DorisDisaggregatedClusterStatus* status);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DDC_MEMBERSHIP_H_
