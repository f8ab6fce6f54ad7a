#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_NAMES_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_NAMES_H_

// The fixed facts of a DorisDisaggregatedCluster's generated objects: their
// names, label keys, the Doris compute-group name and the FE cluster id
// (docs/disaggregated-contract.md §3, §4.1, §4.2).

#include <optional>
#include <string>
#include <string_view>

namespace doris_operator::translator::disaggregated {

inline constexpr char kApiVersion[] = "disaggregated.cluster.doris.com/v1";
inline constexpr char kKind[] = "DorisDisaggregatedCluster";

inline constexpr char kClusterLabel[] = "app.doris.disaggregated.cluster";
inline constexpr char kOwnerRefLabel[] = "app.doris.disaggregated.ownerreference/name";
inline constexpr char kTypeLabel[] = "app.doris.disaggregated.type";
inline constexpr char kUniqueIdLabel[] = "app.doris.disaggregated.cg-uniqueid";
inline constexpr char kServiceRoleLabel[] = "app.doris.service/role";

// `<ddc>-ms`: the meta service's StatefulSet and Service.
std::string MetaServiceName(const std::string& ddc);
// `<ddc>-fe`: FE's StatefulSet and access Service.
std::string FeName(const std::string& ddc);
// `<ddc>-fe-internal`: FE's headless Service.
std::string FeInternalServiceName(const std::string& ddc);
// `<ddc>-<uniqueId>` with every `_` turned into `-`: a compute group's
// StatefulSet and headless Service.
std::string ComputeGroupStatefulSetName(const std::string& ddc, const std::string& unique_id);
// `<ddc>-<uniqueId>-external` (same `_` → `-`): its access Service.
std::string ComputeGroupExternalServiceName(const std::string& ddc, const std::string& unique_id);
// The group's name in Doris: uniqueId with every `-` turned into `_`.
std::string ComputeGroupName(const std::string& unique_id);
// The operator-owned basic-auth Secret carrying the deprecated adminUser to
// the pods (env PASSWD from its key "password").
std::string AdminUserSecretName(const std::string& ddc);

// The parts of a ddc as the operator's reconcile records name them (rollout
// partitions, held templates, replica overrides): the meta service "ms",
// FE "fe", and each compute group "cg/<uniqueId>".
inline constexpr char kMetaServicePart[] = "ms";
inline constexpr char kFePart[] = "fe";
std::string ComputeGroupPart(const std::string& unique_id);
// The uniqueId a "cg/<uniqueId>" part names; nullopt for any other part.
std::optional<std::string> ComputeGroupOfPart(std::string_view part);
// The StatefulSet of part `part` of ddc `ddc`: MetaServiceName, FeName or
// ComputeGroupStatefulSetName; "" for an unknown part.
std::string PartStatefulSet(const std::string& ddc, std::string_view part);

// FE's CLUSTER_ID: SHA-256 of `<namespace>-<name>` read as a big-endian
// integer, mod 10^9, plus 10^9, in decimal (as the reference's
// GetInstanceHashId), so a ddc keeps its Doris instance across operators.
std::string ClusterId(const std::string& ns, const std::string& name);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_NAMES_H_
