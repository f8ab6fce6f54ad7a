#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_OBSERVE_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_OBSERVE_H_

// Observe, the pipeline's first step: what the log holds about one
// DorisCluster becomes the run's view (live objects and whether this cluster
// controls them, each component's StatefulSet and pods, Doris nodes to pods),
// plus the few reads no watch carries: ConfigMaps not yet logged, FE credentials.

#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"

#include "nlohmann/json.hpp"
#include "operator/reconcile/run.h"

namespace doris_operator::reconcile {

// Fetches the ConfigMaps the spec reads that the log does not hold yet,
// appends them to the log and adds their data to the translator's inputs.
// A missing one means defaults, as the reference operator does.
void ObserveConfigMaps(Run& run, const std::set<std::string>& missing);
// One such ConfigMap, in any namespace, filed under the run's cluster; an
// error when it cannot be read.
absl::StatusOr<nlohmann::json> FetchAndLogConfigMap(Run& run, const std::string& ns, const std::string& name);

// The live objects, StatefulSets and pods per component, ownership and the
// node map, all from run.objects.
void ObserveObjects(Run& run);

// The FE's HTTP port (fe.conf) and credentials: the auth Secret, else
// adminUser, else root.
void ObserveFeTarget(Run& run);

// Whether `object` names the owner with `uid` as its controller: only what a
// cluster controls may be deleted (labels anybody can copy do not count).
bool Controlled(const nlohmann::json& object, const std::string& uid);

// Kubernetes readiness of a pod (its Ready condition).
bool PodReady(const nlohmann::json& pod);

// Ordinals of the component's pods that are starting and so may register
// with the FE at any moment: not deleting, not Ready, created less than
// kStartWindow before `now`, neither unschedulable nor stuck in a container
// error (those do not start by themselves). A pod never Ready stops counting
// after the window, so a scale-in of broken pods is not held for ever.
inline constexpr absl::Duration kStartWindow = absl::Minutes(5);
std::vector<int> StartingOrdinals(const ComponentState& state, absl::Time now);

// A pod's name and IPs (status.podIP, podIPs), for the node map.
PodAddress AddressOf(const nlohmann::json& pod);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_OBSERVE_H_
