#include "operator/reconcile/translate_step.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "operator/reconcile/credentials.h"
#include "operator/reconcile/inputs.h"
#include "operator/reconcile/observe.h"

namespace doris_operator::reconcile {

absl::StatusOr<translator::DesiredSet> TranslateDesired(Run& run) {
  absl::StatusOr<translator::DesiredSet> desired = translator::Translate(run.cluster, run.inputs);
  if (!desired.ok()) {
    run.failed = true;
    run.errors.push_back(std::string(desired.status().message()));
  }
  return desired;
}

void RecordAndWithhold(Run& run, translator::DesiredSet* desired) {
  run.record.set_desired_set_hash(desired->hash);
  RecordDesiredObjects(*desired, &run.record);
  // Before the FE gate below: every pod reads it when it starts. The Secret
  // leaves the desired objects here, so the diff never sees it.
  for (const CredentialWrite& w : SyncAdminUserSecret(*run.services.kube, run.cluster, run.credentials,
                                                      &desired->objects,
                                                      run.services.options->field_manager)) {
    if (w.wrote) ++run.writes;
    run.Action(w.verb, w.object, w.detail, w.status);
  }
  // BE, CN and brokers start once the FE serves: they register with it.
  bool fe_serving = false;
  for (const nlohmann::json& pod : run.of(Component::kFe).pods) fe_serving |= PodReady(pod);
  if (fe_serving) return;
  std::set<std::string> live_names;
  for (const LiveObject& l : run.live) live_names.insert(l.kind + "/" + l.name);
  const std::string fe_prefix = translator::StatefulSetName(run.key.name, Component::kFe);
  std::vector<translator::DesiredObject> kept;
  for (auto& o : desired->objects) {
    if (o.name.rfind(fe_prefix, 0) == 0 || live_names.count(o.kind + "/" + o.name)) {
      kept.push_back(std::move(o));
    }
  }
  if (kept.size() != desired->objects.size()) run.of(Component::kBe).waiting_on = "the FE to serve";
  desired->objects = std::move(kept);
}

}  // namespace doris_operator::reconcile
