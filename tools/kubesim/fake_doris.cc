#include "tools/kubesim/fake_doris.h"

#include <variant>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/kubesim/fake_doris_internal.h"
#include "tools/kubesim/fe_meta_claim.h"

namespace doris_operator::kubesim {

using namespace fake_doris_internal;  // NOLINT: the fake Doris files' shared helpers

FakeDoris::FakeDoris(ObjectStore* store, FakeDorisOptions options)
    : store_(store),
      options_(options),
      cloud_(std::make_unique<FakeDorisCloud>(
          store, FakeDorisCloudOptions{.tablets_per_backend = options.tablets_per_backend,
                                       .tablets_moved_per_second = options.tablets_moved_per_second,
                                       .heartbeat_ms = options.heartbeat_ms})) {}

FakeDoris::Cluster& FakeDoris::ClusterFor(const std::string& ns, const std::string& cluster) {
  return clusters_[ns + "/" + cluster];
}

FakeDoris::FeConfig FakeDoris::ConfigOf(const std::string& ns, const std::string& cluster) const {
  FeConfig out;
  const std::optional<ResourceType> dcr_type = store_->Find("doris.selectdb.com", "v1", "dorisclusters");
  const std::optional<ResourceType> cm_type = store_->Find("", "v1", "configmaps");
  if (!dcr_type || !cm_type) return out;
  auto dcr = store_->Get(*dcr_type, ns, cluster);
  const Json* d = std::get_if<Json>(&dcr);
  if (d == nullptr) return out;
  const Json fe = d->value("spec", Json::object()).value("feSpec", Json::object());
  // The image tag names the Doris version: apache/doris:fe-2.1.8.
  const std::string image = fe.value("image", "");
  absl::string_view tag(image);
  tag = tag.substr(tag.rfind(':') == absl::string_view::npos ? tag.size() : tag.rfind(':') + 1);
  absl::ConsumePrefix(&tag, "fe-");
  std::vector<std::string> parts = absl::StrSplit(tag, '.');
  int major = 0, minor = 0;
  if (parts.size() >= 2 && absl::SimpleAtoi(parts[0], &major) && absl::SimpleAtoi(parts[1], &minor)) {
    out.major = major;
    out.minor = minor;
  }
  const std::string cm_name = fe.value("configMapInfo", Json::object()).value("configMapName", "");
  if (cm_name.empty()) return out;  // no fe.conf of the user's: the image's entrypoint turns FQDN on
  auto cm = store_->Get(*cm_type, ns, cm_name);
  const Json* c = std::get_if<Json>(&cm);
  if (c == nullptr) return out;
  const std::map<std::string, std::string> conf =
      ParseConf(c->value("data", Json::object()).value("fe.conf", ""));
  auto get = [&conf](const char* key) {
    auto it = conf.find(key);
    return it == conf.end() ? std::string() : absl::AsciiStrToLower(it->second);
  };
  int port = 0;
  if (absl::SimpleAtoi(get("http_port"), &port)) out.http_port = port;
  // A mounted fe.conf is read-only: the entrypoint cannot add FQDN mode to
  // it, so the FE runs in IP mode unless the file turns FQDN on.
  out.fqdn = get("enable_fqdn_mode") == "true";
  out.drop_backend_after_decommission = get("drop_backend_after_decommission") != "false";
  out.meta_dir = FeMetaDir(conf);
  return out;
}

void FakeDoris::Tick(int64_t now_ms) {
  cloud_->Tick(now_ms);
  const std::optional<ResourceType> dcr_type = store_->Find("doris.selectdb.com", "v1", "dorisclusters");
  const std::optional<ResourceType> pod_type = store_->Find("", "v1", "pods");
  if (!dcr_type || !pod_type) return;
  std::lock_guard<std::mutex> l(mu_);
  // Every Doris pod once per tick, grouped by namespace and cluster label.
  std::map<std::pair<std::string, std::string>, std::map<std::string, Json>> pods_by_cluster;
  for (Json& pod : store_->List(*pod_type, "", "app.doris.cluster", "", 0, "").items) {
    const std::string ns = pod["metadata"].value("namespace", "");
    const std::string cluster = pod["metadata"]["labels"].value("app.doris.cluster", "");
    const std::string pod_name = pod["metadata"].value("name", "");
    pods_by_cluster[{ns, cluster}][pod_name] = std::move(pod);
  }
  for (const Json& dcr : store_->List(*dcr_type, "", "", "", 0, "").items) {
    const std::string name = dcr["metadata"]["name"];
    const std::string ns = dcr["metadata"].value("namespace", "");
    Cluster& c = ClusterFor(ns, name);
    const FeConfig conf = ConfigOf(ns, name);
    const int64_t dt = c.last_tick_ms < 0 ? 0 : now_ms - c.last_tick_ms;
    c.last_tick_ms = now_ms;

    std::map<std::string, Json>& pods = pods_by_cluster[{ns, name}];  // pod name -> pod
    RefreshNodes(c, pods, now_ms);
    RegisterPods(c, ns, name, conf, pods, now_ms);
    MoveTablets(c, conf, dt);
  }
}

}  // namespace doris_operator::kubesim
