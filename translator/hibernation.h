#ifndef DORIS_OPERATOR_TRANSLATOR_HIBERNATION_H_
#define DORIS_OPERATOR_TRANSLATOR_HIBERNATION_H_

// Hibernation as the cluster asks for it: the annotation, and which
// components keep no data on claims (a cluster with such a component is
// not stopped). The operator decides the replicas (operator/reconcile/
// hibernation.h); the translator keeps the FE's claims while it hibernates.

#include <string>
#include <vector>

#include "proto/doris_cluster.pb.h"

namespace doris_operator::translator {

inline constexpr char kHibernateAnnotation[] = "doris-operator.io/hibernate";

// "feSpec" / "beSpec" for each of FE and BE that is in the spec without
// persistentVolumes: FE metadata or BE tablets would go with its pods.
std::vector<std::string> ComponentsWithoutClaims(const model::v1::DorisClusterSpec& spec);

// Whether the cluster hibernates: the annotation is "true" and no
// component keeps its data in the pods.
bool Hibernates(const model::v1::DorisCluster& cluster);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_HIBERNATION_H_
