#ifndef DORIS_OPERATOR_TRANSLATOR_SERVICES_H_
#define DORIS_OPERATOR_TRANSLATOR_SERVICES_H_

// The two Services of a component: the headless `<name>-<c>-internal` the
// StatefulSet's pods resolve through, and the access `<name>-<c>-service`
// shaped by the spec's `service` (doris-contract.md §2.1).

#include <string>

#include "translator/json_writer.h"
#include "translator/object_builder.h"

namespace doris_operator::translator::internal {

Written InternalService(const Ctx& x, JsonWriter& w, const std::string* hash);
Written ExternalService(const Ctx& x, JsonWriter& w, const std::string* hash);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_SERVICES_H_
