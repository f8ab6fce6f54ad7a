#include "operator/reconcile/apply.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "operator/kube/object_fields.h"
#include "translator/canonical_json.h"

namespace doris_operator::reconcile {

namespace {

using Json = nlohmann::json;

// The plan as the reconcile record keeps it.
std::string DiffJson(const DiffResult& diff) {
  Json out = Json::array();
  for (const PlannedWrite& w : diff.writes) {
    out.push_back({{"verb", w.verb == Verb::kCreate  ? "create"
                            : w.verb == Verb::kApply ? "apply"
                                                     : "delete"},
                   {"kind", w.kind},
                   {"name", w.name},
                   {"reason", w.reason}});
  }
  return translator::Canonical(out);
}

}  // namespace

void Apply(Run& run, const DiffResult& diff) {
  kube::Client* kube = run.services.kube;
  const std::string& field_manager = run.services.options->field_manager;
  for (const std::string& note : diff.notes) {
    run.not_applied.push_back(note);
    run.Event("Warning", "NotApplicable", note);
  }
  run.record.set_diff_json(DiffJson(diff));
  for (const PlannedWrite& w : diff.writes) {
    const std::string resource = kube::ResourceFor(w.kind);
    const log::v1::ObjectRef ref = RefFor(w.api_version, w.kind, run.key.ns, w.name);
    if (resource.empty()) {
      run.Action("skip", ref, absl::StrCat("no REST resource known for kind ", w.kind),
                 absl::OkStatus());
      continue;
    }
    const std::string path = kube::ObjectPath(w.api_version, run.key.ns, resource, w.name);
    absl::Status s;
    std::string verb;
    switch (w.verb) {
      case Verb::kCreate:
        // Created by server-side apply too, never by POST: a POST's fields
        // belong to an Update entry of managedFields, which a later apply
        // does not prune, so fields we stop writing would stay forever.
        // Apply creates the object when it is absent (and is right if our
        // log has not seen it yet).
        verb = "create";
        s = kube->Apply(path, w.body, field_manager).status();
        break;
      case Verb::kApply:
        verb = "apply";
        s = kube->Apply(path, w.body, field_manager).status();
        break;
      case Verb::kDelete:
        if (run.retained.count(w.name) && w.kind == "StatefulSet") {
          // A removed component still has nodes in Doris: scale it in
          // instead, through the FE, and delete it once they are gone.
          verb = "scale";
          const int replicas = run.retained[w.name];
          auto live = std::find_if(run.live.begin(), run.live.end(), [&](const LiveObject& l) {
            return l.kind == w.kind && l.name == w.name;
          });
          if (live == run.live.end() || kube::IntAt(live->object, {"spec", "replicas"}, 0) == replicas) {
            continue;
          }
          s = kube->MergePatch(path, Json{{"spec", {{"replicas", replicas}}}}.dump()).status();
          break;
        }
        verb = "delete";
        s = kube->Delete(path);
        if (s.code() == absl::StatusCode::kNotFound) s = absl::OkStatus();
        break;
    }
    ++run.writes;
    run.Action(verb, ref, w.reason, s);
  }
}

}  // namespace doris_operator::reconcile
