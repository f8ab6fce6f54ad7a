#include "operator/admin/drift.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "operator/kube/object_fields.h"
#include "operator/reconcile/field_compare.h"
#include "translator/canonical_json.h"

namespace doris_operator::admin {

namespace {

using Json = nlohmann::json;

v1::FieldDrift DriftOf(const translator::DesiredObject& object, bool pending,
                      const reconcile::FieldDifference& diff) {
  v1::FieldDrift d;
  d.set_api_version(object.api_version);
  d.set_kind(object.kind);
  d.set_name(object.name);
  d.set_path(diff.path);
  if (diff.desired != nullptr) d.set_desired(translator::Canonical(*diff.desired));
  if (diff.live != nullptr) d.set_live(translator::Canonical(*diff.live));
  // "1024Mi" stored as "1Gi", an empty value omitted: the API server's form
  // of what we wrote, not a change anyone made (the same verdict the
  // reconciler's diff and rollout check reach).
  if (diff.as_stored) {
    d.set_classification(v1::FieldDrift::SERVER_DEFAULTED);
  } else {
    d.set_classification(pending ? v1::FieldDrift::PENDING_ROLLOUT : v1::FieldDrift::CHANGED_BY_HAND);
  }
  return d;
}

}  // namespace

absl::StatusOr<std::vector<v1::FieldDrift>> ComputeDrift(
    const std::string& ns, const translator::DesiredSet& desired,
    const std::vector<DriftCandidate>& known, LiveObjectSource& live) {
  std::vector<v1::FieldDrift> out;
  std::set<std::string> desired_keys;
  for (const translator::DesiredObject& o : desired.objects) {
    desired_keys.insert(absl::StrCat(o.kind, "/", o.name));
    absl::StatusOr<std::optional<Json>> got = live.Get(o.api_version, o.kind, ns, o.name);
    if (!got.ok()) return got.status();
    if (!got->has_value()) {
      v1::FieldDrift d;
      d.set_api_version(o.api_version);
      d.set_kind(o.kind);
      d.set_name(o.name);
      d.set_classification(v1::FieldDrift::MISSING);
      out.push_back(std::move(d));
      continue;
    }
    const Json& l = **got;
    absl::StatusOr<Json> want = translator::ParseJson(o.json);
    if (!want.ok()) return want.status();
    const std::string live_hash =
        kube::StringAt(l, {"metadata", "annotations", translator::kHashAnnotation});
    // Only fields the operator sets are compared: the rest is the API
    // server's defaulting (or other controllers'), not drift.
    for (const reconcile::FieldDifference& diff :
         reconcile::CompareOwnedFields(*want, l, {"metadata", "spec", "data"})) {
      out.push_back(DriftOf(o, live_hash != o.hash, diff));
    }
  }
  for (const DriftCandidate& c : known) {
    if (desired_keys.count(absl::StrCat(c.kind, "/", c.name))) continue;
    absl::StatusOr<std::optional<Json>> got = live.Get(c.api_version, c.kind, ns, c.name);
    if (!got.ok()) return got.status();
    if (!got->has_value()) continue;
    v1::FieldDrift d;
    d.set_api_version(c.api_version);
    d.set_kind(c.kind);
    d.set_name(c.name);
    d.set_classification(v1::FieldDrift::EXTRA);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace doris_operator::admin
