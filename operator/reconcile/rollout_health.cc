#include "operator/reconcile/rollout_health.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "operator/reconcile/tablet_health.h"

namespace doris_operator::reconcile {

namespace {

constexpr char kWaitMarker[] = "healthy tablets before the next be pod restarts";
constexpr char kDeadlineMarker[] = "past the deadline";

// The BE status message of the previous reconcile, as logged.
std::string PreviousMessage(const Run& run) {
  const model::v1::ComponentStatus* prev = StatusOf(run.cluster.status(), Component::kBe);
  return prev == nullptr ? "" : prev->component_condition().message();
}

// When the wait began: read back from the previous status when it already
// waited, else now.
absl::Time WaitingSince(const Run& run) {
  const std::string prev = PreviousMessage(run);
  const size_t marker = prev.find(kWaitMarker);
  const size_t since = prev.find("(since ", marker == std::string::npos ? 0 : marker);
  absl::Time t;
  std::string err;
  if (marker != std::string::npos && since != std::string::npos) {
    const size_t begin = since + std::string("(since ").size();
    const size_t end = prev.find(')', begin);
    if (end != std::string::npos &&
        absl::ParseTime(absl::RFC3339_full, prev.substr(begin, end - begin), &t, &err)) {
      return t;
    }
  }
  return run.services.options->now();
}

// `waiting_on` without its "(since ...)": the Event's message must be the
// same on a repeat, so that a reconcile that read a status older than its
// own last write adds to the Event's count instead of creating a second one
// (the correlator keys Events by their message, as client-go does).
std::string WithoutSince(const std::string& waiting_on) {
  const size_t begin = waiting_on.find(" (since ");
  const size_t end = begin == std::string::npos ? begin : waiting_on.find(')', begin);
  if (end == std::string::npos) return waiting_on;
  return absl::StrCat(waiting_on.substr(0, begin), waiting_on.substr(end + 1));
}

}  // namespace

std::string BeRestartBlocker(Run& run) {
  // An FE this access mode cannot authenticate to is not asked (the refusal
  // is said elsewhere); the rollout then goes by readiness and node lists,
  // as DorisAlive does.
  if (!run.doris_refused.empty()) return "";
  absl::StatusOr<doris::StatementResult> answer =
      run.services.fe->ExecuteStatement(run.fe, kTabletHealthStatement, /*read_only=*/true);
  absl::StatusOr<TabletHealth> health =
      answer.ok() ? TabletHealthOf(*answer) : absl::StatusOr<TabletHealth>(answer.status());
  if (health.ok() && health->healthy()) return "";
  const absl::Time since = WaitingSince(run);
  const absl::Duration deadline = run.services.options->tablet_health_deadline;
  const bool late = deadline > absl::ZeroDuration() && run.services.options->now() - since > deadline;
  // Unreadable is not healthy: a restart waits until Doris can say.
  return absl::StrCat(kWaitMarker, " (since ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", since, absl::UTCTimeZone()),
                      late ? absl::StrCat(", ", kDeadlineMarker, " of ", absl::FormatDuration(deadline)) : "",
                      "): ",
                      health.ok() ? health->Describe()
                                  : absl::StrCat("the tablet health cannot be read: ", health.status().message()));
}

void ReportHealthWait(Run& run, const std::string& waiting_on) {
  if (waiting_on.find(kWaitMarker) == std::string::npos) return;
  const std::string prev = PreviousMessage(run);
  if (prev.find(kWaitMarker) == std::string::npos) {
    run.Event("Normal", "RolloutWaitingForTabletHealth", absl::StrCat("be rollout waits for ", WithoutSince(waiting_on)));
  }
  if (waiting_on.find(kDeadlineMarker) != std::string::npos &&
      prev.find(kDeadlineMarker) == std::string::npos) {
    run.Event("Warning", "RolloutHealthDeadlineExceeded",
              absl::StrCat("be rollout still waits for ", WithoutSince(waiting_on),
                           "; repair the tablets (SHOW PROC '/cluster_health/tablet_health') or bring the "
                           "missing backends back"));
  }
}

}  // namespace doris_operator::reconcile
