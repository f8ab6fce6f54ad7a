#include "store/record_validation.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace doris_operator::store {

namespace {

absl::Status ValidateWatch(const log::v1::WatchEvent& ev) {
  switch (ev.type()) {
    case log::v1::ADDED:
    case log::v1::MODIFIED:
    case log::v1::DELETED:
      break;
    case log::v1::BOOKMARK:
    case log::v1::RELIST:
      if (!ev.object_json().empty()) {
        return absl::InvalidArgumentError(
            "watch record: BOOKMARK and RELIST records carry no object");
      }
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("watch record: unknown event type ", ev.type()));
  }
  const log::v1::ObjectRef& ref = ev.object();
  if (ref.kind().empty() || ref.name().empty() || ref.api_version().empty()) {
    return absl::InvalidArgumentError(
        "watch record: object reference needs apiVersion, kind and name");
  }
  if (ref.kind() != "Secret" || ev.object_json().empty()) {
    return absl::OkStatus();
  }
  // Secrets: only metadata may be logged.
  const nlohmann::json obj =
      nlohmann::json::parse(ev.object_json(), nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded() || !obj.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "watch record: Secret ", ref.namespace_(), "/", ref.name(),
        " object_json is not a JSON object"));
  }
  for (const char* field : {"data", "stringData"}) {
    if (obj.contains(field)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "watch record: Secret ", ref.namespace_(), "/", ref.name(),
          " still carries `", field,
          "`; remove Secret data before logging (only references may be stored)"));
    }
  }
  // kubectl's last-applied annotation holds the whole Secret, data included.
  const auto meta = obj.find("metadata");
  if (meta != obj.end() && meta->is_object() && meta->contains("annotations") &&
      (*meta)["annotations"].is_object() &&
      (*meta)["annotations"].contains("kubectl.kubernetes.io/last-applied-configuration")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "watch record: Secret ", ref.namespace_(), "/", ref.name(),
        " still carries the kubectl last-applied annotation, which holds its data"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRecord(const log::v1::LogRecord& record) {
  // The cluster index separates a name from its kind with a NUL (keys.h):
  // no Kubernetes name or kind holds one.
  for (const std::string* part : {&record.cluster().name(), &record.cluster().kind()}) {
    if (part->find('\0') != std::string::npos) {
      return absl::InvalidArgumentError("log record: cluster name or kind holds a NUL byte");
    }
  }
  switch (record.body_case()) {
    case log::v1::LogRecord::kWatch:
      return ValidateWatch(record.watch());
    case log::v1::LogRecord::kReconcile:
    case log::v1::LogRecord::kLifecycle:
      return absl::OkStatus();
    case log::v1::LogRecord::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("log record has no body");
}

}  // namespace doris_operator::store
