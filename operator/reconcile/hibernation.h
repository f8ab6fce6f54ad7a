#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_HIBERNATION_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_HIBERNATION_H_

// Hibernation: with the annotation `doris-operator.io/hibernate: "true"` on
// a DorisCluster every pod stops (BE, CN and brokers first, then the FE)
// while every claim and every Doris node's registration stays: StatefulSets
// go to zero replicas without any decommission or drop, and an autoscaler
// is removed meanwhile. Without it, a component whose StatefulSet stands at
// zero starts only once every FE pod is Ready, so a cluster wakes FE first.
// The replicas chosen go into the run's spec and the reconcile record; the
// translator keeps the FE's claims while the cluster hibernates.

#include "operator/reconcile/run.h"
#include "translator/hibernation.h"

namespace doris_operator::reconcile {

using translator::kHibernateAnnotation;

// Decides replicas for hibernation and waking; true while the cluster
// hibernates or holds components for the FE, when membership and restarts
// must not be decided (pods stop without leaving Doris).
bool DecideHibernation(Run& run);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_HIBERNATION_H_
