#include "translator/disaggregated/context.h"

#include "absl/strings/str_cat.h"
#include "translator/disaggregated/names.h"
#include "translator/object_parts.h"

namespace doris_operator::translator::disaggregated {

const char* TypeLabel(Kind k) {
  switch (k) {
    case Kind::kMs: return "ms";
    case Kind::kFe: return "fe";
    case Kind::kCg: return "compute";
  }
  return "";
}

const char* ContainerName(Kind k) {
  switch (k) {
    case Kind::kMs: return "metaservice";
    case Kind::kFe: return "fe";
    case Kind::kCg: return "compute";
  }
  return "";
}

const char* DorisHome(Kind k) {
  switch (k) {
    case Kind::kMs: return "/opt/apache-doris/ms";
    case Kind::kFe: return "/opt/apache-doris/fe";
    case Kind::kCg: return "/opt/apache-doris/be";
  }
  return "";
}

const char* ConfFileKey(Kind k) {
  switch (k) {
    case Kind::kMs: return "doris_cloud.conf";
    case Kind::kFe: return "fe.conf";
    case Kind::kCg: return "be.conf";
  }
  return "";
}

DorisConf LoadConf(const TranslateInputs& in, const dv1::CommonSpec& base, Kind k,
                   const std::string& path, FieldProblems* warnings) {
  for (int i = 0; i < base.config_maps_size(); ++i) {
    const std::string& cm = base.config_maps(i).name();
    auto it = in.config_maps.find(cm);
    if (it == in.config_maps.end()) {
      warnings->push_back({absl::StrCat(path, ".configMaps[", i, "].name"),
                           absl::StrCat("ConfigMap \"", cm, "\" was not found; using defaults")});
      continue;
    }
    auto file = it->second.find(ConfFileKey(k));
    if (file != it->second.end()) return DorisConf::Parse(file->second, DorisHome(k));
  }
  return DorisConf();
}

int32_t Replicas(const dv1::CommonSpec& base, Kind k) {
  if (base.has_replicas()) return base.replicas();
  switch (k) {
    case Kind::kMs: return kDefaultMetaServiceReplicas;
    case Kind::kFe: return kDefaultFeReplicas;
    case Kind::kCg: break;
  }
  return kDefaultGroupReplicas;
}

std::vector<Port> Ports(const Ctx& x) {
  std::vector<Port> out;
  switch (x.kind) {
    case Kind::kMs:
      // The reference declares broker_ipc_port 8000 on the container while
      // its Service targets brpc_listen_port (contract §7.9): we declare the
      // port the Service targets.
      out.push_back({"brpc-listen-port", x.Port("brpc_listen_port", 5000)});
      return out;
    case Kind::kFe:
      out = {{"http-port", x.Port("http_port", 8030)},
             {"rpc-port", x.Port("rpc_port", 9020)},
             {"query-port", x.Port("query_port", 9030)},
             {"edit-log-port", x.Port("edit_log_port", 9010)}};
      break;
    case Kind::kCg:
      out = {{"be-port", x.Port("be_port", 9060)},
             {"webserver-port", x.Port("webserver_port", 8040)},
             {"heartbeat-port", x.Port("heartbeat_service_port", 9050)},
             {"brpc-port", x.Port("brpc_port", 8060)}};
      break;
  }
  const int arrow = x.Port("arrow_flight_sql_port", -1);
  if (arrow != -1) out.push_back({"arrow-flight-sql-port", arrow});
  return out;
}

Port HeadlessPort(const Ctx& x) {
  switch (x.kind) {
    case Kind::kMs: return {"brpc-listen-port", x.Port("brpc_listen_port", 5000)};
    case Kind::kFe: return {"query-port", x.Port("query_port", 9030)};
    case Kind::kCg: return {"heartbeat-port", x.Port("heartbeat_service_port", 9050)};
  }
  return {"", 0};
}

void WriteObjectLabels(const Ctx& x, JsonWriter& w, const char* role) {
  w.BeginObject();
  if (x.kind == Kind::kCg) w.Field(kUniqueIdLabel, x.cg->unique_id());
  w.Field(kClusterLabel, x.name());
  if (x.kind == Kind::kCg) {
    w.Field(kOwnerRefLabel, x.name());
  } else {
    w.Field(kTypeLabel, TypeLabel(x.kind));
  }
  if (role != nullptr) w.Field(kServiceRoleLabel, role);
  w.EndObject();
}

void WriteSelectorLabels(const Ctx& x, JsonWriter& w) {
  w.BeginObject();
  if (x.kind == Kind::kCg) w.Field(kUniqueIdLabel, x.cg->unique_id());
  w.Field(kClusterLabel, x.name());
  if (x.kind != Kind::kCg) w.Field(kOwnerRefLabel, x.name());
  w.Field(kTypeLabel, TypeLabel(x.kind));
  w.EndObject();
}

void WriteMetaTail(const Ctx& x, JsonWriter& w, const std::string& name) {
  internal::WriteMetaTail(w, name, x.ns(), *x.owner_refs);
}

void WriteLabelsAndMetaTail(const Ctx& x, JsonWriter& w, const std::string& name,
                            const char* role) {
  w.Key("labels");
  WriteObjectLabels(x, w, role);
  WriteMetaTail(x, w, name);
  w.EndObject();
}

}  // namespace doris_operator::translator::disaggregated
