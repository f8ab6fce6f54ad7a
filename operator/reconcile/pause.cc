#include "operator/reconcile/pause.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/write_status.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;

}  // namespace

bool PauseRequested(const Json& cluster) {
  const Json& v = kube::FieldAt(cluster, {"metadata", "annotations", kPausedAnnotation});
  return v.is_string() && absl::AsciiStrToLower(v.get<std::string>()) == "true";
}

void ReconcilePaused(Run& run) {
  const log::v1::ObjectRef ref = RefFor("doris.selectdb.com/v1", "DorisCluster", run.key.ns, run.key.name);
  run.Action("paused", ref, absl::StrCat("annotation ", kPausedAnnotation, "=true: nothing written"),
             absl::OkStatus(), /*critical=*/false);
  // The message does not name the generation or the time of a change, so
  // that changes made while paused do not write the status again.
  const std::string message =
      absl::StrCat("reconciliation is paused by the annotation ", kPausedAnnotation,
                   "=true: changes are recorded, nothing is written to the cluster or to Doris until "
                   "it is removed");
  const Json& live = kube::FieldAt(run.cluster_json, {"status", "conditions"});
  Json conditions = Json::array();
  if (live.is_array()) {
    for (const Json& c : live) {
      if (kube::StringAt(c, {"type"}) != "Paused") {
        conditions.push_back(c);
      } else if (kube::StringAt(c, {"status"}) == "True" && kube::StringAt(c, {"message"}) == message) {
        return;  // said already
      }
    }
  }
  conditions.push_back({{"type", "Paused"},
                        {"status", "True"},
                        {"reason", "PausedByAnnotation"},
                        {"message", message},
                        {"lastTransitionTime", run.Now()}});
  const absl::Status written = PatchClusterStatus(run, Json{{"conditions", conditions}});
  run.Action("update_status", ref, "Paused", written);
  run.Event("Normal", "Paused", message);
}

}  // namespace doris_operator::reconcile
