#include "operator/admin/runs.h"

#include <vector>

#include "store/coalesce.h"

namespace doris_operator::admin {

absl::StatusOr<uint64_t> WidenForRun(const store::EventLog& log, const store::ClusterKey& cluster,
                                     uint64_t lo, absl::Time from) {
  if (lo <= log.first_seq()) return lo;
  absl::StatusOr<std::vector<uint64_t>> before =
      log.SeqsForCluster(cluster, {.to_seq = lo - 1, .limit = 1, .newest_first = true});
  if (!before.ok()) return before.status();
  if (before->empty()) return lo;
  absl::StatusOr<log::v1::LogRecord> r = log.Get(before->front());
  if (!r.ok()) return absl::IsNotFound(r.status()) ? absl::StatusOr<uint64_t>(lo) : r.status();
  if (!r->has_reconcile() || !r->reconcile().has_repeats()) return lo;
  const google::protobuf::Timestamp& last = r->reconcile().repeats().last_observed_at();
  const absl::Time until = absl::FromUnixSeconds(last.seconds()) + absl::Nanoseconds(last.nanos());
  return until >= from ? r->seq() : lo;
}

void SummarizeRun(const log::v1::LogRecord& record, v1::ReconcileSummary* summary) {
  const log::v1::ReconcileRecord& rec = record.reconcile();
  summary->set_count(store::ReconcileCount(rec));
  *summary->mutable_last_observed_at() =
      rec.has_repeats() ? rec.repeats().last_observed_at() : record.observed_at();
}

}  // namespace doris_operator::admin
