#include "translator/container_parts.h"

#include "translator/json_parts.h"

namespace doris_operator::translator::internal {

std::string InitImage(const model::v1::SystemInitialization& si, bool be,
                      const std::string& be_image) {
  static constexpr char kDefaultInitImage[] = "selectdb/alpine:latest";
  if (!si.init_image().empty() && si.init_image() != kDefaultInitImage) return si.init_image();
  return be ? be_image : kDefaultInitImage;
}

void WriteResources(JsonWriter& w, bool requests, const model::v1::RawJson& req, bool limits,
                    const model::v1::RawJson& lim, bool claims, const model::v1::RawJson& cl) {
  if (!requests && !limits && !claims) return;
  w.Key("resources");
  w.BeginObject();
  WriteRawField(w, "claims", claims, cl);
  WriteResourceListField(w, "limits", limits, lim);
  WriteResourceListField(w, "requests", requests, req);
  w.EndObject();
}

void WritePreStopLifecycle(JsonWriter& w, const std::string& script) {
  w.Key("lifecycle");
  w.BeginObject();
  w.Key("preStop");
  w.BeginObject();
  w.Key("exec");
  w.BeginObject();
  w.Key("command");
  w.BeginArray();
  w.String(script);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

void WriteDefaultInitContainer(JsonWriter& w, const std::string& image) {
  w.BeginObject();
  w.Key("args");
  w.Raw(R"(["-c","sysctl -w vm.max_map_count=2000000 && swapoff -a"])");
  w.Key("command");
  w.Raw(R"(["/bin/sh"])");
  w.Field("image", image);
  w.Field("imagePullPolicy", "IfNotPresent");
  w.Field("name", "default-init");
  w.Key("securityContext");
  w.Raw(R"({"privileged":true})");
  w.EndObject();
}

void WriteSystemInitContainer(JsonWriter& w, const model::v1::SystemInitialization& si,
                              const std::string& image) {
  w.BeginObject();
  if (si.args_size() > 0) {
    w.Key("args");
    w.BeginArray();
    for (const std::string& a : si.args()) w.String(a);
    w.EndArray();
  }
  if (si.command_size() > 0) {
    w.Key("command");
    w.BeginArray();
    for (const std::string& a : si.command()) w.String(a);
    w.EndArray();
  }
  w.Field("image", image);
  w.Field("imagePullPolicy", "IfNotPresent");
  w.Field("name", "init");
  WriteResources(w, si.has_requests(), si.requests(), si.has_limits(), si.limits(), si.has_claims(),
                 si.claims());
  w.Key("securityContext");
  w.Raw(R"({"privileged":true})");
  w.EndObject();
}

}  // namespace doris_operator::translator::internal
