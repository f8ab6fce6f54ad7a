#include "operator/log_guard.h"

#include "absl/strings/str_cat.h"
#include "operator/logging/log.h"
#include "operator/reconcile/inputs.h"

namespace doris_operator {

LogGuard::LogGuard(store::EventLog* log, reconcile::EventRecorder* events,
                   LogGuardOptions options)
    : log_(log), events_(events), options_(std::move(options)) {}

LogGuard::~LogGuard() { Stop(); }

void LogGuard::Start() { thread_ = std::thread([this] { Run(); }); }

void LogGuard::Stop() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void LogGuard::EventOnEveryCluster(const std::string& type, const std::string& reason,
                                   const std::string& message) {
  for (const store::ClusterKey& key : log_->CurrentClusters()) {
    if (key.empty()) continue;
    const reconcile::ClusterInputs in =
        reconcile::InputsFromObjects(key, log_->CurrentObjectsOf(key));
    if (!in.present) continue;
    reconcile::EventSpec e;
    e.ns = key.ns;
    e.api_version = "doris.selectdb.com/v1";
    e.kind = "DorisCluster";
    e.name = key.name;
    e.uid = in.cluster.metadata().uid();
    e.type = type;
    e.reason = reason;
    e.message = message;
    absl::StatusOr<bool> written = events_->Record(e, absl::Now());
    if (!written.ok()) {
      logging::Log(logging::Level::kWarn, "could not write an Event",
                   {{"cluster", absl::StrCat(key.ns, "/", key.name)},
                    {"reason", reason},
                    {"error", std::string(written.status().message())}});
    }
  }
}

absl::Status LogGuard::RecoverWithin(absl::Duration timeout) {
  // Recover is bounded (it closes and reopens the database, never waits in
  // RocksDB's Resume); this is a backstop: a recovery that does not return
  // in time is left behind and the operator restarts instead.
  struct Attempt {
    std::atomic<bool> done{false};
    absl::Status status;
  };
  auto attempt = std::make_shared<Attempt>();
  std::thread t([log = log_, attempt] {
    attempt->status = log->Recover();
    attempt->done.store(true);
  });
  const absl::Time deadline = absl::Now() + timeout;
  while (!attempt->done.load() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  if (!attempt->done.load()) {
    t.detach();
    return absl::DeadlineExceededError(absl::StrCat(
        "recovering the event log did not finish within ", absl::FormatDuration(timeout)));
  }
  t.join();
  return attempt->status;
}

void LogGuard::Run() {
  bool down = false;
  bool gave_up = false;
  absl::Time next_try = absl::InfinitePast();
  absl::MutexLock l(&mu_);
  while (!stop_) {
    mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.poll);
    if (stop_) break;
    mu_.Unlock();
    store::WriteHealth h = log_->write_health();
    if (!h.status.ok() && !down) {
      down = true;
      stats_.outages.fetch_add(1);
      next_try = absl::Now() + options_.recovery_interval;
      const std::string why(h.status.message());
      logging::Log(logging::Level::kError,
                   "event log cannot be written: reconciles and cluster writes stopped",
                   {{"error", why}});
      EventOnEveryCluster(
          "Warning", "EventLogWriteFailed",
          absl::StrCat("The operator's event log cannot be written (", why,
                       "); it stopped reconciling and writes nothing to this cluster until the "
                       "log recovers. Free space on the operator's data volume (or see "
                       "docs/event-log.md)."));
    }
    if (down && !gave_up && absl::Now() >= next_try) {
      next_try = absl::Now() + options_.recovery_interval;
      absl::Status s = RecoverWithin(options_.recover_timeout);
      if (s.ok()) {
        down = false;
        stats_.recoveries.fetch_add(1);
        logging::Log(logging::Level::kInfo, "event log writable again: reconciles resume");
        EventOnEveryCluster("Normal", "EventLogRecovered",
                            "The operator's event log can be written again; reconciles resume.");
        if (options_.on_recovered) options_.on_recovered();
      } else if (!log_->write_health().recoverable ||
                 s.code() == absl::StatusCode::kDeadlineExceeded) {
        gave_up = true;
        logging::Log(logging::Level::kError, "event log cannot recover in this process",
                     {{"error", std::string(s.message())}});
        EventOnEveryCluster(
            "Warning", "EventLogWriteFailed",
            absl::StrCat("The operator's event log cannot recover in this process (",
                         s.message(), "); the operator exits so that it is restarted."));
        if (options_.on_unrecoverable) options_.on_unrecoverable(s);
      } else {
        logging::Log(logging::Level::kWarn, "event log still cannot be written",
                     {{"error", std::string(s.message())}});
      }
    }
    mu_.Lock();
  }
}

}  // namespace doris_operator
