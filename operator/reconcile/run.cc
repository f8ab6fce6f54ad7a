#include "operator/reconcile/run.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace doris_operator::reconcile {

void Run::Action(const std::string& verb, const log::v1::ObjectRef& object,
                 const std::string& detail, const absl::Status& s, bool critical) {
  log::v1::ReconcileRecord::Action* a = record.add_actions();
  a->set_verb(verb);
  *a->mutable_object() = object;
  a->set_detail(detail);
  a->set_ok(s.ok());
  if (!s.ok()) {
    if (services.options != nullptr && services.options->write_failures != nullptr) {
      services.options->write_failures->Count(verb, s);
    }
    a->set_error(std::string(s.message()));
    if (critical) {
      failed = true;
      errors.push_back(std::string(s.message()));
      failed_writes.push_back(
          absl::StrCat(verb, " ", object.kind(), " ", object.name(), ": ", s.message()));
      if (verb.rfind("doris:", 0) != 0) {
        std::string reason = verb == "update_status" ? "UpdateStatus" : verb;
        reason[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(reason[0])));
        failure_events.emplace_back(absl::StrCat("Failed", reason),
                                    absl::StrCat(verb, " ", object.kind(), " ", object.name(),
                                                 " refused: ", s.message()));
      }
    }
  }
  a->set_caused_by_seq(caused_by);
}

void Run::Event(const std::string& type, const std::string& reason, const std::string& message) {
  EventSpec e;
  e.ns = key.ns;
  e.api_version = owner_api_version;
  e.kind = owner_kind;
  e.name = key.name;
  e.uid = cluster.metadata().uid();
  e.type = type;
  e.reason = reason;
  e.message = message;
  // A repeat patches the count of the Event already written (or is skipped
  // by the rate limit), as client-go's recorder does.
  const absl::StatusOr<bool> written = services.events->Record(e, services.options->now());
  if (!written.ok() || *written) ++writes;
  Action("event", RefFor("v1", "Event", e.ns, reason),
         written.ok() && !*written ? absl::StrCat("(rate-limited) ", message) : message,
         written.status(), /*critical=*/false);
}

std::string Run::Now() const {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", services.options->now(), absl::UTCTimeZone());
}

log::v1::ObjectRef RefFor(const std::string& api_version, const std::string& kind,
                          const std::string& ns, const std::string& name) {
  log::v1::ObjectRef ref;
  ref.set_api_version(api_version);
  ref.set_kind(kind);
  ref.set_namespace_(ns);
  ref.set_name(name);
  return ref;
}

const model::v1::ComponentStatus* StatusOf(const model::v1::DorisClusterStatus& s, Component c) {
  switch (c) {
    case Component::kFe: return s.has_fe_status() ? &s.fe_status() : nullptr;
    case Component::kBe: return s.has_be_status() ? &s.be_status() : nullptr;
    case Component::kCn: return s.has_cn_status() ? &s.cn_status().base() : nullptr;
    case Component::kBroker: return s.has_broker_status() ? &s.broker_status() : nullptr;
  }
  return nullptr;
}

}  // namespace doris_operator::reconcile
