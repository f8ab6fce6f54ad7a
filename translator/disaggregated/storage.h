#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_STORAGE_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_STORAGE_H_

// A ddc component's storage (contract §5): which data paths (logs, FE meta,
// BE file cache, listed mount paths) live on claims and which on emptyDirs,
// the claims' names, and the pod's volumes, mounts and claim templates with
// the ConfigMaps, Secrets, auth and Kerberos files mounted beside them.

#include <string>
#include <vector>

#include "translator/disaggregated/context.h"

namespace doris_operator::translator::disaggregated {

struct DataVolume {
  std::string name;
  std::string path;
  const dv1::PersistentVolume* pv = nullptr;  // null: an emptyDir
  std::string field;  // the spec field that asked for the claim (for errors)
};

// The data volumes in pod order; `path` is the component's spec path
// ("spec.feSpec") for the fields named in DataVolume::field.
std::vector<DataVolume> PlanDataVolumes(const dv1::CommonSpec& base, Kind k, const DorisConf& conf,
                                        const std::string& path);

// Adds a problem for every data volume whose claim name is not a DNS-1123
// label, at the spec field that asked for the claim.
void CheckDataVolumes(const std::vector<DataVolume>& volumes, FieldProblems* out);

// The pod's volumes, the main container's mounts and the StatefulSet's
// claim templates, each as a finished canonical JSON array.
struct Storage {
  std::string volumes, mounts, claim_templates;
  int claim_count = 0;
};

Storage BuildStorage(const Ctx& x);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_STORAGE_H_
