#ifndef DORIS_OPERATOR_TRANSLATOR_AUTOSCALER_H_
#define DORIS_OPERATOR_TRANSLATOR_AUTOSCALER_H_

// The compute nodes' HorizontalPodAutoscaler `<name>-cn-autoscaler`,
// autoscaling/v1 or /v2 as the spec's autoScalingPolicy asks.

#include <string>

#include "translator/json_writer.h"
#include "translator/object_builder.h"

namespace doris_operator::translator::internal {

Written Autoscaler(const Ctx& x, JsonWriter& w, const std::string* hash);

}  // namespace doris_operator::translator::internal

#endif  // DORIS_OPERATOR_TRANSLATOR_AUTOSCALER_H_
