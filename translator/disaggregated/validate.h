#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_VALIDATE_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_VALIDATE_H_

// Semantic validation of a DorisDisaggregatedCluster: what the CRD checks
// (repeated, for `dorisctl render` and objects stored before the CRD was
// strict) and what it cannot express — generated names that must be DNS
// labels of at most 63 characters, uniqueIds that collide once `_` becomes
// `-`, claim names, mount paths used twice. Every problem at once, each with
// its field path.

#include "proto/doris_disaggregated_cluster.pb.h"
#include "translator/field_problem.h"

namespace doris_operator::translator::disaggregated {

FieldProblems Validate(const model::disaggregated::v1::DorisDisaggregatedCluster& ddc);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_VALIDATE_H_
