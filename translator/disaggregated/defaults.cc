#include "translator/disaggregated/defaults.h"

namespace doris_operator::translator::disaggregated {

namespace dv1 = model::disaggregated::v1;

namespace {

int32_t ReplicasOr(const dv1::CommonSpec& base, int32_t fallback) {
  return base.has_replicas() ? base.replicas() : fallback;
}

}  // namespace

int32_t MetaServiceReplicas(const dv1::DorisDisaggregatedClusterSpec& spec) {
  return ReplicasOr(spec.meta_service().base(), kDefaultMetaServiceReplicas);
}

int32_t FeReplicas(const dv1::DorisDisaggregatedClusterSpec& spec) {
  return ReplicasOr(spec.fe_spec().base(), kDefaultFeReplicas);
}

int32_t GroupReplicas(const dv1::ComputeGroup& group) { return ReplicasOr(group.base(), kDefaultGroupReplicas); }

int32_t ElectionNumber(const dv1::FeSpec& fe) {
  return fe.has_election_number() ? fe.election_number() : kDefaultElectionNumber;
}

}  // namespace doris_operator::translator::disaggregated
