#include "translator/disaggregated/stateful_set.h"

#include "translator/disaggregated/pod_template.h"
#include "translator/object_parts.h"
#include "translator/disaggregated/services.h"
#include "translator/disaggregated/storage.h"

namespace doris_operator::translator::disaggregated {

Written StatefulSet(const Ctx& x, JsonWriter& w, const std::string* /*hash*/) {
  const Storage storage = BuildStorage(x);
  Written out{"apps/v1", "StatefulSet", x.sts, false};
  internal::BeginObjectMeta(w, "apps/v1", "StatefulSet");
  WriteLabelsAndMetaTail(x, w, out.name);

  w.Key("spec");
  w.BeginObject();
  if (x.kind == Kind::kFe && storage.claim_count > 0) {
    // A dropped FE's meta claim holds image/ROLE: an FE started on it (a
    // later scale-out to that ordinal) skips joining and is refused by the
    // group (fe_disaggregated_entrypoint.sh; Doris's metadata operations:
    // clear a dropped FE's meta before it joins again). The StatefulSet
    // shrinks only after the observer was dropped, so its claims go with
    // its pod then; the ddc's deletion keeps them (docs/operations.md).
    w.Key("persistentVolumeClaimRetentionPolicy");
    w.BeginObject();
    w.Field("whenDeleted", "Retain");
    w.Field("whenScaled", "Delete");
    w.EndObject();
  }
  w.Field("podManagementPolicy", "Parallel");
  w.Field("replicas", Replicas(*x.base, x.kind));
  w.Field("revisionHistoryLimit", 5);
  w.Key("selector");
  w.BeginObject();
  w.Key("matchLabels");
  WriteSelectorLabels(x, w);
  w.EndObject();
  w.Field("serviceName", GoverningServiceName(x));
  w.Key("template");
  WritePodTemplate(x, w, storage);
  w.Key("updateStrategy");
  w.BeginObject();
  w.Key("rollingUpdate");
  w.BeginObject();
  auto partition = x.inputs->partitions.find(x.sts);
  w.Field("partition", partition == x.inputs->partitions.end() ? 0 : partition->second);
  w.EndObject();
  w.Field("type", "RollingUpdate");
  w.EndObject();
  if (storage.claim_count > 0) {
    w.Key("volumeClaimTemplates");
    w.Raw(storage.claim_templates);
  }
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace doris_operator::translator::disaggregated
