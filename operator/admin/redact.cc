#include "operator/admin/redact.h"

#include "translator/canonical_json.h"

namespace doris_operator::admin {

namespace {

void StripSecret(std::string* json) {
  if (json->empty()) return;
  absl::StatusOr<translator::Json> parsed = translator::ParseJson(*json);
  if (!parsed.ok() || !parsed->is_object()) {
    // Not an object we can inspect: withhold it rather than risk it.
    json->clear();
    return;
  }
  if (!parsed->contains("data") && !parsed->contains("stringData")) return;
  parsed->erase("data");
  parsed->erase("stringData");
  *json = translator::Canonical(*parsed);
}

// The deprecated spec.adminUser.password, and kubectl's last-applied copy of
// the spec that holds it (the ingest sanitiser removes both; this is the
// same rule again at the door).
void StripAdminPassword(std::string* json) {
  if (json->empty() || json->find("password") == std::string::npos) return;
  absl::StatusOr<translator::Json> parsed = translator::ParseJson(*json);
  if (!parsed.ok() || !parsed->is_object()) {
    json->clear();
    return;
  }
  translator::Json& o = *parsed;
  if (!o.contains("spec") || !o["spec"].is_object() || !o["spec"].contains("adminUser") ||
      !o["spec"]["adminUser"].is_object() || !o["spec"]["adminUser"].contains("password")) {
    return;
  }
  o["spec"]["adminUser"].erase("password");
  if (o.contains("metadata") && o["metadata"].is_object() && o["metadata"].contains("annotations") &&
      o["metadata"]["annotations"].is_object()) {
    o["metadata"]["annotations"].erase("kubectl.kubernetes.io/last-applied-configuration");
    if (o["metadata"]["annotations"].empty()) o["metadata"].erase("annotations");
  }
  *json = translator::Canonical(o);
}

void Strip(const std::string& kind, std::string* json) {
  if (kind == "Secret") StripSecret(json);
  if (kind == "DorisCluster" || kind == "DorisDisaggregatedCluster") StripAdminPassword(json);
}

}  // namespace

void RedactRecord(log::v1::LogRecord* record, bool omit_objects) {
  if (!record->has_watch()) return;
  log::v1::WatchEvent* w = record->mutable_watch();
  if (omit_objects) {
    w->clear_object_json();
    return;
  }
  Strip(w->object().kind(), w->mutable_object_json());
}

void RedactObject(log::v1::StoredObject* object) {
  Strip(object->ref().kind(), object->mutable_object_json());
}

}  // namespace doris_operator::admin
