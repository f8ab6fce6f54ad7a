#include "tools/dorisctl/report_html.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "tools/dorisctl/report_describe.h"

namespace doris_operator::dorisctl {

namespace {

using google::protobuf::util::TimeUtil;
using Json = nlohmann::json;
using log::v1::LogRecord;
using log::v1::ReconcileRecord;
using report::At;
using report::DescribeCluster;
using report::DescribePod;
using report::DescribeStatefulSet;
using report::Int;
using report::Phases;
using report::PodState;
using report::Str;

constexpr char kStyle[] = R"css(
body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #d8dde6;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5b6475;margin-bottom:16px}
.summary{background:#fff;border:1px solid #d8dde6;border-left:6px solid #c0392b;padding:12px 16px;border-radius:4px}
.summary.ok{border-left-color:#27ae60}
.summary dt{font-weight:600;float:left;width:150px;clear:left}.summary dd{margin:0 0 6px 160px}
table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:8px}
th,td{border:1px solid #e1e5ec;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#eef1f5;font-weight:600}
td.seq{white-space:nowrap;width:60px}td.when{white-space:nowrap;width:150px;color:#4a5366}
td.who{width:60px;font-weight:600}
tr.saw td.who{color:#2c6fbb}tr.did td.who{color:#8e44ad}tr.decided td.who{color:#a0522d}
tr.bad{background:#fdecea}tr:target{outline:3px solid #f1c40f}
.pill{display:inline-block;padding:0 6px;border-radius:9px;font-size:12px;font-weight:600;background:#e1e5ec}
.pill.REQUEUED,.pill.notready{background:#fde2b8}.pill.FAILED,.pill.INVALID_SPEC,.pill.failed{background:#f5b7b1}
.pill.APPLIED{background:#d6eaf8}.pill.NO_CHANGE,.pill.ready{background:#d5f5e3}
.pill.repeat{background:#e8daef}
ul{margin:2px 0 2px 18px;padding:0}code{font-size:12px;background:#f0f2f5;padding:0 3px;border-radius:3px}
.pod{margin-left:24px}.note{color:#5b6475;font-size:12px}
)css";

std::string Escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMicroseconds(t);
}

std::string When(int64_t us) {
  if (us == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%E3SZ", absl::FromUnixMicros(us), absl::UTCTimeZone());
}

std::string Span(int64_t from_us, int64_t to_us) {
  return absl::FormatDuration(absl::Seconds((to_us - from_us) / 1000000));
}

struct Row {
  int64_t us = 0;
  uint64_t seq = 0;
  std::string anchor;  // id of the row
  std::string who;     // "saw", "did", "decided"
  std::string html;    // escaped already
  bool bad = false;
};

struct Lane {
  std::vector<Row> rows;
  int hidden = 0;  // watch events that said nothing new
};

class Renderer {
 public:
  explicit Renderer(const ReportInput& in) : in_(in) {}

  std::string Render() {
    Classify();
    Build();
    return Page();
  }

 private:
  // Which component an object belongs to: names are CLUSTER-COMPONENT[-...],
  // for the components a DorisCluster has or a StatefulSet of the history
  // names ("" for others, e.g. a user's ConfigMap "demo-settings").
  std::string ComponentOf(const std::string& name) const {
    const std::string prefix = in_.cluster.name() + "-";
    size_t at = name.rfind(prefix, 0) == 0 ? 0 : name.find("-" + prefix);
    if (at == std::string::npos) return "";
    if (at != 0) ++at;  // a claim: TEMPLATE-CLUSTER-COMPONENT-N
    std::string rest = name.substr(at + prefix.size());
    rest = rest.substr(0, rest.find('-'));
    return known_components_.count(rest) ? rest : "";
  }

  // Pass 1: which records get a row, and a one-line description of each.
  void Classify() {
    std::set<uint64_t> causes;
    for (const LogRecord& r : in_.records) {
      if (!r.has_reconcile()) continue;
      for (const auto& a : r.reconcile().actions()) {
        if (a.caused_by_seq() != 0) causes.insert(a.caused_by_seq());
      }
    }
    std::map<std::string, std::string> last_content;  // kind/name -> content
    const std::string prefix = in_.cluster.name() + "-";
    for (const LogRecord& r : in_.records) {
      if (r.has_watch() && r.watch().object().kind() == "StatefulSet" &&
          r.watch().object().name().rfind(prefix, 0) == 0) {
        known_components_.insert(r.watch().object().name().substr(prefix.size()));
      }
    }
    for (const LogRecord& r : in_.records) {
      if (r.has_reconcile()) {
        shown_.insert(r.seq());
        desc_[r.seq()] =
            absl::StrCat("reconcile ", ReconcileRecord::Outcome_Name(r.reconcile().outcome()));
      } else if (r.has_lifecycle()) {
        shown_.insert(r.seq());
        desc_[r.seq()] =
            absl::StrCat("operator ", log::v1::Lifecycle::Kind_Name(r.lifecycle().kind()));
      } else if (r.has_watch()) {
        const auto& w = r.watch();
        const std::string type = log::v1::WatchEventType_Name(w.type());
        const std::string key = absl::StrCat(w.object().kind(), "/", w.object().name());
        std::string text;
        std::string content = type;
        if (!w.object_json().empty()) {
          Json obj = Json::parse(w.object_json(), nullptr, false);
          if (obj.is_discarded()) obj = Json();
          const bool deleted = w.type() == log::v1::DELETED;
          if (w.object().kind() == "Pod") {
            text = DescribePod(obj, deleted).text;
          } else if (w.object().kind() == "StatefulSet") {
            text = deleted ? "deleted" : DescribeStatefulSet(obj);
          } else if (w.object().kind() == "DorisCluster") {
            text = deleted ? "deleted" : DescribeCluster(obj);
          }
          content = deleted ? "deleted" : (text.empty() ? report::Content(obj) : text);
        }
        desc_[r.seq()] = absl::StrCat(key, " ", type, text.empty() ? "" : ": ", text);
        const bool changed = last_content[key] != content;
        last_content[key] = content;
        const bool marker = w.type() == log::v1::BOOKMARK || w.type() == log::v1::RELIST;
        if ((changed && !marker) || causes.count(r.seq())) shown_.insert(r.seq());
      }
    }
  }

  std::string Link(uint64_t seq) const {
    if (shown_.count(seq)) return absl::StrCat("<a href=\"#r", seq, "\">#", seq, "</a>");
    return absl::StrCat("<span title=\"not in this report\">#", seq, "</span>");
  }

  std::string CauseHtml(uint64_t seq) const {
    if (seq == 0) return "<span class=note>no single record named</span>";
    auto it = desc_.find(seq);
    return absl::StrCat(Link(seq), " ",
                        it == desc_.end() ? "(before this history)" : Escape(it->second));
  }

  static std::string Pill(const std::string& cls, const std::string& text) {
    return absl::StrCat("<span class=\"pill ", Escape(cls), "\">", Escape(text), "</span>");
  }

  std::string RepeatsHtml(const LogRecord& r) const {
    const auto& rep = r.reconcile().repeats();
    return absl::StrCat(" ", Pill("repeat", absl::StrCat("x", rep.count())), " ",
                        Escape(When(Micros(r.observed_at()))), " .. ",
                        Escape(When(Micros(rep.last_observed_at()))), " (",
                        Escape(Span(Micros(r.observed_at()), Micros(rep.last_observed_at()))), ")");
  }

  // Pass 2: rows per lane.
  void Build() {
    for (const LogRecord& r : in_.records) {
      const int64_t us = Micros(r.observed_at());
      last_us_ = std::max(last_us_, us);
      if (first_us_ == 0) first_us_ = us;
      if (r.has_reconcile()) {
        BuildReconcile(r);
        continue;
      }
      if (r.has_lifecycle()) {
        cluster_.rows.push_back(
            {us, r.seq(), absl::StrCat("r", r.seq()), "saw", Escape(desc_[r.seq()]), false});
        continue;
      }
      if (!r.has_watch()) continue;
      const auto& w = r.watch();
      const std::string& kind = w.object().kind();
      const std::string comp = ComponentOf(w.object().name());
      Lane* lane = &cluster_;
      if (kind == "Pod" && !comp.empty()) {
        pod_component_[w.object().name()] = comp;
        lane = &pods_[w.object().name()];
      } else if (!comp.empty() && kind != "DorisCluster") {
        lane = &components_[comp];
      }
      if (kind == "Pod" && !w.object_json().empty()) {
        Json obj = Json::parse(w.object_json(), nullptr, false);
        PodState s = DescribePod(obj.is_discarded() ? Json() : obj, w.type() == log::v1::DELETED);
        auto& last = pod_last_[w.object().name()];
        // A pod re-created under the same name starts a new wait.
        if (!s.ready && !s.deleted && (last.seq == 0 || last.ready || last.deleted)) {
          last.not_ready_since = us;
        }
        last.ready = s.ready;
        last.deleted = s.deleted;
        last.seq = r.seq();
        last.text = s.text;
      }
      if (kind == "StatefulSet" && !w.object_json().empty()) {
        sts_last_[w.object().name()] = Json::parse(w.object_json(), nullptr, false);
        if (w.type() == log::v1::DELETED) sts_last_.erase(w.object().name());
      }
      if (kind == "DorisCluster" && !w.object_json().empty()) {
        cluster_object_ = Json::parse(w.object_json(), nullptr, false);
      }
      if (!shown_.count(r.seq())) {
        ++lane->hidden;
        continue;
      }
      const std::string& d = desc_[r.seq()];
      const bool bad = d.find("NOT ready") != std::string::npos;
      lane->rows.push_back({us, r.seq(), absl::StrCat("r", r.seq()), "saw", Escape(d), bad});
    }
  }

  void BuildReconcile(const LogRecord& r) {
    const ReconcileRecord& rec = r.reconcile();
    const int64_t us = Micros(r.observed_at());
    if (rec.has_repeats()) last_us_ = std::max(last_us_, Micros(rec.repeats().last_observed_at()));
    last_reconcile_ = &r;
    const std::string outcome = ReconcileRecord::Outcome_Name(rec.outcome());
    const bool waiting = rec.outcome() == ReconcileRecord::REQUEUED ||
                         rec.outcome() == ReconcileRecord::FAILED ||
                         rec.outcome() == ReconcileRecord::INVALID_SPEC;
    if (!waiting) {
      waiting_since_ = 0;
    } else if (waiting_since_ == 0) {
      waiting_since_ = us;
    }
    std::string html = Pill(outcome, outcome);
    if (rec.has_repeats()) absl::StrAppend(&html, RepeatsHtml(r));
    if (!rec.error().empty()) absl::StrAppend(&html, " <b>error:</b> ", Escape(rec.error()));
    // The trigger: the records of this cluster in its range that have rows.
    std::vector<std::string> triggers;
    int more = 0;
    for (auto it = shown_.lower_bound(rec.trigger_seq_begin());
         it != shown_.end() && *it <= rec.trigger_seq_end() && *it != r.seq(); ++it) {
      if (triggers.size() < 6) {
        triggers.push_back(CauseHtml(*it));
      } else {
        ++more;
      }
    }
    absl::StrAppend(&html, "<br>trigger: records ", rec.trigger_seq_begin(), "..",
                    rec.trigger_seq_end());
    if (!triggers.empty()) {
      absl::StrAppend(&html, "<ul><li>", absl::StrJoin(triggers, "</li><li>"), "</li>");
      if (more > 0) absl::StrAppend(&html, "<li class=note>and ", more, " more</li>");
      absl::StrAppend(&html, "</ul>");
    }
    // The drift this step found: the planned writes and why.
    std::map<std::string, std::string> reasons;  // kind/name -> reason
    Json diff = Json::parse(rec.diff_json(), nullptr, false);
    if (diff.is_array() && !diff.empty()) {
      absl::StrAppend(&html, "drift (planned writes):<ul>");
      for (const Json& w : diff) {
        const std::string key = absl::StrCat(Str(At(w, {"kind"})), "/", Str(At(w, {"name"})));
        reasons[key] = Str(At(w, {"reason"}));
        absl::StrAppend(&html, "<li><code>", Escape(Str(At(w, {"verb"}))), "</code> ", Escape(key),
                        ": ", Escape(reasons[key]), "</li>");
      }
      absl::StrAppend(&html, "</ul>");
    }
    for (const auto& p : rec.partitions()) {
      absl::StrAppend(&html, "<span class=note>partition ", Escape(p.component()), "=",
                      p.partition(), "</span> ");
    }
    for (const auto& o : rec.replica_overrides()) {
      absl::StrAppend(&html, "<span class=note>held replicas ", Escape(o.component()), "=",
                      o.replicas(), "</span> ");
    }
    if (rec.actions_size() > 0) {
      absl::StrAppend(&html, "actions:<ul>");
      for (int i = 0; i < rec.actions_size(); ++i) {
        const auto& a = rec.actions(i);
        const std::string obj = absl::StrCat(a.object().kind(), "/", a.object().name());
        const std::string result =
            a.ok() ? Pill("ok", "ok")
                   : absl::StrCat(Pill("failed", "FAILED"), " ", Escape(a.error()));
        absl::StrAppend(&html, "<li><a href=\"#r", r.seq(), "-a", i, "\"><code>", Escape(a.verb()),
                        "</code></a> ", Escape(obj), " ", result, " &mdash; caused by ",
                        CauseHtml(a.caused_by_seq()), "</li>");
        // The action in its component's timeline, pointing back here.
        std::string comp = ComponentOf(a.object().name());
        Lane& lane = comp.empty() ? cluster_ : components_[comp];
        std::string row = absl::StrCat("<code>", Escape(a.verb()), "</code> ", Escape(obj), " ",
                                       result, "<br>caused by ", CauseHtml(a.caused_by_seq()),
                                       "<br>decided by reconcile ", Link(r.seq()));
        if (auto it = reasons.find(obj); it != reasons.end() && !it->second.empty()) {
          absl::StrAppend(&row, "<br>drift: ", Escape(it->second));
        }
        auto reason = reasons.find(obj);
        if (!a.detail().empty() && a.detail().size() <= 300 &&
            (reason == reasons.end() || reason->second != a.detail())) {
          absl::StrAppend(&row, "<br><span class=note>", Escape(a.detail()), "</span>");
        }
        // The record is written after its actions: placed at the reconcile's
        // start, the action comes before the watch events it brought about.
        lane.rows.push_back({us - rec.duration_micros(), r.seq(),
                             absl::StrCat("r", r.seq(), "-a", i), "did", row, !a.ok()});
      }
      absl::StrAppend(&html, "</ul>");
    }
    decisions_.rows.push_back({us, r.seq(), absl::StrCat("r", r.seq()), "decided", html,
                               rec.outcome() == ReconcileRecord::FAILED});
  }

  static std::string Table(Lane& lane) {
    std::stable_sort(lane.rows.begin(), lane.rows.end(),
                     [](const Row& a, const Row& b) { return a.us < b.us; });
    std::string out;
    if (lane.rows.empty()) {
      out = "<p class=note>nothing recorded</p>";
    } else {
      out =
          "<table><tr><th title=\"the log record that holds "
          "it\">record</th><th>time</th><th></th><th>what</th></tr>";
      for (const Row& row : lane.rows) {
        absl::StrAppend(&out, "<tr id=\"", row.anchor, "\" class=\"", row.who,
                        row.bad ? " bad" : "", "\"><td class=seq>", row.seq, "</td><td class=when>",
                        Escape(When(row.us)), "</td><td class=who>", row.who, "</td><td>", row.html,
                        "</td></tr>");
      }
      absl::StrAppend(&out, "</table>");
    }
    if (lane.hidden > 0) {
      absl::StrAppend(&out, "<p class=note>", lane.hidden,
                      " more watch events said nothing new (resourceVersion or bookkeeping only)"
                      " and are not shown.</p>");
    }
    return out;
  }

  std::string Summary() const {
    std::vector<std::string> waits;
    for (const auto& [pod, s] : pod_last_) {
      if (s.ready || s.deleted) continue;
      const std::string name =
          pod_component_.count(pod)
              ? absl::StrCat("<a href=\"#p-", Escape(pod), "\"><b>", Escape(pod), "</b></a>")
              : absl::StrCat("<b>", Escape(pod), "</b>");
      waits.push_back(absl::StrCat("pod ", name, " to become ready (", Link(s.seq), " ",
                                   Escape(s.text), "; not ready since ",
                                   Escape(When(s.not_ready_since)), ", for ",
                                   Escape(Span(s.not_ready_since, last_us_)), ")"));
    }
    for (const auto& [sts, j] : sts_last_) {
      const int64_t want = Int(At(j, {"spec", "replicas"}));
      const int64_t updated = Int(At(j, {"status", "updatedReplicas"}));
      const int64_t ready = Int(At(j, {"status", "readyReplicas"}));
      if (updated < want || ready < want) {
        waits.push_back(absl::StrCat("StatefulSet <b>", Escape(sts), "</b>: ", updated, " of ",
                                     want, " updated, ", ready, " ready"));
      }
    }
    for (const Json& c : At(cluster_object_, {"status", "conditions"})) {
      if (Str(At(c, {"status"})) == "True" || Str(At(c, {"message"})).empty()) continue;
      waits.push_back(absl::StrCat("condition ", Escape(Str(At(c, {"type"}))), ": ",
                                   Escape(Str(At(c, {"reason"}))), " &mdash; ",
                                   Escape(Str(At(c, {"message"})))));
    }
    std::vector<std::string> phases;
    for (const auto& [c, p] : Phases(cluster_object_)) {
      phases.push_back(
          absl::StrCat(Escape(c), " ", Pill(p == "available" ? "ready" : "notready", p)));
    }
    const bool stuck = waiting_since_ != 0;
    std::string out =
        absl::StrCat("<div class=\"summary", stuck ? "" : " ok", "\" id=summary><dl>");
    absl::StrAppend(&out, "<dt>phase now</dt><dd>",
                    phases.empty() ? "unknown (no DorisCluster status in this history)"
                                   : absl::StrJoin(phases, ", "),
                    "</dd>");
    if (last_reconcile_ != nullptr) {
      const auto& rec = last_reconcile_->reconcile();
      absl::StrAppend(&out, "<dt>last decision</dt><dd>", Link(last_reconcile_->seq()), " ",
                      Pill(ReconcileRecord::Outcome_Name(rec.outcome()),
                           ReconcileRecord::Outcome_Name(rec.outcome())));
      if (rec.has_repeats()) absl::StrAppend(&out, RepeatsHtml(*last_reconcile_));
      if (!rec.error().empty()) absl::StrAppend(&out, " ", Escape(rec.error()));
      absl::StrAppend(&out, "</dd>");
    }
    if (stuck) {
      absl::StrAppend(&out, "<dt>stuck for</dt><dd>", Escape(Span(waiting_since_, last_us_)),
                      " (requeued or failed since ", Escape(When(waiting_since_)), ", last look ",
                      Escape(When(last_us_)), ")</dd>");
    }
    absl::StrAppend(&out, "<dt>waits for</dt><dd>",
                    waits.empty()
                        ? "nothing"
                        : absl::StrCat("<ul><li>", absl::StrJoin(waits, "</li><li>"), "</li></ul>"),
                    "</dd></dl></div>");
    return out;
  }

  std::string DriftSection() const {
    std::string out = "<h2 id=drift>Drift now</h2>";
    if (!in_.drift_known) {
      return out +
             "<p class=note>Not known: an offline report (from a bundle) cannot see the "
             "live objects. Each decision above lists the drift it found then.</p>";
    }
    if (in_.drift.empty())
      return out + "<p>No drift: live objects are what the operator would produce.</p>";
    absl::StrAppend(&out,
                    "<table><tr><th>object</th><th>path</th><th>class</th><th>desired</th>"
                    "<th>live</th></tr>");
    for (const ReportDrift& d : in_.drift) {
      absl::StrAppend(&out, "<tr><td>", Escape(d.kind), "/", Escape(d.name), "</td><td>",
                      Escape(d.path), "</td><td>", Escape(d.classification), "</td><td><code>",
                      Escape(d.desired), "</code></td><td><code>", Escape(d.live),
                      "</code></td></tr>");
    }
    return out + "</table>";
  }

  std::string Page() {
    const std::string name = absl::StrCat(in_.cluster.namespace_(), "/", in_.cluster.name());
    std::string out = absl::StrCat(
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
        "'unsafe-inline'\">"
        "<title>DorisCluster ",
        Escape(name), " report</title><style>", kStyle, "</style></head><body>\n<h1>DorisCluster ",
        Escape(name), "</h1><div class=meta>", in_.records.size(), " records");
    if (!in_.records.empty()) {
      absl::StrAppend(&out, " (seq ", in_.records.front().seq(), "..", in_.records.back().seq(),
                      ", ", Escape(When(first_us_)), " .. ", Escape(When(last_us_)), ")");
    }
    absl::StrAppend(&out, " from ", Escape(in_.source), "</div>\n", Summary(), "\n");
    // Components in the order a cluster comes up, then any others.
    std::vector<std::string> order;
    for (const char* c : {"fe", "be", "cn", "broker"}) {
      if (components_.count(c)) order.push_back(c);
    }
    for (const auto& [c, lane] : components_) {
      if (std::find(order.begin(), order.end(), c) == order.end()) order.push_back(c);
    }
    for (const auto& [pod, c] : pod_component_) {
      if (std::find(order.begin(), order.end(), c) == order.end()) order.push_back(c);
    }
    absl::StrAppend(&out, "<h2>Components</h2>");
    for (const std::string& c : order) {
      absl::StrAppend(&out, "<h3 id=\"c-", Escape(c), "\">component ", Escape(c), "</h3>",
                      Table(components_[c]));
      for (const auto& [pod, pc] : pod_component_) {
        if (pc != c) continue;
        absl::StrAppend(&out, "<div class=pod><h3 id=\"p-", Escape(pod), "\">pod ", Escape(pod),
                        "</h3>", Table(pods_[pod]), "</div>");
      }
    }
    absl::StrAppend(&out, "<h2>Cluster</h2>", Table(cluster_), "<h2>Operator decisions</h2>",
                    Table(decisions_), DriftSection(), "\n</body></html>\n");
    return out;
  }

  struct PodLast {
    bool ready = false, deleted = false;
    uint64_t seq = 0;
    int64_t not_ready_since = 0;
    std::string text;
  };

  const ReportInput& in_;
  std::set<std::string> known_components_ = {"fe", "be", "cn", "broker"};
  std::set<uint64_t> shown_;
  std::map<uint64_t, std::string> desc_;
  Lane cluster_, decisions_;
  std::map<std::string, Lane> components_, pods_;
  std::map<std::string, std::string> pod_component_;
  std::map<std::string, PodLast> pod_last_;
  std::map<std::string, Json> sts_last_;
  Json cluster_object_;
  const LogRecord* last_reconcile_ = nullptr;
  int64_t first_us_ = 0, last_us_ = 0, waiting_since_ = 0;
};

}  // namespace

std::string RenderReportHtml(const ReportInput& input) { return Renderer(input).Render(); }

}  // namespace doris_operator::dorisctl
