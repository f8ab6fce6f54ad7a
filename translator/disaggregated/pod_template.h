#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_POD_TEMPLATE_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_POD_TEMPLATE_H_

// A ddc component's pod template (contract §4.4): labels, the main container
// (`metaservice`, `fe` or `compute`) with its entrypoint, env, exec probes,
// ports and resources, BE init containers, the default anti-affinity merged
// with the user's, and the scheduling fields of the common spec.

#include "translator/disaggregated/context.h"
#include "translator/disaggregated/storage.h"

namespace doris_operator::translator::disaggregated {

// Writes the StatefulSet's `template` object ({"metadata":…,"spec":…}).
void WritePodTemplate(const Ctx& x, JsonWriter& w, const Storage& storage);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_POD_TEMPLATE_H_
