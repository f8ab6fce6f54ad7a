#ifndef DORIS_OPERATOR_OPERATOR_ADMIN_SERVICE_H_
#define DORIS_OPERATOR_OPERATOR_ADMIN_SERVICE_H_

// The admin API's logic over the event log, independent of gRPC so it can be
// tested directly: request validation, pagination, filtering, replay, tail and
// export. Errors are absl::Status values with the codes proto/admin.proto
// documents; the gRPC layer only translates them.

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "operator/admin/drift.h"
#include "proto/admin.pb.h"
#include "store/event_log.h"

namespace doris_operator::admin {

struct AdminServiceOptions {
  std::string operator_version = "dev";
  // Where Drift reads live objects from; null: Drift is UNAVAILABLE.
  LiveObjectSource* live = nullptr;
  // Bounds the records one History/ListReconciles call looks at, so a
  // filter matching nothing cannot hold a server thread for long; the page
  // then ends early with a next_page_token.
  size_t max_scan = 20000;
  // Bounds the records scanned backwards for the reconcile a what-if replays.
  size_t max_reconcile_lookback = 100000;
  // Tail's wake-up period to notice cancellation.
  absl::Duration tail_poll = absl::Milliseconds(200);
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

class AdminService {
 public:
  AdminService(const store::EventLog* log, AdminServiceOptions options = {});

  absl::StatusOr<v1::HistoryResponse> History(const v1::HistoryRequest& request) const;
  absl::StatusOr<v1::ListReconcilesResponse> ListReconciles(
      const v1::ListReconcilesRequest& request) const;
  absl::StatusOr<v1::GetReconcileResponse> GetReconcile(
      const v1::GetReconcileRequest& request) const;
  absl::StatusOr<v1::ReplayResponse> Replay(const v1::ReplayRequest& request) const;
  absl::StatusOr<v1::DriftResponse> Drift(const v1::DriftRequest& request) const;

  // Streams matching records to `send` until it returns false or `stop`
  // returns true (checked at least every tail_poll). OK when stopped.
  absl::Status Tail(const v1::TailRequest& request,
                    const std::function<bool(const v1::TailResponse&)>& send,
                    const std::function<bool()>& stop) const;
  // Sends the header piece (with `base`) then the records in pieces.
  absl::Status Export(const v1::ExportRequest& request,
                      const std::function<bool(const v1::Bundle&)>& send) const;

 private:
  struct SeqRange {
    uint64_t lo = 1;
    uint64_t hi = UINT64_MAX;
    bool empty() const { return lo > hi; }
  };
  absl::StatusOr<SeqRange> Resolve(const v1::Range& range) const;
  absl::Status CheckCluster(const log::v1::ClusterRef& ref, const char* field) const;

  const store::EventLog* const log_;
  const AdminServiceOptions options_;
};

}  // namespace doris_operator::admin

#endif  // DORIS_OPERATOR_OPERATOR_ADMIN_SERVICE_H_
