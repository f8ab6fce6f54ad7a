#include "operator/admin/service.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "operator/admin/cluster_translation.h"
#include "operator/admin/redact.h"
#include "operator/admin/replay.h"
#include "operator/admin/runs.h"
#include "operator/reconcile/inputs.h"
#include "store/fold.h"

namespace doris_operator::admin {

namespace {

using log::v1::LogRecord;
using google::protobuf::util::TimeUtil;

constexpr char kDisaggregatedKind[] = "DorisDisaggregatedCluster";
constexpr int32_t kDefaultPage = 100;
constexpr int32_t kMaxPage = 1000;
// Responses stay well under gRPC's default 4 MB receive limit.
constexpr size_t kMaxResponseBytes = 3 << 20;
constexpr size_t kMaxPieceRecords = 512;
constexpr size_t kMaxPieceBytes = 1 << 20;

std::string ClusterName(const log::v1::ClusterRef& c) {
  return absl::StrCat(c.namespace_(), "/", c.name());
}

absl::StatusOr<int32_t> PageSize(int32_t requested, const char* field) {
  if (requested < 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must not be negative"));
  }
  if (requested > kMaxPage) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", requested, "; at most ", kMaxPage, " records per page"));
  }
  return requested == 0 ? kDefaultPage : requested;
}

bool NewestFirst(v1::Order order) { return order != v1::OLDEST_FIRST; }

std::string Token(uint64_t seq) { return absl::StrCat("s", seq); }

absl::StatusOr<uint64_t> ParseToken(const std::string& token) {
  uint64_t seq = 0;
  if (token.size() < 2 || token[0] != 's' || !absl::SimpleAtoi(token.substr(1), &seq) ||
      seq == 0) {
    return absl::InvalidArgumentError(
        "page_token is not one this server issued (pass back next_page_token unchanged)");
  }
  return seq;
}

absl::Status CheckTimestamp(const google::protobuf::Timestamp& t, const char* field) {
  if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
      t.seconds() > TimeUtil::kTimestampMaxSeconds || t.nanos() < 0 || t.nanos() > 999999999) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is not a valid timestamp"));
  }
  return absl::OkStatus();
}

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

bool Set(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

bool Matches(const v1::RecordFilter& f, const LogRecord& r) {
  if (!f.record_types().empty()) {
    v1::RecordType type = r.has_watch()       ? v1::WATCH
                          : r.has_reconcile() ? v1::RECONCILE
                          : r.has_lifecycle() ? v1::LIFECYCLE
                                              : v1::RECORD_TYPE_UNSPECIFIED;
    if (std::find(f.record_types().begin(), f.record_types().end(), type) ==
        f.record_types().end()) {
      return false;
    }
  }
  if (!f.object_kinds().empty()) {
    if (!r.has_watch()) return false;
    if (std::find(f.object_kinds().begin(), f.object_kinds().end(), r.watch().object().kind()) ==
        f.object_kinds().end()) {
      return false;
    }
  }
  return true;
}

absl::Status ValidateFilter(const v1::RecordFilter& f) {
  for (int t : f.record_types()) {
    if (t < v1::WATCH || t > v1::LIFECYCLE) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.record_types holds ", t, ", not WATCH, RECONCILE or LIFECYCLE"));
    }
  }
  return absl::OkStatus();
}

// Walks the index of one cluster or object page by page. `visit` returns
// false when the page is full; the walk then says where to resume.
struct IndexWalk {
  std::function<absl::StatusOr<std::vector<uint64_t>>(const store::IndexQuery&)> seqs;
  uint64_t lo, hi;
  bool newest_first;
  size_t max_scan;

  // Narrows the range to where a previous page's token says to go on.
  absl::Status ResumeAt(const std::string& page_token) {
    if (page_token.empty()) return absl::OkStatus();
    absl::StatusOr<uint64_t> at = ParseToken(page_token);
    if (!at.ok()) return at.status();
    if (newest_first) {
      hi = std::min(hi, *at);
    } else {
      lo = std::max(lo, *at);
    }
    return absl::OkStatus();
  }

  // Returns the next page token ("" when the range is exhausted).
  absl::StatusOr<std::string> Run(const std::function<absl::StatusOr<bool>(uint64_t)>& visit) {
    size_t scanned = 0;
    while (lo <= hi) {
      if (scanned >= max_scan) return Token(newest_first ? hi : lo);
      store::IndexQuery q;
      q.from_seq = lo;
      q.to_seq = hi;
      q.limit = std::min<size_t>(256, max_scan - scanned);
      q.newest_first = newest_first;
      absl::StatusOr<std::vector<uint64_t>> batch = seqs(q);
      if (!batch.ok()) return batch.status();
      for (uint64_t s : *batch) {
        ++scanned;
        absl::StatusOr<bool> more = visit(s);
        if (!more.ok()) return more.status();
        if (newest_first) {
          if (s == 0 || s - 1 < lo) return std::string();
          hi = s - 1;
        } else {
          if (s == UINT64_MAX || s + 1 > hi) return std::string();
          lo = s + 1;
        }
        if (!*more) return Token(newest_first ? hi : lo);
      }
      if (batch->size() < q.limit) return std::string();
    }
    return std::string();
  }
};

}  // namespace

AdminService::AdminService(const store::EventLog* log, AdminServiceOptions options)
    : log_(log), options_(std::move(options)) {}

absl::Status AdminService::CheckCluster(const log::v1::ClusterRef& ref, const char* field) const {
  if (ref.name().empty() || ref.namespace_().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " needs a namespace and a name"));
  }
  if (!ref.kind().empty() && ref.kind() != store::kDefaultClusterKind && ref.kind() != kDisaggregatedKind) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".kind is \"", ref.kind(), "\"; it is \"",
                                                   store::kDefaultClusterKind, "\" (the default) or \"",
                                                   kDisaggregatedKind, "\""));
  }
  absl::StatusOr<std::vector<uint64_t>> any =
      log_->SeqsForCluster(store::ClusterKey::From(ref), {.limit = 1});
  if (!any.ok()) return any.status();
  if (any->empty()) {
    return absl::NotFoundError(absl::StrCat("no record in the event log names ",
                                            store::ClusterKey::From(ref).Kind(), " ", ClusterName(ref)));
  }
  return absl::OkStatus();
}

absl::StatusOr<AdminService::SeqRange> AdminService::Resolve(const v1::Range& range) const {
  if (range.to_seq() != 0 && range.from_seq() > range.to_seq()) {
    return absl::InvalidArgumentError(absl::StrCat("range.from_seq (", range.from_seq(),
                                                   ") is after range.to_seq (", range.to_seq(),
                                                   ")"));
  }
  if (absl::Status s = CheckTimestamp(range.from_time(), "range.from_time"); !s.ok()) return s;
  if (absl::Status s = CheckTimestamp(range.to_time(), "range.to_time"); !s.ok()) return s;
  if (Set(range.from_time()) && Set(range.to_time()) &&
      ToTime(range.from_time()) > ToTime(range.to_time())) {
    return absl::InvalidArgumentError(
        absl::StrCat("range.from_time (", TimeUtil::ToString(range.from_time()),
                     ") is after range.to_time (", TimeUtil::ToString(range.to_time()), ")"));
  }
  SeqRange r;
  r.lo = std::max<uint64_t>(1, range.from_seq());
  r.hi = range.to_seq() == 0 ? UINT64_MAX : range.to_seq();
  if (Set(range.from_time())) {
    absl::StatusOr<uint64_t> before =
        log_->SeqAtTime(ToTime(range.from_time()) - absl::Microseconds(1));
    if (!before.ok()) return before.status();
    r.lo = std::max(r.lo, *before + 1);
  }
  if (Set(range.to_time())) {
    absl::StatusOr<uint64_t> at = log_->SeqAtTime(ToTime(range.to_time()));
    if (!at.ok()) return at.status();
    if (*at == 0) {
      r.hi = 0;
    } else {
      r.hi = std::min(r.hi, *at);
    }
  }
  return r;
}

absl::StatusOr<v1::HistoryResponse> AdminService::History(const v1::HistoryRequest& req) const {
  const bool by_cluster = req.has_cluster();
  const bool by_object = req.has_object();
  if (by_cluster == by_object) {
    return absl::InvalidArgumentError("set exactly one of cluster or object");
  }
  absl::StatusOr<int32_t> page = PageSize(req.page_size(), "page_size");
  if (!page.ok()) return page.status();
  if (absl::Status s = ValidateFilter(req.filter()); !s.ok()) return s;
  absl::StatusOr<SeqRange> range = Resolve(req.range());
  if (!range.ok()) return range.status();

  IndexWalk walk;
  if (by_cluster) {
    if (absl::Status s = CheckCluster(req.cluster(), "cluster"); !s.ok()) return s;
    const store::ClusterKey key = store::ClusterKey::From(req.cluster());
    walk.seqs = [this, key](const store::IndexQuery& q) { return log_->SeqsForCluster(key, q); };
    if (Set(req.range().from_time())) {
      absl::StatusOr<uint64_t> lo =
          WidenForRun(*log_, key, range->lo, ToTime(req.range().from_time()));
      if (!lo.ok()) return lo.status();
      range->lo = std::min(range->lo, std::max<uint64_t>(*lo, req.range().from_seq()));
    }
  } else {
    const log::v1::ObjectRef& o = req.object();
    if (o.kind().empty() || o.name().empty()) {
      return absl::InvalidArgumentError("object needs at least a kind and a name");
    }
    const store::ObjectId id = store::ObjectId::From(o);
    absl::StatusOr<std::vector<uint64_t>> any = log_->SeqsForObject(id, {.limit = 1});
    if (!any.ok()) return any.status();
    if (any->empty()) {
      return absl::NotFoundError(absl::StrCat("no record in the event log names ", o.kind(), " ",
                                              o.namespace_().empty() ? "" : o.namespace_() + "/",
                                              o.name(), " (api group \"",
                                              std::string(store::GroupOf(o.api_version())), "\")"));
    }
    walk.seqs = [this, id](const store::IndexQuery& q) { return log_->SeqsForObject(id, q); };
  }
  walk.lo = range->lo;
  walk.hi = range->hi;
  walk.newest_first = NewestFirst(req.order());
  walk.max_scan = options_.max_scan;
  if (absl::Status s = walk.ResumeAt(req.page_token()); !s.ok()) return s;

  v1::HistoryResponse out;
  out.set_log_last_seq(log_->last_seq());
  if (range->empty()) return out;
  size_t bytes = 0;
  absl::StatusOr<std::string> next = walk.Run([&](uint64_t seq) -> absl::StatusOr<bool> {
    absl::StatusOr<LogRecord> r = log_->Get(seq);
    if (!r.ok()) {
      // Removed by retention while we walked: skip it, the index will follow.
      if (absl::IsNotFound(r.status())) return true;
      return r.status();
    }
    if (!Matches(req.filter(), *r)) return true;
    RedactRecord(&*r, req.omit_objects());
    bytes += r->ByteSizeLong();
    *out.add_records() = std::move(*r);
    return out.records_size() < *page && bytes < kMaxResponseBytes;
  });
  if (!next.ok()) return next.status();
  out.set_next_page_token(*next);
  return out;
}

absl::StatusOr<v1::ListReconcilesResponse> AdminService::ListReconciles(
    const v1::ListReconcilesRequest& req) const {
  if (absl::Status s = CheckCluster(req.cluster(), "cluster"); !s.ok()) return s;
  absl::StatusOr<int32_t> page = PageSize(req.page_size(), "page_size");
  if (!page.ok()) return page.status();
  absl::StatusOr<SeqRange> range = Resolve(req.range());
  if (!range.ok()) return range.status();
  const store::ClusterKey key = store::ClusterKey::From(req.cluster());
  if (Set(req.range().from_time())) {
    absl::StatusOr<uint64_t> lo = WidenForRun(*log_, key, range->lo, ToTime(req.range().from_time()));
    if (!lo.ok()) return lo.status();
    range->lo = std::min(range->lo, std::max<uint64_t>(*lo, req.range().from_seq()));
  }
  IndexWalk walk{[this, key](const store::IndexQuery& q) { return log_->SeqsForCluster(key, q); },
                 range->lo, range->hi, NewestFirst(req.order()), options_.max_scan};
  if (absl::Status s = walk.ResumeAt(req.page_token()); !s.ok()) return s;
  const std::set<int> outcomes(req.outcomes().begin(), req.outcomes().end());
  v1::ListReconcilesResponse out;
  if (range->empty()) return out;
  absl::StatusOr<std::string> next = walk.Run([&](uint64_t seq) -> absl::StatusOr<bool> {
    absl::StatusOr<LogRecord> r = log_->Get(seq);
    if (!r.ok()) return absl::IsNotFound(r.status()) ? absl::StatusOr<bool>(true) : r.status();
    if (!r->has_reconcile()) return true;
    const log::v1::ReconcileRecord& rec = r->reconcile();
    if (!outcomes.empty() && !outcomes.count(rec.outcome())) return true;
    v1::ReconcileSummary* s = out.add_reconciles();
    s->set_seq(r->seq());
    *s->mutable_observed_at() = r->observed_at();
    *s->mutable_cluster() = r->cluster();
    s->set_trigger_seq_begin(rec.trigger_seq_begin());
    s->set_trigger_seq_end(rec.trigger_seq_end());
    s->set_outcome(rec.outcome());
    s->set_error(rec.error());
    s->set_duration_micros(rec.duration_micros());
    s->set_actions(rec.actions_size());
    int failed = 0;
    for (const auto& a : rec.actions()) failed += a.ok() ? 0 : 1;
    s->set_failed_actions(failed);
    s->set_input_state_hash(rec.input_state_hash());
    s->set_desired_set_hash(rec.desired_set_hash());
    SummarizeRun(*r, s);
    return out.reconciles_size() < *page;
  });
  if (!next.ok()) return next.status();
  out.set_next_page_token(*next);
  return out;
}

absl::StatusOr<v1::GetReconcileResponse> AdminService::GetReconcile(
    const v1::GetReconcileRequest& req) const {
  if (req.seq() == 0) return absl::InvalidArgumentError("seq is required");
  absl::StatusOr<int32_t> max = PageSize(req.max_trigger_records(), "max_trigger_records");
  if (!max.ok()) return max.status();
  absl::StatusOr<LogRecord> r = log_->Get(req.seq());
  if (!r.ok()) return r.status();
  if (!r->has_reconcile()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "record ", req.seq(), " is a ",
        r->has_watch() ? "watch" : r->has_lifecycle() ? "lifecycle" : "unknown",
        " record, not a reconcile"));
  }
  v1::GetReconcileResponse out;
  const log::v1::ReconcileRecord& rec = r->reconcile();
  const store::ClusterKey key = store::ClusterKey::From(r->cluster());
  if (rec.trigger_seq_begin() != 0 && rec.trigger_seq_begin() <= rec.trigger_seq_end()) {
    store::IndexQuery q;
    q.from_seq = std::max(rec.trigger_seq_begin(), log_->first_seq());
    q.to_seq = rec.trigger_seq_end();
    q.limit = static_cast<size_t>(*max) + 1;
    absl::StatusOr<std::vector<uint64_t>> seqs = log_->SeqsForCluster(key, q);
    if (!seqs.ok()) return seqs.status();
    if (seqs->size() > static_cast<size_t>(*max)) {
      seqs->resize(*max);
      out.set_trigger_records_truncated(true);
    }
    for (uint64_t s : *seqs) {
      absl::StatusOr<LogRecord> t = log_->Get(s);
      if (!t.ok()) continue;
      RedactRecord(&*t, !req.include_objects());
      *out.add_trigger_records() = std::move(*t);
    }
  }
  std::set<uint64_t> causes;
  for (const auto& a : rec.actions()) {
    if (a.caused_by_seq() != 0) causes.insert(a.caused_by_seq());
  }
  for (uint64_t s : causes) {
    absl::StatusOr<LogRecord> c = log_->Get(s);
    if (!c.ok()) continue;  // removed by retention
    RedactRecord(&*c, !req.include_objects());
    *out.add_cause_records() = std::move(*c);
  }
  RedactRecord(&*r);
  *out.mutable_record() = std::move(*r);
  return out;
}

namespace {

class LogReplaySource : public ReplaySource {
 public:
  LogReplaySource(const store::EventLog* log, store::ClusterKey key, size_t lookback)
      : log_(log), key_(std::move(key)), lookback_(lookback) {}

  absl::StatusOr<store::ClusterObjects> ObjectsAt(uint64_t seq) const override {
    if (seq == 0) return store::ClusterObjects();
    absl::StatusOr<store::State> state = log_->StateAt(seq);
    if (!state.ok()) return state.status();
    return state->ObjectsOf(key_);
  }

  absl::StatusOr<std::optional<LogRecord>> ReconcileAtOrBefore(uint64_t seq) const override {
    store::IndexQuery q;
    q.to_seq = seq;
    q.newest_first = true;
    q.limit = 256;
    size_t scanned = 0;
    while (scanned < lookback_) {
      absl::StatusOr<std::vector<uint64_t>> seqs = log_->SeqsForCluster(key_, q);
      if (!seqs.ok()) return seqs.status();
      for (uint64_t s : *seqs) {
        absl::StatusOr<LogRecord> r = log_->Get(s);
        if (!r.ok()) {
          if (absl::IsNotFound(r.status())) return std::optional<LogRecord>();
          return r.status();
        }
        if (r->has_reconcile()) return std::optional<LogRecord>(std::move(*r));
      }
      scanned += seqs->size();
      if (seqs->size() < q.limit || seqs->back() <= 1) break;
      q.to_seq = seqs->back() - 1;
    }
    return std::optional<LogRecord>();
  }

 private:
  const store::EventLog* log_;
  store::ClusterKey key_;
  size_t lookback_;
};

}  // namespace

absl::StatusOr<v1::ReplayResponse> AdminService::Replay(const v1::ReplayRequest& req) const {
  if (absl::Status s = CheckCluster(req.cluster(), "cluster"); !s.ok()) return s;
  if (req.at_seq() != 0 && Set(req.at_time())) {
    return absl::InvalidArgumentError("set at most one of at_seq and at_time");
  }
  if (absl::Status s = CheckTimestamp(req.at_time(), "at_time"); !s.ok()) return s;
  ReplayPoint point;
  point.cluster = store::ClusterKey::From(req.cluster());
  const uint64_t first = log_->first_seq(), last = log_->last_seq();
  if (req.at_seq() != 0) {
    point.seq = req.at_seq();
  } else if (Set(req.at_time())) {
    absl::StatusOr<uint64_t> at = log_->SeqAtTime(ToTime(req.at_time()));
    if (!at.ok()) return at.status();
    if (*at == 0) {
      return absl::OutOfRangeError(absl::StrCat("at_time ", TimeUtil::ToString(req.at_time()),
                                                " is before the oldest record in the log"));
    }
    point.seq = *at;
  } else {
    point.seq = last;
  }
  if (point.seq > last) {
    return absl::OutOfRangeError(
        absl::StrCat("at_seq ", point.seq, " is past the newest record (", last, ")"));
  }
  if (point.seq + 1 < first) {
    return absl::OutOfRangeError(absl::StrCat("at_seq ", point.seq,
                                              " was removed by retention (oldest record: ", first,
                                              ")"));
  }
  absl::StatusOr<LogRecord> at = log_->Get(point.seq);
  if (at.ok()) point.observed_at = at->observed_at();
  LogReplaySource source(log_, point.cluster, options_.max_reconcile_lookback);
  return ReplayAt(point, source, req);
}

absl::StatusOr<v1::DriftResponse> AdminService::Drift(const v1::DriftRequest& req) const {
  if (absl::Status s = CheckCluster(req.cluster(), "cluster"); !s.ok()) return s;
  if (options_.live == nullptr) {
    return absl::UnavailableError("this server has no access to live objects (Drift needs the "
                                  "API server)");
  }
  const store::ClusterKey key = store::ClusterKey::From(req.cluster());
  const uint64_t seq = log_->last_seq();
  absl::StatusOr<store::State> state = log_->StateAt(seq);
  if (!state.ok()) return state.status();
  const store::ClusterObjects& objects = state->ObjectsOf(key);
  // Replicas held where the last reconcile's membership step held them.
  LogReplaySource source(log_, key, options_.max_reconcile_lookback);
  absl::StatusOr<std::optional<LogRecord>> last = source.ReconcileAtOrBefore(seq);
  TranslationOptions topts;
  if (last.ok() && last->has_value()) topts.recorded = &(*last)->reconcile();
  ClusterTranslation t = TranslateCluster(key, objects, topts);
  if (!t.present) {
    return absl::FailedPreconditionError(
        absl::StrCat(key.Kind(), " ", key.ns, "/", key.name, " is deleted; nothing to compare"));
  }
  if (!t.problems.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(key.Kind(), " ", key.ns, "/", key.name, " has an invalid spec: ",
                     t.problems.front()));
  }
  absl::StatusOr<translator::DesiredSet>& desired = t.desired;
  if (!desired.ok()) return desired.status();
  std::vector<DriftCandidate> known;
  std::set<std::string> kinds;
  for (const auto& o : desired->objects) kinds.insert(o.kind);
  for (const auto& [id, obj] : objects) {
    if (kinds.count(id.kind)) {
      known.push_back({obj.ref().api_version(), id.kind, id.name});
    }
  }
  absl::StatusOr<std::vector<v1::FieldDrift>> drift =
      ComputeDrift(key.ns, *desired, known, *options_.live);
  if (!drift.ok()) return drift.status();
  v1::DriftResponse out;
  out.set_log_seq(seq);
  for (auto& d : *drift) *out.add_drift() = std::move(d);
  return out;
}

absl::Status AdminService::Tail(const v1::TailRequest& req,
                                const std::function<bool(const v1::TailResponse&)>& send,
                                const std::function<bool()>& stop) const {
  if (absl::Status s = ValidateFilter(req.filter()); !s.ok()) return s;
  const bool by_cluster = req.has_cluster() && (!req.cluster().name().empty() ||
                                                !req.cluster().namespace_().empty());
  if (by_cluster) {
    if (absl::Status s = CheckCluster(req.cluster(), "cluster"); !s.ok()) return s;
  }
  const store::ClusterKey key = store::ClusterKey::From(req.cluster());
  uint64_t next = req.from_seq() == 0 ? log_->last_seq() + 1 : req.from_seq();
  if (req.from_seq() != 0) {
    if (req.from_seq() < log_->first_seq()) {
      return absl::OutOfRangeError(absl::StrCat("from_seq ", req.from_seq(),
                                                " was removed by retention (oldest record: ",
                                                log_->first_seq(), ")"));
    }
  }
  v1::TailResponse piece;
  size_t bytes = 0;
  auto flush = [&](uint64_t through) {
    piece.set_through_seq(through);
    const bool ok = send(piece);
    piece.Clear();
    bytes = 0;
    return ok;
  };
  while (!stop()) {
    uint64_t last = log_->last_seq();
    if (last < next) {
      last = log_->WaitForAppend(next - 1, options_.tail_poll);
      if (last < next) continue;
    }
    // Bounded chunks so `stop` is looked at while catching up.
    const uint64_t to = std::min(last, next + 65535);
    std::unique_ptr<store::RecordIterator> it = log_->Read(next, to);
    uint64_t through = next - 1;
    for (; it->Valid(); it->Next()) {
      const LogRecord& r = it->record();
      through = r.seq();
      if (by_cluster && store::ClusterKey::From(r.cluster()) != key) continue;
      if (!Matches(req.filter(), r)) continue;
      LogRecord* copy = piece.add_records();
      *copy = r;
      RedactRecord(copy, req.omit_objects());
      bytes += copy->ByteSizeLong();
      if (piece.records_size() >= static_cast<int>(kMaxPieceRecords) || bytes >= kMaxPieceBytes) {
        if (!flush(through)) return absl::OkStatus();
        if (stop()) return absl::OkStatus();
      }
    }
    if (!it->status().ok()) return it->status();
    if (piece.records_size() > 0 && !flush(through)) return absl::OkStatus();
    next = through + 1;
  }
  return absl::OkStatus();
}

absl::Status AdminService::Export(const v1::ExportRequest& req,
                                  const std::function<bool(const v1::Bundle&)>& send) const {
  if (absl::Status s = CheckCluster(req.cluster(), "cluster"); !s.ok()) return s;
  absl::StatusOr<SeqRange> range = Resolve(req.range());
  if (!range.ok()) return range.status();
  const store::ClusterKey key = store::ClusterKey::From(req.cluster());
  SeqRange r = *range;
  if (Set(req.range().from_time())) {
    absl::StatusOr<uint64_t> lo = WidenForRun(*log_, key, r.lo, ToTime(req.range().from_time()));
    if (!lo.ok()) return lo.status();
    r.lo = std::min(r.lo, std::max<uint64_t>(*lo, req.range().from_seq()));
  }
  r.lo = std::max(r.lo, log_->first_seq());
  r.hi = std::min(r.hi, log_->last_seq());
  if (r.empty()) {
    return absl::OutOfRangeError("the range holds no record that is still in the log");
  }
  if (req.range().from_seq() == 0 && !Set(req.range().from_time())) {
    // Unbounded: from the cluster's oldest record.
    absl::StatusOr<std::vector<uint64_t>> first =
        log_->SeqsForCluster(key, {.from_seq = r.lo, .to_seq = r.hi, .limit = 1});
    if (!first.ok()) return first.status();
    if (!first->empty()) r.lo = first->front();
  }
  v1::Bundle header;
  header.set_format_version(1);
  *header.mutable_cluster() = req.cluster();
  header.set_from_seq(r.lo);
  header.set_to_seq(r.hi);
  *header.mutable_exported_at() = TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(options_.now()));
  header.set_operator_version(options_.operator_version);
  log::v1::FoldedState* base = header.mutable_base();
  base->set_last_seq(r.lo - 1);
  if (r.lo > 1) {
    absl::StatusOr<store::State> state = log_->StateAt(r.lo - 1);
    if (!state.ok()) return state.status();
    const store::ClusterObjects& objects = state->ObjectsOf(key);
    if (!objects.empty()) {
      log::v1::ClusterObjects* c = base->add_clusters();
      *c->mutable_cluster() = key.ToRef();
      for (const auto& [id, obj] : objects) {
        log::v1::StoredObject* o = c->add_objects();
        *o = obj;
        RedactObject(o);
      }
    }
  }
  if (!send(header)) return absl::OkStatus();
  v1::Bundle piece;
  size_t bytes = 0;
  store::IndexQuery q{.from_seq = r.lo, .to_seq = r.hi, .limit = 1024};
  while (q.from_seq <= q.to_seq) {
    absl::StatusOr<std::vector<uint64_t>> seqs = log_->SeqsForCluster(key, q);
    if (!seqs.ok()) return seqs.status();
    for (uint64_t s : *seqs) {
      absl::StatusOr<LogRecord> rec = log_->Get(s);
      if (!rec.ok()) return rec.status();
      RedactRecord(&*rec);
      bytes += rec->ByteSizeLong();
      *piece.add_records() = std::move(*rec);
      if (piece.records_size() >= static_cast<int>(kMaxPieceRecords) || bytes >= kMaxPieceBytes) {
        if (!send(piece)) return absl::OkStatus();
        piece.Clear();
        bytes = 0;
      }
    }
    if (seqs->size() < q.limit) break;
    q.from_seq = seqs->back() + 1;
  }
  if (piece.records_size() > 0) send(piece);
  return absl::OkStatus();
}

}  // namespace doris_operator::admin
