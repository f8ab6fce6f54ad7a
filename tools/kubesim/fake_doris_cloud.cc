#include "tools/kubesim/fake_doris_cloud.h"

#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/kubesim/fake_doris_cloud_internal.h"
#include "tools/kubesim/fe_meta_claim.h"
#include "tools/kubesim/fake_doris_internal.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers
using namespace fake_doris_cloud_internal;  // NOLINT

FakeDorisCloud::FakeDorisCloud(ObjectStore* store, FakeDorisCloudOptions options)
    : store_(store), options_(options) {}

std::optional<Json> FakeDorisCloud::Ddc(const std::string& ns, const std::string& name) const {
  const std::optional<ResourceType> t = store_->Find(kDdcGroup, "v1", kDdcResource);
  if (!t) return std::nullopt;
  auto got = store_->Get(*t, ns, name);
  if (const Json* j = std::get_if<Json>(&got)) return *j;
  return std::nullopt;
}

namespace {

// The conf file `file` of the ConfigMaps a component mounts where the
// entrypoints read conf files (CONFIGMAP_MOUNT_PATH, /etc/doris); the first
// listed ConfigMap holding it wins, as the reference operator resolves ports.
std::map<std::string, std::string> ConfFile(const ObjectStore& store, const std::string& ns, const Json& spec,
                                            const std::string& file) {
  const std::optional<ResourceType> cm_type = store.Find("", "v1", "configmaps");
  if (!cm_type || !spec.contains("configMaps") || !spec["configMaps"].is_array()) return {};
  for (const Json& ref : spec["configMaps"]) {
    const std::string mount = ref.value("mountPath", "");
    if (!mount.empty() && mount != "/etc/doris" && mount != "/etc/doris/") continue;
    auto got = store.Get(*cm_type, ns, ref.value("name", ""));
    const Json* cm = std::get_if<Json>(&got);
    if (cm == nullptr || !cm->contains("data") || !(*cm)["data"].contains(file)) continue;
    return ParseConf((*cm)["data"][file].get<std::string>());
  }
  return {};
}

int PortOr(const std::map<std::string, std::string>& conf, const char* key, int fallback) {
  auto it = conf.find(key);
  int v = 0;
  return it != conf.end() && absl::SimpleAtoi(it->second, &v) ? v : fallback;
}

}  // namespace

FakeDorisCloud::Config FakeDorisCloud::ConfigOf(const std::string& ns, const Json& ddc) const {
  Config out;
  const Json spec = ddc.value("spec", Json::object());
  const Json fe = spec.value("feSpec", Json::object());
  const Json ms = spec.value("metaService", Json::object());
  // apache/doris:fe-3.0.3 names the Doris version.
  // Held here: the view below must not outlive it (a temporary did; TSan's
  // heap-use-after-free in the full suite).
  const std::string image = fe.value("image", std::string());
  absl::string_view tag(image);
  tag = tag.substr(tag.rfind(':') == absl::string_view::npos ? tag.size() : tag.rfind(':') + 1);
  absl::ConsumePrefix(&tag, "fe-");
  std::vector<std::string> parts = absl::StrSplit(tag, '.');
  int major = 0, minor = 0;
  if (parts.size() >= 2 && absl::SimpleAtoi(parts[0], &major) && absl::SimpleAtoi(parts[1], &minor)) {
    out.major = major;
    out.minor = minor;
  }
  const auto ms_conf = ConfFile(*store_, ns, ms, "doris_cloud.conf");
  out.ms_port = PortOr(ms_conf, "brpc_listen_port", out.ms_port);
  if (auto it = ms_conf.find("http_token"); it != ms_conf.end()) out.ms_token = it->second;
  const auto fe_conf = ConfFile(*store_, ns, fe, "fe.conf");
  out.fe_http_port = PortOr(fe_conf, "http_port", out.fe_http_port);
  out.fe_query_port = PortOr(fe_conf, "query_port", out.fe_query_port);
  out.fe_edit_log_port = PortOr(fe_conf, "edit_log_port", out.fe_edit_log_port);
  out.fe_meta_dir = FeMetaDir(fe_conf);
  // fe_disaggregated_entrypoint.sh appends enable_fqdn_mode = true to the
  // image's fe.conf, then a user's fe.conf replaces it: FQDN unless the
  // user's file leaves it out or says otherwise.
  if (!fe_conf.empty()) {
    auto it = fe_conf.find("enable_fqdn_mode");
    out.fe_fqdn = it != fe_conf.end() && absl::AsciiStrToLower(it->second) == "true";
  }
  return out;
}

void FakeDorisCloud::Tick(int64_t now_ms) {
  const std::optional<ResourceType> ddc_type = store_->Find(kDdcGroup, "v1", kDdcResource);
  const std::optional<ResourceType> pod_type = store_->Find("", "v1", "pods");
  if (!ddc_type || !pod_type) return;
  std::map<std::pair<std::string, std::string>, std::map<std::string, Json>> pods_by_ddc;
  for (Json& pod : store_->List(*pod_type, "", kLabelCluster, "", 0, "").items) {
    const std::string ns = pod["metadata"].value("namespace", "");
    const std::string ddc = pod["metadata"]["labels"].value(kLabelCluster, "");
    const std::string name = pod["metadata"].value("name", "");
    pods_by_ddc[{ns, ddc}][name] = std::move(pod);
  }
  const auto ddcs = store_->List(*ddc_type, "", "", "", 0, "").items;
  std::lock_guard<std::mutex> l(mu_);
  for (const Json& ddc : ddcs) {
    const std::string name = ddc["metadata"].value("name", "");
    const std::string ns = ddc["metadata"].value("namespace", "");
    Cluster& c = ClusterFor(ns, name);
    const Config conf = ConfigOf(ns, ddc);
    const int64_t dt = c.last_tick_ms < 0 ? 0 : now_ms - c.last_tick_ms;
    c.last_tick_ms = now_ms;
    const std::map<std::string, Json>& pods = pods_by_ddc[{ns, name}];
    RefreshNodes(c, pods, now_ms);
    Register(c, ns, name, conf, pods, now_ms);
    Decommission(c, dt);
  }
}

std::optional<HttpResponse> FakeDorisCloud::HandleService(const std::string& ns, const std::string& service,
                                                          const std::string& path, const HttpRequest& req) {
  const size_t colon = service.find(':');
  const std::string name = service.substr(0, colon);
  std::string port = colon == std::string::npos ? "" : service.substr(colon + 1);
  const std::optional<ResourceType> svc_type = store_->Find("", "v1", "services");
  if (!svc_type) return std::nullopt;
  auto got = store_->Get(*svc_type, ns, name);
  const Json* svc = std::get_if<Json>(&got);
  if (svc == nullptr) return std::nullopt;
  const Json labels = (*svc)["metadata"].value("labels", Json::object());
  const std::string ddc_name = labels.value(kLabelCluster, "");
  if (ddc_name.empty()) return std::nullopt;  // not a ddc's Service: FakeDoris' business
  const std::optional<Json> ddc = Ddc(ns, ddc_name);
  if (!ddc) return Refused(absl::StrCat("kubesim: no endpoints available for service \"", name, "\""));
  // A named Service port means its target port.
  if (!port.empty() && !absl::ascii_isdigit(static_cast<unsigned char>(port[0]))) {
    for (const Json& p : (*svc)["spec"].value("ports", Json::array())) {
      if (p.value("name", "") != port) continue;
      const Json target = p.contains("targetPort") ? p["targetPort"] : p.value("port", Json(0));
      port = target.is_number() ? std::to_string(target.get<int>()) : std::to_string(p.value("port", 0));
    }
  }
  const Config conf = ConfigOf(ns, *ddc);
  const std::string type = labels.value(kLabelType, "");
  if (type == "ms") return ServeMs(ns, ddc_name, conf, port, path, req);
  if (type != "fe") return Refused("kubesim: only the FE and meta-service Services of a ddc are proxied");
  std::string fe_pod;
  {
    std::lock_guard<std::mutex> l(mu_);
    Cluster& c = ClusterFor(ns, ddc_name);
    std::vector<const Frontend*> up;
    const Frontend* master = nullptr;
    for (const auto& [hp, fe] : c.frontends) {
      if (!fe.alive || fe.terminating) continue;
      up.push_back(&fe);
      if (fe.is_master) master = &fe;
    }
    if (c.service_lands_on == "master" && master != nullptr) {
      fe_pod = master->pod;
    } else if (c.service_lands_on == "non-master") {
      for (const Frontend* f : up) {
        if (!f->is_master) fe_pod = f->pod;
      }
      if (fe_pod.empty() && master != nullptr) fe_pod = master->pod;
    } else if (!up.empty()) {
      fe_pod = up[c.next_fe++ % up.size()]->pod;
    }
  }
  return ServeFe(ns, ddc_name, conf, fe_pod, port, path, req);
}

std::optional<HttpResponse> FakeDorisCloud::HandlePod(const std::string& ns, const std::string& pod,
                                                      const std::string& path, const HttpRequest& req) {
  const size_t colon = pod.find(':');
  const std::string name = pod.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : pod.substr(colon + 1);
  const std::optional<ResourceType> pod_type = store_->Find("", "v1", "pods");
  if (!pod_type) return std::nullopt;
  auto got = store_->Get(*pod_type, ns, name);
  const Json* live = std::get_if<Json>(&got);
  if (live == nullptr) return std::nullopt;
  const Json labels = (*live)["metadata"].value("labels", Json::object());
  const std::string ddc_name = labels.value(kLabelCluster, "");
  if (ddc_name.empty()) return std::nullopt;
  const std::optional<Json> ddc = Ddc(ns, ddc_name);
  if (!ddc) return Refused(absl::StrCat("kubesim: connection refused: nothing runs in ", name));
  const Config conf = ConfigOf(ns, *ddc);
  const std::string type = labels.value(kLabelType, "");
  const std::string uid = (*live)["metadata"].value("uid", "");
  if (type == "ms") {
    // brpc serves on the pod itself as soon as the process runs.
    const bool serving = Ready(*live) && !(*live)["metadata"].contains("deletionTimestamp") &&
                         !EnvOf(*live, "FDB_ENDPOINT").empty();
    if (!serving) return Refused(absl::StrCat("kubesim: connection refused: the meta service in ", name, " is not up"));
    return ServeMs(ns, ddc_name, conf, port, path, req);
  }
  if (type != "fe") return Refused("kubesim: only the FE and meta-service pods of a ddc are proxied");
  std::string fe_pod;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [hp, fe] : ClusterFor(ns, ddc_name).frontends) {
      if (fe.pod == name && fe.alive && fe.pod_uid == uid) fe_pod = name;
    }
  }
  if (fe_pod.empty()) return Refused(absl::StrCat("kubesim: connection refused: the FE in ", name, " is not up"));
  return ServeFe(ns, ddc_name, conf, fe_pod, port, path, req);
}

}  // namespace doris_operator::kubesim
