#ifndef DORIS_OPERATOR_TRANSLATOR_VALIDATE_H_
#define DORIS_OPERATOR_TRANSLATOR_VALIDATE_H_

// Semantic validation of a DorisCluster: every problem at once, each with
// its field path, so a user fixes the spec in one pass.

#include "proto/doris_cluster.pb.h"
#include "translator/field_problem.h"

namespace doris_operator::translator {

FieldProblems Validate(const model::v1::DorisCluster& cluster);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_VALIDATE_H_
