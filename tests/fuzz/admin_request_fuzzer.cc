// Fuzzes the admin API's requests (operator/admin/service) as gRPC hands
// them over: the input's first byte picks the method, the rest is the
// request message in the protobuf wire format. The log is a small history of
// two clusters (watch, reconcile and lifecycle records).
//
// Properties: nothing crashes; an error carries a message; a History or
// ListReconciles page never repeats or goes back: following next_page_token
// gives strictly older (newest first) or newer records, within the page
// size, and ends; a page token this server did not issue is refused.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "operator/admin/service.h"
#include "store/event_log.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace admin = doris_operator::admin;
namespace store = doris_operator::store;
namespace logpb = doris_operator::log::v1;
namespace v1 = doris_operator::admin::v1;

logpb::LogRecord Watch(const std::string& cluster, const std::string& kind, const std::string& name,
                       int64_t seconds) {
  logpb::LogRecord r;
  r.mutable_cluster()->set_namespace_("prod");
  r.mutable_cluster()->set_name(cluster);
  r.mutable_observed_at()->set_seconds(seconds);
  logpb::WatchEvent* w = r.mutable_watch();
  w->set_type(logpb::MODIFIED);
  w->mutable_object()->set_api_version(kind == "DorisCluster" ? "doris.selectdb.com/v1" : "apps/v1");
  w->mutable_object()->set_kind(kind);
  w->mutable_object()->set_namespace_("prod");
  w->mutable_object()->set_name(name);
  w->set_resource_version(absl::StrCat(seconds));
  w->set_stream(kind);
  w->set_object_json(absl::StrCat("{\"kind\":\"", kind, "\",\"n\":", seconds, "}"));
  return r;
}

store::EventLog* Log() {
  static store::EventLog* log = [] {
    const char* tmp = getenv("TEST_TMPDIR");
    const std::filesystem::path dir = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
                                      ("admin_request_fuzzer." + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    store::EventLogOptions o;
    o.snapshot_every = 8;
    auto opened = store::EventLog::Open(dir.string(), o);
    FUZZ_CHECK(opened.ok(), opened.status().ToString());
    store::EventLog* l = opened->release();
    logpb::LogRecord start;
    start.mutable_lifecycle()->set_kind(logpb::Lifecycle::START);
    start.mutable_observed_at()->set_seconds(1000);
    FUZZ_CHECK(l->Append({start}).ok(), "append");
    for (int i = 1; i <= 40; ++i) {
      const std::string c = i % 3 == 0 ? "c2" : "c1";
      logpb::LogRecord r = i % 5 == 0 ? logpb::LogRecord() : Watch(c, i % 7 == 0 ? "DorisCluster" : "StatefulSet",
                                                                     i % 2 ? c + "-fe" : c + "-be", 1000 + i);
      if (i % 5 == 0) {
        r.mutable_cluster()->set_namespace_("prod");
        r.mutable_cluster()->set_name(c);
        r.mutable_observed_at()->set_seconds(1000 + i);
        logpb::ReconcileRecord* rec = r.mutable_reconcile();
        rec->set_trigger_seq_begin(i - 3);
        rec->set_trigger_seq_end(i);
        rec->set_outcome(i % 10 == 0 ? logpb::ReconcileRecord::FAILED : logpb::ReconcileRecord::APPLIED);
        auto* a = rec->add_actions();
        a->set_verb("apply");
        a->mutable_object()->set_kind("StatefulSet");
        a->mutable_object()->set_name(c + "-be");
        a->set_ok(i % 10 != 0);
        a->set_caused_by_seq(i - 1);
      }
      FUZZ_CHECK(l->Append({r}).ok(), "append");
    }
    return l;
  }();
  return log;
}

void CheckError(const absl::Status& s) {
  FUZZ_CHECK(!s.ok() && !s.message().empty(), "an error without a message: " + s.ToString());
}

template <typename Request, typename Response, typename Call, typename Seqs>
void FollowPages(Request request, bool newest_first, Call call, Seqs seqs_of) {
  std::vector<uint64_t> seen;
  const int page_size = request.page_size();
  for (int page = 0; page < 60; ++page) {
    absl::StatusOr<Response> r = call(request);
    if (!r.ok()) {
      CheckError(r.status());
      return;
    }
    const std::vector<uint64_t> seqs = seqs_of(*r);
    if (page_size > 0) FUZZ_CHECK(seqs.size() <= static_cast<size_t>(page_size), "page larger than page_size");
    for (uint64_t s : seqs) {
      if (!seen.empty()) {
        FUZZ_CHECK(newest_first ? s < seen.back() : s > seen.back(),
                   absl::StrCat("a page went back or repeated: ", s, " after ", seen.back()));
      }
      seen.push_back(s);
    }
    if (r->next_page_token().empty()) return;
    request.set_page_token(r->next_page_token());
  }
  FUZZ_CHECK(false, "paging did not end after 60 pages");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);  // invalid UTF-8 notes
  (void)quiet;
  if (size == 0) return 0;
  const admin::AdminService service(Log(), {.max_scan = 64});
  const char* body = reinterpret_cast<const char*>(data) + 1;
  const int body_size = static_cast<int>(size - 1);
  switch (data[0] % 5) {
    case 0: {
      v1::HistoryRequest req;
      if (!req.ParseFromArray(body, body_size)) return 0;
      if (req.page_size() > 50) req.set_page_size(50);  // keeps one input's pages few
      const bool bad_token = !req.page_token().empty() &&
                             (req.page_token()[0] != 's' || req.page_token().size() < 2);
      absl::StatusOr<v1::HistoryResponse> first = service.History(req);
      if (bad_token) {
        FUZZ_CHECK(!first.ok(), "a foreign page token was accepted: " + req.page_token());
      }
      FollowPages<v1::HistoryRequest, v1::HistoryResponse>(
          req, req.order() != v1::OLDEST_FIRST,
          [&](const v1::HistoryRequest& r) { return service.History(r); },
          [](const v1::HistoryResponse& r) {
            std::vector<uint64_t> out;
            for (const auto& rec : r.records()) out.push_back(rec.seq());
            return out;
          });
      break;
    }
    case 1: {
      v1::ListReconcilesRequest req;
      if (!req.ParseFromArray(body, body_size)) return 0;
      if (req.page_size() > 50) req.set_page_size(50);
      FollowPages<v1::ListReconcilesRequest, v1::ListReconcilesResponse>(
          req, req.order() != v1::OLDEST_FIRST,
          [&](const v1::ListReconcilesRequest& r) { return service.ListReconciles(r); },
          [](const v1::ListReconcilesResponse& r) {
            std::vector<uint64_t> out;
            for (const auto& rec : r.reconciles()) out.push_back(rec.seq());
            return out;
          });
      break;
    }
    case 2: {
      v1::GetReconcileRequest req;
      if (!req.ParseFromArray(body, body_size)) return 0;
      absl::StatusOr<v1::GetReconcileResponse> r = service.GetReconcile(req);
      if (!r.ok()) {
        CheckError(r.status());
      } else {
        FUZZ_CHECK(r->record().seq() == req.seq() && r->record().has_reconcile(),
                   "GetReconcile answered another record");
      }
      break;
    }
    case 3: {
      v1::ReplayRequest req;
      if (!req.ParseFromArray(body, body_size)) return 0;
      absl::StatusOr<v1::ReplayResponse> r = service.Replay(req);
      if (!r.ok()) CheckError(r.status());
      break;
    }
    case 4: {
      v1::ExportRequest req;
      if (!req.ParseFromArray(body, body_size)) return 0;
      size_t pieces = 0;
      absl::Status s = service.Export(req, [&](const v1::Bundle&) { return ++pieces < 200; });
      if (!s.ok()) CheckError(s);
      break;
    }
  }
  return 0;
}
