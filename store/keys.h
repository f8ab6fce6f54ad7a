#ifndef DORIS_OPERATOR_STORE_KEYS_H_
#define DORIS_OPERATOR_STORE_KEYS_H_

// Byte layout of the event log's RocksDB keys. Sequence numbers are
// fixed-width big-endian so lexicographic order is numeric order; string
// components are length-prefixed so no key is a prefix of another's.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/object_id.h"

namespace doris_operator::store::keys {

std::string Seq(uint64_t seq);
std::optional<uint64_t> ParseSeq(std::string_view key);

// Index prefixes; an index key is prefix + Seq(seq).
std::string ObjectPrefix(const ObjectId& id);
std::string ClusterPrefix(const ClusterKey& cluster);
std::optional<uint64_t> SeqOfIndexKey(std::string_view key, size_t prefix_len);

// The key (in the meta family) of the repeat count of the coalesced run whose
// record is `seq`: kRepeatsPrefix + Seq(seq).
inline constexpr char kRepeatsPrefix[] = "repeats/";
std::string Repeats(uint64_t seq);

}  // namespace doris_operator::store::keys

#endif  // DORIS_OPERATOR_STORE_KEYS_H_
