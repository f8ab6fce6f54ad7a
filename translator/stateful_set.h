#ifndef DORIS_OPERATOR_TRANSLATOR_STATEFUL_SET_H_
#define DORIS_OPERATOR_TRANSLATOR_STATEFUL_SET_H_

// A component's StatefulSet `<name>-<c>`: Parallel pod management, a
// RollingUpdate partition the operator steps, the pod template and the
// claim templates.

#include <string>

#include "translator/json_writer.h"
#include "translator/object_builder.h"

namespace doris_operator::translator::internal {

Written StatefulSet(const Ctx& x, JsonWriter& w, const std::string* hash);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_STATEFUL_SET_H_
