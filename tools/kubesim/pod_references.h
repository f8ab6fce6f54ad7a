#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_POD_REFERENCES_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_POD_REFERENCES_H_

// What the simulated kubelet needs from Secrets and ConfigMaps before a
// pod's containers can start, in the kubelet's words: a `secret` or
// `configMap` volume mounts only when its object (and every key its `items`
// name) exists, and a container's environment is made only when each
// `envFrom` and `valueFrom` reference resolves; an `optional: true`
// reference never holds a pod. Pure: objects come through a lookup.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace doris_operator::kubesim {

// Secret or ConfigMap `name` (kind "Secret" or "ConfigMap") in the pod's
// namespace as stored; nullopt when there is none.
using PodObjectLookup = std::function<std::optional<nlohmann::json>(const std::string& kind, const std::string& name)>;

struct UnmountableVolume {
  std::string volume;
  std::string error;  // as the volume plugin's SetUp returns it
};

// The volumes of `pod_spec` whose SetUp fails (kubernetes pkg/volume/secret
// and pkg/volume/configmap `SetUpAt`, `MakePayload`), in spec order.
std::vector<UnmountableVolume> UnmountableVolumes(const nlohmann::json& pod_spec, const PodObjectLookup& lookup);

// Why the kubelet cannot make `container`'s environment (kubernetes
// pkg/kubelet/kubelet_pods.go `makeEnvironmentVariables`: envFrom first,
// then env in order, the first failure wins); "" when it can. `ns` is the
// pod's namespace, which the messages name.
std::string ContainerConfigError(const nlohmann::json& container, const std::string& ns,
                                 const PodObjectLookup& lookup);

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_POD_REFERENCES_H_
