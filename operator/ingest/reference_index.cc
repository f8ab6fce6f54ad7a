#include "operator/ingest/reference_index.h"

namespace doris_operator::ingest {

std::set<std::string> ReferencedConfigMaps(const model::v1::DorisClusterSpec& spec) {
  std::set<std::string> names;
  auto add = [&names](const model::v1::ConfigMapInfo& info) {
    if (!info.config_map_name().empty()) names.insert(info.config_map_name());
    for (const auto& m : info.config_maps()) {
      if (!m.config_map_name().empty()) names.insert(m.config_map_name());
    }
  };
  if (spec.has_fe_spec()) add(spec.fe_spec().base().config_map_info());
  if (spec.has_be_spec()) add(spec.be_spec().base().config_map_info());
  if (spec.has_cn_spec()) add(spec.cn_spec().base().config_map_info());
  if (spec.has_broker_spec()) add(spec.broker_spec().base().config_map_info());
  return names;
}

void ReferenceIndex::Set(const store::ClusterKey& cluster, std::set<std::string> config_maps) {
  absl::MutexLock lock(&mu_);
  by_cluster_[cluster] = std::move(config_maps);
}

void ReferenceIndex::SetElsewhere(const store::ClusterKey& cluster,
                                  std::set<std::pair<std::string, std::string>> config_maps) {
  absl::MutexLock lock(&mu_);
  if (config_maps.empty()) {
    elsewhere_.erase(cluster);
  } else {
    elsewhere_[cluster] = std::move(config_maps);
  }
}

void ReferenceIndex::Remove(const store::ClusterKey& cluster) {
  absl::MutexLock lock(&mu_);
  by_cluster_.erase(cluster);
  elsewhere_.erase(cluster);
}

std::optional<log::v1::ClusterRef> ReferenceIndex::Resolve(const log::v1::ObjectRef& object) const {
  if (object.kind() != "ConfigMap") return std::nullopt;
  absl::MutexLock lock(&mu_);
  for (auto it = by_cluster_.lower_bound({object.namespace_(), ""});
       it != by_cluster_.end() && it->first.ns == object.namespace_(); ++it) {
    if (it->second.count(object.name()) > 0) return it->first.ToRef();
  }
  for (const auto& [cluster, config_maps] : elsewhere_) {
    if (config_maps.count({object.namespace_(), object.name()})) return cluster.ToRef();
  }
  return std::nullopt;
}

}  // namespace doris_operator::ingest
