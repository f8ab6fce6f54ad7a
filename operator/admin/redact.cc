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

}  // namespace

void RedactRecord(log::v1::LogRecord* record, bool omit_objects) {
  if (!record->has_watch()) return;
  log::v1::WatchEvent* w = record->mutable_watch();
  if (omit_objects) {
    w->clear_object_json();
    return;
  }
  if (w->object().kind() == "Secret") StripSecret(w->mutable_object_json());
}

void RedactObject(log::v1::StoredObject* object) {
  if (object->ref().kind() == "Secret") StripSecret(object->mutable_object_json());
}

}  // namespace doris_operator::admin
