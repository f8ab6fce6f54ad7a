#include "operator/log_retention.h"

#include "absl/strings/str_cat.h"
#include "operator/logging/log.h"

namespace doris_operator {

LogRetention::LogRetention(store::EventLog* log, LogRetentionOptions options)
    : log_(log), options_(std::move(options)) {
  UpdateOldest();
}

LogRetention::~LogRetention() { Stop(); }

void LogRetention::Start() { thread_ = std::thread([this] { Loop(); }); }

void LogRetention::Stop() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void LogRetention::UpdateOldest() {
  const uint64_t first = log_->first_seq();
  if (first > log_->last_seq()) return;
  absl::StatusOr<log::v1::LogRecord> r = log_->Get(first);
  if (r.ok()) stats_.oldest_retained_unix.store(r->observed_at().seconds());
}

absl::Status LogRetention::RunOnce() {
  // A log that refuses appends would refuse retention's writes too.
  if (!log_->write_health().status.ok()) return log_->write_health().status;
  const absl::Time now = options_.now();
  last_pass_ = now;
  absl::StatusOr<store::RetentionResult> r = log_->ApplyRetention(options_.policy, now);
  stats_.passes.fetch_add(1);
  bytes_after_last_pass_ = log_->ApproximateBytes();
  if (!r.ok()) {
    stats_.failures.fetch_add(1);
    logging::Log(logging::Level::kWarn, "event log retention failed",
                 {{"error", std::string(r.status().message())}});
    return r.status();
  }
  stats_.records_dropped.fetch_add(static_cast<int64_t>(r->removed_records));
  UpdateOldest();
  if (r->removed_records > 0 || r->removed_snapshots > 0) {
    logging::Log(logging::Level::kInfo, "event log retention",
                 {{"removed_records", std::to_string(r->removed_records)},
                  {"thinned_snapshots", std::to_string(r->removed_snapshots)},
                  {"first_seq", std::to_string(r->first_seq)},
                  {"bytes", std::to_string(bytes_after_last_pass_)}});
  }
  return absl::OkStatus();
}

bool LogRetention::MaybeRun() {
  const uint64_t bytes = log_->ApproximateBytes();
  const uint64_t trigger =
      options_.growth_trigger > 0
          ? options_.growth_trigger
          : (options_.policy.max_bytes > 0 ? options_.policy.max_bytes / 10 : uint64_t{256} << 20);
  const bool due = options_.now() - last_pass_ >= options_.interval ||
                   (options_.policy.max_bytes > 0 && bytes > options_.policy.max_bytes) ||
                   bytes >= bytes_after_last_pass_ + trigger;
  if (!due) return false;
  RunOnce().IgnoreError();  // said in the log and the failures metric
  return true;
}

void LogRetention::Loop() {
  absl::MutexLock l(&mu_);
  while (!stop_) {
    mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.poll);
    if (stop_) break;
    mu_.Unlock();
    MaybeRun();
    mu_.Lock();
  }
}

}  // namespace doris_operator
