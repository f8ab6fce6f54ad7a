#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_STATEFUL_SET_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_STATEFUL_SET_H_

// A ddc component's StatefulSet (`<ddc>-ms`, `<ddc>-fe`, `<ddc>-<group>`):
// Parallel pod management, a RollingUpdate partition the operator steps, the
// pod template and the claim templates (contract §4.4, §5).

#include <string>

#include "translator/disaggregated/context.h"

namespace doris_operator::translator::disaggregated {

Written StatefulSet(const Ctx& x, JsonWriter& w, const std::string* hash);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_STATEFUL_SET_H_
