#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_TRANSLATOR_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_TRANSLATOR_H_

// The pure translation of a DorisDisaggregatedCluster (ddc) into the
// Kubernetes objects that should exist for it: the meta service, FE and one
// StatefulSet with its Services per compute group
// (docs/disaggregated-contract.md §4-§5). Same rules as the DorisCluster
// translator: no clock, no I/O, same input, same bytes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/doris_disaggregated_cluster.pb.h"
#include "translator/desired_object.h"

namespace doris_operator::translator::disaggregated {

// Observed facts the translation depends on, besides the ddc itself.
struct TranslateInputs {
  // Data of the ConfigMaps the spec's configMaps name (the ddc's namespace),
  // by ConfigMap name: file key ("fe.conf") -> content. A component's config
  // file is the first of its ConfigMaps holding the key; none means defaults.
  std::map<std::string, std::map<std::string, std::string>> config_maps;
  // Key `cluster-file` of the ConfigMap metaService.fdb.configMapNamespaceName
  // names (any namespace), when the operator could read it. Unused when
  // fdb.address is set, which wins.
  std::optional<std::string> fdb_cluster_file;
  // RollingUpdate partition by StatefulSet name, set by the operator while it
  // steps a rollout one pod at a time; absent = 0.
  std::map<std::string, int32_t> partitions;
};

// A ConfigMap key the translation reads, so that the caller can fetch it
// (and watch it) before translating: each component's config file from its
// `configMaps` (the ddc's namespace; into TranslateInputs::config_maps) and,
// unless fdb.address is set, `cluster-file` of the FDB ConfigMap (any
// namespace; into TranslateInputs::fdb_cluster_file). What is not supplied
// is a warning of Translate at `field`, never an error.
struct NeededConfigMap {
  std::string namespace_;
  std::string name;
  std::string key;    // "doris_cloud.conf", "fe.conf", "be.conf" or "cluster-file"
  std::string field;  // the spec field that names it
};
std::vector<NeededConfigMap> NeededConfigMaps(
    const model::disaggregated::v1::DorisDisaggregatedCluster& ddc);

// InvalidArgument listing every validation problem ("path: message", one per
// line) when the ddc is not valid. Objects come in apply order: the admin
// user Secret, the meta service, FE, then each compute group in spec order.
absl::StatusOr<DesiredSet> Translate(const model::disaggregated::v1::DorisDisaggregatedCluster& ddc,
                                     const TranslateInputs& inputs);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_TRANSLATOR_H_
