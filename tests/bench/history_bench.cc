// history_bench: a month of realistic churn for many DorisClusters through the
// real EventLog, with retention at the operator's defaults, twice in one run:
// every reconcile appended (as before coalescing) and repeats counted on one
// record (EventLog::AppendReconcile). Time is simulated (records carry the
// simulated clock, retention is given it); nothing sleeps.
//
//   bazel run -c opt //tests/bench:history_bench -- [--clusters=1000] [--days=30]
//       [--dir=/tmp/history_bench] [--only=both|plain|coalesced]
//       [--snapshots=new|old|both] [--snapshot_every=N]
//
// --snapshots=old runs the snapshot policy before bytes spacing (one every
// --snapshot_every records, default 2,048; no thinning) in the same binary,
// "both" runs each log under both policies, one after the other. Each log is
// simulated in a child process, so its peak RSS is its own.
//
// Churn per cluster (1 FE + 3 BE pods, 2 StatefulSets, a ConfigMap):
//  - a resync reconcile every 10 min; 12 pod status updates a day;
//  - 2 pod restarts a day (not ready for 60 s, polled every 2 s);
//  - a daily ConfigMap change rolling the 3 BE pods (90 s each, polled);
//  - a weekly scale-out, and a scale-in 3 days later whose decommission
//    takes 10 min (polled);
//  - one rollout per 100 clusters stuck for a day (a pod that never becomes
//    ready, polled every 2 s: 43,200 polls).
// Prints, per log: bytes on disk (files in its directory), records kept,
// reconciles they stand for, the oldest time kept, records dropped by
// retention, and wall time.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "operator/log_retention.h"
#include "rocksdb/db.h"
#include "store/coalesce.h"
#include "store/event_log.h"

namespace doris_operator {
namespace {

namespace fs = std::filesystem;
using log::v1::LogRecord;
using log::v1::ReconcileRecord;

// ---- Objects, about the size and shape of what the watchers log ----------------

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

// ---- One cluster's objects and the records about them -----------------------------

struct ClusterSim {
  int index = 0;
  std::string name;
  absl::Time created;
  int generation = 1;
  int replicas = 3;
  int config_rev = 1;
  int restarted = 0;
  int partition = 0;
  int input = 0;    // bumped by every watch record of the cluster
  int desired = 0;  // bumped by every change of what the translator makes
  int ready = 3;
  std::vector<int> restarts = std::vector<int>(8, 0);
  std::string phase = "available";
};

struct Sim {
  uint64_t rv = 1000;
  std::mt19937_64 rng{7};

  std::string Fill(const char* templ, const ClusterSim& c, absl::Time now,
                   std::vector<std::pair<std::string, std::string>> extra) {
    const std::string sts = absl::StrCat(c.name, "-be");
    extra.push_back({"$RV", absl::StrCat(++rv)});
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

  LogRecord Watch(ClusterSim& c, absl::Time now, log::v1::WatchEventType type,
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
    w->set_resource_version(absl::StrCat(rv));
    w->set_stream(stream);
    if (type != log::v1::DELETED) w->set_object_json(std::move(json));
    return r;
  }

  LogRecord Pod(ClusterSim& c, absl::Time now, int ordinal, bool ready,
                log::v1::WatchEventType type = log::v1::MODIFIED) {
    const std::string name = absl::StrCat(c.name, "-be-", ordinal);
    std::string json = Fill(kPod, c, now,
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
  LogRecord Sts(ClusterSim& c, absl::Time now) {
    return Watch(c, now, log::v1::MODIFIED, "apps/v1", "StatefulSet", c.name + "-be",
                 "apps/v1/statefulsets", Fill(kSts, c, now, {}));
  }
  LogRecord Dcr(ClusterSim& c, absl::Time now) {
    return Watch(c, now, log::v1::MODIFIED, "doris.selectdb.com/v1", "DorisCluster", c.name,
                 "doris.selectdb.com/v1/dorisclusters", Fill(kCluster, c, now, {}));
  }
  LogRecord ConfigMap(ClusterSim& c, absl::Time now) {
    return Watch(c, now, log::v1::MODIFIED, "v1", "ConfigMap", c.name + "-be-conf",
                 "v1/configmaps", Fill(kConfigMap, c, now, {}));
  }

  // A reconcile record as the reconciler writes it: hashes of its input and
  // output, the translator's objects by hash, its decisions and actions.
  LogRecord Reconcile(const ClusterSim& c, absl::Time now, ReconcileRecord::Outcome outcome,
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
    rec->set_duration_micros(static_cast<int64_t>(2000 + rng() % 8000));
    const char* kinds[][2] = {{"apps/v1", "StatefulSet"}, {"apps/v1", "StatefulSet"},
                              {"v1", "Service"},          {"v1", "Service"},
                              {"v1", "Service"},          {"v1", "Service"},
                              {"policy/v1", "PodDisruptionBudget"}, {"v1", "ConfigMap"}};
    const char* names[] = {"-fe", "-be", "-fe-service", "-fe-internal", "-be-service",
                           "-be-internal", "-be-pdb", "-fe-conf"};
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
    if (!actions.empty()) rec->set_diff_json(absl::StrCat("{\"changed\":[\"StatefulSet/", c.name, "-be\"]}"));
    return r;
  }
};

// ---- The schedule: what happens to each cluster when ------------------------------

enum class Step {
  kResync, kStatus, kRestartDown, kRestartUp, kConfigChange, kRollPod, kScaleOut, kScaleOutUp,
  kScaleIn, kScaleInDone, kStuckStart, kStuckEnd, kPoll
};

struct Event {
  absl::Time at;
  int cluster;
  Step step;
  int arg = 0;
  absl::Time until;  // for kPoll: poll every 2 s until then
  bool operator>(const Event& o) const {
    if (at != o.at) return at > o.at;
    return cluster > o.cluster;
  }
};

struct Options {
  int clusters = 1000;
  int days = 30;
  std::string dir = "/tmp/history_bench";
  uint64_t snapshot_every = 0;  // 0: the policy's default
  std::string only = "both";
  std::string snapshots = "new";
};

struct LogUnderTest {
  std::string name;
  bool coalesce = false;
  bool old_snapshots = false;  // every snapshot_every records, never thinned
  std::unique_ptr<store::EventLog> log;
  std::unique_ptr<LogRetention> retention;
  std::set<std::string> stuck;  // clusters with a stuck rollout
  uint64_t appended = 0;  // records appended
  uint64_t reconciles = 0;
  absl::Time sim_now;
  double wall_seconds = 0;
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

struct SnapshotBytes {
  uint64_t count = 0;
  uint64_t sst_bytes = 0;          // the snapshots family's table files
  uint64_t records_sst_bytes = 0;  // the records family's
  uint64_t all_sst_bytes = 0;
};

// Opens the closed log read-only with RocksDB itself: how many snapshots it
// keeps and the bytes of each family's table files.
SnapshotBytes CountSnapshots(const std::string& path) {
  SnapshotBytes out;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok()) return out;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const std::string& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, cfs, &handles, &db).ok()) {
    return out;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    uint64_t v = 0;
    db->GetIntProperty(handles[i], "rocksdb.total-sst-files-size", &v);
    uint64_t blob = 0;  // snapshots' values are in blob files
    db->GetIntProperty(handles[i], "rocksdb.total-blob-file-size", &blob);
    v += blob;
    out.all_sst_bytes += v;
    if (names[i] == "records") out.records_sst_bytes = v;
    if (names[i] != "snapshots") continue;
    out.sst_bytes = v;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++out.count;
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  delete db;
  return out;
}

// Feeds one log the whole month.
void Simulate(const Options& o, LogUnderTest& t) {
  const absl::Time start = absl::FromUnixSeconds(1780000000);
  t.sim_now = start;
  Sim sim;
  std::vector<ClusterSim> clusters(o.clusters);
  std::mt19937_64 plan(20261130);
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue;
  for (int i = 0; i < o.clusters; ++i) {
    clusters[i].index = i;
    clusters[i].name = absl::StrCat("doris-", i);
    clusters[i].created = start - absl::Hours(24 * 90);
    const absl::Time offset = start + absl::Seconds(plan() % 600);
    queue.push({offset, i, Step::kResync});
    for (int d = 0; d < o.days; ++d) {
      const absl::Time day = start + absl::Hours(24 * d);
      auto at = [&]() { return day + absl::Seconds(plan() % 86000); };
      for (int k = 0; k < 12; ++k) queue.push({at(), i, Step::kStatus, static_cast<int>(plan() % 3)});
      for (int k = 0; k < 2; ++k) queue.push({at(), i, Step::kRestartDown, static_cast<int>(plan() % 3)});
      queue.push({at(), i, Step::kConfigChange});
      if (d % 7 == i % 7) queue.push({at(), i, Step::kScaleOut});
      if (d % 7 == (i + 3) % 7 && d >= 3) queue.push({at(), i, Step::kScaleIn});
    }
    // One stuck rollout per 100 clusters over the simulated time.
    if (i % 100 == 37 % std::max(1, o.clusters)) {
      t.stuck.insert(clusters[i].name);
      queue.push({start + absl::Hours(24 * (i / 100 % std::max(1, o.days))) + absl::Hours(3), i,
                  Step::kStuckStart});
    }
  }
  const absl::Time end = start + absl::Hours(24 * o.days);
  LogRetentionOptions ro;
  ro.policy.max_age = absl::Hours(24 * 30);   // --log-retention-max-age default
  ro.policy.max_bytes = uint64_t{4} << 30;    // --log-retention-max-bytes default
  ro.interval = absl::Minutes(10);            // --log-retention-interval default
  ro.now = [&t] { return t.sim_now; };
  if (t.old_snapshots) ro.policy.keep_newest_snapshots = 0;
  t.retention = std::make_unique<LogRetention>(t.log.get(), ro);
  absl::Time next_retention_look = start;

  auto append = [&](LogRecord r) {
    absl::StatusOr<store::AppendResult> a = t.log->Append({std::move(r)});
    if (!a.ok()) {
      std::fprintf(stderr, "append: %s\n", a.status().ToString().c_str());
      std::exit(1);
    }
    ++t.appended;
  };
  auto reconcile = [&](ClusterSim& c, absl::Time now, ReconcileRecord::Outcome outcome,
                       std::vector<std::string> actions = {}) {
    LogRecord r = sim.Reconcile(c, now, outcome, actions, t.log->last_seq());
    ++t.reconciles;
    if (!t.coalesce) return append(std::move(r));
    absl::StatusOr<store::ReconcileAppend> a = t.log->AppendReconcile(std::move(r));
    if (!a.ok()) {
      std::fprintf(stderr, "append: %s\n", a.status().ToString().c_str());
      std::exit(1);
    }
    if (!a->coalesced) ++t.appended;
  };
  auto poll = [&](int cluster, absl::Time from, absl::Duration length) {
    queue.push({from + absl::Seconds(2), cluster, Step::kPoll, 0, from + length});
  };

  const auto wall_start = std::chrono::steady_clock::now();
  int last_day = -1;
  while (!queue.empty()) {
    Event e = queue.top();
    queue.pop();
    if (e.at >= end) continue;
    t.sim_now = e.at;
    if (e.at >= next_retention_look) {
      t.retention->MaybeRun();
      next_retention_look = e.at + absl::Minutes(1);
    }
    const int day = static_cast<int>((e.at - start) / absl::Hours(24));
    if (day != last_day) {
      last_day = day;
      std::fprintf(stderr, "[%s] day %d: %llu records, %llu reconciles, %.1f MiB\n", t.name.c_str(),
                   day, static_cast<unsigned long long>(t.log->last_seq()),
                   static_cast<unsigned long long>(t.reconciles),
                   static_cast<double>(t.log->ApproximateBytes()) / (1 << 20));
    }
    ClusterSim& c = clusters[e.cluster];
    const absl::Time now = e.at;
    switch (e.step) {
      case Step::kResync:
        reconcile(c, now, c.phase == "available" ? ReconcileRecord::NO_CHANGE : ReconcileRecord::REQUEUED);
        queue.push({now + absl::Minutes(10), e.cluster, Step::kResync});
        break;
      case Step::kStatus:
        append(sim.Pod(c, now, e.arg, c.ready >= c.replicas || e.arg >= c.ready));
        reconcile(c, now + absl::Milliseconds(20), ReconcileRecord::NO_CHANGE);
        break;
      case Step::kRestartDown:
        ++c.restarts[e.arg];
        --c.ready;
        c.phase = "not available";
        append(sim.Pod(c, now, e.arg, false));
        append(sim.Sts(c, now + absl::Milliseconds(5)));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::REQUEUED, {"update_status"});
        append(sim.Dcr(c, now + absl::Milliseconds(60)));
        reconcile(c, now + absl::Milliseconds(90), ReconcileRecord::REQUEUED);
        poll(e.cluster, now, absl::Seconds(60));
        queue.push({now + absl::Seconds(60), e.cluster, Step::kRestartUp, e.arg});
        break;
      case Step::kRestartUp:
        ++c.ready;
        c.phase = "available";
        append(sim.Pod(c, now, e.arg, true));
        append(sim.Sts(c, now + absl::Milliseconds(5)));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"update_status"});
        append(sim.Dcr(c, now + absl::Milliseconds(60)));
        reconcile(c, now + absl::Milliseconds(90), ReconcileRecord::NO_CHANGE);
        break;
      case Step::kConfigChange:
        ++c.config_rev;
        ++c.restarted;
        ++c.desired;
        append(sim.ConfigMap(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"apply"});
        ++c.generation;
        append(sim.Sts(c, now + absl::Milliseconds(60)));
        queue.push({now + absl::Seconds(1), e.cluster, Step::kRollPod, c.replicas - 1});
        break;
      case Step::kRollPod: {
        // One pod at a time, highest ordinal first: deleted, re-created,
        // scheduled, running, ready; polled in between. arg >= 1000: the
        // pod before this one has just become ready.
        const int p = e.arg % 1000;
        if (e.arg >= 1000) {
          ++c.ready;
          append(sim.Pod(c, now, p + 1, true));
          append(sim.Sts(c, now + absl::Milliseconds(5)));
          reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::REQUEUED);
        }
        c.partition = p;
        --c.ready;
        c.phase = "not available";
        ++c.restarts[p];
        append(sim.Pod(c, now, p, false, log::v1::DELETED));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::REQUEUED, {"update_status"});
        append(sim.Pod(c, now + absl::Seconds(1), p, false, log::v1::ADDED));
        append(sim.Pod(c, now + absl::Seconds(2), p, false));
        append(sim.Sts(c, now + absl::Seconds(2)));
        reconcile(c, now + absl::Seconds(3), ReconcileRecord::REQUEUED);
        poll(e.cluster, now + absl::Seconds(3), absl::Seconds(85));
        const absl::Time ready = now + absl::Seconds(90);
        if (p > 0) {
          queue.push({ready, e.cluster, Step::kRollPod, 1000 + p - 1});
        } else {
          c.partition = 0;
          queue.push({ready, e.cluster, Step::kRestartUp, 0});
        }
        break;
      }
      case Step::kScaleOut:
        ++c.replicas;
        ++c.generation;
        ++c.desired;
        append(sim.Dcr(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"apply"});
        append(sim.Sts(c, now + absl::Milliseconds(60)));
        append(sim.Pod(c, now + absl::Seconds(1), c.replicas - 1, false, log::v1::ADDED));
        append(sim.Pod(c, now + absl::Seconds(3), c.replicas - 1, false));
        reconcile(c, now + absl::Seconds(3), ReconcileRecord::REQUEUED);
        poll(e.cluster, now + absl::Seconds(3), absl::Seconds(57));
        queue.push({now + absl::Seconds(60), e.cluster, Step::kScaleOutUp});
        break;
      case Step::kScaleOutUp:
        ++c.ready;
        append(sim.Pod(c, now, c.replicas - 1, true));
        append(sim.Sts(c, now + absl::Milliseconds(5)));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"doris:add_backend"});
        break;
      case Step::kScaleIn:
        if (c.replicas <= 3) break;
        append(sim.Dcr(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::REQUEUED,
                  {"doris:decommission_backend"});
        reconcile(c, now + absl::Seconds(2), ReconcileRecord::REQUEUED);
        poll(e.cluster, now + absl::Seconds(2), absl::Minutes(10));
        queue.push({now + absl::Minutes(10), e.cluster, Step::kScaleInDone});
        break;
      case Step::kScaleInDone:
        --c.replicas;
        --c.ready;
        ++c.desired;
        ++c.generation;
        reconcile(c, now, ReconcileRecord::APPLIED, {"doris:drop_backend", "apply"});
        append(sim.Sts(c, now + absl::Milliseconds(30)));
        append(sim.Pod(c, now + absl::Seconds(30), c.replicas, false, log::v1::DELETED));
        reconcile(c, now + absl::Seconds(31), ReconcileRecord::NO_CHANGE);
        break;
      case Step::kStuckStart:
        ++c.desired;
        ++c.generation;
        c.partition = c.replicas - 1;
        c.phase = "upgrading";
        append(sim.Dcr(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"apply"});
        append(sim.Sts(c, now + absl::Milliseconds(60)));
        append(sim.Pod(c, now + absl::Seconds(1), c.replicas - 1, false, log::v1::DELETED));
        append(sim.Pod(c, now + absl::Seconds(2), c.replicas - 1, false, log::v1::ADDED));
        append(sim.Pod(c, now + absl::Seconds(5), c.replicas - 1, false));
        reconcile(c, now + absl::Seconds(5), ReconcileRecord::REQUEUED);
        // A pod that never becomes ready: the operator looks every 2 s for
        // a day, until someone reverts the image.
        poll(e.cluster, now + absl::Seconds(5), absl::Hours(24));
        queue.push({now + absl::Hours(24), e.cluster, Step::kStuckEnd});
        break;
      case Step::kStuckEnd:
        --c.desired;
        ++c.generation;
        c.partition = 0;
        c.phase = "available";
        append(sim.Dcr(c, now));
        reconcile(c, now + absl::Milliseconds(30), ReconcileRecord::APPLIED, {"apply"});
        append(sim.Pod(c, now + absl::Seconds(5), c.replicas - 1, true));
        reconcile(c, now + absl::Seconds(6), ReconcileRecord::NO_CHANGE);
        break;
      case Step::kPoll:
        // A requeued look at a cluster that waits: the same input, the same
        // decision, unless something of the cluster was logged meanwhile.
        reconcile(c, now, ReconcileRecord::REQUEUED);
        if (now + absl::Seconds(2) < e.until) {
          queue.push({now + absl::Seconds(2), e.cluster, Step::kPoll, 0, e.until});
        }
        break;
    }
  }
  t.sim_now = end;
  t.retention->RunOnce().IgnoreError();
  t.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
}

void Report(const Options& o, LogUnderTest& t) {
  const uint64_t first = t.log->first_seq(), last = t.log->last_seq();
  uint64_t kept_reconciles = 0, reconcile_records = 0, runs = 0, stuck_records = 0;
  absl::Time oldest = absl::InfiniteFuture();
  for (auto it = t.log->Read(first, last); it->Valid(); it->Next()) {
    const LogRecord& r = it->record();
    if (oldest == absl::InfiniteFuture()) {
      oldest = absl::FromUnixSeconds(r.observed_at().seconds());
    }
    if (t.stuck.count(r.cluster().name())) ++stuck_records;
    if (!r.has_reconcile()) continue;
    ++reconcile_records;
    kept_reconciles += store::ReconcileCount(r.reconcile());
    runs += r.reconcile().has_repeats() ? 1 : 0;
  }
  const uint64_t state_bytes = t.log->CurrentState().Serialize().size();
  t.log->Close().IgnoreError();
  const std::string path = absl::StrCat(o.dir, "/", t.name);
  const uint64_t disk = DirBytes(path);
  const SnapshotBytes snaps = CountSnapshots(path);
  std::printf(
      "%-10s | %9.1f MiB on disk | %10llu records kept (%llu reconcile records, %llu of them runs)"
      " standing for %llu reconciles | oldest kept %.1f days old | %llu records appended, %llu "
      "dropped by retention | state %.1f MiB | %.0f s wall\n",
      t.name.c_str(), static_cast<double>(disk) / (1 << 20),
      static_cast<unsigned long long>(last >= first ? last - first + 1 : 0),
      static_cast<unsigned long long>(reconcile_records), static_cast<unsigned long long>(runs),
      static_cast<unsigned long long>(kept_reconciles),
      oldest == absl::InfiniteFuture() ? 0.0 : absl::ToDoubleHours(t.sim_now - oldest) / 24,
      static_cast<unsigned long long>(t.appended),
      static_cast<unsigned long long>(t.retention->stats().records_dropped.load()),
      static_cast<double>(state_bytes) / (1 << 20), t.wall_seconds);
  std::printf("%-10s | %llu records kept are of the %zu clusters with a stuck rollout (%.1f%%)\n",
              t.name.c_str(), static_cast<unsigned long long>(stuck_records), t.stuck.size(),
              last >= first ? 100.0 * stuck_records / (last - first + 1) : 0.0);
  std::printf("%-10s | %llu snapshots kept, %.1f MiB of table files (of %.1f MiB); "
              "records %.1f MiB\n",
              t.name.c_str(), static_cast<unsigned long long>(snaps.count),
              static_cast<double>(snaps.sst_bytes) / (1 << 20),
              static_cast<double>(snaps.all_sst_bytes) / (1 << 20),
              static_cast<double>(snaps.records_sst_bytes) / (1 << 20));
  std::printf("RESULT %s records=%llu reconciles=%llu bytes=%llu snapshots=%llu "
              "snapshot_bytes=%llu\n",
              t.name.c_str(),
              static_cast<unsigned long long>(last >= first ? last - first + 1 : 0),
              static_cast<unsigned long long>(kept_reconciles),
              static_cast<unsigned long long>(disk),
              static_cast<unsigned long long>(snaps.count),
              static_cast<unsigned long long>(snaps.sst_bytes));
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) -> std::optional<std::string> {
      const std::string prefix = absl::StrCat(flag, "=");
      if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
      return std::nullopt;
    };
    if (auto v = value("--clusters")) {
      if (!absl::SimpleAtoi(*v, &o.clusters) || o.clusters < 1) return 2;
    } else if (auto v = value("--days")) {
      if (!absl::SimpleAtoi(*v, &o.days) || o.days < 1) return 2;
    } else if (auto v = value("--dir")) {
      o.dir = *v;
    } else if (auto v = value("--snapshot_every")) {
      if (!absl::SimpleAtoi(*v, &o.snapshot_every) || o.snapshot_every < 1) return 2;
    } else if (auto v = value("--only")) {
      o.only = *v;
    } else if (auto v = value("--snapshots")) {
      o.snapshots = *v;
      if (o.snapshots != "new" && o.snapshots != "old" && o.snapshots != "both") return 2;
    } else {
      std::fprintf(stderr,
                   "usage: history_bench [--clusters=N] [--days=D] [--dir=PATH] "
                   "[--snapshot_every=N] [--only=both|plain|coalesced] "
                   "[--snapshots=new|old|both]\n");
      return 2;
    }
  }
  std::printf("history_bench: %d clusters, %d simulated days, retention max-age 30d, max-bytes "
              "4GiB, snapshots: %s\n",
              o.clusters, o.days, o.snapshots.c_str());
  std::fflush(stdout);
  for (const bool old_snapshots : {true, false}) {
    if (o.snapshots == (old_snapshots ? "new" : "old")) continue;
    for (const bool coalesce : {false, true}) {
      if (o.only == (coalesce ? "plain" : "coalesced")) continue;
      LogUnderTest t;
      t.name =
          absl::StrCat(coalesce ? "coalesced" : "plain", old_snapshots ? "-old-snapshots" : "");
      t.coalesce = coalesce;
      t.old_snapshots = old_snapshots;
      const std::string path = absl::StrCat(o.dir, "/", t.name);
      fs::remove_all(path);
      fs::create_directories(o.dir);
      store::EventLogOptions lo;
      if (old_snapshots) {
        lo.snapshot_every = o.snapshot_every > 0 ? o.snapshot_every : 2048;
        lo.snapshot_bytes_ratio = 0;
      } else if (o.snapshot_every > 0) {
        lo.snapshot_every = o.snapshot_every;
      }
      std::printf("%-10s | snapshot_every %llu, bytes ratio %.1f, thinning %s\n", t.name.c_str(),
                  static_cast<unsigned long long>(lo.snapshot_every), lo.snapshot_bytes_ratio,
                  old_snapshots ? "off" : "on");
      std::fflush(stdout);
      // One child per log: its peak RSS is its own, not the largest so far.
      const pid_t child = fork();
      if (child < 0) return 1;
      if (child == 0) {
        auto opened = store::EventLog::Open(path, lo);
        if (!opened.ok()) {
          std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
          _exit(1);
        }
        t.log = std::move(*opened);
        Simulate(o, t);
        Report(o, t);
        t.retention.reset();
        t.log.reset();
        _exit(0);
      }
      int status = 0;
      struct rusage usage {};
      if (wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) ||
          WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "%s: the child failed\n", t.name.c_str());
        return 1;
      }
      // CPU, not wall: on a shared machine the wall time is mostly waiting.
      const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
      std::printf("%-10s | peak RSS %.0f MiB, CPU %.1f s (all threads)\n"
                  "RESULT_RSS %s peak_rss_kb=%ld cpu_s=%.1f\n",
                  t.name.c_str(), static_cast<double>(usage.ru_maxrss) / 1024, cpu,
                  t.name.c_str(), usage.ru_maxrss, cpu);
      std::fflush(stdout);
      fs::remove_all(path);
    }
  }
  return 0;
}

}  // namespace
}  // namespace doris_operator

int main(int argc, char** argv) { return doris_operator::Main(argc, argv); }
