#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_CONFIG_RESTART_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_CONFIG_RESTART_H_

// Decides whether a change of a component's core config file (fe.conf,
// be.conf, ...) restarts that component. The content hash is the reference
// operator's: SHA-256 hex of the parsed key/values as JSON with sorted keys,
// so status.<c>Status.coreConfigMapHashValue stays comparable. Pure.

#include <string>

namespace doris_operator::reconcile {

// Hash of a config file's content as the component reads it ("" for none).
std::string ConfigHash(const std::string& conf_text, const std::string& doris_home);

struct ConfigRestartInput {
  bool enabled = false;        // spec.enableRestartWhenConfigChange
  std::string stored_hash;     // status.<c>Status.coreConfigMapHashValue
  std::string current_hash;    // ConfigHash of what the ConfigMap holds now
  std::string phase;           // the component's current phase
  std::string now;             // RFC 3339, becomes the restart stamp
};

struct ConfigRestartDecision {
  bool restart = false;        // stamp the pod template now
  std::string restarted_at;    // the stamp, when restart
  bool pending = false;        // changed, but restarts are disabled or must wait
  std::string reason;
};

ConfigRestartDecision DecideConfigRestart(const ConfigRestartInput& in);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_CONFIG_RESTART_H_
