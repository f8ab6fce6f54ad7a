#include "translator/services.h"

#include <cstdint>
#include <optional>
#include <string>

#include "translator/object_parts.h"

namespace doris_operator::translator::internal {

namespace {

int InternalPort(const Ctx& x) { return LivenessPort(x); }

const char* InternalPortName(Component c) {
  switch (c) {
    case Component::kFe: return "query-port";
    case Component::kBe:
    case Component::kCn: return "heartbeat-port";
    case Component::kBroker: return "broker-ipc-port";
  }
  return "";
}

// Labels of the access and internal Services (keys in sorted order).
void WriteServiceLabels(const Ctx& x, JsonWriter& w, const char* role) {
  w.Key("labels");
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.name());
  w.Field(kServiceRoleLabel, role);
  w.Field(kComponentLabel, x.comp());
  w.EndObject();
}


}  // namespace

Written InternalService(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  Written out{"v1", "Service", InternalServiceName(x.name(), x.c), false};
  const int port = InternalPort(x);
  BeginObjectMeta(w, "v1", "Service");
  WriteServiceLabels(x, w, "internal");
  WriteMetaTail(x, w, out.name);
  w.EndObject();
  w.Key("spec");
  w.BeginObject();
  w.Field("clusterIP", "None");
  w.Key("ports");
  w.BeginArray();
  w.BeginObject();
  w.Field("name", InternalPortName(x.c));
  w.Field("port", port);
  w.Field("protocol", "TCP");
  w.Field("targetPort", port);
  w.EndObject();
  w.EndArray();
  w.Field("publishNotReadyAddresses", true);
  w.Key("selector");
  WriteSelectorLabels(x, w);
  w.EndObject();
  w.EndObject();
  return out;
}

Written ExternalService(const Ctx& x, JsonWriter& w, const std::string* hash) {
  const auto& svc = x.base->service();
  Written out{"v1", "Service", ExternalServiceName(x.name(), x.c), !svc.annotations().empty()};
  const std::string type = svc.type().empty() ? "ClusterIP" : svc.type();
  BeginObjectMeta(w, "v1", "Service");
  WriteServiceAnnotations(w, svc.annotations(), hash);
  WriteServiceLabels(x, w, "access");
  WriteMetaTail(x, w, out.name);
  w.EndObject();
  w.Key("spec");
  w.BeginObject();
  if (type == "LoadBalancer" && !svc.load_balancer_ip().empty()) {
    w.Field("loadBalancerIP", svc.load_balancer_ip());
  }
  w.Key("ports");
  w.BeginArray();
  for (const PortOut& cp : Ports(x, /*with_protocol_quirk=*/false)) {
    std::optional<int32_t> node_port;
    for (const auto& sp : svc.service_ports()) {
      if (sp.target_port() == cp.port && sp.node_port() != 0 &&
          (type == "NodePort" || type == "LoadBalancer")) {
        node_port = sp.node_port();
      }
    }
    w.BeginObject();
    w.Field("name", cp.name);
    if (node_port) w.Field("nodePort", *node_port);
    w.Field("port", cp.port);
    w.Field("protocol", "TCP");
    w.Field("targetPort", cp.port);
    w.EndObject();
  }
  w.EndArray();
  w.Key("selector");
  WriteSelectorLabels(x, w);
  WriteServiceAffinityAndType(w, type);
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace doris_operator::translator::internal
