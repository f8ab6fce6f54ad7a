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

const log::v1::StoredObject* State::Find(const ObjectId& id) const& {
  auto it = owner_.find(id);
  if (it == owner_.end()) return nullptr;
  const ClusterObjects& objects = clusters_.at(it->second);
  return &objects.at(id);
}

const ClusterObjects& State::ObjectsOf(const ClusterKey& cluster) const& {
  auto it = clusters_.find(cluster);
  return it == clusters_.end() ? EmptyObjects() : it->second;
}

// Serialize writes FoldedState's wire format directly instead of building a
// FoldedState: snapshots are taken on the append path, and copying every
// object into a temporary message would double their cost. Fields go out in
// ascending number order, as protobuf itself writes them, so the bytes equal
// FoldedState::SerializeAsString() of the same content.
namespace {

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void AppendTag(std::string* out, int field, int wire_type) {
  AppendVarint(out, static_cast<uint64_t>(field) << 3 | wire_type);
}

// Writes a length-delimited field holding `m`, whose size is already cached
// (ByteSizeLong() was called and `m` not changed since).
void AppendCachedMessage(std::string* out, int field, const google::protobuf::MessageLite& m,
                         size_t size) {
  AppendTag(out, field, 2);
  AppendVarint(out, size);
  const size_t at = out->size();
  out->resize(at + size);
  m.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out->data() + at));
}

}  // namespace

std::string State::Serialize() const {
  std::string out;
  if (last_seq_ != 0) {
    AppendTag(&out, log::v1::FoldedState::kLastSeqFieldNumber, 0);
    AppendVarint(&out, last_seq_);
  }
  for (const auto& [cluster, objects] : clusters_) {
    const log::v1::ClusterRef ref = cluster.ToRef();
    const size_t ref_size = ref.ByteSizeLong();
    size_t inner = 1 + VarintSize(ref_size) + ref_size;
    for (const auto& [id, obj] : objects) {
      const size_t n = obj.ByteSizeLong();
      inner += 1 + VarintSize(n) + n;
    }
    AppendTag(&out, log::v1::FoldedState::kClustersFieldNumber, 2);
    AppendVarint(&out, inner);
    AppendCachedMessage(&out, log::v1::ClusterObjects::kClusterFieldNumber, ref, ref_size);
    for (const auto& [id, obj] : objects) {
      AppendCachedMessage(&out, log::v1::ClusterObjects::kObjectsFieldNumber, obj,
                          obj.GetCachedSize());
    }
  }
  for (const auto& [stream, rv] : cursors_) {
    log::v1::StreamCursor c;
    c.set_stream(stream);
    c.set_resource_version(rv);
    AppendCachedMessage(&out, log::v1::FoldedState::kCursorsFieldNumber, c, c.ByteSizeLong());
  }
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
