#ifndef DORIS_OPERATOR_STORE_STATE_H_
#define DORIS_OPERATOR_STORE_STATE_H_

// What the operator knows after folding log records 1..last_seq(): the latest
// version of every live object, grouped by the DorisCluster it belongs to.
// Ordered containers only, so iteration and serialisation are deterministic.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/log.pb.h"
#include "store/object_id.h"

namespace doris_operator::store {

using ClusterObjects = std::map<ObjectId, log::v1::StoredObject>;

class State {
 public:
  uint64_t last_seq() const { return last_seq_; }
  // Accessors that return references into the state are lvalue-only, so
  // `log.CurrentState().clusters()` (a dangling reference) does not compile.
  const std::map<ClusterKey, ClusterObjects>& clusters() const& { return clusters_; }
  const std::map<ClusterKey, ClusterObjects>& clusters() && = delete;

  // Null when the object is not live (never seen, or deleted).
  const log::v1::StoredObject* Find(const ObjectId& id) const&;
  const log::v1::StoredObject* Find(const ObjectId& id) && = delete;
  // Empty map when the cluster has no live objects.
  const ClusterObjects& ObjectsOf(const ClusterKey& cluster) const&;
  const ClusterObjects& ObjectsOf(const ClusterKey& cluster) && = delete;
  size_t object_count() const { return owner_.size(); }
  // Last resourceVersion per watch stream.
  const std::map<std::string, std::string>& cursors() const& { return cursors_; }
  const std::map<std::string, std::string>& cursors() && = delete;

  // Deterministic bytes: equal states give equal bytes.
  std::string Serialize() const;
  static absl::StatusOr<State> Parse(std::string_view bytes);

  bool operator==(const State& other) const;

 private:
  friend class Folder;  // fold.cc

  uint64_t last_seq_ = 0;
  std::map<ClusterKey, ClusterObjects> clusters_;
  // Which cluster each live object is filed under, so an object whose owning
  // cluster changes (relabelled) moves instead of being duplicated.
  std::map<ObjectId, ClusterKey> owner_;
  std::map<std::string, std::string> cursors_;
};

}  // namespace doris_operator::store

#endif  // DORIS_OPERATOR_STORE_STATE_H_
