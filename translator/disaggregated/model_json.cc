#include "translator/disaggregated/model_json.h"

#include <utility>

#include "translator/disaggregated/names.h"
#include "translator/resource_json.h"

namespace doris_operator::translator::disaggregated {

ModelFromJsonResult ModelFromJson(const Json& object) {
  ModelFromJsonResult out;
  ResourceProblems problems = ResourceFromJson(object, kApiVersion, kKind, &out.ddc);
  out.errors = std::move(problems.errors);
  out.warnings = std::move(problems.warnings);
  return out;
}

Json SpecToJson(const model::disaggregated::v1::DorisDisaggregatedClusterSpec& spec) {
  return MessageToJson(spec);
}

Json StatusToJson(const model::disaggregated::v1::DorisDisaggregatedClusterStatus& status) {
  return MessageToJson(status);
}

}  // namespace doris_operator::translator::disaggregated
