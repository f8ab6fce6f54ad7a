#ifndef DORIS_OPERATOR_TRANSLATOR_MODEL_JSON_H_
#define DORIS_OPERATOR_TRANSLATOR_MODEL_JSON_H_

// Converts a DorisCluster as the API server stores it (JSON) into the typed
// model, and back. Conversion reports every problem at once: wrong types are
// errors, unknown fields are warnings (the API server prunes them).

#include "nlohmann/json.hpp"
#include "proto/doris_cluster.pb.h"
#include "translator/field_problem.h"

namespace doris_operator::translator {

struct ModelFromJsonResult {
  model::v1::DorisCluster cluster;
  FieldProblems errors;    // non-empty: `cluster` is incomplete, do not use
  FieldProblems warnings;  // e.g. unknown fields, ignored
};

ModelFromJsonResult ModelFromJson(const nlohmann::json& object);

// The spec as JSON with the API's field names (for status, debugging and the
// round-trip tests). Secret-like fields (adminUser.password) are omitted.
nlohmann::json SpecToJson(const model::v1::DorisClusterSpec& spec);
// The status as the API stores it (what the operator writes to /status).
nlohmann::json StatusToJson(const model::v1::DorisClusterStatus& status);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_MODEL_JSON_H_
