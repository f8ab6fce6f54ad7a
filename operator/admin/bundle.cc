#include "operator/admin/bundle.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "operator/admin/replay.h"
#include "store/fold.h"

namespace doris_operator::admin {

namespace {

using google::protobuf::util::TimeUtil;
using log::v1::LogRecord;

class BundleSource : public ReplaySource {
 public:
  BundleSource(const v1::Bundle& bundle, store::State base)
      : bundle_(bundle), base_(std::move(base)), key_(store::ClusterKey::From(bundle.cluster())) {}

  absl::StatusOr<store::ClusterObjects> ObjectsAt(uint64_t seq) const override {
    if (seq < bundle_.from_seq() - 1 || seq > bundle_.to_seq()) {
      return absl::OutOfRangeError(absl::StrCat("seq ", seq, " is outside the bundle (",
                                                bundle_.from_seq(), "..", bundle_.to_seq(),
                                                "); export a wider range"));
    }
    store::State s = base_;
    for (const LogRecord& r : bundle_.records()) {
      if (r.seq() > seq) break;
      s = store::Fold(std::move(s), r);
    }
    return s.ObjectsOf(key_);
  }

  absl::StatusOr<std::optional<LogRecord>> ReconcileAtOrBefore(uint64_t seq) const override {
    for (int i = bundle_.records_size() - 1; i >= 0; --i) {
      const LogRecord& r = bundle_.records(i);
      if (r.seq() <= seq && r.has_reconcile()) return std::optional<LogRecord>(r);
    }
    return std::optional<LogRecord>();
  }

 private:
  const v1::Bundle& bundle_;
  const store::State base_;
  const store::ClusterKey key_;
};

}  // namespace

absl::StatusOr<v1::Bundle> ParseBundle(const std::string& bytes) {
  v1::Bundle b;
  if (!b.ParseFromString(bytes)) {
    return absl::InvalidArgumentError("not a bundle: the file does not parse as admin.v1.Bundle");
  }
  if (b.format_version() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bundle format version ", b.format_version(), " is not supported (this dorisctl reads 1)"));
  }
  if (b.cluster().name().empty() || b.from_seq() == 0 || b.from_seq() > b.to_seq() + 1) {
    return absl::InvalidArgumentError("bundle header is incomplete (cluster or range missing)");
  }
  if (b.base().last_seq() != b.from_seq() - 1) {
    return absl::InvalidArgumentError("bundle base state does not end just before from_seq");
  }
  uint64_t prev = b.from_seq() - 1;
  for (const LogRecord& r : b.records()) {
    if (r.seq() <= prev || r.seq() > b.to_seq()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bundle records are out of order or outside its range at seq ", r.seq()));
    }
    if (!(store::ClusterKey::From(r.cluster()) == store::ClusterKey::From(b.cluster()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("bundle record ", r.seq(), " belongs to another cluster"));
    }
    prev = r.seq();
  }
  return b;
}

absl::StatusOr<v1::ReplayResponse> ReplayBundle(const v1::Bundle& bundle,
                                                const v1::ReplayRequest& request) {
  if (request.at_seq() != 0 && (request.at_time().seconds() != 0 || request.at_time().nanos() != 0)) {
    return absl::InvalidArgumentError("set at most one of at_seq and at_time");
  }
  absl::StatusOr<store::State> base = store::State::Parse(bundle.base().SerializeAsString());
  if (!base.ok()) return base.status();
  ReplayPoint point;
  point.cluster = store::ClusterKey::From(bundle.cluster());
  if (request.at_seq() != 0) {
    point.seq = request.at_seq();
  } else if (request.at_time().seconds() != 0 || request.at_time().nanos() != 0) {
    const int64_t want = TimeUtil::TimestampToMicroseconds(request.at_time());
    for (const LogRecord& r : bundle.records()) {
      if (TimeUtil::TimestampToMicroseconds(r.observed_at()) > want) break;
      point.seq = r.seq();
    }
    if (point.seq == 0) {
      return absl::OutOfRangeError("at_time is before the bundle's first record");
    }
  } else {
    point.seq = bundle.records().empty() ? bundle.to_seq() : bundle.records().rbegin()->seq();
  }
  for (const LogRecord& r : bundle.records()) {
    if (r.seq() <= point.seq) point.observed_at = r.observed_at();
  }
  BundleSource source(bundle, *std::move(base));
  return ReplayAt(point, source, request);
}

}  // namespace doris_operator::admin
