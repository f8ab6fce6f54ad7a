#include "tools/dorisctl/report_describe.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace doris_operator::dorisctl::report {

const nlohmann::json& At(const nlohmann::json& j, std::initializer_list<const char*> path) {
  static const auto* null = new nlohmann::json();
  const nlohmann::json* cur = &j;
  for (const char* p : path) {
    if (!cur->is_object() || !cur->contains(p)) return *null;
    cur = &(*cur)[p];
  }
  return *cur;
}

std::string Str(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_integer()) return absl::StrCat(j.get<int64_t>());
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  return "";
}

int64_t Int(const nlohmann::json& j) { return j.is_number_integer() ? j.get<int64_t>() : 0; }

PodState DescribePod(const nlohmann::json& pod, bool deleted) {
  PodState s;
  s.deleted = deleted;
  if (deleted) {
    s.text = "deleted";
    return s;
  }
  for (const nlohmann::json& c : At(pod, {"status", "conditions"})) {
    if (Str(At(c, {"type"})) == "Ready") s.ready = Str(At(c, {"status"})) == "True";
  }
  int64_t restarts = 0;
  std::vector<std::string> waiting;
  for (const nlohmann::json& c : At(pod, {"status", "containerStatuses"})) {
    restarts += Int(At(c, {"restartCount"}));
    const std::string w = Str(At(c, {"state", "waiting", "reason"}));
    if (!w.empty()) waiting.push_back(w);
  }
  std::string image;
  const nlohmann::json& containers = At(pod, {"spec", "containers"});
  if (containers.is_array() && !containers.empty()) image = Str(At(containers[0], {"image"}));
  const std::string phase = Str(At(pod, {"status", "phase"}));
  s.text = absl::StrCat(phase.empty() ? "no phase" : phase, ", ", s.ready ? "ready" : "NOT ready",
                        ", restarts ", restarts);
  if (!waiting.empty()) absl::StrAppend(&s.text, ", waiting: ", absl::StrJoin(waiting, ","));
  if (!image.empty()) absl::StrAppend(&s.text, ", image ", image);
  return s;
}

std::string DescribeStatefulSet(const nlohmann::json& sts) {
  const nlohmann::json& st = At(sts, {"status"});
  std::string text = absl::StrCat(
      "replicas ", Int(At(sts, {"spec", "replicas"})), ": ready ", Int(At(st, {"readyReplicas"})),
      ", updated ", Int(At(st, {"updatedReplicas"})), ", partition ",
      Int(At(sts, {"spec", "updateStrategy", "rollingUpdate", "partition"})));
  const std::string cur = Str(At(st, {"currentRevision"})), upd = Str(At(st, {"updateRevision"}));
  if (!upd.empty() && cur != upd) absl::StrAppend(&text, ", revision ", cur, " -> ", upd);
  const nlohmann::json& containers = At(sts, {"spec", "template", "spec", "containers"});
  if (containers.is_array() && !containers.empty()) {
    absl::StrAppend(&text, ", image ", Str(At(containers[0], {"image"})));
  }
  const int64_t gen = Int(At(sts, {"metadata", "generation"}));
  if (gen != Int(At(st, {"observedGeneration"})))
    absl::StrAppend(&text, ", generation not observed yet");
  return text;
}

// "fe: available, be: upgrading" from a DorisCluster's status.
// In the order a cluster comes up (fe first), then any others.
std::vector<std::pair<std::string, std::string>> Phases(const nlohmann::json& dcr) {
  std::vector<std::pair<std::string, std::string>> out;
  const nlohmann::json& status = At(dcr, {"status"});
  if (!status.is_object()) return out;
  for (const auto& [k, v] : status.items()) {
    if (k.size() > 6 && k.substr(k.size() - 6) == "Status") {
      const std::string phase = Str(At(v, {"componentCondition", "phase"}));
      if (!phase.empty()) out.emplace_back(k.substr(0, k.size() - 6), phase);
    }
  }
  auto rank = [](const std::string& c) {
    const std::vector<std::string> order = {"fe", "be", "cn", "broker"};
    return std::find(order.begin(), order.end(), c) - order.begin();
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  return out;
}

std::string DescribeCluster(const nlohmann::json& dcr) {
  std::vector<std::string> parts;
  for (const auto& [c, p] : Phases(dcr)) parts.push_back(absl::StrCat(c, " ", p));
  const nlohmann::json& spec = At(dcr, {"spec"});
  if (spec.is_object()) {
    for (const auto& [k, v] : spec.items()) {
      const std::string image = Str(At(v, {"image"}));
      if (!image.empty()) parts.push_back(absl::StrCat(k, ".image ", image));
    }
  }
  return absl::StrCat("generation ", Int(At(dcr, {"metadata", "generation"})), "; ",
                      absl::StrJoin(parts, ", "));
}

// Everything but bookkeeping, to tell a real change from a resourceVersion bump.
std::string Content(nlohmann::json j) {
  if (j.is_object() && j.contains("metadata")) {
    j["metadata"].erase("resourceVersion");
    j["metadata"].erase("managedFields");
  }
  return j.dump();
}

}  // namespace doris_operator::dorisctl::report
