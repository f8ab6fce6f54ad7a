#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_MODEL_JSON_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_MODEL_JSON_H_

// Converts a DorisDisaggregatedCluster as the API server stores it (JSON)
// into the typed model, and back, with the DorisCluster converter's rules:
// every problem at once, named by its field path
// (`spec.computeGroups[1].replicas: expected integer, got "three"`).

#include "proto/doris_disaggregated_cluster.pb.h"
#include "translator/canonical_json.h"
#include "translator/field_problem.h"

namespace doris_operator::translator::disaggregated {

struct ModelFromJsonResult {
  model::disaggregated::v1::DorisDisaggregatedCluster ddc;
  FieldProblems errors;    // non-empty: `ddc` is incomplete, do not use
  FieldProblems warnings;  // e.g. unknown fields, ignored
};

ModelFromJsonResult ModelFromJson(const Json& object);

// The spec as JSON with the API's field names; adminUser.password is left out.
Json SpecToJson(const model::disaggregated::v1::DorisDisaggregatedClusterSpec& spec);
// The status as the API stores it (what the operator writes to /status).
Json StatusToJson(const model::disaggregated::v1::DorisDisaggregatedClusterStatus& status);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_MODEL_JSON_H_
