#ifndef DORIS_OPERATOR_TOOLS_DORISCTL_REPORT_DESCRIBE_H_
#define DORIS_OPERATOR_TOOLS_DORISCTL_REPORT_DESCRIBE_H_

// What a watched object says, in one line and in a rollout's terms (ready,
// restarts, replicas updated, phases), for `dorisctl report`'s timelines.
// Objects are the log's JSON; any field may be missing.

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace doris_operator::dorisctl::report {

// The value at `path`, or null.
const nlohmann::json& At(const nlohmann::json& j, std::initializer_list<const char*> path);
std::string Str(const nlohmann::json& j);  // "" unless a string, integer or bool
int64_t Int(const nlohmann::json& j);      // 0 unless an integer

struct PodState {
  bool ready = false;
  bool deleted = false;
  std::string text;  // "Running, NOT ready, restarts 2, waiting: X, image Y"
};
PodState DescribePod(const nlohmann::json& pod, bool deleted);

// "replicas 2: ready 1, updated 0, partition 1, revision a -> b, image X"
std::string DescribeStatefulSet(const nlohmann::json& sts);

// Component phases from a DorisCluster's status, fe first ("be", "upgrading").
std::vector<std::pair<std::string, std::string>> Phases(const nlohmann::json& dcr);

// "generation 2; fe available, be upgrading, beSpec.image X"
std::string DescribeCluster(const nlohmann::json& dcr);

// The object without bookkeeping (resourceVersion, managedFields): equal
// for two versions that differ in nothing else.
std::string Content(nlohmann::json j);

}  // namespace doris_operator::dorisctl::report

#endif  // DORIS_OPERATOR_TOOLS_DORISCTL_REPORT_DESCRIBE_H_
