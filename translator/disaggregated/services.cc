#include "translator/disaggregated/services.h"

#include <cstdint>
#include <optional>

#include "translator/disaggregated/names.h"
#include "translator/object_parts.h"

namespace doris_operator::translator::disaggregated {

namespace {

std::string AccessServiceName(const Ctx& x) {
  switch (x.kind) {
    case Kind::kMs: return MetaServiceName(x.name());
    case Kind::kFe: return FeName(x.name());
    case Kind::kCg: return ComputeGroupExternalServiceName(x.name(), x.cg->unique_id());
  }
  return "";
}

void WritePort(JsonWriter& w, const Port& p, std::optional<int32_t> node_port) {
  w.BeginObject();
  w.Field("name", p.name);
  if (node_port) w.Field("nodePort", *node_port);
  w.Field("port", p.port);
  w.Field("protocol", "TCP");
  w.Field("targetPort", p.port);
  w.EndObject();
}

}  // namespace

std::string GoverningServiceName(const Ctx& x) {
  switch (x.kind) {
    case Kind::kMs: return MetaServiceName(x.name());
    case Kind::kFe: return FeInternalServiceName(x.name());
    case Kind::kCg: return x.sts;
  }
  return "";
}

Written AccessService(const Ctx& x, JsonWriter& w, const std::string* hash) {
  const auto& svc = x.base->service();
  Written out{"v1", "Service", AccessServiceName(x), !svc.annotations().empty()};
  const std::string type = svc.type().empty() ? "ClusterIP" : svc.type();
  internal::BeginObjectMeta(w, "v1", "Service");
  internal::WriteServiceAnnotations(w, svc.annotations(), hash);
  WriteLabelsAndMetaTail(x, w, out.name);
  w.Key("spec");
  w.BeginObject();
  w.Key("ports");
  w.BeginArray();
  for (const Port& p : Ports(x)) {
    // portMaps match on the service port; nodePort only for NodePort (§2.2).
    std::optional<int32_t> node_port;
    for (const auto& pm : svc.port_maps()) {
      if (pm.target_port() == p.port && pm.node_port() != 0 && type == "NodePort") {
        node_port = pm.node_port();
      }
    }
    WritePort(w, p, node_port);
  }
  w.EndArray();
  w.Key("selector");
  WriteSelectorLabels(x, w);
  internal::WriteServiceAffinityAndType(w, type);
  w.EndObject();
  w.EndObject();
  return out;
}

Written HeadlessService(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  Written out{"v1", "Service", GoverningServiceName(x), false};
  internal::BeginObjectMeta(w, "v1", "Service");
  WriteLabelsAndMetaTail(x, w, out.name, "internal");
  w.Key("spec");
  w.BeginObject();
  w.Field("clusterIP", "None");
  w.Key("ports");
  w.BeginArray();
  WritePort(w, HeadlessPort(x), std::nullopt);
  w.EndArray();
  w.Field("publishNotReadyAddresses", true);
  w.Key("selector");
  WriteSelectorLabels(x, w);
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace doris_operator::translator::disaggregated
