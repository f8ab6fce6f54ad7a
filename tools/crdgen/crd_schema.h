#ifndef DORIS_OPERATOR_TOOLS_CRDGEN_CRD_SCHEMA_H_
#define DORIS_OPERATOR_TOOLS_CRDGEN_CRD_SCHEMA_H_

// The DorisCluster CustomResourceDefinition, generated from the typed model
// (proto/doris_cluster.proto) so the API server's schema and the operator's
// model cannot drift apart.

#include "nlohmann/json.hpp"

namespace doris_operator::crdgen {

nlohmann::json DorisClusterCrd();

}  // namespace doris_operator::crdgen

#endif  // DORIS_OPERATOR_TOOLS_CRDGEN_CRD_SCHEMA_H_
