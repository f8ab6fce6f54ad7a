#ifndef DORIS_OPERATOR_OPERATOR_LEADER_LEASE_ELECTOR_H_
#define DORIS_OPERATOR_OPERATOR_LEADER_LEASE_ELECTOR_H_

// Leader election over a coordination.k8s.io/v1 Lease, with client-go's
// leaderelection semantics, so that of several operator replicas only one
// writes. Leadership ends the moment a renewal has not succeeded within
// renew_deadline, even while a request is still hanging.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "operator/kube/client.h"

namespace doris_operator::leader {

struct LeaderElectorOptions {
  std::string ns = "default";
  std::string name = "doris-operator-leader";
  // Empty: "<hostname>_<random hex>", unique per process.
  std::string identity;
  // client-go's defaults. A non-leader takes an unrenewed lease after
  // lease_duration (measured on its own clock from when it last saw the
  // Lease change, so clock skew between replicas does not matter); a leader
  // gives up after renew_deadline without a successful renewal.
  absl::Duration lease_duration = absl::Seconds(15);
  absl::Duration renew_deadline = absl::Seconds(10);
  absl::Duration retry_period = absl::Seconds(2);
  // On Stop(), a leader hands the Lease back (holder "", duration 1s) so a
  // successor need not wait for it to expire.
  bool release_on_stop = true;
  // Called from the elector's own thread, in order, never concurrently.
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& identity)> on_new_leader;  // non-empty holders only
  // Injectable for tests; waits between attempts use real time.
  std::function<absl::Time()> now;
};

class LeaderElector {
 public:
  // Checks the options (renew_deadline < lease_duration, retry_period <
  // renew_deadline, a DNS-1123 Lease name). `kube` must outlive the elector;
  // give it a request timeout below renew_deadline and few retries.
  static absl::StatusOr<std::unique_ptr<LeaderElector>> Create(kube::Client* kube,
                                                              LeaderElectorOptions options);
  ~LeaderElector();  // Stop()

  // Runs the acquire/renew loop on a thread of its own.
  void Start();
  // Ends the loop; a leader stops leading (IsLeader() false, on_stopped_leading)
  // and then, with release_on_stop, releases the Lease. Idempotent.
  void Stop();

  // True only while the last successful renewal began less than
  // renew_deadline ago. Cheap; call before every write.
  bool IsLeader() const;
  const std::string& identity() const { return options_.identity; }
  // The holder last seen in the Lease ("" if none).
  std::string observed_leader() const;

  // One attempt, as the loop makes it (exposed for tests driving a fake
  // clock): true if the Lease is now held by us.
  absl::StatusOr<bool> TryAcquireOrRenew();

 private:
  LeaderElector(kube::Client* kube, LeaderElectorOptions options);
  absl::Time Now() const { return options_.now(); }
  void Loop();
  void Notifier();
  void Release();
  nlohmann::json Spec(const nlohmann::json& old, absl::Time now) const;
  bool LeadingLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  kube::Client* const kube_;
  const LeaderElectorOptions options_;
  const std::string path_;

  mutable absl::Mutex mu_;
  absl::CondVar changed_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool loop_done_ ABSL_GUARDED_BY(mu_) = false;
  // leading_ is cleared by whichever thread first finds the deadline passed;
  // term_ counts acquisitions so the notifier sees a lost-and-regained term.
  bool leading_ ABSL_GUARDED_BY(mu_) = false;
  int64_t term_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time renewed_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string observed_spec_ ABSL_GUARDED_BY(mu_);  // canonical JSON of the Lease spec
  absl::Time observed_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string observed_holder_ ABSL_GUARDED_BY(mu_);
  int observed_duration_seconds_ ABSL_GUARDED_BY(mu_) = 0;

  std::thread loop_;
  std::thread notifier_;
};

// RFC 3339 with microseconds, as metav1.MicroTime is written:
// "2006-01-02T15:04:05.000000Z".
std::string FormatMicroTime(absl::Time t);

}  // namespace doris_operator::leader

#endif  // DORIS_OPERATOR_OPERATOR_LEADER_LEASE_ELECTOR_H_
