#include "tools/kubesim/hpa_controller.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <ctime>
#include <optional>
#include <set>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

// Rules from kubernetes pkg/controller/podautoscaler/horizontal.go
// (reconcileAutoscaler, computeReplicasForMetrics, normalizeDesiredReplicas*,
// stabilizeRecommendation*, convertDesiredReplicas*, setCondition) and
// replica_calculator.go (GetResourceReplicas, calcPlainMetricReplicas,
// getUsageRatioReplicaCount, Get*PerPodMetricReplicas, groupPods).

namespace doris_operator::kubesim {

namespace {

constexpr double kScaleUpLimitFactor = 2.0;
constexpr double kScaleUpLimitMinimum = 4.0;

std::string NowRfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const Json& At(const Json& j, std::initializer_list<const char*> path) {
  static const Json kNull;
  const Json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(k);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

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
  const Json& conditions = At(pod, {"status", "conditions"});
  if (!conditions.is_array()) return false;
  for (const Json& c : conditions) {
    if (Str(At(c, {"type"})) == "Ready") return Str(At(c, {"status"})) == "True";
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
    const std::string phase = Str(At(p, {"status", "phase"}));
    if (phase == "Failed" || At(p, {"metadata"}).contains("deletionTimestamp")) continue;
    if (phase == "Pending" || phase.empty() || (resource == "cpu" && !PodReady(p))) {
      g.unready.push_back(&p);
      continue;
    }
    g.ready.push_back(&p);
  }
  return g;
}

struct Proposal {
  bool ok = false;
  int32_t replicas = 0;
  std::string metric_name;
  Json status;            // the MetricStatus
  std::string reason;     // when !ok: the ScalingActive=False reason
  std::string error;      // when !ok
};

Proposal Fail(const std::string& reason, const std::string& error) {
  Proposal p;
  p.reason = reason;
  p.error = error;
  return p;
}

int32_t CeilReplicas(double v) { return static_cast<int32_t>(std::ceil(v - 1e-9)); }

}  // namespace

HpaController::HpaController(ObjectStore* store, HpaOptions options)
    : store_(store),
      options_(options),
      hpas_(*store->Find("autoscaling", "v2", "horizontalpodautoscalers")),
      pods_(*store->Find("", "v1", "pods")) {}

void HpaController::Tick(int64_t now_ms) {
  std::set<std::string> present;
  for (const Json& hpa : store_->List(hpas_, "", "", "", 0, "").items) {
    if (hpa["metadata"].contains("deletionTimestamp")) continue;
    const std::string key =
        absl::StrCat(hpa["metadata"].value("namespace", ""), "/", hpa["metadata"].value("name", ""));
    present.insert(key);
    auto [it, added] = state_.try_emplace(key);
    // A new HPA waits one period in the rate-limited queue, then every period.
    if (added) it->second.next_sync_ms = now_ms + options_.sync_period_ms;
    if (now_ms < it->second.next_sync_ms) continue;
    it->second.next_sync_ms = now_ms + options_.sync_period_ms;
    Reconcile(hpa, it->second, now_ms);
  }
  // reconcileKey: a deleted HPA's recommendations and scale events go.
  for (auto it = state_.begin(); it != state_.end();) {
    it = present.count(it->first) ? std::next(it) : state_.erase(it);
  }
}

void HpaController::Reconcile(const Json& hpa_in, State& state, int64_t now_ms) {
  const std::string ns = hpa_in["metadata"].value("namespace", "");
  const std::string name = hpa_in["metadata"].value("name", "");
  const Json spec = hpa_in.value("spec", Json::object());
  const Json old_status = hpa_in.value("status", Json::object());
  Json status = old_status.is_object() ? old_status : Json::object();
  Json conditions = status.value("conditions", Json::array());
  if (!conditions.is_array()) conditions = Json::array();

  auto set_condition = [&](const std::string& type, const std::string& st, const std::string& reason,
                           const std::string& message) {
    Json* existing = nullptr;
    for (Json& c : conditions) {
      if (Str(c["type"]) == type) existing = &c;
    }
    if (existing == nullptr) {
      conditions.push_back({{"type", type}});
      existing = &conditions.back();
    }
    if (Str((*existing)["status"]) != st) (*existing)["lastTransitionTime"] = NowRfc3339();
    (*existing)["status"] = st;
    (*existing)["reason"] = reason;
    (*existing)["message"] = message;
  };
  auto write_status = [&](int32_t current, int32_t desired, const Json& metrics, bool rescaled) {
    Json next = Json::object();
    if (current != 0) next["currentReplicas"] = current;  // omitempty
    next["desiredReplicas"] = desired;
    if (rescaled) {
      next["lastScaleTime"] = NowRfc3339();
    } else if (status.contains("lastScaleTime")) {
      next["lastScaleTime"] = status["lastScaleTime"];
    }
    next["currentMetrics"] = metrics;
    if (!conditions.empty()) next["conditions"] = conditions;
    // updateStatusIfNeeded: no write when nothing changed.
    if (next == old_status) return;
    Json obj = hpa_in;
    obj["status"] = next;
    store_->Update(hpas_, ns, obj, /*status_only=*/true);
  };
  auto keep_status = [&](int32_t current) {
    // setCurrentReplicasInStatus: the rest of the old status stays.
    write_status(current, status.value("desiredReplicas", 0),
                 status.contains("currentMetrics") ? status["currentMetrics"] : Json(), false);
  };

  // The target's scale subresource.
  const std::string api_version = Str(At(spec, {"scaleTargetRef", "apiVersion"}));
  const std::string kind = Str(At(spec, {"scaleTargetRef", "kind"}));
  const std::string target_name = Str(At(spec, {"scaleTargetRef", "name"}));
  const std::string group = api_version.find('/') == std::string::npos ? "" : api_version.substr(0, api_version.find('/'));
  std::optional<ResourceType> target_type;
  for (const ResourceType& t : store_->Types()) {
    if (t.group == group && t.kind == kind && t.scale_subresource) target_type = t;
  }
  const std::string unable = "the HPA controller was unable to get the target's current scale: ";
  if (!target_type) {
    set_condition("AbleToScale", "False", "FailedGetScale",
                  absl::StrCat(unable, "no matches for kind \"", kind, "\" in group \"", group, "\""));
    keep_status(status.value("currentReplicas", 0));
    return;
  }
  auto got = store_->Get(*target_type, ns, target_name);
  if (auto* e = std::get_if<ApiError>(&got)) {
    set_condition("AbleToScale", "False", "FailedGetScale", unable + e->message);
    keep_status(status.value("currentReplicas", 0));
    return;
  }
  Json target = std::get<Json>(got);
  set_condition("AbleToScale", "True", "SucceededGetScale",
                "the HPA controller was able to get the target's current scale");
  const int32_t current = target.contains("spec") ? target["spec"].value("replicas", 1) : 1;
  const int32_t status_replicas = target.contains("status") ? target["status"].value("replicas", 0) : 0;
  // scale.status.selector, as the scale subresource reports it.
  const std::string selector =
      kind == "StatefulSet" ? LabelSelectorString(At(target, {"spec", "selector"})) : "";
  if (state.recommendations.empty()) state.recommendations.push_back({current, now_ms});

  const int32_t min_replicas = spec.value("minReplicas", 1);
  const int32_t max_replicas = spec.value("maxReplicas", 0);
  const Json behavior = spec.value("behavior", Json());
  int32_t desired = 0;
  bool rescale = true;
  Json metric_statuses = Json();  // null: none computed
  std::string rescale_reason;

  if (current == 0 && min_replicas != 0) {
    desired = 0;
    rescale = false;
    set_condition("ScalingActive", "False", "ScalingDisabled",
                  "scaling is disabled since the replica count of the target is zero");
  } else if (current > max_replicas) {
    desired = max_replicas;
  } else if (current < min_replicas) {
    desired = min_replicas;
  } else {
    // computeReplicasForMetrics
    if (selector.empty()) {
      set_condition("ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector");
      keep_status(current);
      return;
    }
    const std::vector<Json> pods = store_->List(pods_, ns, selector, "", 0, "").items;
    const double tol = options_.tolerance;
    auto value_of = [&](const std::string& metric) -> std::optional<double> {
      if (options_.metrics == nullptr) return std::nullopt;
      return options_.metrics->Get(ns, name, metric);
    };
    auto ready_count = [&]() {
      int n = 0;
      for (const Json& p : pods) n += Str(At(p, {"status", "phase"})) == "Running" && PodReady(p);
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

    const Json metrics = spec.value("metrics", Json::array());
    Json statuses = Json::array();
    int32_t proposed = 0;
    std::string metric_name;
    int invalid = 0;
    std::string first_reason, first_message;
    for (const Json& m : metrics) {
      const std::string type = Str(m.value("type", Json()));
      Proposal p;
      Json st = Json::object();
      if (type == "Resource" || type == "ContainerResource") {
        const Json& src = m[type == "Resource" ? "resource" : "containerResource"];
        const std::string res = Str(At(src, {"name"}));
        const std::string container = Str(At(src, {"container"}));
        const Json& target = At(src, {"target"});
        const std::optional<double> v = value_of(res);
        const std::string field = type == "Resource" ? "resource" : "containerResource";
        Json ident = {{"name", res}};
        if (type == "ContainerResource") ident["container"] = container;
        if (!v) {
          p = Fail("FailedGetResourceMetric",
                   absl::StrCat("unable to get metrics for resource ", res,
                                ": no metrics returned from resource metrics API"));
        } else if (!At(target, {"averageValue"}).is_null()) {
          const std::optional<double> t = ParseQuantity(At(target, {"averageValue"}));
          int64_t avg = 0;
          p = t ? plain(ToMilli(*v), ToMilli(*t), res, &avg)
                : Fail("FailedGetResourceMetric", "invalid resource metric source: bad averageValue");
          if (p.ok) {
            p.metric_name = absl::StrCat(res, " resource");
            Json s = ident;
            s["current"] = {{"averageValue", MilliQuantity(avg)}};
            st = {{"type", type}, {field, s}};
          }
        } else if (At(target, {"averageUtilization"}).is_number_integer()) {
          const int64_t target_util = At(target, {"averageUtilization"}).get<int64_t>();
          // calculatePodRequests: every container must request the resource.
          std::map<const Json*, int64_t> requests;
          std::string missing;
          for (const Json& pod : pods) {
            int64_t sum = 0;
            for (const Json& c : At(pod, {"spec", "containers"}).is_array() ? At(pod, {"spec", "containers"})
                                                                             : Json::array()) {
              if (!container.empty() && Str(At(c, {"name"})) != container) continue;
              const std::optional<double> q = ParseQuantity(At(c, {"resources", "requests", res.c_str()}));
              if (!q && missing.empty()) {
                missing = absl::StrCat("missing request for ", res, " in container ", Str(At(c, {"name"})),
                                       " of Pod ", Str(At(pod, {"metadata", "name"})));
              }
              if (q) sum += ToMilli(*q);
            }
            requests[&pod] = sum;
          }
          if (pods.empty()) {
            p = Fail("FailedGetResourceMetric", "no pods returned by selector while calculating replica count");
          } else if (!missing.empty()) {
            p = Fail("FailedGetResourceMetric", missing);
          } else {
            PodGroups g = GroupPods(pods, res);
            if (g.ready.empty()) {
              p = Fail("FailedGetResourceMetric", "did not receive metrics for any ready pods");
            } else {
              // Each ready pod uses `v` percent of its request.
              int64_t usage = 0, requested = 0;
              for (const Json* pod : g.ready) {
                usage += static_cast<int64_t>(std::floor(requests[pod] * *v / 100.0));
                requested += requests[pod];
              }
              if (requested == 0) {
                p = Fail("FailedGetResourceMetric", "no metrics returned matched known pods");
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
          p = Fail("FailedGetResourceMetric",
                   "invalid resource metric source: neither a utilization target nor a value target was set");
        }
      } else if (type == "Pods") {
        const std::string metric = Str(At(m, {"pods", "metric", "name"}));
        const std::optional<double> v = value_of(metric);
        const std::optional<double> t = ParseQuantity(At(m, {"pods", "target", "averageValue"}));
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
                {"pods", {{"metric", At(m, {"pods", "metric"})}, {"current", {{"averageValue", MilliQuantity(avg)}}}}}};
        }
      } else if (type == "Object" || type == "External") {
        const bool object = type == "Object";
        const Json& src = m[object ? "object" : "external"];
        const std::string metric = Str(At(src, {"metric", "name"}));
        const std::string reason = object ? "FailedGetObjectMetric" : "FailedGetExternalMetric";
        const std::optional<double> v = value_of(metric);
        const std::string target_type = Str(At(src, {"target", "type"}));
        Json current;
        if (!v) {
          p = Fail(reason, object ? absl::StrCat("unable to get metric ", metric, ": ",
                                                 Str(At(src, {"describedObject", "kind"})), " ", ns, "/",
                                                 Str(At(src, {"describedObject", "name"})),
                                                 ": no metrics returned from custom metrics API")
                                  : absl::StrCat("unable to get external metric ", ns, "/", metric,
                                                 ": no metrics returned from external metrics API"));
        } else if (target_type == "Value" && ParseQuantity(At(src, {"target", "value"}))) {
          const double t = *ParseQuantity(At(src, {"target", "value"}));
          p = usage_ratio(static_cast<double>(ToMilli(*v)) / ToMilli(t));
          if (!p.ok) p.reason = reason;
          current = {{"value", MilliQuantity(ToMilli(*v))}};
        } else if (target_type == "AverageValue" && ParseQuantity(At(src, {"target", "averageValue"}))) {
          int64_t avg = 0;
          p = per_pod(*v, *ParseQuantity(At(src, {"target", "averageValue"})), &avg);
          current = {{"averageValue", MilliQuantity(avg)}};
        } else {
          p = Fail(reason, absl::StrCat("invalid ", object ? "object" : "external",
                                        " metric source: neither a value target nor an average value target was set"));
        }
        if (p.ok) {
          p.metric_name = object ? absl::StrCat(Str(At(src, {"describedObject", "kind"})), " metric ", metric)
                                 : absl::StrCat("external metric ", metric);
          Json s = {{"metric", At(src, {"metric"})}, {"current", current}};
          if (object) s["describedObject"] = At(src, {"describedObject"});
          st = {{"type", type}, {object ? "object" : "external", s}};
        }
      } else {
        p = Fail("InvalidMetricSourceType", absl::StrCat("unknown metric source type \"", type, "\""));
      }
      statuses.push_back(st);
      if (!p.ok) {
        if (invalid++ == 0) {
          first_reason = p.reason.empty() ? "FailedGetResourceMetric" : p.reason;
          first_message = absl::StrCat("the HPA was unable to compute the replica count: ", p.error);
        }
        continue;
      }
      if (proposed == 0 || p.replicas > proposed) {
        proposed = p.replicas;
        metric_name = p.metric_name;
      }
    }
    if (invalid >= static_cast<int>(metrics.size())) {
      if (invalid > 0) set_condition("ScalingActive", "False", first_reason, first_message);
      keep_status(current);
      return;
    }
    set_condition("ScalingActive", "True", "ValidMetricFound",
                  absl::StrCat("the HPA was able to successfully calculate a replica count from ", metric_name));
    metric_statuses = statuses;
    if (proposed > desired) desired = proposed;

    if (!behavior.is_object()) {
      // normalizeDesiredReplicas: the highest recommendation of the
      // scale-down window, then the rules.
      int32_t stabilized = desired;
      const int64_t cutoff = now_ms - options_.downscale_stabilization_ms;
      int old_index = -1;
      for (size_t i = 0; i < state.recommendations.size(); ++i) {
        const Recommendation& r = state.recommendations[i];
        if (r.at_ms < cutoff) {
          old_index = static_cast<int>(i);
        } else if (r.replicas > stabilized) {
          stabilized = r.replicas;
        }
      }
      if (old_index >= 0) {
        state.recommendations[old_index] = {desired, now_ms};
      } else {
        state.recommendations.push_back({desired, now_ms});
      }
      if (stabilized != desired) {
        set_condition("AbleToScale", "True", "ScaleDownStabilized",
                      "recent recommendations were higher than current one, applying the highest recent recommendation");
      } else {
        set_condition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
      }
      // convertDesiredReplicasWithRules
      const int32_t scale_up_limit = static_cast<int32_t>(
          std::max(kScaleUpLimitFactor * current, kScaleUpLimitMinimum));
      int32_t maximum = max_replicas;
      std::string reason = "TooManyReplicas";
      std::string message = "the desired replica count is more than the maximum replica count";
      if (max_replicas > scale_up_limit) {
        maximum = scale_up_limit;
        reason = "ScaleUpLimit";
        message = "the desired replica count is increasing faster than the maximum scale rate";
      }
      int32_t normalized = stabilized;
      if (stabilized < min_replicas) {
        normalized = min_replicas;
        reason = "TooFewReplicas";
        message = "the desired replica count is less than the minimum replica count";
      } else if (stabilized > maximum) {
        normalized = maximum;
      } else {
        reason = "DesiredWithinRange";
        message = "the desired count is within the acceptable range";
      }
      set_condition("ScalingLimited", normalized == stabilized ? "False" : "True", reason, message);
      desired = normalized;
    } else {
      // normalizeDesiredReplicasWithBehaviors
      Json up = behavior.value("scaleUp", Json::object());
      Json down = behavior.value("scaleDown", Json::object());
      const int64_t up_window = up.value("stabilizationWindowSeconds", 0);
      const int64_t down_window = down.contains("stabilizationWindowSeconds") &&
                                          down["stabilizationWindowSeconds"].is_number_integer()
                                      ? down["stabilizationWindowSeconds"].get<int64_t>()
                                      : options_.downscale_stabilization_ms / 1000;
      // stabilizeRecommendationWithBehaviors
      const bool upward = desired >= current;
      const int64_t window_s = upward ? up_window : down_window;
      int32_t stabilized = desired;
      const int64_t obsolete = now_ms - std::max(up_window, down_window) * 1000;
      const int64_t cutoff = now_ms - window_s * 1000;
      int old_index = -1;
      for (size_t i = 0; i < state.recommendations.size(); ++i) {
        const Recommendation& r = state.recommendations[i];
        if (r.at_ms > cutoff) stabilized = upward ? std::min(r.replicas, stabilized) : std::max(r.replicas, stabilized);
        if (r.at_ms < obsolete) old_index = static_cast<int>(i);
      }
      if (old_index >= 0) {
        state.recommendations[old_index] = {desired, now_ms};
      } else {
        state.recommendations.push_back({desired, now_ms});
      }
      if (stabilized != desired) {
        set_condition("AbleToScale", "True", upward ? "ScaleUpStabilized" : "ScaleDownStabilized",
                      upward ? "recent recommendations were lower than current one, applying the lowest recent recommendation"
                             : "recent recommendations were higher than current one, applying the highest recent recommendation");
      } else {
        set_condition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
      }
      // convertDesiredReplicasWithBehaviorRate
      auto changed_in_period = [&](int64_t period_s, const std::vector<ScaleEvent>& events) {
        int32_t n = 0;
        for (const ScaleEvent& e : events) {
          if (e.at_ms > now_ms - period_s * 1000) n += e.change;
        }
        return n;
      };
      auto limit = [&](const Json& rules, bool scale_up) -> int32_t {
        const std::string select = rules.value("selectPolicy", "Max");
        if (select == "Disabled") return current;
        const bool pick_max = scale_up ? select != "Min" : select == "Min";
        int32_t result = scale_up ? 0 : INT32_MAX;
        for (const Json& pol : rules.value("policies", Json::array())) {
          const int64_t period = pol.value("periodSeconds", 0);
          const int32_t value = pol.value("value", 0);
          int32_t proposed_limit;
          if (scale_up) {
            const int32_t start = current - changed_in_period(period, state.scale_up);
            proposed_limit = pol.value("type", "") == "Pods"
                                 ? start + value
                                 : static_cast<int32_t>(std::ceil(start * (1 + value / 100.0)));
          } else {
            const int32_t start = current + changed_in_period(period, state.scale_down);
            proposed_limit = pol.value("type", "") == "Pods"
                                 ? start - value
                                 : static_cast<int32_t>(start * (1 - value / 100.0));
          }
          result = pick_max ? std::max(result, proposed_limit) : std::min(result, proposed_limit);
        }
        return result;
      };
      int32_t normalized = stabilized;
      std::string reason = "DesiredWithinRange";
      std::string message = "the desired count is within the acceptable range";
      if (stabilized > current) {
        const int32_t up_limit = std::max(limit(up, true), current);
        int32_t maximum = max_replicas;
        std::string r = "TooManyReplicas", msg = "the desired replica count is more than the maximum replica count";
        if (maximum > up_limit) {
          maximum = up_limit;
          r = "ScaleUpLimit";
          msg = "the desired replica count is increasing faster than the maximum scale rate";
        }
        if (stabilized > maximum) {
          normalized = maximum;
          reason = r;
          message = msg;
        }
      } else if (stabilized < current) {
        const int32_t down_limit = std::min(limit(down, false), current);
        int32_t minimum = min_replicas;
        std::string r = "TooFewReplicas", msg = "the desired replica count is less than the minimum replica count";
        if (minimum < down_limit) {
          minimum = down_limit;
          r = "ScaleDownLimit";
          msg = "the desired replica count is decreasing faster than the maximum scale rate";
        }
        if (stabilized < minimum) {
          normalized = minimum;
          reason = r;
          message = msg;
        }
      }
      set_condition("ScalingLimited", normalized == stabilized ? "False" : "True", reason, message);
      desired = normalized;
    }
    rescale = desired != current;
  }

  if (rescale) {
    // Through the target's scale: only spec.replicas changes.
    target["spec"]["replicas"] = desired;
    auto written = store_->Update(*target_type, ns, target, /*status_only=*/false);
    if (auto* e = std::get_if<ApiError>(&written)) {
      set_condition("AbleToScale", "False", "FailedUpdateScale",
                    absl::StrCat("the HPA controller was unable to update the target scale: ", e->message));
      keep_status(current);
      return;
    }
    set_condition("AbleToScale", "True", "SucceededRescale",
                  absl::StrCat("the HPA controller was able to update the target scale to ", desired));
    if (behavior.is_object()) {
      // storeScaleEvent: events older than the longest policy period are reused.
      const bool up = desired > current;
      std::vector<ScaleEvent>& events = up ? state.scale_up : state.scale_down;
      int64_t longest = 0;
      for (const Json& pol : behavior.value(up ? "scaleUp" : "scaleDown", Json::object()).value("policies", Json::array())) {
        longest = std::max<int64_t>(longest, pol.value("periodSeconds", 0));
      }
      int old_index = -1;
      for (size_t i = 0; i < events.size(); ++i) {
        if (events[i].at_ms < now_ms - longest * 1000) events[i].outdated = true;
        if (events[i].outdated) old_index = static_cast<int>(i);
      }
      const ScaleEvent e{up ? desired - current : current - desired, now_ms, false};
      if (old_index >= 0) {
        events[old_index] = e;
      } else {
        events.push_back(e);
      }
    }
  } else {
    desired = current;
  }
  write_status(current, desired, metric_statuses, rescale);
}

}  // namespace doris_operator::kubesim
