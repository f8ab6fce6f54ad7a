#ifndef DORIS_OPERATOR_TRANSLATOR_POD_TEMPLATE_H_
#define DORIS_OPERATOR_TRANSLATOR_POD_TEMPLATE_H_

// A component's pod template: labels and annotations (debug mode, restart
// stamps), the Doris container with its env, probes and resources, init
// containers and affinity (doris-contract.md §2.2–§2.3).

#include "translator/json_writer.h"
#include "translator/object_builder.h"
#include "translator/storage.h"

namespace doris_operator::translator::internal {

// Writes the StatefulSet's `template` object ({"metadata":…,"spec":…}).
void WritePodTemplate(const Ctx& x, JsonWriter& w, const Storage& storage);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_POD_TEMPLATE_H_
