#include "translator/object_builder.h"

#include "translator/object_parts.h"

namespace doris_operator::translator::internal {

void WriteSelectorLabels(const Ctx& x, JsonWriter& w) {
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.sts());
  w.Field(kComponentLabel, x.comp());
  w.EndObject();
}

// metadata's name, namespace and ownerReferences (after annotations, labels).
void WriteMetaTail(const Ctx& x, JsonWriter& w, const std::string& name) {
  internal::WriteMetaTail(w, name, x.ns(), *x.owner_refs);
}

void WriteClusterObjectHead(const Ctx& x, JsonWriter& w, const Written& out, std::string_view component) {
  BeginObjectMeta(w, out.api_version, out.kind);
  w.Key("labels");
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.name());
  w.Field(kComponentLabel, component);
  w.EndObject();
  WriteMetaTail(x, w, out.name);
  w.EndObject();
}

std::vector<PortOut> Ports(const Ctx& x, bool with_protocol_quirk) {
  std::vector<PortOut> ports;
  ports.reserve(8);
  for (const PortDef& p : ContainerPorts(x.c)) {
    // The reference omits the protocol on be-port only; TCP is the default.
    ports.push_back({p.name, x.Port(p.conf_key, p.default_port),
                     !(with_protocol_quirk && p.name == "be-port")});
  }
  const int arrow = x.Port("arrow_flight_sql_port", -1);
  if (arrow != -1 && x.c != Component::kBroker) ports.push_back({"arrow-flight", arrow, true});
  return ports;
}

int LivenessPort(const Ctx& x) {
  switch (x.c) {
    case Component::kFe: return x.Port("query_port", 9030);
    case Component::kBe:
    case Component::kCn: return x.Port("heartbeat_service_port", 9050);
    case Component::kBroker: return x.Port("broker_ipc_port", 8000);
  }
  return 0;
}

}  // namespace doris_operator::translator::internal
