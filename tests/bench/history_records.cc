#include "tests/bench/history_records.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace doris_operator::bench {
namespace {

using log::v1::LogRecord;
using log::v1::ReconcileRecord;

// Objects about the size and shape of what the watchers log.

std::string Hex64(uint64_t a, uint64_t b) {
  std::string out;
  uint64_t x = a * 0x9E3779B97F4A7C15ull ^ b;
  for (int i = 0; i < 4; ++i) {
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    absl::StrAppend(&out, absl::Hex(x, absl::kZeroPad16));
  }
  return out;
}

std::string Timestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

const char kPod[] =
    R"json({"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"app.doris.components/hash":"$H","app.doris.components/restartedAt":"$R"},"creationTimestamp":"$C","generateName":"$S-","labels":{"app.doris.disaggregated.cluster":"$N","app.doris.ownerreference/name":"$S","app.kubernetes.io/component":"be","controller-revision-hash":"$S-$V","statefulset.kubernetes.io/pod-name":"$P"},"name":"$P","namespace":"prod","ownerReferences":[{"apiVersion":"apps/v1","blockOwnerDeletion":true,"controller":true,"kind":"StatefulSet","name":"$S","uid":"$U"}],"resourceVersion":"$RV","uid":"$PU"},"spec":{"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"podAffinityTerm":{"labelSelector":{"matchLabels":{"app.doris.ownerreference/name":"$S"}},"topologyKey":"kubernetes.io/hostname"},"weight":100}]}},"containers":[{"command":["/opt/apache-doris/be_entrypoint.sh"],"args":["$(ENV_FE_ADDR)"],"env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}},{"name":"HOST_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.hostIP"}}},{"name":"POD_NAMESPACE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}},{"name":"CONFIGMAP_MOUNT_PATH","value":"/etc/doris"},{"name":"USER","value":"root"},{"name":"DORIS_ROOT","value":"/opt/apache-doris"},{"name":"ENV_FE_ADDR","value":"$N-fe-service"},{"name":"FE_QUERY_PORT","value":"9030"}],"image":"apache/doris:be-2.1.8","imagePullPolicy":"IfNotPresent","lifecycle":{"preStop":{"exec":{"command":["/opt/apache-doris/be_prestop.sh"]}}},"livenessProbe":{"failureThreshold":3,"initialDelaySeconds":80,"periodSeconds":5,"tcpSocket":{"port":9050},"timeoutSeconds":180},"name":"be","ports":[{"containerPort":8040,"name":"webserver-port","protocol":"TCP"},{"containerPort":9060,"name":"be-port","protocol":"TCP"},{"containerPort":9050,"name":"heartbeat-port","protocol":"TCP"},{"containerPort":8060,"name":"brpc-port","protocol":"TCP"}],"readinessProbe":{"failureThreshold":3,"httpGet":{"path":"/api/health","port":8040,"scheme":"HTTP"},"periodSeconds":5,"timeoutSeconds":1},"resources":{"limits":{"cpu":"8","memory":"16Gi"},"requests":{"cpu":"8","memory":"16Gi"}},"startupProbe":{"failureThreshold":60,"periodSeconds":5,"tcpSocket":{"port":9050},"timeoutSeconds":1},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","volumeMounts":[{"mountPath":"/opt/apache-doris/be/storage","name":"be-storage"},{"mountPath":"/etc/doris","name":"$N-be-configmap"}]}],"dnsPolicy":"ClusterFirst","enableServiceLinks":true,"hostname":"$P","nodeName":"node-$NODE","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"serviceAccountName":"default","subdomain":"$N-be-internal","terminationGracePeriodSeconds":30,"volumes":[{"name":"be-storage","persistentVolumeClaim":{"claimName":"be-storage-$P"}},{"configMap":{"defaultMode":420,"name":"$N-be-configmap"},"name":"$N-be-configmap"}]},"status":{"conditions":[{"lastTransitionTime":"$C","status":"True","type":"PodReadyToStartContainers"},{"lastTransitionTime":"$C","status":"True","type":"Initialized"},{"lastTransitionTime":"$T","status":"$READY","type":"Ready"},{"lastTransitionTime":"$T","status":"$READY","type":"ContainersReady"},{"lastTransitionTime":"$C","status":"True","type":"PodScheduled"}],"containerStatuses":[{"containerID":"containerd://$CID","image":"apache/doris:be-2.1.8","imageID":"docker.io/apache/doris@sha256:$IMG","lastState":{},"name":"be","ready":$READYB,"restartCount":$RC,"started":true,"state":{"running":{"startedAt":"$T"}}}],"hostIP":"10.0.$NODE.1","phase":"Running","podIP":"10.244.$NODE.$IP","qosClass":"Guaranteed","startTime":"$C"}})json";

const char kSts[] =
    R"json({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"annotations":{"app.doris.components/hash":"$H"},"creationTimestamp":"$C","generation":$G,"labels":{"app.doris.ownerreference/name":"$S","app.kubernetes.io/component":"be"},"name":"$S","namespace":"prod","ownerReferences":[{"apiVersion":"doris.selectdb.com/v1","blockOwnerDeletion":true,"controller":true,"kind":"DorisCluster","name":"$N","uid":"$DU"}],"resourceVersion":"$RV","uid":"$U"},"spec":{"persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Retain"},"podManagementPolicy":"Parallel","replicas":$REP,"revisionHistoryLimit":10,"selector":{"matchLabels":{"app.doris.ownerreference/name":"$S"}},"serviceName":"$N-be-internal","template":{"metadata":{"annotations":{"app.doris.components/restartedAt":"$R"},"labels":{"app.doris.ownerreference/name":"$S","app.kubernetes.io/component":"be"}},"spec":{"containers":[{"name":"be","image":"apache/doris:be-2.1.8","ports":[{"containerPort":8040,"name":"webserver-port"},{"containerPort":9060,"name":"be-port"},{"containerPort":9050,"name":"heartbeat-port"},{"containerPort":8060,"name":"brpc-port"}],"resources":{"limits":{"cpu":"8","memory":"16Gi"},"requests":{"cpu":"8","memory":"16Gi"}}}],"terminationGracePeriodSeconds":30}},"updateStrategy":{"rollingUpdate":{"partition":$PART},"type":"RollingUpdate"},"volumeClaimTemplates":[{"metadata":{"name":"be-storage"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"200Gi"}},"volumeMode":"Filesystem"}}]},"status":{"availableReplicas":$READYN,"collisionCount":0,"currentReplicas":$REP,"currentRevision":"$S-$V","observedGeneration":$G,"readyReplicas":$READYN,"replicas":$REP,"updateRevision":"$S-$V","updatedReplicas":$REP}})json";

const char kCluster[] =
    R"json({"apiVersion":"doris.selectdb.com/v1","kind":"DorisCluster","metadata":{"creationTimestamp":"$C","generation":$G,"name":"$N","namespace":"prod","resourceVersion":"$RV","uid":"$DU"},"spec":{"adminUser":{"name":"root"},"authSecret":"doris-auth","beSpec":{"configMapInfo":{"configMapName":"$N-be-conf","resolveKey":"be.conf"},"image":"apache/doris:be-2.1.8","persistentVolumes":[{"mountPath":"/opt/apache-doris/be/storage","name":"be-storage","persistentVolumeClaimSpec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"200Gi"}}}}],"replicas":$REP,"requests":{"cpu":"8","memory":"16Gi"},"limits":{"cpu":"8","memory":"16Gi"}},"feSpec":{"electionNumber":1,"image":"apache/doris:fe-2.1.8","replicas":1,"requests":{"cpu":"4","memory":"8Gi"}}},"status":{"beStatus":{"accessService":"$N-be-service","availableStatus":"$AV","componentCondition":{"lastTransitionTime":"$T","phase":"$PH","subResourceName":"$N-be"},"coreConfigMapHashValue":"$H"},"feStatus":{"accessService":"$N-fe-service","availableStatus":"Available","componentCondition":{"lastTransitionTime":"$C","phase":"available","subResourceName":"$N-fe"}},"observedGeneration":$G}})json";

const char kConfigMap[] =
    R"json({"apiVersion":"v1","data":{"be.conf":"# Doris BE configuration, revision $G\nPPROF_TMPDIR=\"$DORIS_HOME/log/\"\nJAVA_OPTS=\"-Xmx2048m -DlogPath=$DORIS_HOME/log/jni.log -Xloggc:$DORIS_HOME/log/be.gc.log.$CUR_DATE\"\nsys_log_level = INFO\nbe_port = 9060\nwebserver_port = 8040\nheartbeat_service_port = 9050\nbrpc_port = 8060\nstorage_root_path = /opt/apache-doris/be/storage\nwrite_buffer_size = $WB\nmax_compaction_threads = 10\n"},"kind":"ConfigMap","metadata":{"creationTimestamp":"$C","name":"$N-be-conf","namespace":"prod","resourceVersion":"$RV","uid":"$CU"}})json";

}  // namespace

std::string Sim::Fill(const char* templ, const ClusterSim& c, absl::Time now,
                      std::vector<std::pair<std::string, std::string>> extra) {
  const std::string sts = absl::StrCat(c.name, "-be");
  extra.push_back({"$RV", absl::StrCat(++rv_)});
  extra.push_back({"$N", c.name});
  extra.push_back({"$S", sts});
  extra.push_back({"$C", Timestamp(c.created)});
  extra.push_back({"$T", Timestamp(now)});
  extra.push_back({"$G", absl::StrCat(c.generation)});
  extra.push_back({"$REP", absl::StrCat(c.replicas)});
  extra.push_back({"$READYN", absl::StrCat(c.ready)});
  extra.push_back({"$PART", absl::StrCat(c.partition)});
  extra.push_back({"$H", Hex64(c.index, c.config_rev).substr(0, 16)});
  extra.push_back({"$R", absl::StrCat(c.restarted)});
  extra.push_back({"$V", Hex64(c.index, c.desired).substr(0, 10)});
  extra.push_back({"$U", Hex64(c.index, 1).substr(0, 36)});
  extra.push_back({"$DU", Hex64(c.index, 2).substr(0, 36)});
  extra.push_back({"$CU", Hex64(c.index, 3).substr(0, 36)});
  extra.push_back({"$PH", c.phase});
  extra.push_back({"$AV", c.phase == "available" ? "Available" : "Unavailable"});
  extra.push_back({"$WB", absl::StrCat(104857600 + c.config_rev)});
  // Longest placeholders first, so $READYB is not read as $READY + "B".
  std::sort(extra.begin(), extra.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  std::string out = templ;
  for (const auto& [k, v] : extra) absl::StrReplaceAll({{k, v}}, &out);
  return out;
}

LogRecord Sim::Watch(ClusterSim& c, absl::Time now, log::v1::WatchEventType type,
                     const std::string& api_version, const std::string& kind,
                     const std::string& name, const std::string& stream, std::string json) {
  ++c.input;
  LogRecord r;
  r.mutable_cluster()->set_namespace_("prod");
  r.mutable_cluster()->set_name(c.name);
  const int64_t us = absl::ToUnixMicros(now);
  r.mutable_observed_at()->set_seconds(us / 1000000);
  r.mutable_observed_at()->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  log::v1::WatchEvent* w = r.mutable_watch();
  w->set_type(type);
  w->mutable_object()->set_api_version(api_version);
  w->mutable_object()->set_kind(kind);
  w->mutable_object()->set_namespace_("prod");
  w->mutable_object()->set_name(name);
  w->mutable_object()->set_uid(Hex64(c.index, std::hash<std::string>()(name)).substr(0, 36));
  w->set_resource_version(absl::StrCat(rv_));
  w->set_stream(stream);
  if (type != log::v1::DELETED) w->set_object_json(std::move(json));
  return r;
}

LogRecord Sim::Pod(ClusterSim& c, absl::Time now, int ordinal, bool ready,
                   log::v1::WatchEventType type) {
  const std::string name = absl::StrCat(c.name, "-be-", ordinal);
  std::string json =
      Fill(kPod, c, now,
           {{"$P", name},
            {"$PU", Hex64(c.index * 100 + ordinal, c.restarts[ordinal]).substr(0, 36)},
            {"$NODE", absl::StrCat((c.index + ordinal) % 50)},
            {"$IP", absl::StrCat(ordinal + 10)},
            {"$CID", Hex64(ordinal, c.restarts[ordinal])},
            {"$IMG", Hex64(1, 2)},
            {"$READYB", ready ? "true" : "false"},
            {"$READY", ready ? "True" : "False"},
            {"$RC", absl::StrCat(c.restarts[ordinal])}});
  return Watch(c, now, type, "v1", "Pod", name, "v1/pods", std::move(json));
}

LogRecord Sim::Sts(ClusterSim& c, absl::Time now) {
  return Watch(c, now, log::v1::MODIFIED, "apps/v1", "StatefulSet", c.name + "-be",
               "apps/v1/statefulsets", Fill(kSts, c, now, {}));
}

LogRecord Sim::Dcr(ClusterSim& c, absl::Time now) {
  return Watch(c, now, log::v1::MODIFIED, "doris.selectdb.com/v1", "DorisCluster", c.name,
               "doris.selectdb.com/v1/dorisclusters", Fill(kCluster, c, now, {}));
}

LogRecord Sim::ConfigMap(ClusterSim& c, absl::Time now) {
  return Watch(c, now, log::v1::MODIFIED, "v1", "ConfigMap", c.name + "-be-conf", "v1/configmaps",
               Fill(kConfigMap, c, now, {}));
}

LogRecord Sim::Reconcile(const ClusterSim& c, absl::Time now, ReconcileRecord::Outcome outcome,
                         const std::vector<std::string>& actions, uint64_t last_seq) {
  LogRecord r;
  r.mutable_cluster()->set_namespace_("prod");
  r.mutable_cluster()->set_name(c.name);
  const int64_t us = absl::ToUnixMicros(now);
  r.mutable_observed_at()->set_seconds(us / 1000000);
  r.mutable_observed_at()->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  ReconcileRecord* rec = r.mutable_reconcile();
  rec->set_trigger_seq_begin(last_seq > 3 ? last_seq - 2 : 1);
  rec->set_trigger_seq_end(last_seq);
  rec->set_input_state_hash(Hex64(c.index, c.input));
  rec->set_desired_set_hash(Hex64(c.index + 1000000, c.desired));
  rec->set_translator_version("v0.9.0");
  rec->set_outcome(outcome);
  rec->set_duration_micros(static_cast<int64_t>(2000 + rng_() % 8000));
  const char* kinds[][2] = {{"apps/v1", "StatefulSet"},
                            {"apps/v1", "StatefulSet"},
                            {"v1", "Service"},
                            {"v1", "Service"},
                            {"v1", "Service"},
                            {"v1", "Service"},
                            {"policy/v1", "PodDisruptionBudget"},
                            {"v1", "ConfigMap"}};
  const char* names[] = {"-fe",         "-be",          "-fe-service", "-fe-internal",
                         "-be-service", "-be-internal", "-be-pdb",     "-fe-conf"};
  for (int i = 0; i < 8; ++i) {
    auto* d = rec->add_desired_objects();
    d->set_api_version(kinds[i][0]);
    d->set_kind(kinds[i][1]);
    d->set_name(c.name + names[i]);
    d->set_hash(Hex64(c.desired * 8 + i, c.index));
  }
  if (c.partition > 0) {
    auto* p = rec->add_partitions();
    p->set_component("be");
    p->set_partition(c.partition);
  }
  for (const std::string& a : actions) {
    auto* act = rec->add_actions();
    act->set_verb(a);
    act->mutable_object()->set_api_version("apps/v1");
    act->mutable_object()->set_kind("StatefulSet");
    act->mutable_object()->set_namespace_("prod");
    act->mutable_object()->set_name(c.name + "-be");
    act->set_detail(absl::StrCat("{\"spec\":{\"replicas\":", c.replicas,
                                 ",\"template\":{\"metadata\":{\"annotations\":{\"restartedAt\":\"",
                                 c.restarted, "\"}}}}}"));
    act->set_ok(true);
    act->set_caused_by_seq(last_seq);
  }
  if (!actions.empty())
    rec->set_diff_json(absl::StrCat("{\"changed\":[\"StatefulSet/", c.name, "-be\"]}"));
  return r;
}

}  // namespace doris_operator::bench
