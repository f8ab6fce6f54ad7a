#include "operator/reconcile/node_map.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace doris_operator::reconcile {

namespace {

std::vector<NodeWorkload> DorisClusterWorkloads(const std::string& cluster) {
  std::vector<NodeWorkload> out;
  for (const char* c : {"fe", "be", "cn", "broker"}) out.push_back({c, absl::StrCat(cluster, "-", c)});
  return out;
}

}  // namespace

NodeMap::NodeMap(const std::string& cluster, std::vector<PodAddress> pods)
    : NodeMap(DorisClusterWorkloads(cluster), std::move(pods)) {}

NodeMap::NodeMap(std::vector<NodeWorkload> workloads, std::vector<PodAddress> pods)
    : workloads_(std::move(workloads)), pods_(std::move(pods)) {}

std::optional<NodePlace> NodeMap::FromName(const std::string& pod_name, bool live) const {
  // The rest after the prefix must be a whole ordinal, so `<ddc>-fe-` does
  // not claim the pods of a group `fe-x`.
  for (const NodeWorkload& w : workloads_) {
    const std::string prefix = absl::StrCat(w.statefulset, "-");
    if (pod_name.rfind(prefix, 0) != 0) continue;
    int ordinal = -1;
    if (!absl::SimpleAtoi(pod_name.substr(prefix.size()), &ordinal) || ordinal < 0) continue;
    return NodePlace{w.component, ordinal, live ? pod_name : ""};
  }
  return std::nullopt;
}

std::optional<NodePlace> NodeMap::Find(const std::string& host) const {
  if (host.empty()) return std::nullopt;
  for (const PodAddress& p : pods_) {
    for (const std::string& ip : p.ips) {
      if (ip == host) return FromName(p.name, true);
    }
  }
  // An FQDN's first label (or a bare pod name) is the pod's name.
  const std::string label = host.substr(0, host.find('.'));
  for (const PodAddress& p : pods_) {
    if (p.name == label) return FromName(p.name, true);
  }
  // An IP no pod has is not a name, whatever it looks like.
  bool numeric = true;
  for (char ch : host) numeric &= (ch >= '0' && ch <= '9') || ch == '.' || ch == ':';
  if (numeric) return std::nullopt;
  return FromName(label, false);
}

std::optional<NodePlace> NodeMap::FindAny(const std::vector<std::string>& hosts) const {
  for (const std::string& h : hosts) {
    if (std::optional<NodePlace> p = Find(h)) return p;
  }
  return std::nullopt;
}

}  // namespace doris_operator::reconcile
