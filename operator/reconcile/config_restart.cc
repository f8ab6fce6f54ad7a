#include "operator/reconcile/config_restart.h"

#include "nlohmann/json.hpp"
#include "translator/canonical_json.h"
#include "translator/doris_conf.h"
#include "translator/hash.h"

namespace doris_operator::reconcile {

std::string ConfigHash(const std::string& conf_text, const std::string& doris_home) {
  const translator::DorisConf conf = translator::DorisConf::Parse(conf_text, doris_home);
  if (conf.empty()) return "";
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [k, v] : conf.values()) values[k] = v;
  return translator::Sha256Hex(translator::Canonical(values));
}

ConfigRestartDecision DecideConfigRestart(const ConfigRestartInput& in) {
  ConfigRestartDecision d;
  if (in.stored_hash.empty() || in.stored_hash == in.current_hash) {
    d.reason = in.stored_hash.empty() ? "first observation of the config" : "config unchanged";
    return d;
  }
  if (!in.enabled) {
    d.pending = true;
    d.reason =
        "config changed; set spec.enableRestartWhenConfigChange (or restart by annotation) to "
        "apply it";
    return d;
  }
  if (in.phase != "available") {
    // Like the reference: never start a restart on top of another change.
    d.pending = true;
    d.reason = "config changed; restart waits until the component is available";
    return d;
  }
  d.restart = true;
  d.restarted_at = in.now;
  d.reason = "config changed; rolling restart";
  return d;
}

}  // namespace doris_operator::reconcile
