#include "tools/dorisctl/admin_commands.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "nlohmann/json.hpp"
#include "operator/admin/bundle.h"
#include "proto/admin.grpc.pb.h"
#include "tools/dorisctl/files.h"
#include "tools/dorisctl/yaml_json.h"

namespace doris_operator::dorisctl {

namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;
namespace v1 = admin::v1;

constexpr char kCommon[] =
    "\n"
    "common options:\n"
    "  --admin ADDRESS     the operator's admin API (default 127.0.0.1:9443, or $DORISCTL_ADMIN);\n"
    "                      reach an operator in a cluster with kubectl port-forward\n"
    "  -n, --namespace NS  the cluster's namespace (default \"default\")\n"
    "CLUSTER is NAME or TYPE/NAME as kubectl takes it: a DorisCluster (dcr/NAME, the\n"
    "default) or a DorisDisaggregatedCluster (ddc/NAME); each has its own history.\n"
    "  -o, --output F      table (default), json or yaml\n"
    "  --ca-file FILE      use TLS, trusting this CA certificate (PEM)\n"
    "  --token-file FILE   send the bearer token in FILE\n"
    "  --timeout SECONDS   per call (default 30; tail and export: none)\n"
    "\n"
    "exit codes: 0 ok, 1 error (server, network, file), 2 usage\n";

const std::map<std::string, std::string>& Usages() {
  static const auto* m = new std::map<std::string, std::string>{
      {"history",
       "usage: dorisctl history CLUSTER [--object KIND/NAME [--api-version V]] [--kind KIND]...\n"
       "                        [--type watch|reconcile|lifecycle]... [--from-seq N] [--to-seq N]\n"
       "                        [--since TIME] [--until TIME] [--limit N] [--oldest-first]\n"
       "                        [--page-token T] [--objects]\n"
       "\n"
       "Log records about a DorisCluster (or one object with --object), newest first.\n"
       "TIME is RFC 3339 (2024-05-01T10:00:00Z). --limit is the page size (at most 1000);\n"
       "the next page's token is printed last. --objects includes object JSON (json/yaml).\n"},
      {"reconciles",
       "usage: dorisctl reconciles CLUSTER [--outcome no_change|applied|requeued|failed|invalid_spec]...\n"
       "                           [--from-seq N] [--to-seq N] [--since TIME] [--until TIME]\n"
       "                           [--limit N] [--oldest-first] [--page-token T]\n"
       "\n"
       "The reconciles of a DorisCluster: trigger range, outcome, actions, duration.\n"},
      {"show",
       "usage: dorisctl show SEQ [--objects] [--max-triggers N]\n"
       "\n"
       "One reconcile in full: what triggered it, the diff, every action with its result\n"
       "and the log record that caused it.\n"},
      {"replay",
       "usage: dorisctl replay CLUSTER [--at-seq N | --at-time TIME] [--what-if] [--state] [--desired]\n"
       "       dorisctl replay --bundle FILE [--at-seq N | --at-time TIME] [--what-if] ...\n"
       "\n"
       "The cluster's folded state and the translator's desired objects at a point of its\n"
       "history. --what-if runs this dorisctl's (offline) or the operator's translator over\n"
       "the reconcile at that point and lists objects it would produce differently.\n"
       "--bundle replays a file written by `dorisctl export`, with no cluster needed.\n"},
      {"drift",
       "usage: dorisctl drift CLUSTER\n"
       "\n"
       "Live objects against what the operator's translator produces now, per field:\n"
       "changed_by_hand, missing, extra, pending_rollout, server_defaulted.\n"},
      {"tail",
       "usage: dorisctl tail [CLUSTER] [--from-seq N] [--kind KIND]... [--type TYPE]... [--count N]\n"
       "\n"
       "Follows the log as records are appended (from --from-seq first, if given).\n"
       "Without CLUSTER: every cluster. --count stops after N records.\n"},
      {"export",
       "usage: dorisctl export CLUSTER -f FILE [--from-seq N] [--to-seq N] [--since T] [--until T]\n"
       "\n"
       "Writes a bundle of the cluster's records over the range (default: all of its\n"
       "history still in the log) plus the state before it, for `replay --bundle`.\n"},
  };
  return *m;
}

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> flags;
  bool Has(const std::string& f) const { return flags.count(f) > 0; }
  std::string Get(const std::string& f, const std::string& def = "") const {
    auto it = flags.find(f);
    return it == flags.end() || it->second.empty() ? def : it->second.back();
  }
};

// Flags that take a value; others are booleans.
const std::map<std::string, std::string>& ValueFlags() {
  static const auto* m = new std::map<std::string, std::string>{
      {"--admin", "--admin"},       {"-n", "--namespace"},           {"--namespace", "--namespace"},
      {"-o", "--output"},           {"--output", "--output"},         {"--ca-file", "--ca-file"},
      {"--token-file", "--token-file"}, {"--timeout", "--timeout"}, {"--object", "--object"},
      {"--api-version", "--api-version"}, {"--kind", "--kind"},    {"--type", "--type"},
      {"--from-seq", "--from-seq"}, {"--to-seq", "--to-seq"},       {"--since", "--since"},
      {"--until", "--until"},       {"--limit", "--limit"},         {"--page-token", "--page-token"},
      {"--outcome", "--outcome"},   {"--max-triggers", "--max-triggers"},
      {"--at-seq", "--at-seq"},     {"--at-time", "--at-time"},     {"--bundle", "--bundle"},
      {"--count", "--count"},       {"-f", "--file"},               {"--file", "--file"},
  };
  return *m;
}

const std::set<std::string>& BoolFlags() {
  static const auto* s = new std::set<std::string>{"--oldest-first", "--objects", "--what-if",
                                                   "--state", "--desired", "-h", "--help"};
  return *s;
}

bool Parse(const std::vector<std::string>& raw, Args* a, std::string* error) {
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string f = raw[i], value;
    bool inline_value = false;
    if (f.rfind("--", 0) == 0 && f.find('=') != std::string::npos) {
      value = f.substr(f.find('=') + 1);
      f = f.substr(0, f.find('='));
      inline_value = true;
    }
    if (auto it = ValueFlags().find(f); it != ValueFlags().end()) {
      if (!inline_value) {
        if (i + 1 >= raw.size()) {
          *error = absl::StrCat(f, " needs a value");
          return false;
        }
        value = raw[++i];
      }
      a->flags[it->second].push_back(value);
    } else if (BoolFlags().count(f)) {
      a->flags[f == "-h" ? "--help" : f].push_back("");
    } else if (!f.empty() && f[0] == '-') {
      *error = absl::StrCat("unknown option ", f);
      return false;
    } else {
      a->positional.push_back(raw[i]);
    }
  }
  return true;
}

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

uint64_t SeqFlag(const Args& a, const std::string& f) {
  if (!a.Has(f)) return 0;
  uint64_t v = 0;
  if (!absl::SimpleAtoi(a.Get(f), &v)) throw UsageError(absl::StrCat(f, " takes a number"));
  return v;
}

google::protobuf::Timestamp TimeFlag(const Args& a, const std::string& f) {
  google::protobuf::Timestamp t;
  if (!a.Has(f)) return t;
  if (!TimeUtil::FromString(a.Get(f), &t)) {
    throw UsageError(absl::StrCat(f, " takes an RFC 3339 time, e.g. 2024-05-01T10:00:00Z"));
  }
  return t;
}

std::string FormatTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ns/name, or Kind:ns/name for another kind than DorisCluster.
std::string ClusterText(const log::v1::ClusterRef& c) {
  const std::string kind = c.kind() == "DorisCluster" ? "" : c.kind();
  return kind.empty() ? absl::StrCat(c.namespace_(), "/", c.name())
                      : absl::StrCat(kind, ":", c.namespace_(), "/", c.name());
}

// Proto JSON, with the JSON held in bytes fields (base64 in proto JSON)
// embedded as JSON so scripts can use it directly.
void EmbedJsonBytes(json& j) {
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) {
      if ((k == "objectJson" || k == "diffJson" || k == "json") && v.is_string()) {
        std::string raw;
        if (absl::Base64Unescape(v.get<std::string>(), &raw)) {
          json parsed = json::parse(raw, nullptr, false);
          if (!parsed.is_discarded()) v = parsed;
        }
      } else {
        EmbedJsonBytes(v);
      }
    }
  } else if (j.is_array()) {
    for (auto& v : j) EmbedJsonBytes(v);
  }
}

json ToJson(const google::protobuf::Message& m) {
  std::string s;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = false;
  (void)google::protobuf::util::MessageToJsonString(m, &s, o);
  json j = json::parse(s, nullptr, false);
  EmbedJsonBytes(j);
  return j;
}

void PrintStructured(const google::protobuf::Message& m, const std::string& format,
                     std::ostream& out) {
  const json j = ToJson(m);
  if (format == "json") {
    out << j.dump(2) << "\n";
  } else {
    out << ToYaml(j);
  }
}

// Aligned columns, like kubectl.
void PrintTable(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 3, ' ');
    }
    out << line << "\n";
  }
}

std::string ObjectName(const log::v1::ObjectRef& o) {
  return absl::StrCat(o.kind(), "/", o.name());
}

std::vector<std::string> RecordRow(const log::v1::LogRecord& r) {
  std::string type, what;
  if (r.has_watch()) {
    type = log::v1::WatchEventType_Name(r.watch().type());
    what = absl::StrCat(ObjectName(r.watch().object()), " rv=", r.watch().resource_version());
  } else if (r.has_reconcile()) {
    const auto& rec = r.reconcile();
    type = "RECONCILE";
    what = absl::StrCat(log::v1::ReconcileRecord::Outcome_Name(rec.outcome()), " ",
                        rec.actions_size(), " actions, trigger ", rec.trigger_seq_begin(), "..",
                        rec.trigger_seq_end());
    if (rec.has_repeats()) {
      absl::StrAppend(&what, ", x", rec.repeats().count(), " until ",
                      FormatTime(rec.repeats().last_observed_at()));
    }
    if (!rec.error().empty()) absl::StrAppend(&what, ": ", rec.error());
  } else if (r.has_lifecycle()) {
    type = "LIFECYCLE";
    what = log::v1::Lifecycle::Kind_Name(r.lifecycle().kind());
    if (!r.lifecycle().stream().empty()) absl::StrAppend(&what, " ", r.lifecycle().stream());
  } else {
    type = "UNKNOWN";
  }
  const std::string cluster =
      r.cluster().name().empty() ? "-" : ClusterText(r.cluster());
  return {absl::StrCat(r.seq()), FormatTime(r.observed_at()), cluster, type, what};
}

struct Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::Admin::Stub> stub;
  std::string token;
  int timeout_seconds = 30;

  std::unique_ptr<grpc::ClientContext> Context(bool streaming = false) const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    if (!streaming && timeout_seconds > 0) {
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
    }
    return ctx;
  }
};

int Connect(const Args& a, Connection* c, std::ostream& err) {
  std::string address = a.Get("--admin");
  if (address.empty() && std::getenv("DORISCTL_ADMIN") != nullptr) address = std::getenv("DORISCTL_ADMIN");
  if (address.empty()) address = "127.0.0.1:9443";
  if (a.Has("--timeout") && !absl::SimpleAtoi(a.Get("--timeout"), &c->timeout_seconds)) {
    throw UsageError("--timeout takes a number of seconds");
  }
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (a.Has("--ca-file")) {
    grpc::SslCredentialsOptions ssl;
    if (!ReadFile(a.Get("--ca-file"), &ssl.pem_root_certs)) {
      err << "dorisctl: cannot read " << a.Get("--ca-file") << "\n";
      return 1;
    }
    creds = grpc::SslCredentials(ssl);
  }
  if (a.Has("--token-file")) {
    if (!ReadFile(a.Get("--token-file"), &c->token)) {
      err << "dorisctl: cannot read " << a.Get("--token-file") << "\n";
      return 1;
    }
    c->token = std::string(absl::StripAsciiWhitespace(c->token));
    if (!a.Has("--ca-file")) {
      err << "dorisctl: --token-file needs --ca-file (TLS); a token is never sent in clear text\n";
      return 2;
    }
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  c->channel = grpc::CreateCustomChannel(address, creds, args);
  c->stub = v1::Admin::NewStub(c->channel);
  return 0;
}

int RpcError(const grpc::Status& s, std::ostream& err) {
  static const char* kCodes[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                                 "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                                 "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  const int code = static_cast<int>(s.error_code());
  err << "dorisctl: " << (code >= 0 && code <= 16 ? kCodes[code] : "ERROR") << ": "
      << s.error_message() << "\n";
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
    err << "  (is the operator's admin API reachable? e.g. kubectl port-forward "
           "deploy/doris-operator 9443)\n";
  }
  return 1;
}

// The kind a TYPE of TYPE/NAME names, as kubectl resolves it (short name,
// singular, plural, kind, with or without the group); "" if none.
std::string ClusterKindOf(const std::string& type) {
  const std::string t = Lower(type);
  for (const char* dc : {"dcr", "doriscluster", "dorisclusters", "doriscluster.doris.selectdb.com",
                         "dorisclusters.doris.selectdb.com"}) {
    if (t == dc) return "";  // the default: a DorisCluster's ref names no kind
  }
  for (const char* ddc : {"ddc", "dorisdisaggregatedcluster", "dorisdisaggregatedclusters",
                          "dorisdisaggregatedcluster.disaggregated.cluster.doris.com",
                          "dorisdisaggregatedclusters.disaggregated.cluster.doris.com"}) {
    if (t == ddc) return "DorisDisaggregatedCluster";
  }
  throw UsageError(absl::StrCat("unknown cluster type \"", type,
                                "\": give NAME, dcr/NAME (a DorisCluster) or ddc/NAME (a "
                                "DorisDisaggregatedCluster)"));
}

log::v1::ClusterRef ClusterArg(const Args& a, const std::string& command) {
  if (a.positional.empty()) throw UsageError(absl::StrCat(command, " needs a CLUSTER name"));
  if (a.positional.size() > 1) throw UsageError("too many arguments");
  log::v1::ClusterRef c;
  c.set_namespace_(a.Get("--namespace", "default"));
  const std::string& arg = a.positional[0];
  const size_t slash = arg.find('/');
  if (slash == std::string::npos) {
    c.set_name(arg);
    return c;
  }
  if (slash + 1 == arg.size()) throw UsageError(absl::StrCat(command, " needs a name after ", arg));
  c.set_kind(ClusterKindOf(arg.substr(0, slash)));
  c.set_name(arg.substr(slash + 1));
  return c;
}

void RangeFlags(const Args& a, v1::Range* r) {
  r->set_from_seq(SeqFlag(a, "--from-seq"));
  r->set_to_seq(SeqFlag(a, "--to-seq"));
  if (a.Has("--since")) *r->mutable_from_time() = TimeFlag(a, "--since");
  if (a.Has("--until")) *r->mutable_to_time() = TimeFlag(a, "--until");
}

int32_t LimitFlag(const Args& a) {
  if (!a.Has("--limit")) return 0;
  int32_t v = 0;
  if (!absl::SimpleAtoi(a.Get("--limit"), &v) || v <= 0) {
    throw UsageError("--limit takes a positive number");
  }
  return v;
}

void FilterFlags(const Args& a, v1::RecordFilter* f) {
  if (auto it = a.flags.find("--kind"); it != a.flags.end()) {
    for (const auto& k : it->second) f->add_object_kinds(k);
  }
  if (auto it = a.flags.find("--type"); it != a.flags.end()) {
    for (const auto& t : it->second) {
      const std::string l = Lower(t);
      if (l == "watch") f->add_record_types(v1::WATCH);
      else if (l == "reconcile") f->add_record_types(v1::RECONCILE);
      else if (l == "lifecycle") f->add_record_types(v1::LIFECYCLE);
      else throw UsageError("--type is watch, reconcile or lifecycle");
    }
  }
}

int History(const Args& a, const Connection& c, const std::string& format, std::ostream& out,
            std::ostream& err) {
  v1::HistoryRequest req;
  if (a.Has("--object")) {
    const std::vector<std::string> parts = absl::StrSplit(a.Get("--object"), '/');
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
      throw UsageError("--object takes KIND/NAME, e.g. StatefulSet/c1-be");
    }
    if (!a.positional.empty()) throw UsageError("give either CLUSTER or --object, not both");
    req.mutable_object()->set_kind(parts[0]);
    req.mutable_object()->set_name(parts[1]);
    req.mutable_object()->set_namespace_(a.Get("--namespace", "default"));
    std::string api = a.Get("--api-version");
    if (api.empty()) {
      api = parts[0] == "StatefulSet" ? "apps/v1"
            : parts[0] == "DorisCluster" ? "doris.selectdb.com/v1"
            : parts[0] == "DorisDisaggregatedCluster" ? "disaggregated.cluster.doris.com/v1"
            : parts[0] == "HorizontalPodAutoscaler" ? "autoscaling/v2"
            : parts[0] == "PodDisruptionBudget" ? "policy/v1"
                                                 : "v1";
    }
    req.mutable_object()->set_api_version(api);
  } else {
    *req.mutable_cluster() = ClusterArg(a, "history");
  }
  RangeFlags(a, req.mutable_range());
  FilterFlags(a, req.mutable_filter());
  req.set_order(a.Has("--oldest-first") ? v1::OLDEST_FIRST : v1::NEWEST_FIRST);
  req.set_page_size(LimitFlag(a));
  req.set_page_token(a.Get("--page-token"));
  req.set_omit_objects(!a.Has("--objects"));
  v1::HistoryResponse resp;
  grpc::Status s = c.stub->History(c.Context().get(), req, &resp);
  if (!s.ok()) return RpcError(s, err);
  if (format != "table") {
    PrintStructured(resp, format, out);
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"SEQ", "TIME", "CLUSTER", "TYPE", "DETAIL"}};
  for (const auto& r : resp.records()) rows.push_back(RecordRow(r));
  PrintTable(rows, out);
  if (!resp.next_page_token().empty()) {
    out << "more: --page-token " << resp.next_page_token() << "\n";
  }
  return 0;
}

int Reconciles(const Args& a, const Connection& c, const std::string& format, std::ostream& out,
               std::ostream& err) {
  v1::ListReconcilesRequest req;
  *req.mutable_cluster() = ClusterArg(a, "reconciles");
  RangeFlags(a, req.mutable_range());
  if (auto it = a.flags.find("--outcome"); it != a.flags.end()) {
    for (const auto& o : it->second) {
      log::v1::ReconcileRecord::Outcome outcome;
      std::string upper = o;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (!log::v1::ReconcileRecord::Outcome_Parse(upper, &outcome) || outcome == 0) {
        throw UsageError("--outcome is no_change, applied, requeued, failed or invalid_spec");
      }
      req.add_outcomes(outcome);
    }
  }
  req.set_order(a.Has("--oldest-first") ? v1::OLDEST_FIRST : v1::NEWEST_FIRST);
  req.set_page_size(LimitFlag(a));
  req.set_page_token(a.Get("--page-token"));
  v1::ListReconcilesResponse resp;
  grpc::Status s = c.stub->ListReconciles(c.Context().get(), req, &resp);
  if (!s.ok()) return RpcError(s, err);
  if (format != "table") {
    PrintStructured(resp, format, out);
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"SEQ", "TIME", "OUTCOME", "COUNT", "UNTIL", "TRIGGER", "ACTIONS", "FAILED", "DURATION",
       "ERROR"}};
  for (const auto& r : resp.reconciles()) {
    // COUNT/UNTIL: a run of repeats of one decision, recorded once.
    const bool run = r.count() > 1;
    rows.push_back({absl::StrCat(r.seq()), FormatTime(r.observed_at()),
                    log::v1::ReconcileRecord::Outcome_Name(r.outcome()),
                    absl::StrCat(std::max<uint64_t>(1, r.count())),
                    run ? FormatTime(r.last_observed_at()) : "-",
                    absl::StrCat(r.trigger_seq_begin(), "..", r.trigger_seq_end()),
                    absl::StrCat(r.actions()), absl::StrCat(r.failed_actions()),
                    absl::FormatDuration(absl::Microseconds(r.duration_micros())),
                    r.error().empty() ? "-" : r.error()});
  }
  PrintTable(rows, out);
  if (!resp.next_page_token().empty()) {
    out << "more: --page-token " << resp.next_page_token() << "\n";
  }
  return 0;
}

int Show(const Args& a, const Connection& c, const std::string& format, std::ostream& out,
         std::ostream& err) {
  if (a.positional.size() != 1) throw UsageError("show needs one SEQ (from `dorisctl reconciles`)");
  v1::GetReconcileRequest req;
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(a.positional[0], &seq) || seq == 0) {
    throw UsageError("SEQ is a record's sequence number");
  }
  req.set_seq(seq);
  req.set_include_objects(a.Has("--objects"));
  if (a.Has("--max-triggers")) {
    int32_t m = 0;
    if (!absl::SimpleAtoi(a.Get("--max-triggers"), &m)) throw UsageError("--max-triggers takes a number");
    req.set_max_trigger_records(m);
  }
  v1::GetReconcileResponse resp;
  grpc::Status s = c.stub->GetReconcile(c.Context().get(), req, &resp);
  if (!s.ok()) return RpcError(s, err);
  if (format != "table") {
    PrintStructured(resp, format, out);
    return 0;
  }
  const auto& rec = resp.record().reconcile();
  out << "reconcile " << resp.record().seq() << " of " << ClusterText(resp.record().cluster()) << " at " << FormatTime(resp.record().observed_at())
      << "\n"
      << "outcome:      " << log::v1::ReconcileRecord::Outcome_Name(rec.outcome()) << "\n";
  if (!rec.error().empty()) out << "error:        " << rec.error() << "\n";
  out << "duration:     " << absl::FormatDuration(absl::Microseconds(rec.duration_micros())) << "\n"
      << "trigger:      records " << rec.trigger_seq_begin() << ".." << rec.trigger_seq_end() << "\n";
  if (rec.has_repeats()) {
    out << "repeated:     " << rec.repeats().count() << " reconciles with this input and decision, "
        << FormatTime(resp.record().observed_at()) << " .. "
        << FormatTime(rec.repeats().last_observed_at()) << " (the last saw the log through "
        << rec.repeats().last_trigger_seq_end() << ")\n";
  }
  out
      << "input state:  " << rec.input_state_hash() << "\n"
      << "desired set:  " << rec.desired_set_hash() << " (" << rec.desired_objects_size()
      << " objects, translator " << rec.translator_version() << ")\n";
  for (const auto& o : rec.replica_overrides()) {
    out << "held replicas: " << o.component() << "=" << o.replicas() << " (Doris membership)\n";
  }
  for (const auto& p : rec.partitions()) {
    out << "partition:    " << p.component() << "=" << p.partition() << " (rollout)\n";
  }
  for (const auto& h : rec.held_templates()) {
    out << "held template: " << h.component() << " (" << h.statefulset() << ") waits for " << h.waits_for() << "\n";
  }
  if (!rec.diff_json().empty()) out << "diff:         " << rec.diff_json() << "\n";
  out << "\ntriggered by:\n";
  std::vector<std::vector<std::string>> trig = {{"SEQ", "TIME", "CLUSTER", "TYPE", "DETAIL"}};
  for (const auto& r : resp.trigger_records()) trig.push_back(RecordRow(r));
  PrintTable(trig, out);
  if (resp.trigger_records_truncated()) out << "(more trigger records: raise --max-triggers)\n";
  std::map<uint64_t, const log::v1::LogRecord*> causes;
  for (const auto& r : resp.cause_records()) causes[r.seq()] = &r;
  out << "\nactions:\n";
  std::vector<std::vector<std::string>> acts = {{"VERB", "OBJECT", "RESULT", "CAUSED BY"}};
  for (const auto& act : rec.actions()) {
    std::string cause = "-";
    if (act.caused_by_seq() != 0) {
      cause = absl::StrCat(act.caused_by_seq());
      if (auto it = causes.find(act.caused_by_seq()); it != causes.end()) {
        const auto row = RecordRow(*it->second);
        absl::StrAppend(&cause, " ", row[3], " ", row[4]);
      }
    }
    acts.push_back({act.verb(), ObjectName(act.object()),
                    act.ok() ? "ok" : absl::StrCat("FAILED: ", act.error()), cause});
  }
  PrintTable(acts, out);
  return 0;
}

void PrintReplay(const v1::ReplayResponse& r, std::ostream& out) {
  out << "replay at seq " << r.seq() << " (" << FormatTime(r.observed_at()) << ")\n"
      << "state:        " << r.state_object_count() << " objects, hash " << r.input_state_hash()
      << "\n";
  if (!r.cluster_present()) {
    out << "DorisCluster: not present or not valid at this point\n";
    for (const auto& p : r.problems()) out << "  problem: " << p << "\n";
  } else {
    out << "desired set:  " << r.desired_set_hash() << "\n";
    std::vector<std::vector<std::string>> rows = {{"KIND", "NAME", "HASH"}};
    for (const auto& d : r.desired()) rows.push_back({d.kind(), d.name(), d.hash()});
    PrintTable(rows, out);
  }
  for (const auto& w : r.warnings()) out << "warning: " << w << "\n";
  if (!r.has_what_if()) return;
  const auto& w = r.what_if();
  out << "\nwhat-if:\n";
  if (w.reconcile_seq() == 0) {
    out << "  no reconcile of this cluster at or before seq " << r.seq() << "\n";
    return;
  }
  out << "  reconcile " << w.reconcile_seq() << " (translator " << w.recorded_translator_version()
      << ")\n";
  if (w.reconcile_count() > 1) {
    out << "  decided " << w.reconcile_count() << " times, the last at "
        << FormatTime(w.reconcile_last_observed_at()) << "\n";
  }
  out
      << "  input state hash " << (w.input_state_hash_matches() ? "matches" : "DIFFERS") << "\n"
      << "  desired set: recorded " << w.recorded_desired_set_hash() << "\n"
      << "               now      " << w.current_desired_set_hash() << "\n";
  if (!w.translator_error().empty()) out << "  translator error: " << w.translator_error() << "\n";
  if (!w.recorded_per_object_hashes()) {
    out << "  (the record predates per-object hashes; compare the set hashes)\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {{"CHANGE", "KIND", "NAME", "RECORDED", "NOW"}};
  int changed = 0;
  for (const auto& d : w.differences()) {
    if (d.change() != v1::ObjectDifference::SAME) ++changed;
    rows.push_back({v1::ObjectDifference::Change_Name(d.change()), d.kind(), d.name(),
                    d.recorded_hash().empty() ? "-" : d.recorded_hash().substr(0, 12),
                    d.current_hash().empty() ? "-" : d.current_hash().substr(0, 12)});
  }
  PrintTable(rows, out);
  out << "  " << changed << " of " << w.differences_size() << " objects differ\n";
}

int Replay(const Args& a, const Connection* c, const std::string& format, std::ostream& out,
           std::ostream& err) {
  v1::ReplayRequest req;
  req.set_at_seq(SeqFlag(a, "--at-seq"));
  if (a.Has("--at-time")) *req.mutable_at_time() = TimeFlag(a, "--at-time");
  if (a.Has("--at-seq") && a.Has("--at-time")) throw UsageError("give --at-seq or --at-time, not both");
  req.set_what_if(a.Has("--what-if"));
  req.set_include_state(a.Has("--state"));
  req.set_include_desired(a.Has("--desired"));
  v1::ReplayResponse resp;
  if (a.Has("--bundle")) {
    std::string bytes;
    if (!ReadFile(a.Get("--bundle"), &bytes)) {
      err << "dorisctl: cannot read " << a.Get("--bundle") << "\n";
      return 1;
    }
    absl::StatusOr<v1::Bundle> bundle = admin::ParseBundle(bytes);
    if (!bundle.ok()) {
      err << "dorisctl: " << a.Get("--bundle") << ": " << bundle.status().message() << "\n";
      return 1;
    }
    if (!a.positional.empty()) {
      const log::v1::ClusterRef named = ClusterArg(a, "replay");
      if (named.name() != bundle->cluster().name() ||
          (a.positional[0].find('/') != std::string::npos &&
           ClusterKindOf(a.positional[0].substr(0, a.positional[0].find('/'))) !=
               (bundle->cluster().kind() == "DorisCluster" ? "" : bundle->cluster().kind()))) {
        err << "dorisctl: the bundle holds cluster " << ClusterText(bundle->cluster()) << ", not "
            << a.positional[0] << "\n";
        return 1;
      }
    }
    *req.mutable_cluster() = bundle->cluster();
    absl::StatusOr<v1::ReplayResponse> r = admin::ReplayBundle(*bundle, req);
    if (!r.ok()) {
      err << "dorisctl: " << r.status().message() << "\n";
      return 1;
    }
    resp = *std::move(r);
  } else {
    *req.mutable_cluster() = ClusterArg(a, "replay");
    grpc::Status s = c->stub->Replay(c->Context().get(), req, &resp);
    if (!s.ok()) return RpcError(s, err);
  }
  if (format != "table") {
    PrintStructured(resp, format, out);
  } else {
    PrintReplay(resp, out);
  }
  return 0;
}

int Drift(const Args& a, const Connection& c, const std::string& format, std::ostream& out,
          std::ostream& err) {
  v1::DriftRequest req;
  *req.mutable_cluster() = ClusterArg(a, "drift");
  v1::DriftResponse resp;
  grpc::Status s = c.stub->Drift(c.Context().get(), req, &resp);
  if (!s.ok()) return RpcError(s, err);
  if (format != "table") {
    PrintStructured(resp, format, out);
    return 0;
  }
  if (resp.drift().empty()) {
    out << "no drift (log seq " << resp.log_seq() << ")\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"KIND", "NAME", "PATH", "CLASS", "DESIRED", "LIVE"}};
  for (const auto& d : resp.drift()) {
    rows.push_back({d.kind(), d.name(), d.path().empty() ? "-" : d.path(),
                    Lower(v1::FieldDrift::Kind_Name(d.classification())),
                    d.desired().empty() ? "-" : d.desired(), d.live().empty() ? "-" : d.live()});
  }
  PrintTable(rows, out);
  return 0;
}

int Tail(const Args& a, const Connection& c, const std::string& format, std::ostream& out,
         std::ostream& err, const std::function<bool()>& stop) {
  v1::TailRequest req;
  if (a.positional.size() > 1) throw UsageError("too many arguments");
  if (!a.positional.empty()) *req.mutable_cluster() = ClusterArg(a, "tail");
  req.set_from_seq(SeqFlag(a, "--from-seq"));
  FilterFlags(a, req.mutable_filter());
  req.set_omit_objects(format == "table" || !a.Has("--objects"));
  uint64_t count = SeqFlag(a, "--count");
  auto ctx = c.Context(/*streaming=*/true);
  std::atomic<bool> finished{false};
  std::thread canceller;
  if (stop) {
    canceller = std::thread([&] {
      while (!finished.load()) {
        if (stop()) {
          ctx->TryCancel();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  auto reader = c.stub->Tail(ctx.get(), req);
  v1::TailResponse piece;
  uint64_t seen = 0;
  bool header = false;
  while (reader->Read(&piece)) {
    for (const auto& r : piece.records()) {
      if (format == "json") {
        out << ToJson(r).dump() << "\n";  // one record per line
      } else if (format == "yaml") {
        out << "---\n" << ToYaml(ToJson(r));
      } else {
        if (!header) {
          PrintTable({{"SEQ", "TIME", "CLUSTER", "TYPE", "DETAIL"}}, out);
          header = true;
        }
        const auto row = RecordRow(r);
        out << absl::StrJoin(row, "   ") << "\n";
      }
      out.flush();
      if (count != 0 && ++seen >= count) {
        ctx->TryCancel();
        break;
      }
    }
    if (count != 0 && seen >= count) break;
  }
  grpc::Status s = reader->Finish();
  finished = true;
  if (canceller.joinable()) canceller.join();
  if ((count != 0 && seen >= count) || (stop && stop())) return 0;
  if (!s.ok()) return RpcError(s, err);
  return 0;
}

int Export(const Args& a, const Connection& c, std::ostream& out, std::ostream& err) {
  v1::ExportRequest req;
  *req.mutable_cluster() = ClusterArg(a, "export");
  RangeFlags(a, req.mutable_range());
  const std::string file = a.Get("--file");
  if (file.empty()) throw UsageError("export needs -f FILE");
  auto ctx = c.Context(/*streaming=*/true);
  auto reader = c.stub->Export(ctx.get(), req);
  const std::string tmp = file + ".partial";
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  if (!f) {
    err << "dorisctl: cannot write " << tmp << "\n";
    return 1;
  }
  v1::Bundle piece;
  uint64_t records = 0, from = 0, to = 0;
  bool first = true;
  while (reader->Read(&piece)) {
    if (first) {
      from = piece.from_seq();
      to = piece.to_seq();
      first = false;
    }
    records += piece.records_size();
    f << piece.SerializeAsString();
  }
  grpc::Status s = reader->Finish();
  f.close();
  if (!s.ok() || first || !f) {
    std::remove(tmp.c_str());
    if (!s.ok()) return RpcError(s, err);
    err << "dorisctl: writing " << file << " failed\n";
    return 1;
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    err << "dorisctl: cannot rename " << tmp << " to " << file << "\n";
    return 1;
  }
  out << "wrote " << records << " records (seq " << from << ".." << to << ") of "
      << ClusterText(req.cluster()) << " to " << file << "\n";
  return 0;
}

}  // namespace

bool IsAdminCommand(const std::string& command) { return Usages().count(command) > 0; }

int RunAdminCommand(const std::string& command, const std::vector<std::string>& raw,
                    std::ostream& out, std::ostream& err, const std::function<bool()>& stop) {
  const std::string usage = absl::StrCat(Usages().at(command), kCommon);
  Args a;
  std::string problem;
  if (!Parse(raw, &a, &problem)) {
    err << "dorisctl " << command << ": " << problem << "\n" << usage;
    return 2;
  }
  if (a.Has("--help")) {
    out << usage;
    return 0;
  }
  const std::string format = a.Get("--output", "table");
  if (format != "table" && format != "json" && format != "yaml") {
    err << "dorisctl " << command << ": -o is table, json or yaml\n";
    return 2;
  }
  try {
    if (command == "replay" && a.Has("--bundle")) return Replay(a, nullptr, format, out, err);
    Connection c;
    if (int rc = Connect(a, &c, err); rc != 0) return rc;
    if (command == "history") return History(a, c, format, out, err);
    if (command == "reconciles") return Reconciles(a, c, format, out, err);
    if (command == "show") return Show(a, c, format, out, err);
    if (command == "replay") return Replay(a, &c, format, out, err);
    if (command == "drift") return Drift(a, c, format, out, err);
    if (command == "tail") return Tail(a, c, format, out, err, stop);
    if (command == "export") return Export(a, c, out, err);
  } catch (const UsageError& e) {
    err << "dorisctl " << command << ": " << e.what() << "\n" << usage;
    return 2;
  }
  return 2;
}

}  // namespace doris_operator::dorisctl
