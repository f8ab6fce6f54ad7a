#ifndef DORIS_OPERATOR_TRANSLATOR_ENV_LIST_H_
#define DORIS_OPERATOR_TRANSLATOR_ENV_LIST_H_

// A main container's `env`: the user's variables first and winning, then the
// operator's own (plain values, downward-API fields or Secret keys), for
// every resource's pod templates.

#include <string>
#include <string_view>
#include <vector>

#include "translator/canonical_json.h"
#include "translator/json_writer.h"

namespace doris_operator::translator::internal {

struct EnvVar {
  std::string_view name;
  std::string value;
  const char* field_path = nullptr;  // valueFrom.fieldRef instead of value
  const char* secret_key = nullptr;  // valueFrom.secretKeyRef {key, name: value} instead
};

// Writes the array: every entry of `user` (the spec's envVars, a JSON array)
// as given, then each of `ours` whose name the user did not set.
void WriteEnvList(JsonWriter& w, const Json& user, const std::vector<EnvVar>& ours);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_ENV_LIST_H_
