#include "translator/autoscaler.h"

#include <string>

namespace doris_operator::translator::internal {

Written Autoscaler(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  const auto& a = x.cluster->spec().cn_spec().auto_scaling_policy();
  const bool v1 = a.version() == "v1";
  Written out{v1 ? "autoscaling/v1" : "autoscaling/v2", "HorizontalPodAutoscaler",
              AutoscalerName(x.name()), false};
  WriteClusterObjectHead(x, w, out, "autoscaler");
  w.Key("spec");
  w.BeginObject();
  const bool hpa_policy = !v1 && a.has_hpa_policy();
  WriteRawField(w, "behavior", hpa_policy && a.hpa_policy().has_behavior(),
                a.hpa_policy().behavior());
  w.Field("maxReplicas", a.max_replicas());
  if (hpa_policy && a.hpa_policy().has_metrics()) {
    w.Key("metrics");
    w.Value(CanonicalMetrics(RawOr(a.hpa_policy().metrics())));
  }
  w.Field("minReplicas", a.has_min_replicas() ? a.min_replicas() : 1);
  w.Key("scaleTargetRef");
  w.BeginObject();
  w.Field("apiVersion", "apps/v1");
  w.Field("kind", "StatefulSet");
  w.Field("name", x.sts());
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace doris_operator::translator::internal
