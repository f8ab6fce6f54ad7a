#include "translator/model_json.h"

#include "translator/resource_json.h"

namespace doris_operator::translator {

ModelFromJsonResult ModelFromJson(const Json& object) {
  ModelFromJsonResult out;
  ResourceProblems problems =
      ResourceFromJson(object, "doris.selectdb.com/v1", "DorisCluster", &out.cluster);
  out.errors = std::move(problems.errors);
  out.warnings = std::move(problems.warnings);
  return out;
}

Json SpecToJson(const model::v1::DorisClusterSpec& spec) { return MessageToJson(spec); }

Json StatusToJson(const model::v1::DorisClusterStatus& status) { return MessageToJson(status); }

}  // namespace doris_operator::translator
