#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_VOLUME_EXPANSION_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_VOLUME_EXPANSION_H_

// Volume expansion: a persistentVolumes entry whose storage request grew is
// checked against its StorageClass (allowVolumeExpansion), every existing
// claim of that template is patched to the new size and followed until its
// file system is resized, and only then is the StatefulSet re-created
// (deleted with propagationPolicy Orphan, pods and claims untouched) so its
// volumeClaimTemplates, which Kubernetes never lets change, carry the new
// size for claims made later. A shrink, or a class that cannot expand, is
// refused as an invalid spec naming the field.

#include <string>
#include <vector>

#include "operator/reconcile/run.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

// One claim template to grow.
struct VolumeExpansion {
  Component component;
  std::string statefulset;
  std::string claim_template;  // volumeClaimTemplates[].metadata.name
  std::string field;           // the spec field that asks for it
  std::string from, to;        // the live template's size and the desired one (canonical)
  std::string storage_class;
};

struct VolumePlan {
  std::vector<VolumeExpansion> expansions;
  std::vector<std::string> problems;  // "path: why", for InvalidSpec
};

// Compares each live StatefulSet's claim templates (and claims) with what
// the spec asks for; reads the StorageClass of a template that grows (the
// read and its answer go into the record). Before any decision writes.
VolumePlan PlanVolumeExpansion(Run& run);

// Carries the plan out: patches claims, says what they wait for (status,
// Events), keeps the desired StatefulSet's templates at their live size
// until every claim is resized, then re-creates the StatefulSet (the diff
// creates it again from `desired`).
void ExpandVolumes(Run& run, const VolumePlan& plan, translator::DesiredSet* desired);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_VOLUME_EXPANSION_H_
