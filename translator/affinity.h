#ifndef DORIS_OPERATOR_TRANSLATOR_AFFINITY_H_
#define DORIS_OPERATOR_TRANSLATOR_AFFINITY_H_

// The operator's default pod (anti-)affinity terms and their merge with a
// user's affinity, for every resource's pod templates: the user's required
// anti-affinity replaces ours (none), preferred terms are appended to ours,
// node and pod affinity come from the user.

#include <string_view>

#include "translator/canonical_json.h"
#include "translator/json_writer.h"

namespace doris_operator::translator::internal {

// A preferred term on kubernetes.io/hostname against pods whose label `key`
// is `value`.
Json PreferredTerm(int weight, std::string_view key, std::string_view value);
void WritePreferredTerm(JsonWriter& w, int weight, std::string_view key, std::string_view value);

// `user` (an Affinity, {} when none) merged with our preferred anti-affinity
// terms and our preferred pod-affinity terms (both JSON arrays).
Json MergeAffinity(const Json& user, const Json& our_anti_terms, const Json& our_pod_terms);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_AFFINITY_H_
