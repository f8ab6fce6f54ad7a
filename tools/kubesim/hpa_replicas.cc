#include "tools/kubesim/hpa_replicas.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

// kubernetes pkg/controller/podautoscaler/replica_calculator.go
// (GetResourceReplicas, GetRawResourceReplicas, calcPlainMetricReplicas,
// getUsageRatioReplicaCount, GetObjectPerPodMetricReplicas,
// GetExternalPerPodMetricReplicas, groupPods, calculatePodRequests) and the
// computeStatusFor*Metric functions of horizontal.go.

namespace doris_operator::kubesim {

namespace {

std::string Str(const Json& v) { return v.is_string() ? v.get<std::string>() : ""; }

// A resource.Quantity in base units ("500m" -> 0.5, "1Gi" -> 2^30).
std::optional<double> ParseQuantity(const Json& q) {
  if (q.is_number()) return q.get<double>();
  if (!q.is_string()) return std::nullopt;
  const std::string s = q.get<std::string>();
  size_t end = 0;
  while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.' ||
                            (end == 0 && (s[end] == '+' || s[end] == '-')))) {
    ++end;
  }
  double number = 0;
  if (end == 0 || !absl::SimpleAtod(s.substr(0, end), &number)) return std::nullopt;
  const std::string suffix = s.substr(end);
  static const std::map<std::string, double> kSuffix = {
      {"", 1},          {"m", 1e-3},        {"k", 1e3},          {"M", 1e6},
      {"G", 1e9},       {"T", 1e12},        {"P", 1e15},         {"E", 1e18},
      {"Ki", 1024.0},   {"Mi", 1048576.0},  {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}};
  if (auto it = kSuffix.find(suffix); it != kSuffix.end()) return number * it->second;
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    int exp = 0;
    if (absl::SimpleAtoi(suffix.substr(1), &exp)) return number * std::pow(10.0, exp);
  }
  return std::nullopt;
}

// resource.NewMilliQuantity(v, DecimalSI).String(): "250m", "2", "1500m", "3k".
std::string MilliQuantity(int64_t milli) {
  if (milli % 1000 != 0) return absl::StrCat(milli, "m");
  int64_t v = milli / 1000;
  const char* suffixes[] = {"", "k", "M", "G", "T", "P", "E"};
  int i = 0;
  while (v != 0 && v % 1000 == 0 && i < 6) {
    v /= 1000;
    ++i;
  }
  return absl::StrCat(v, suffixes[i]);
}

int64_t ToMilli(double v) { return static_cast<int64_t>(std::ceil(v * 1000 - 1e-9)); }

bool PodReady(const Json& pod) {
  const Json& conditions = JsonAt(pod, {"status", "conditions"});
  if (!conditions.is_array()) return false;
  for (const Json& c : conditions) {
    if (Str(JsonAt(c, {"type"})) == "Ready") return Str(JsonAt(c, {"status"})) == "True";
  }
  return false;
}

// groupPods: failed and deleted pods are ignored, Pending ones are unready,
// and for CPU a pod that is not Ready yet is unready too (its samples are
// from its start-up; the real controller looks at the first 5 minutes and
// at when readiness last changed). Every other pod reports the metric.
struct PodGroups {
  std::vector<const Json*> ready, unready;
};
PodGroups GroupPods(const std::vector<Json>& pods, const std::string& resource) {
  PodGroups g;
  for (const Json& p : pods) {
    const std::string phase = Str(JsonAt(p, {"status", "phase"}));
    if (phase == "Failed" || JsonAt(p, {"metadata"}).contains("deletionTimestamp")) continue;
    if (phase == "Pending" || phase.empty() || (resource == "cpu" && !PodReady(p))) {
      g.unready.push_back(&p);
      continue;
    }
    g.ready.push_back(&p);
  }
  return g;
}

using Proposal = MetricProposal;

Proposal Fail(const std::string& reason, const std::string& error) {
  Proposal p;
  p.reason = reason;
  p.error = error;
  return p;
}

int32_t CeilReplicas(double v) { return static_cast<int32_t>(std::ceil(v - 1e-9)); }

}  // namespace

MetricProposal ProposeReplicas(const Json& m, const ReplicaInputs& in) {
  const std::vector<Json>& pods = *in.pods;
  const double tol = in.tolerance;
  const int32_t current = in.current;
  const int32_t status_replicas = in.status_replicas;
  const std::string& ns = in.ns;
  auto value_of = [&](const std::string& metric) -> std::optional<double> {
    return in.value_of ? in.value_of(metric) : std::nullopt;
  };
  auto ready_count = [&]() {
    int n = 0;
    for (const Json& p : pods) n += Str(JsonAt(p, {"status", "phase"})) == "Running" && PodReady(p);
    return n;
  };
  // calcPlainMetricReplicas: every pod reports `value` (milli), target per pod.
  auto plain = [&](int64_t value, int64_t target_milli, const std::string& resource, int64_t* avg) -> Proposal {
    if (pods.empty()) return Fail("", "no pods returned by selector while calculating replica count");
    PodGroups g = GroupPods(pods, resource);
    if (g.ready.empty()) return Fail("", "did not receive metrics for any ready pods");
    const double ratio = static_cast<double>(value) / static_cast<double>(target_milli);
    *avg = value;
    Proposal p;
    p.ok = true;
    if (g.unready.empty() || ratio <= 1.0) {
      p.replicas = std::abs(1.0 - ratio) <= tol ? current : CeilReplicas(ratio * g.ready.size());
      return p;
    }
    // On a scale-up, unready pods count as using nothing.
    const double n = static_cast<double>(g.ready.size() + g.unready.size());
    const double new_ratio = static_cast<double>(value) * g.ready.size() / n / target_milli;
    if (std::abs(1.0 - new_ratio) <= tol || new_ratio < 1.0) {
      p.replicas = current;
    } else {
      p.replicas = CeilReplicas(new_ratio * n);
    }
    return p;
  };
  // getUsageRatioReplicaCount
  auto usage_ratio = [&](double ratio) -> Proposal {
    Proposal p;
    if (current != 0) {
      if (std::abs(1.0 - ratio) <= tol) {
        p.ok = true;
        p.replicas = current;
        return p;
      }
      if (pods.empty()) {
        return Fail("", "unable to calculate ready pods: no pods returned by selector while calculating replica count");
      }
      p.ok = true;
      p.replicas = CeilReplicas(ratio * ready_count());
      return p;
    }
    p.ok = true;
    p.replicas = CeilReplicas(ratio);
    return p;
  };
  // Get{Object,External}PerPodMetricReplicas
  auto per_pod = [&](double value, double target, int64_t* avg) {
    Proposal p;
    p.ok = true;
    p.replicas = status_replicas;
    const double ratio = status_replicas > 0 ? value / (target * status_replicas) : INFINITY;
    if (std::abs(1.0 - ratio) > tol) p.replicas = CeilReplicas(value / target);
    *avg = status_replicas > 0 ? static_cast<int64_t>(std::ceil(ToMilli(value) / static_cast<double>(status_replicas)))
                               : ToMilli(value);
    return p;
  };

  const std::string type = Str(m.value("type", Json()));
  Proposal p;
  Json st = Json::object();
  if (type == "Resource" || type == "ContainerResource") {
    const Json& src = m[type == "Resource" ? "resource" : "containerResource"];
    const std::string res = Str(JsonAt(src, {"name"}));
    const std::string container = Str(JsonAt(src, {"container"}));
    const Json& target = JsonAt(src, {"target"});
    const std::optional<double> v = value_of(res);
    const std::string field = type == "Resource" ? "resource" : "containerResource";
    // computeStatusFor{,Container}ResourceMetric's condition reason.
    const std::string fail_reason =
        type == "Resource" ? "FailedGetResourceMetric" : "FailedGetContainerResourceMetric";
    Json ident = {{"name", res}};
    if (type == "ContainerResource") ident["container"] = container;
    const bool by_value = !JsonAt(target, {"averageValue"}).is_null();
    const bool by_utilization = JsonAt(target, {"averageUtilization"}).is_number_integer();
    if (!v && (by_value || by_utilization)) {
      // computeStatusForResourceMetricGeneric wraps the calculator's error.
      p = Fail(fail_reason,
               absl::StrCat("failed to get ", res, by_value ? " usage" : " utilization",
                            ": unable to get metrics for resource ", res,
                            ": no metrics returned from resource metrics API"));
    } else if (by_value) {
      const std::optional<double> t = ParseQuantity(JsonAt(target, {"averageValue"}));
      int64_t avg = 0;
      p = t ? plain(ToMilli(*v), ToMilli(*t), res, &avg)
            : Fail(fail_reason, "invalid resource metric source: bad averageValue");
      if (!p.ok && t) p = Fail(fail_reason, absl::StrCat("failed to get ", res, " usage: ", p.error));
      if (p.ok) {
        p.metric_name = absl::StrCat(res, " resource");
        Json s = ident;
        s["current"] = {{"averageValue", MilliQuantity(avg)}};
        st = {{"type", type}, {field, s}};
      }
    } else if (JsonAt(target, {"averageUtilization"}).is_number_integer()) {
      const int64_t target_util = JsonAt(target, {"averageUtilization"}).get<int64_t>();
      // calculatePodRequests: every container must request the resource.
      std::map<const Json*, int64_t> requests;
      std::string missing;
      for (const Json& pod : pods) {
        int64_t sum = 0;
        for (const Json& c : JsonAt(pod, {"spec", "containers"}).is_array() ? JsonAt(pod, {"spec", "containers"})
                                                                         : Json::array()) {
          if (!container.empty() && Str(JsonAt(c, {"name"})) != container) continue;
          const std::optional<double> q = ParseQuantity(JsonAt(c, {"resources", "requests", res.c_str()}));
          if (!q && missing.empty()) {
            missing = absl::StrCat("missing request for ", res, " in container ", Str(JsonAt(c, {"name"})),
                                   " of Pod ", Str(JsonAt(pod, {"metadata", "name"})));
          }
          if (q) sum += ToMilli(*q);
        }
        requests[&pod] = sum;
      }
      const std::string wrap = absl::StrCat("failed to get ", res, " utilization: ");
      if (pods.empty()) {
        p = Fail(fail_reason, wrap + "no pods returned by selector while calculating replica count");
      } else if (!missing.empty()) {
        p = Fail(fail_reason, wrap + missing);
      } else {
        PodGroups g = GroupPods(pods, res);
        if (g.ready.empty()) {
          p = Fail(fail_reason, wrap + "did not receive metrics for any ready pods");
        } else {
          // Each ready pod uses `v` percent of its request.
          int64_t usage = 0, requested = 0;
          for (const Json* pod : g.ready) {
            usage += static_cast<int64_t>(std::floor(requests[pod] * *v / 100.0));
            requested += requests[pod];
          }
          if (requested == 0) {
            p = Fail(fail_reason, wrap + "no metrics returned matched known pods");
          } else {
            const int32_t util = static_cast<int32_t>(usage * 100 / requested);
            const double ratio = static_cast<double>(util) / target_util;
            p.ok = true;
            p.metric_name = absl::StrCat(res, " resource utilization (percentage of request)");
            if (g.unready.empty() || ratio <= 1.0) {
              p.replicas = std::abs(1.0 - ratio) <= tol ? current : CeilReplicas(ratio * g.ready.size());
            } else {
              int64_t all_requested = requested;
              for (const Json* pod : g.unready) all_requested += requests[pod];
              const int32_t new_util = static_cast<int32_t>(usage * 100 / all_requested);
              const double new_ratio = static_cast<double>(new_util) / target_util;
              const double n = static_cast<double>(g.ready.size() + g.unready.size());
              p.replicas = std::abs(1.0 - new_ratio) <= tol || new_ratio < 1.0 ? current
                                                                              : CeilReplicas(new_ratio * n);
            }
            Json s = ident;
            s["current"] = {{"averageUtilization", util},
                            {"averageValue", MilliQuantity(usage / static_cast<int64_t>(g.ready.size()))}};
            st = {{"type", type}, {field, s}};
          }
        }
      }
    } else {
      p = Fail(fail_reason,
               "invalid resource metric source: neither an average utilization target nor an average value "
               "(usage) target was set");
    }
  } else if (type == "Pods") {
    const std::string metric = Str(JsonAt(m, {"pods", "metric", "name"}));
    const std::optional<double> v = value_of(metric);
    const std::optional<double> t = ParseQuantity(JsonAt(m, {"pods", "target", "averageValue"}));
    int64_t avg = 0;
    if (!v) {
      p = Fail("FailedGetPodsMetric",
               absl::StrCat("unable to get metric ", metric, ": no metrics returned from custom metrics API"));
    } else if (!t) {
      p = Fail("FailedGetPodsMetric", "invalid pods metric source: no averageValue target");
    } else {
      p = plain(ToMilli(*v), ToMilli(*t), "", &avg);
      if (!p.ok) p.reason = "FailedGetPodsMetric";
    }
    if (p.ok) {
      p.metric_name = absl::StrCat("pods metric ", metric);
      st = {{"type", "Pods"},
            {"pods", {{"metric", JsonAt(m, {"pods", "metric"})}, {"current", {{"averageValue", MilliQuantity(avg)}}}}}};
    }
  } else if (type == "Object" || type == "External") {
    const bool object = type == "Object";
    const Json& src = m[object ? "object" : "external"];
    const std::string metric = Str(JsonAt(src, {"metric", "name"}));
    const std::string reason = object ? "FailedGetObjectMetric" : "FailedGetExternalMetric";
    const std::optional<double> v = value_of(metric);
    const std::string target_type = Str(JsonAt(src, {"target", "type"}));
    Json current;
    if (!v) {
      p = Fail(reason, object ? absl::StrCat("unable to get metric ", metric, ": ",
                                             Str(JsonAt(src, {"describedObject", "kind"})), " ", ns, "/",
                                             Str(JsonAt(src, {"describedObject", "name"})),
                                             ": no metrics returned from custom metrics API")
                              : absl::StrCat("unable to get external metric ", ns, "/", metric,
                                             ": no metrics returned from external metrics API"));
    } else if (target_type == "Value" && ParseQuantity(JsonAt(src, {"target", "value"}))) {
      const double t = *ParseQuantity(JsonAt(src, {"target", "value"}));
      p = usage_ratio(static_cast<double>(ToMilli(*v)) / ToMilli(t));
      if (!p.ok) p.reason = reason;
      current = {{"value", MilliQuantity(ToMilli(*v))}};
    } else if (target_type == "AverageValue" && ParseQuantity(JsonAt(src, {"target", "averageValue"}))) {
      int64_t avg = 0;
      p = per_pod(*v, *ParseQuantity(JsonAt(src, {"target", "averageValue"})), &avg);
      current = {{"averageValue", MilliQuantity(avg)}};
    } else {
      p = Fail(reason, absl::StrCat("invalid ", object ? "object" : "external",
                                    " metric source: neither a value target nor an average value target was set"));
    }
    if (p.ok) {
      p.metric_name = object ? absl::StrCat(Str(JsonAt(src, {"describedObject", "kind"})), " metric ", metric)
                             : absl::StrCat("external metric ", metric);
      Json s = {{"metric", JsonAt(src, {"metric"})}, {"current", current}};
      if (object) s["describedObject"] = JsonAt(src, {"describedObject"});
      st = {{"type", type}, {object ? "object" : "external", s}};
    }
  } else {
    p = Fail("InvalidMetricSourceType", absl::StrCat("unknown metric source type \"", type, "\""));
  }
  p.status = st;
  return p;
}

}  // namespace doris_operator::kubesim
