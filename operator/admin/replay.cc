#include "operator/admin/replay.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "operator/admin/cluster_translation.h"
#include "operator/admin/redact.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/inputs.h"
#include "translator/translator.h"

namespace doris_operator::admin {

namespace {

std::string ObjectKey(const std::string& api_version, const std::string& kind,
                      const std::string& name) {
  return absl::StrCat(api_version, "/", kind, "/", name);
}

void WhatIf(const ReplayPoint& point, const ReplaySource& source, v1::WhatIf* out,
            absl::Status* error) {
  absl::StatusOr<std::optional<log::v1::LogRecord>> found =
      source.ReconcileAtOrBefore(point.seq);
  if (!found.ok()) {
    *error = found.status();
    return;
  }
  if (!found->has_value()) return;
  const log::v1::LogRecord& record = **found;
  const log::v1::ReconcileRecord& rec = record.reconcile();
  out->set_reconcile_seq(record.seq());
  out->set_recorded_desired_set_hash(rec.desired_set_hash());
  out->set_recorded_translator_version(rec.translator_version());
  // A run of repeats: each had this record's input and decision.
  out->set_reconcile_count(rec.has_repeats() ? std::max<uint64_t>(1, rec.repeats().count()) : 1);
  *out->mutable_reconcile_last_observed_at() =
      rec.has_repeats() ? rec.repeats().last_observed_at() : record.observed_at();
  out->set_recorded_per_object_hashes(rec.desired_objects_size() > 0);

  absl::StatusOr<store::ClusterObjects> input = source.ObjectsAt(rec.trigger_seq_end());
  if (!input.ok()) {
    *error = input.status();
    return;
  }
  out->set_input_state_hash_matches(reconcile::InputStateHash(*input) == rec.input_state_hash());
  TranslationOptions options;
  options.recorded = &rec;
  if (record.seq() > 1) {
    options.fetched_by_reconcile = [&source, &record] { return source.ObjectsAt(record.seq() - 1); };
  }
  ClusterTranslation t = TranslateCluster(point.cluster, *input, options);
  if (!t.present || !t.problems.empty()) {
    out->set_translator_error(t.present ? absl::StrCat("invalid spec: ", t.problems.front())
                                        : absl::StrCat("the ", point.cluster.Kind(),
                                                       " is not in the reconcile's input"));
    return;
  }
  absl::StatusOr<translator::DesiredSet>& desired = t.desired;
  if (!desired.ok()) {
    out->set_translator_error(std::string(desired.status().message()));
    return;
  }
  out->set_current_desired_set_hash(desired->hash);
  if (rec.desired_objects_size() == 0) return;
  std::map<std::string, const log::v1::ReconcileRecord::DesiredObject*> recorded;
  for (const auto& o : rec.desired_objects()) {
    recorded[ObjectKey(o.api_version(), o.kind(), o.name())] = &o;
  }
  std::set<std::string> seen;
  for (const translator::DesiredObject& o : desired->objects) {
    const std::string key = ObjectKey(o.api_version, o.kind, o.name);
    seen.insert(key);
    v1::ObjectDifference* d = out->add_differences();
    d->set_api_version(o.api_version);
    d->set_kind(o.kind);
    d->set_name(o.name);
    d->set_current_hash(o.hash);
    auto it = recorded.find(key);
    if (it == recorded.end()) {
      d->set_change(v1::ObjectDifference::ADDED);
    } else {
      d->set_recorded_hash(it->second->hash());
      d->set_change(it->second->hash() == o.hash ? v1::ObjectDifference::SAME
                                                 : v1::ObjectDifference::CHANGED);
    }
  }
  for (const auto& o : rec.desired_objects()) {
    if (seen.count(ObjectKey(o.api_version(), o.kind(), o.name()))) continue;
    v1::ObjectDifference* d = out->add_differences();
    d->set_api_version(o.api_version());
    d->set_kind(o.kind());
    d->set_name(o.name());
    d->set_recorded_hash(o.hash());
    d->set_change(v1::ObjectDifference::REMOVED);
  }
}

}  // namespace

absl::StatusOr<v1::ReplayResponse> ReplayAt(const ReplayPoint& point, const ReplaySource& source,
                                            const v1::ReplayRequest& request) {
  v1::ReplayResponse out;
  out.set_seq(point.seq);
  *out.mutable_observed_at() = point.observed_at;
  absl::StatusOr<store::ClusterObjects> objects = source.ObjectsAt(point.seq);
  if (!objects.ok()) return objects.status();
  out.set_input_state_hash(reconcile::InputStateHash(*objects));
  out.set_state_object_count(static_cast<int32_t>(objects->size()));
  if (request.include_state()) {
    for (const auto& [id, obj] : *objects) {
      log::v1::StoredObject* o = out.add_state();
      *o = obj;
      RedactObject(o);
    }
  }
  ClusterTranslation t = TranslateCluster(point.cluster, *objects);
  out.set_cluster_present(t.present && t.problems.empty());
  for (const std::string& p : t.problems) out.add_problems(p);
  if (t.present && t.problems.empty()) {
    absl::StatusOr<translator::DesiredSet>& desired = t.desired;
    if (!desired.ok()) {
      out.set_cluster_present(false);
      out.add_problems(std::string(desired.status().message()));
    } else {
      out.set_desired_set_hash(desired->hash);
      for (const translator::DesiredObject& o : desired->objects) {
        v1::DesiredObject* d = out.add_desired();
        d->set_api_version(o.api_version);
        d->set_kind(o.kind);
        d->set_name(o.name);
        d->set_hash(o.hash);
        if (request.include_desired()) d->set_json(o.json);
      }
      for (const auto& w : desired->warnings) out.add_warnings(absl::StrCat(w.path, ": ", w.message));
      for (const std::string& cm : t.missing_config_maps) {
        out.add_warnings(absl::StrCat("ConfigMap ", cm,
                                      " is referenced but not in the log at this point; defaults "
                                      "used"));
      }
    }
  }
  if (request.what_if()) {
    absl::Status error;
    WhatIf(point, source, out.mutable_what_if(), &error);
    if (!error.ok()) return error;
  }
  return out;
}

}  // namespace doris_operator::admin
