#include "tools/kubesim/hpa_controller.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <ctime>
#include <optional>
#include <set>
#include <variant>

#include "absl/strings/str_cat.h"
#include "tools/kubesim/hpa_replicas.h"

// Rules from kubernetes pkg/controller/podautoscaler/horizontal.go
// (reconcileAutoscaler, computeReplicasForMetrics, normalizeDesiredReplicas*,
// stabilizeRecommendation*, convertDesiredReplicas*, storeScaleEvent,
// setCondition); each metric's proposal is in hpa_replicas.cc.

namespace doris_operator::kubesim {

namespace {

constexpr double kScaleUpLimitFactor = 2.0;
constexpr double kScaleUpLimitMinimum = 4.0;

std::string Str(const Json& v) { return v.is_string() ? v.get<std::string>() : ""; }

// computeReplicasForMetric's error for a metric whose proposal failed with
// `error`: wrapped by the metric's type.
std::string MetricError(const Json& metric, const std::string& error) {
  const std::string type = Str(JsonAt(metric, {"type"}));
  if (type == "Resource") {
    return absl::StrCat("failed to get ", Str(JsonAt(metric, {"resource", "name"})), " resource metric value: ", error);
  }
  if (type == "ContainerResource") {
    return absl::StrCat("failed to get ", Str(JsonAt(metric, {"containerResource", "container"})),
                        " container metric value: ", error);
  }
  if (type == "Pods") return absl::StrCat("failed to get pods metric value: ", error);
  if (type == "Object") return absl::StrCat("failed to get object metric value: ", error);
  if (type == "External") {
    return absl::StrCat("failed to get ", Str(JsonAt(metric, {"external", "metric", "name"})),
                        " external metric value: ", error);
  }
  return error;
}

}  // namespace

HpaController::HpaController(ObjectStore* store, HpaOptions options)
    : store_(store),
      options_(options),
      hpas_(*store->Find("autoscaling", "v2", "horizontalpodautoscalers")),
      pods_(*store->Find("", "v1", "pods")),
      events_(store, "horizontal-pod-autoscaler") {}

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
  // eventRecorder.Event(hpa, ...): about the HPA as the controller read it.
  auto event = [&](const std::string& type, const std::string& reason, const std::string& message) {
    events_.Event(hpa_in, type, reason, message, now_ms);
  };

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
  const std::string api_version = Str(JsonAt(spec, {"scaleTargetRef", "apiVersion"}));
  const std::string kind = Str(JsonAt(spec, {"scaleTargetRef", "kind"}));
  const std::string target_name = Str(JsonAt(spec, {"scaleTargetRef", "name"}));
  const std::string group = api_version.find('/') == std::string::npos ? "" : api_version.substr(0, api_version.find('/'));
  std::optional<ResourceType> target_type;
  for (const ResourceType& t : store_->Types()) {
    if (t.group == group && t.kind == kind && t.scale_subresource) target_type = t;
  }
  const std::string unable = "the HPA controller was unable to get the target's current scale: ";
  if (!target_type) {
    const std::string error = absl::StrCat("no matches for kind \"", kind, "\" in group \"", group, "\"");
    event("Warning", "FailedGetScale", error);
    set_condition("AbleToScale", "False", "FailedGetScale", unable + error);
    keep_status(status.value("currentReplicas", 0));
    return;
  }
  auto got = store_->Get(*target_type, ns, target_name);
  if (auto* e = std::get_if<ApiError>(&got)) {
    event("Warning", "FailedGetScale", e->message);
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
      kind == "StatefulSet" ? LabelSelectorString(JsonAt(target, {"spec", "selector"})) : "";
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
    rescale_reason = "Current number of replicas above Spec.MaxReplicas";
    desired = max_replicas;
  } else if (current < min_replicas) {
    rescale_reason = "Current number of replicas below Spec.MinReplicas";
    desired = min_replicas;
  } else {
    // computeReplicasForMetrics
    if (selector.empty()) {
      event("Warning", "SelectorRequired", "selector is required");
      set_condition("ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector");
      keep_status(current);
      event("Warning", "FailedComputeMetricsReplicas", "selector is required");
      return;
    }
    const std::vector<Json> pods = store_->List(pods_, ns, selector, "", 0, "").items;
    auto value_of = [&](const std::string& metric) -> std::optional<double> {
      if (options_.metrics == nullptr) return std::nullopt;
      return options_.metrics->Get(ns, name, metric);
    };
    const ReplicaInputs inputs{current, status_replicas, &pods, options_.tolerance, ns, value_of};
    const Json metrics = spec.value("metrics", Json::array());
    Json statuses = Json::array();
    int32_t proposed = 0;
    std::string metric_name;
    int invalid = 0;
    std::string first_reason, first_message, first_error = "<nil>";  // Go's %v of a nil error
    for (const Json& m : metrics) {
      MetricProposal p = ProposeReplicas(m, inputs);
      statuses.push_back(p.status);
      if (!p.ok) {
        const std::string reason = p.reason.empty() ? "FailedGetResourceMetric" : p.reason;
        // getUnableComputeReplicaCountCondition records it as it goes.
        event("Warning", reason, p.error);
        if (invalid++ == 0) {
          first_reason = reason;
          first_message = absl::StrCat("the HPA was unable to compute the replica count: ", p.error);
          first_error = MetricError(m, p.error);
        }
        continue;
      }
      if (proposed == 0 || p.replicas > proposed) {
        proposed = p.replicas;
        metric_name = p.metric_name;
      }
    }
    // All metrics invalid, or some invalid while the valid ones would scale
    // down: no scaling on partial information.
    if (invalid >= static_cast<int>(metrics.size()) || (invalid > 0 && proposed < current)) {
      if (invalid > 0) set_condition("ScalingActive", "False", first_reason, first_message);
      keep_status(current);
      event("Warning", "FailedComputeMetricsReplicas",
            absl::StrCat("invalid metrics (", invalid, " invalid out of ", metrics.size(),
                         "), first error is: ", first_error));
      return;
    }
    set_condition("ScalingActive", "True", "ValidMetricFound",
                  absl::StrCat("the HPA was able to successfully calculate a replica count from ", metric_name));
    metric_statuses = statuses;
    std::string rescale_metric;
    if (proposed > desired) {
      desired = proposed;
      rescale_metric = metric_name;
    }
    if (desired > current) rescale_reason = absl::StrCat(rescale_metric, " above target");
    if (desired < current) rescale_reason = "All metrics below target";

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
    std::optional<ApiError> failed;
    if (options_.write_scale) {
      failed = options_.write_scale(*target_type, ns, target_name, desired);
    } else {
      target["spec"]["replicas"] = desired;
      auto written = store_->Update(*target_type, ns, target, /*status_only=*/false);
      if (auto* e = std::get_if<ApiError>(&written)) failed = *e;
    }
    if (const ApiError* e = failed ? &*failed : nullptr) {
      event("Warning", "FailedRescale",
            absl::StrCat("New size: ", desired, "; reason: ", rescale_reason, "; error: ", e->message));
      set_condition("AbleToScale", "False", "FailedUpdateScale",
                    absl::StrCat("the HPA controller was unable to update the target scale: ", e->message));
      keep_status(current);
      return;
    }
    set_condition("AbleToScale", "True", "SucceededRescale",
                  absl::StrCat("the HPA controller was able to update the target scale to ", desired));
    event("Normal", "SuccessfulRescale", absl::StrCat("New size: ", desired, "; reason: ", rescale_reason));
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
