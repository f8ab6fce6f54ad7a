#include "operator/reconcile/decide_restarts.h"

#include "absl/strings/str_cat.h"
#include "operator/reconcile/config_restart.h"

namespace doris_operator::reconcile {

std::vector<ComponentRestart> DecideRestarts(const RestartsInput& in) {
  std::vector<ComponentRestart> out;
  for (const RestartsInput::Part& part : in.components) {
    ConfigRestartInput c;
    c.enabled = in.enabled;
    c.stored_hash = part.stored_hash;
    c.current_hash = ConfigHash(part.conf, translator::DorisHome(part.component));
    c.phase = part.phase;
    c.now = in.now;
    const ConfigRestartDecision d = DecideConfigRestart(c);
    ComponentRestart r;
    r.component = part.component;
    r.config_hash = c.current_hash;
    if (d.pending) {
      // Keep the old hash so the restart still happens once allowed.
      r.config_hash = c.stored_hash;
      r.waiting_on = d.reason;
    } else if (d.restart) {
      r.stamp = true;
      r.annotation = absl::StrCat("apache.doris.", translator::ComponentName(part.component), "/restartedAt");
      r.restarted_at = d.restarted_at;
      r.reason = d.reason;
      r.hash_if_refused = c.stored_hash;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace doris_operator::reconcile
