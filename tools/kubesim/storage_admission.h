#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_STORAGE_ADMISSION_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_STORAGE_ADMISSION_H_

// What kube-apiserver does to StorageClasses and PersistentVolumeClaims on
// a write: StorageClass defaults and immutable fields, the default class a
// new claim gets (DefaultStorageClass admission), which claim updates are
// valid (ValidatePersistentVolumeClaimUpdate) and which size increases the
// PersistentVolumeClaimResize admission plugin lets through.

#include <optional>
#include <string>

#include "tools/kubesim/object_store.h"

namespace doris_operator::kubesim {

// SetDefaults_StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate.
void StorageClassDefaults(Json& obj);

// A write of a StorageClass or a PersistentVolumeClaim (not its status):
// `old` is the stored object for an update, null for a create. A create of a
// claim without storageClassName gets the default class, if one is marked.
// 422 Invalid for a forbidden change; 403 Forbidden when the resize
// admission plugin refuses a size increase.
std::optional<ApiError> AdmitStorage(const ObjectStore& store, const ResourceType& t, const Json* old, Json& obj);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_STORAGE_ADMISSION_H_
