#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_RESTARTS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_RESTARTS_H_

// Decide, config-change restarts: for FE and BE, whether a change of the core
// config file restarts the component now, waits, or changes nothing
// (config_restart.h decides each, purely). Pure: the observed config and
// status in, per component the hash for status and the restart stamp to
// write out; apply_restarts.h writes the stamp on the DorisCluster.

#include <string>
#include <vector>

#include "translator/component.h"

namespace doris_operator::reconcile {

struct RestartsInput {
  bool enabled = false;  // spec.enableRestartWhenConfigChange
  std::string now;       // RFC 3339: a restart's stamp
  struct Part {
    translator::Component component = translator::Component::kFe;
    std::string conf;         // the core config file's content ("" for none)
    std::string stored_hash;  // status.<c>Status.coreConfigMapHashValue
    std::string phase;        // the component's phase as last written
  };
  std::vector<Part> components;  // FE and BE, those in the spec
};

struct ComponentRestart {
  translator::Component component = translator::Component::kFe;
  std::string config_hash;  // status.<c>Status.coreConfigMapHashValue to write
  std::string waiting_on;   // set when the change must wait
  // Stamp a rolling restart now: the annotation and value to write on the
  // DorisCluster (where the translator reads it), and why.
  bool stamp = false;
  std::string annotation;  // apache.doris.<c>/restartedAt
  std::string restarted_at;
  std::string reason;
  // The hash to write instead when the stamp is refused: the old one, so
  // the restart is tried again.
  std::string hash_if_refused;
};

std::vector<ComponentRestart> DecideRestarts(const RestartsInput& in);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_RESTARTS_H_
