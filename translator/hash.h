#ifndef DORIS_OPERATOR_TRANSLATOR_HASH_H_
#define DORIS_OPERATOR_TRANSLATOR_HASH_H_

// Stable content hashes for anything persisted or written into objects:
// SHA-256 over bytes, lower-case hex. Never std::hash / absl::Hash, whose
// values may change between builds.

#include <string>
#include <string_view>

namespace doris_operator::translator {

std::string Sha256Hex(std::string_view bytes);

}  // namespace doris_operator::translator

#endif  // DORIS_OPERATOR_TRANSLATOR_HASH_H_
