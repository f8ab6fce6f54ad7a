#ifndef DORIS_OPERATOR_TOOLS_CRDGEN_CRD_SCHEMA_H_
#define DORIS_OPERATOR_TOOLS_CRDGEN_CRD_SCHEMA_H_

// The CustomResourceDefinitions this operator serves, generated from the
// typed models (proto/doris_cluster.proto, proto/doris_disaggregated_cluster.proto)
// so the API server's schema and the operator's models cannot drift apart.

#include "nlohmann/json.hpp"

namespace doris_operator::crdgen {

// DorisCluster (doris.selectdb.com/v1, dcr).
nlohmann::json DorisClusterCrd();

// DorisDisaggregatedCluster (disaggregated.cluster.doris.com/v1, ddc).
nlohmann::json DorisDisaggregatedClusterCrd();

}  // namespace doris_operator::crdgen

#endif  // DORIS_OPERATOR_TOOLS_CRDGEN_CRD_SCHEMA_H_
