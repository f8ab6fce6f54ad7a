#ifndef DORIS_OPERATOR_TESTS_OPERATOR_ROLLOUT_TIMELINE_H_
#define DORIS_OPERATOR_TESTS_OPERATOR_ROLLOUT_TIMELINE_H_

// Judges a rolling update at every moment rather than at a test's polls:
// replays the Pod watch records an operator logged for a cluster (one watch
// stream, so in the API server's order) and tracks, per component, how many
// pods were down at once and whether any BE pod ran the new image before
// every FE pod did.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "proto/log.pb.h"

namespace doris_operator {

struct RolloutTimeline {
  struct Pod {
    bool ready = false;
    std::string image;
  };
  std::map<std::string, Pod> fe, be;  // the pods at the last record, by name
  int max_fe_down = 0;                // from `from_seq` on
  int max_be_down = 0;
  std::string be_before_fe;  // the first BE pod on the new image before every FE was, if any
};

// `records`: the cluster's Pod watch records, oldest first. Pods named
// "<cluster>-fe-*" are FE, the others BE; `replicas` of each should run.
inline RolloutTimeline ReplayRollout(const std::vector<log::v1::LogRecord>& records,
                                     const std::string& cluster, uint64_t from_seq, int replicas,
                                     const std::string& new_fe_image, const std::string& new_be_image) {
  using Json = nlohmann::json;
  auto at = [](const Json& j, const char* pointer) {
    const Json::json_pointer p(pointer);
    return j.contains(p) ? j.at(p) : Json();
  };
  auto down = [replicas](const std::map<std::string, RolloutTimeline::Pod>& pods) {
    int ready = 0;
    for (const auto& [n, p] : pods) ready += p.ready;
    return replicas - ready;
  };
  RolloutTimeline t;
  for (const log::v1::LogRecord& r : records) {
    const std::string& name = r.watch().object().name();
    auto& pods = name.rfind(cluster + "-fe-", 0) == 0 ? t.fe : t.be;
    if (r.watch().type() == log::v1::DELETED) {
      pods.erase(name);
    } else {
      const Json o = Json::parse(r.watch().object_json(), nullptr, false);
      if (!o.is_object()) continue;
      RolloutTimeline::Pod pod;
      const Json image = at(o, "/spec/containers/0/image");
      pod.image = image.is_string() ? image.get<std::string>() : "";
      const Json conditions = at(o, "/status/conditions");
      for (const Json& c : conditions.is_array() ? conditions : Json::array()) {
        if (c.value("type", "") == "Ready") pod.ready = c.value("status", "") == "True";
      }
      pod.ready = pod.ready && !at(o, "/metadata/deletionTimestamp").is_string();
      pods[name] = pod;
    }
    if (r.seq() < from_seq) continue;
    t.max_fe_down = std::max(t.max_fe_down, down(t.fe));
    t.max_be_down = std::max(t.max_be_down, down(t.be));
    bool fe_all_new = static_cast<int>(t.fe.size()) == replicas;
    for (const auto& [n, p] : t.fe) fe_all_new &= p.image == new_fe_image && p.ready;
    for (const auto& [n, p] : t.be) {
      if (p.image == new_be_image && !fe_all_new && t.be_before_fe.empty()) {
        t.be_before_fe = absl::StrCat(n, " runs ", new_be_image, " at record ", r.seq(), " before every FE does");
      }
    }
  }
  return t;
}

}  // namespace doris_operator

#endif  // DORIS_OPERATOR_TESTS_OPERATOR_ROLLOUT_TIMELINE_H_
