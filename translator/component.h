#ifndef DORIS_OPERATOR_TRANSLATOR_COMPONENT_H_
#define DORIS_OPERATOR_TRANSLATOR_COMPONENT_H_

// The four Doris components and the fixed facts about each: names of the
// objects generated for it, its home directory, config file, ports and
// defaults (doris-contract.md §2–§3).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/doris_cluster.pb.h"

namespace doris_operator::translator {

enum class Component { kFe, kBe, kCn, kBroker };

inline constexpr Component kAllComponents[] = {Component::kFe, Component::kBe, Component::kCn,
                                               Component::kBroker};

// Per-component state, one slot for each component, indexed by the enum
// (never by its name).
template <typename T>
class PerComponent {
 public:
  T& operator[](Component c) { return slots_[static_cast<size_t>(c)]; }
  const T& operator[](Component c) const { return slots_[static_cast<size_t>(c)]; }
  bool operator==(const PerComponent& o) const { return slots_ == o.slots_; }

 private:
  std::array<T, std::size(kAllComponents)> slots_{};
};

const char* ComponentName(Component c);  // "fe", "be", "cn", "broker"
const char* DorisHome(Component c);
const char* ConfFileKey(Component c);     // "fe.conf", "be.conf", ...
const char* ContainerCommand(Component c);
const char* PreStopScript(Component c);

// The component named `name` ("fe", "be", "cn", "broker"), nullopt for any other.
std::optional<Component> ComponentNamed(std::string_view name);

// The component's spec inside the cluster, or null when absent. The mutable
// form is for the reconciler, which holds replicas before translating.
const model::v1::BaseSpec* BaseOf(const model::v1::DorisClusterSpec& spec, Component c);
model::v1::BaseSpec* BaseOf(model::v1::DorisClusterSpec* spec, Component c);

// The component's replicas: the spec's, 1 when unset (the CRD's default).
int32_t Replicas(const model::v1::BaseSpec& base);

// The ConfigMap holding the component's core config file: configMapInfo's
// configMapName, else the first of its configMaps mounted at /etc/doris.
std::string CoreConfigMapName(const model::v1::BaseSpec& base);

std::string StatefulSetName(const std::string& cluster, Component c);
std::string InternalServiceName(const std::string& cluster, Component c);
std::string ExternalServiceName(const std::string& cluster, Component c);
std::string AutoscalerName(const std::string& cluster);
// The operator-owned basic-auth Secret that carries the deprecated
// spec.adminUser to the pods (env PASSWD from its key "password").
std::string AdminUserSecretName(const std::string& cluster);

struct PortDef {
  std::string conf_key;
  int default_port;
  std::string name;  // Kubernetes port name
};

// Ports the component's container declares, in contract order (without
// arrow-flight, which is added only when configured).
const std::vector<PortDef>& ContainerPorts(Component c);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_COMPONENT_H_
