#include "translator/stateful_set.h"

#include <cstdint>
#include <string>

#include "translator/hibernation.h"
#include "translator/object_parts.h"
#include "translator/pod_template.h"
#include "translator/storage.h"

namespace doris_operator::translator::internal {

Written StatefulSet(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  const auto& spec = x.cluster->spec();
  const Storage storage = BuildStorage(x);
  Written out{"apps/v1", "StatefulSet", x.sts(), false};

  BeginObjectMeta(w, "apps/v1", "StatefulSet");
  w.Key("labels");
  w.BeginObject();
  w.Field(kOwnerRefLabel, x.name());
  w.Field(kComponentLabel, x.comp());
  w.EndObject();
  WriteMetaTail(x, w, out.name);
  w.EndObject();

  w.Key("spec");
  w.BeginObject();
  if (x.c == Component::kFe && storage.claim_count > 0) {
    // An FE dropped from the group keeps its identity in its meta claim
    // (image/ROLE), and fe_entrypoint.sh starts an FE on such a meta without
    // joining, so a later scale-out to that ordinal would never serve (Doris:
    // empty a dropped FE's meta dir before adding it again). Only observers
    // leave (followers never go below electionNumber), and only after their
    // drop, so their claims go with their pods. Hibernation stops every pod
    // and keeps every claim; deleting the cluster keeps them too.
    w.Key("persistentVolumeClaimRetentionPolicy");
    w.BeginObject();
    w.Field("whenDeleted", "Retain");
    w.Field("whenScaled", Hibernates(*x.cluster) ? "Retain" : "Delete");
    w.EndObject();
  }
  w.Field("podManagementPolicy", "Parallel");
  const bool hpa = x.c == Component::kCn && spec.cn_spec().has_auto_scaling_policy();
  // Under an autoscaler the HPA owns the count: leaving it out of what we
  // apply keeps its value (and spec.replicas is ignored).
  if (!hpa) w.Field("replicas", Replicas(*x.base));
  w.Field("revisionHistoryLimit", 5);
  w.Key("selector");
  w.BeginObject();
  w.Key("matchLabels");
  WriteSelectorLabels(x, w);
  w.EndObject();
  w.Field("serviceName", InternalServiceName(x.name(), x.c));

  w.Key("template");
  WritePodTemplate(x, w, storage);

  w.Key("updateStrategy");
  w.BeginObject();
  w.Key("rollingUpdate");
  w.BeginObject();
  w.Field("partition", x.inputs->partitions[x.c]);
  w.EndObject();
  w.Field("type", "RollingUpdate");
  w.EndObject();
  if (storage.claim_count > 0) {
    w.Key("volumeClaimTemplates");
    w.Raw(storage.claim_templates);
  }
  w.EndObject();  // spec
  w.EndObject();
  return out;
}

}  // namespace doris_operator::translator::internal
