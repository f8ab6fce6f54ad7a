#ifndef DORIS_OPERATOR_OPERATOR_INGEST_REFERENCE_INDEX_H_
#define DORIS_OPERATOR_OPERATOR_INGEST_REFERENCE_INDEX_H_

// Which DorisCluster references which ConfigMap, so a ConfigMap event can be
// filed under (and wake) the cluster that reads it. Fed from the clusters'
// specs as they are reconciled; thread-safe.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "proto/doris_cluster.pb.h"
#include "proto/log.pb.h"
#include "store/object_id.h"

namespace doris_operator::ingest {

// Names of the ConfigMaps a cluster's components read (configMapInfo).
std::set<std::string> ReferencedConfigMaps(const model::v1::DorisClusterSpec& spec);

class ReferenceIndex {
 public:
  void Set(const store::ClusterKey& cluster, std::set<std::string> config_maps);
  // ConfigMaps by (namespace, name) that may lie outside the cluster's
  // namespace (a ddc's FDB ConfigMap).
  void SetElsewhere(const store::ClusterKey& cluster, std::set<std::pair<std::string, std::string>> config_maps);
  void Remove(const store::ClusterKey& cluster);
  // The cluster that references this ConfigMap (the first by name if several).
  std::optional<log::v1::ClusterRef> Resolve(const log::v1::ObjectRef& object) const;

 private:
  mutable absl::Mutex mu_;
  std::map<store::ClusterKey, std::set<std::string>> by_cluster_ ABSL_GUARDED_BY(mu_);
  std::map<store::ClusterKey, std::set<std::pair<std::string, std::string>>> elsewhere_ ABSL_GUARDED_BY(mu_);
};

}  // namespace doris_operator::ingest

#endif  // DORIS_OPERATOR_OPERATOR_INGEST_REFERENCE_INDEX_H_
