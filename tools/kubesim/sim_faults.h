#ifndef DORIS_OPERATOR_TOOLS_KUBESIM_SIM_FAULTS_H_
#define DORIS_OPERATOR_TOOLS_KUBESIM_SIM_FAULTS_H_

// Faults of the simulated cluster (not of the API): pods to crash, nodes
// whose pods are NotReady, failing volume provisioning. The API server's
// control endpoints set them; the simulated controllers and kubelet act on
// them at their next tick, so the outcome is deterministic.

#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace doris_operator::kubesim {

class SimFaults {
 public:
  void CrashPod(std::string ns, std::string name) {
    std::lock_guard<std::mutex> l(mu_);
    crashes_.emplace_back(std::move(ns), std::move(name));
  }
  // The crash requests since the last call, oldest first.
  std::vector<std::pair<std::string, std::string>> TakeCrashes() {
    std::lock_guard<std::mutex> l(mu_);
    return std::exchange(crashes_, {});
  }
  void SetNodeReady(const std::string& node, bool ready) {
    std::lock_guard<std::mutex> l(mu_);
    if (ready) {
      not_ready_nodes_.erase(node);
    } else {
      not_ready_nodes_.insert(node);
    }
  }
  std::set<std::string> NotReadyNodes() const {
    std::lock_guard<std::mutex> l(mu_);
    return not_ready_nodes_;
  }
  void SetProvisioningFails(bool fail) {
    std::lock_guard<std::mutex> l(mu_);
    provisioning_fails_ = fail;
  }
  bool ProvisioningFails() const {
    std::lock_guard<std::mutex> l(mu_);
    return provisioning_fails_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> crashes_;
  std::set<std::string> not_ready_nodes_;
  bool provisioning_fails_ = false;
};

}  // namespace doris_operator::kubesim

#endif  // DORIS_OPERATOR_TOOLS_KUBESIM_SIM_FAULTS_H_
