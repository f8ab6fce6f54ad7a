#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_DEFAULTS_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_DEFAULTS_H_

// What a ddc's spec means where it leaves replicas or electionNumber out:
// the reference's defaults (docs/disaggregated-contract.md §2.2, §2.4). One
// place for the translator and for the operator's decisions, status and
// metrics, so that they never disagree on a count.

#include <cstdint>

#include "proto/doris_disaggregated_cluster.pb.h"

namespace doris_operator::translator::disaggregated {

inline constexpr int32_t kDefaultMetaServiceReplicas = 2;
inline constexpr int32_t kDefaultFeReplicas = 2;
inline constexpr int32_t kDefaultGroupReplicas = 1;
// The reference's code default (its field comment says 3, §7.8).
inline constexpr int32_t kDefaultElectionNumber = 1;

int32_t MetaServiceReplicas(const model::disaggregated::v1::DorisDisaggregatedClusterSpec& spec);
int32_t FeReplicas(const model::disaggregated::v1::DorisDisaggregatedClusterSpec& spec);
int32_t GroupReplicas(const model::disaggregated::v1::ComputeGroup& group);
// FE followers: ordinals below it are followers, the rest observers.
int32_t ElectionNumber(const model::disaggregated::v1::FeSpec& fe);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_DEFAULTS_H_
