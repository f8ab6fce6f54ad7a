#include "operator/leader/lease_elector.h"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "operator/kube/object_fields.h"
#include "operator/logging/log.h"

namespace doris_operator::leader {

namespace {

using Json = nlohmann::json;
// The Lease comes from outside: a field of the wrong type reads as absent.
using kube::FieldAt;
using kube::IntAt;
using kube::StringAt;

bool IsDns1123Subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return std::isalnum(static_cast<unsigned char>(s.front())) &&
         std::isalnum(static_cast<unsigned char>(s.back()));
}

std::string DefaultIdentity() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof(host), "doris-operator");
  }
  // Two processes on one host (or a restarted pod keeping its name) must not
  // mistake each other's Lease for their own.
  std::random_device rd;
  return absl::StrFormat("%s_%08x%08x", host, rd(), rd());
}

}  // namespace

std::string FormatMicroTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<std::unique_ptr<LeaderElector>> LeaderElector::Create(kube::Client* kube,
                                                                      LeaderElectorOptions options) {
  if (kube == nullptr) return absl::InvalidArgumentError("leader election needs a client");
  if (!IsDns1123Subdomain(options.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("leader election: invalid Lease name \"", options.name, "\""));
  }
  if (!IsDns1123Subdomain(options.ns)) {
    return absl::InvalidArgumentError(
        absl::StrCat("leader election: invalid namespace \"", options.ns, "\""));
  }
  // client-go's checks: the leader must give up before others may take
  // over, and have time for more than one (jittered) attempt before that.
  if (options.retry_period <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("leader election: retry period must be positive");
  }
  if (options.renew_deadline <= options.retry_period * 1.2) {
    return absl::InvalidArgumentError(
        "leader election: renew deadline must exceed 1.2 x the retry period");
  }
  if (options.lease_duration <= options.renew_deadline) {
    return absl::InvalidArgumentError(
        "leader election: lease duration must exceed the renew deadline");
  }
  if (options.identity.empty()) options.identity = DefaultIdentity();
  if (!options.now) options.now = [] { return absl::Now(); };
  return std::unique_ptr<LeaderElector>(new LeaderElector(kube, std::move(options)));
}

LeaderElector::LeaderElector(kube::Client* kube, LeaderElectorOptions options)
    : kube_(kube),
      options_(std::move(options)),
      path_(kube::ObjectPath("coordination.k8s.io/v1", options_.ns, "leases", options_.name)) {}

LeaderElector::~LeaderElector() { Stop(); }

bool LeaderElector::LeadingLocked() const {
  return leading_ && Now() < renewed_at_ + options_.renew_deadline;
}

bool LeaderElector::IsLeader() const {
  absl::ReaderMutexLock lock(&mu_);
  return LeadingLocked();
}

std::string LeaderElector::observed_leader() const {
  absl::ReaderMutexLock lock(&mu_);
  return observed_holder_;
}

Json LeaderElector::Spec(const Json& old, absl::Time now) const {
  // Go truncates to whole seconds; rounding up instead keeps the stored
  // duration from ever being shorter than the one the leader relies on.
  const int64_t seconds =
      static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(options_.lease_duration)));
  Json spec = {{"holderIdentity", options_.identity},
               {"leaseDurationSeconds", seconds},
               {"renewTime", FormatMicroTime(now)}};
  if (StringAt(old, {"holderIdentity"}) == options_.identity) {
    spec["acquireTime"] = old.contains("acquireTime") ? old["acquireTime"] : Json(FormatMicroTime(now));
    spec["leaseTransitions"] = IntAt(old, {"leaseTransitions"});
  } else {
    spec["acquireTime"] = FormatMicroTime(now);
    spec["leaseTransitions"] = old.is_object() && old.contains("holderIdentity")
                                   ? IntAt(old, {"leaseTransitions"}) + 1
                                   : IntAt(old, {"leaseTransitions"});
  }
  return spec;
}

absl::StatusOr<bool> LeaderElector::TryAcquireOrRenew() {
  const absl::Time started = Now();
  // What the Lease looked like; a change restarts the expiry clock (client-go
  // compares records, not renewTime, so replicas' clocks need not agree).
  auto observe = [this](const Json& lease) {
    const Json spec = FieldAt(lease, {"spec"}).is_object() ? FieldAt(lease, {"spec"}) : Json::object();
    absl::MutexLock lock(&mu_);
    const std::string canonical = spec.dump();
    if (canonical != observed_spec_) {
      observed_spec_ = canonical;
      observed_at_ = Now();
      observed_holder_ = StringAt(spec, {"holderIdentity"});
      observed_duration_seconds_ = static_cast<int>(IntAt(spec, {"leaseDurationSeconds"}));
    }
    // Someone else holds it: whatever we thought, we are not leading.
    if (observed_holder_ != options_.identity) leading_ = false;
    changed_.SignalAll();
    return spec;
  };
  auto won = [this, started] {
    absl::MutexLock lock(&mu_);
    if (leading_ && !LeadingLocked()) leading_ = false;  // that term already lapsed
    if (!leading_) {
      // A renewal that began before the deadline but returned after it does
      // not resurrect the term; the next one starts a new term.
      if (started + options_.renew_deadline <= Now()) return;
      leading_ = true;
      ++term_;
    }
    renewed_at_ = started;
    changed_.SignalAll();
  };

  absl::StatusOr<Json> got = kube_->Get(path_);
  if (!got.ok()) {
    if (got.status().code() != absl::StatusCode::kNotFound) return got.status();
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", options_.name}, {"namespace", options_.ns}}},
                  {"spec", Spec(Json(), started)}};
    absl::StatusOr<Json> created = kube_->Create(
        kube::CollectionPath("coordination.k8s.io/v1", options_.ns, "leases"), lease.dump());
    if (!created.ok()) {
      if (created.status().code() == absl::StatusCode::kAlreadyExists) return false;
      return created.status();
    }
    observe(*created);
    won();
    return LeaderElector::IsLeader();
  }
  const Json spec = observe(*got);
  const std::string holder = StringAt(spec, {"holderIdentity"});
  if (!holder.empty() && holder != options_.identity) {
    absl::MutexLock lock(&mu_);
    if (Now() < observed_at_ + absl::Seconds(observed_duration_seconds_)) return false;
  }
  Json next = *got;  // keeps metadata.resourceVersion: a racing writer gets 409
  next["spec"] = Spec(spec, started);
  absl::StatusOr<Json> updated = kube_->Update(path_, next.dump());
  if (!updated.ok()) {
    if (updated.status().code() == absl::StatusCode::kAborted) return false;
    return updated.status();
  }
  observe(*updated);
  won();
  return LeaderElector::IsLeader();
}

void LeaderElector::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || stopping_) return;
  started_ = true;
  loop_ = std::thread([this] { Loop(); });
  notifier_ = std::thread([this] { Notifier(); });
}

void LeaderElector::Loop() {
  std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0, 1.2);  // client-go's JitterFactor
  absl::Status last_error;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    absl::StatusOr<bool> r = TryAcquireOrRenew();
    // Errors are expected while the API server is away; say so once per
    // change rather than every retry period.
    const absl::Status s = r.status();
    if (!s.ok() && s.ToString() != last_error.ToString()) {
      logging::Log(logging::Level::kWarn, "leader election", {{"error", std::string(s.message())}});
    }
    last_error = s;
    absl::MutexLock lock(&mu_);
    // A leader renews on the beat; candidates spread their attempts out.
    const absl::Duration wait = leading_ ? options_.retry_period
                                         : options_.retry_period * (1 + jitter(rng));
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait);
  }
  absl::MutexLock lock(&mu_);
  loop_done_ = true;
  changed_.SignalAll();
}

void LeaderElector::Notifier() {
  bool notified = false;  // on_started_leading told, on_stopped_leading not yet
  int64_t notified_term = 0;
  std::string reported;
  absl::MutexLock lock(&mu_);
  for (;;) {
    const bool leading = LeadingLocked();
    if (leading_ && !leading) leading_ = false;  // renew deadline passed: lost now
    if (notified && (!leading || term_ != notified_term)) {
      notified = false;
      mu_.Unlock();
      if (options_.on_stopped_leading) options_.on_stopped_leading();
      mu_.Lock();
      continue;
    }
    if (observed_holder_ != reported) {
      reported = observed_holder_;
      if (!reported.empty() && options_.on_new_leader) {
        const std::string who = reported;
        mu_.Unlock();
        options_.on_new_leader(who);
        mu_.Lock();
      }
      continue;
    }
    if (!notified && leading) {
      notified = true;
      notified_term = term_;
      mu_.Unlock();
      if (options_.on_started_leading) options_.on_started_leading();
      mu_.Lock();
      continue;
    }
    if (loop_done_ && !leading_) break;
    if (leading) {
      changed_.WaitWithTimeout(&mu_, renewed_at_ + options_.renew_deadline - Now());
    } else {
      changed_.Wait(&mu_);
    }
  }
}

void LeaderElector::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (loop_.joinable()) loop_.join();
  bool release;
  {
    // Stop leading before handing the Lease over: the successor may start
    // writing as soon as the release lands.
    absl::MutexLock lock(&mu_);
    release = options_.release_on_stop && observed_holder_ == options_.identity;
    leading_ = false;
    loop_done_ = true;
    changed_.SignalAll();
  }
  if (notifier_.joinable()) notifier_.join();
  if (release) Release();
}

void LeaderElector::Release() {
  absl::StatusOr<Json> got = kube_->Get(path_);
  if (!got.ok()) return;
  const Json& spec = FieldAt(*got, {"spec"});
  if (StringAt(spec, {"holderIdentity"}) != options_.identity) return;
  // What client-go's ReleaseOnCancel writes: no holder, a 1s lease.
  const std::string now = FormatMicroTime(Now());
  Json next = *got;
  next["spec"] = {{"holderIdentity", ""},
                  {"leaseDurationSeconds", 1},
                  {"acquireTime", now},
                  {"renewTime", now},
                  {"leaseTransitions", IntAt(spec, {"leaseTransitions"})}};
  absl::StatusOr<Json> updated = kube_->Update(path_, next.dump());
  if (!updated.ok()) {
    logging::Log(logging::Level::kWarn, "leader election: release failed",
                 {{"error", std::string(updated.status().message())}});
  }
}

}  // namespace doris_operator::leader
