#ifndef DORIS_OPERATOR_TRANSLATOR_STORAGE_H_
#define DORIS_OPERATOR_TRANSLATOR_STORAGE_H_

// A component's storage: the pod's volumes, the main container's mounts and
// the StatefulSet's volumeClaimTemplates, from persistentVolumes (explicit
// paths and the template that expands per storage root), shared claims,
// ConfigMaps, Secrets and Kerberos files (doris-contract.md §2.4).

#include <string>

#include "translator/object_builder.h"

namespace doris_operator::translator::internal {

// The pod's volumes, the main container's mounts and the StatefulSet's
// claim templates, each as a finished canonical JSON array.
struct Storage {
  std::string volumes, mounts, claim_templates;
  int claim_count = 0;
};

Storage BuildStorage(const Ctx& x);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_STORAGE_H_
