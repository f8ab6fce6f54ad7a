#include "operator/metrics/write_failures.h"

#include "prometheus/family.h"

namespace doris_operator::metrics {

namespace {

constexpr const char* kCauses[] = {"conflict",     "invalid",     "forbidden",     "not_found",
                                   "server_error", "unavailable", "doris_refused", "other"};

}  // namespace

std::string WriteFailureCause(const std::string& verb, const absl::Status& failure) {
  const absl::StatusCode code = failure.code();
  const bool unreachable = code == absl::StatusCode::kUnavailable ||
                           code == absl::StatusCode::kDeadlineExceeded ||
                           code == absl::StatusCode::kResourceExhausted;
  // The FE client says "unavailable" when the FE did not answer; any other
  // failure of a Doris call is the FE (or this access mode) refusing it.
  if (verb.rfind("doris:", 0) == 0) return unreachable ? "unavailable" : "doris_refused";
  if (unreachable) return "unavailable";  // the kube client's 5xx and 429 after retries, no answer
  switch (code) {
    case absl::StatusCode::kAborted:        // 409 Conflict
    case absl::StatusCode::kAlreadyExists:  // 409 AlreadyExists
      return "conflict";
    case absl::StatusCode::kInvalidArgument:  // 400, 422
      return "invalid";
    case absl::StatusCode::kPermissionDenied:  // 403
    case absl::StatusCode::kUnauthenticated:   // 401
      return "forbidden";
    case absl::StatusCode::kNotFound:
      return "not_found";
    case absl::StatusCode::kInternal:  // an answer that is not JSON
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      return "server_error";
    default:  // e.g. FailedPrecondition: not the leader, the event log not writable
      return "other";
  }
}

WriteFailures::WriteFailures(Registry* registry) {
  auto& family = prometheus::BuildCounter()
                     .Name("doris_operator_write_failures_total")
                     .Help("Failed Kubernetes API and Doris writes of reconciles, by cause.")
                     .Register(registry->families());
  for (const char* cause : kCauses) by_cause_[cause] = &family.Add({{"cause", cause}});
}

void WriteFailures::Count(const std::string& verb, const absl::Status& failure) {
  if (failure.ok()) return;
  auto it = by_cause_.find(WriteFailureCause(verb, failure));
  if (it == by_cause_.end()) it = by_cause_.find("other");
  it->second->Increment();
}

}  // namespace doris_operator::metrics
