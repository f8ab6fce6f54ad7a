#include "store/keys.h"

namespace doris_operator::store::keys {

namespace {

void PutFixed64BE(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t GetFixed64BE(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

void PutComponent(std::string* out, std::string_view s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  while (n >= 0x80) {
    out->push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
  out->append(s);
}

}  // namespace

std::string Seq(uint64_t seq) {
  std::string out;
  out.reserve(8);
  PutFixed64BE(&out, seq);
  return out;
}

std::optional<uint64_t> ParseSeq(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  return GetFixed64BE(key);
}

std::string ObjectPrefix(const ObjectId& id) {
  std::string out;
  PutComponent(&out, id.group);
  PutComponent(&out, id.kind);
  PutComponent(&out, id.ns);
  PutComponent(&out, id.name);
  return out;
}

std::string ClusterPrefix(const ClusterKey& cluster) {
  std::string out;
  PutComponent(&out, cluster.ns);
  if (cluster.kind.empty()) {
    PutComponent(&out, cluster.name);
  } else {
    // name NUL kind: its length differs from the name's, so neither
    // cluster's prefix is a prefix of the other's, and a DorisCluster's
    // keys stay those of logs written before kinds (no name holds a NUL).
    std::string name_kind = cluster.name;
    name_kind.push_back('\0');
    name_kind += cluster.kind;
    PutComponent(&out, name_kind);
  }
  return out;
}

std::optional<uint64_t> SeqOfIndexKey(std::string_view key, size_t prefix_len) {
  if (key.size() != prefix_len + 8) return std::nullopt;
  return GetFixed64BE(key.substr(prefix_len));
}

std::string Repeats(uint64_t seq) { return kRepeatsPrefix + Seq(seq); }

}  // namespace doris_operator::store::keys
