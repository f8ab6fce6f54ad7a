#include "store/state.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::store {

namespace {
const ClusterObjects& EmptyObjects() {
  static const ClusterObjects* const kEmpty = new ClusterObjects();
  return *kEmpty;
}
}  // namespace

const log::v1::StoredObject* State::Find(const ObjectId& id) const {
  auto it = owner_.find(id);
  if (it == owner_.end()) return nullptr;
  const ClusterObjects& objects = clusters_.at(it->second);
  return &objects.at(id);
}

const ClusterObjects& State::ObjectsOf(const ClusterKey& cluster) const {
  auto it = clusters_.find(cluster);
  return it == clusters_.end() ? EmptyObjects() : it->second;
}

std::string State::Serialize() const {
  log::v1::FoldedState proto;
  proto.set_last_seq(last_seq_);
  for (const auto& [cluster, objects] : clusters_) {
    log::v1::ClusterObjects* c = proto.add_clusters();
    *c->mutable_cluster() = cluster.ToRef();
    for (const auto& [id, obj] : objects) *c->add_objects() = obj;
  }
  for (const auto& [stream, rv] : cursors_) {
    log::v1::StreamCursor* c = proto.add_cursors();
    c->set_stream(stream);
    c->set_resource_version(rv);
  }
  std::string out;
  proto.SerializeToString(&out);
  return out;
}

absl::StatusOr<State> State::Parse(std::string_view bytes) {
  log::v1::FoldedState proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("folded state snapshot does not parse");
  }
  State state;
  state.last_seq_ = proto.last_seq();
  for (const log::v1::ClusterObjects& c : proto.clusters()) {
    const ClusterKey cluster = ClusterKey::From(c.cluster());
    ClusterObjects& objects = state.clusters_[cluster];
    for (const log::v1::StoredObject& obj : c.objects()) {
      const ObjectId id = ObjectId::From(obj.ref());
      if (!state.owner_.emplace(id, cluster).second) {
        return absl::DataLossError(absl::StrCat(
            "folded state snapshot lists object ", id.kind, " ", id.ns, "/",
            id.name, " twice"));
      }
      objects.emplace(id, obj);
    }
    if (objects.empty()) state.clusters_.erase(cluster);
  }
  for (const log::v1::StreamCursor& c : proto.cursors()) {
    state.cursors_[c.stream()] = c.resource_version();
  }
  return state;
}

bool State::operator==(const State& other) const {
  return Serialize() == other.Serialize();
}

}  // namespace doris_operator::store
