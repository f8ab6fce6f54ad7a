#ifndef DORIS_OPERATOR_TRANSLATOR_CHECK_PARTS_H_
#define DORIS_OPERATOR_TRANSLATOR_CHECK_PARTS_H_

// Field checks every resource's validation shares (names, quantities, claim
// specs, mount paths), each adding a problem with the field's path.

#include <cstdint>
#include <map>
#include <string>

#include "proto/doris_cluster.pb.h"
#include "translator/canonical_json.h"
#include "translator/field_problem.h"

namespace doris_operator::translator::internal {

// RFC 1123 label: lower-case alphanumerics and '-', alphanumeric at both ends, at most 63.
bool IsDns1123Label(const std::string& s);
bool IsDns1123Subdomain(const std::string& s);

// As the API server's ValidateResourceQuantityValue: a quantity, and not
// negative. Reported here so `dorisctl render` and the InvalidSpec status
// name the field instead of a failed StatefulSet write.
void CheckQuantity(const Json& v, const std::string& path, FieldProblems* out);
void CheckResourceList(const Json& list, const std::string& path, FieldProblems* out);
// The spec's ResourceList field, when present.
void CheckResourceList(bool present, const model::v1::RawJson& raw, const std::string& path,
                       FieldProblems* out);
// A PersistentVolumeClaimSpec's resources.limits / .requests.
void CheckClaimSpec(const model::v1::RawJson& raw, const std::string& path, FieldProblems* out);
// An absolute path, not mounted twice: `seen` maps paths already used to the
// field that used them.
void CheckMountPath(const std::string& path, const std::string& field,
                    std::map<std::string, std::string>* seen, FieldProblems* out);

// A pod spec's replicas (when set) and probe timings, none negative:
// `path` is the component's ("spec.feSpec"), the problems name its fields.
void CheckReplicasAndProbeTimings(bool has_replicas, int32_t replicas, int32_t start_timeout,
                                  int32_t live_timeout,
                                  const model::v1::ReadinessProbePolicy* readiness,
                                  const std::string& path, FieldProblems* out);

// The spec's authSecret (a Secret name), adminUser (not Doris's reserved
// "admin") and kerberosInfo (both of its names), at their spec.* paths.
void CheckAuthAndKerberos(const std::string& auth_secret, const model::v1::AdminUser* admin_user,
                          const model::v1::KerberosInfo* kerberos, FieldProblems* out);

// A Service type the API server accepts ("" = ClusterIP), at `path`
// ("spec.feSpec.service.type").
void CheckServiceType(const std::string& type, const std::string& path, FieldProblems* out);

// A Service port mapping at `path` ("spec.feSpec.service.servicePorts[0]"):
// a target port, and a node port when set.
void CheckServicePortMap(int32_t target_port, int32_t node_port, const std::string& path,
                         FieldProblems* out);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_CHECK_PARTS_H_
