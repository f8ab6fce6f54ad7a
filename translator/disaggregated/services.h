#ifndef DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_SERVICES_H_
#define DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_SERVICES_H_

// A ddc component's Services (contract §4.1, §4.3): the access Service
// (`<ddc>-ms`, `<ddc>-fe`, `<ddc>-<group>-external`) shaped by the spec's
// `service`, and the headless Service its StatefulSet's pods resolve through
// (`<ddc>-fe-internal`, `<ddc>-<group>`; the meta service has none).

#include <string>

#include "translator/disaggregated/context.h"

namespace doris_operator::translator::disaggregated {

Written AccessService(const Ctx& x, JsonWriter& w, const std::string* hash);
Written HeadlessService(const Ctx& x, JsonWriter& w, const std::string* hash);

// The Service the StatefulSet names as its serviceName.
std::string GoverningServiceName(const Ctx& x);

}  // namespace doris_operator::translator::disaggregated

#endif  // DORIS_OPERATOR_TRANSLATOR_DISAGGREGATED_SERVICES_H_
