#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_RUN_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_RUN_H_

// The state of one reconcile as it passes through the pipeline (observe →
// decide → translate → diff → apply → status): what was observed, what each
// step decided per component, and the record of every action taken.

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "operator/doris/fe_client.h"
#include "operator/kube/client.h"
#include "operator/reconcile/credentials.h"
#include "operator/reconcile/diff.h"
#include "operator/reconcile/event_recorder.h"
#include "operator/reconcile/node_map.h"
#include "operator/reconcile/reconciler.h"
#include "proto/doris_cluster.pb.h"
#include "proto/log.pb.h"
#include "store/event_log.h"
#include "translator/component.h"
#include "translator/translator.h"

namespace doris_operator::reconcile {

using translator::Component;

// What the pipeline knows and decided about one component.
struct ComponentState {
  // Observed (from the log).
  std::optional<nlohmann::json> statefulset;  // the live StatefulSet, if any
  std::vector<nlohmann::json> pods;
  // Decided, for status.
  bool scaling = false;
  bool upgrading = false;
  bool restarting = false;
  bool hibernated = false;  // stopped (or stopping) for hibernation
  // Membership's scale-in: nodes leave Doris; tablets still on them (BE/CN).
  bool scaling_in = false;
  int64_t scale_in_tablets = 0;
  int leaving_from = -1;  // pods at ordinals >= this leave with the scale-in (-1: none)
  std::string config_hash;  // status.<c>Status.coreConfigMapHashValue to write
  std::string waiting_on;   // what the component waits for, for its condition
};

// Where a run's actions go; owned by the Reconciler.
struct RunServices {
  kube::Client* kube = nullptr;
  store::EventLog* log = nullptr;
  doris::FeClient* fe = nullptr;
  EventRecorder* events = nullptr;
  const ReconcilerOptions* options = nullptr;
};

struct Run {
  explicit Run(RunServices s) : services(s) {}

  const RunServices services;
  store::ClusterKey key;
  store::ClusterObjects objects;
  nlohmann::json cluster_json;
  // The DorisCluster; for a DorisDisaggregatedCluster (ddc_reconcile.h)
  // only its metadata (Events, conditions, ownership).
  model::v1::DorisCluster cluster;
  // The reconciled resource as the API knows it: Events and status go there.
  std::string owner_api_version = "doris.selectdb.com/v1";
  std::string owner_kind = "DorisCluster";
  std::string owner_resource = "dorisclusters";
  translator::TranslateInputs inputs;
  log::v1::ReconcileRecord record;
  std::vector<LiveObject> live;
  // Indexed by translator::Component.
  std::array<ComponentState, std::size(translator::kAllComponents)> components;
  // A ddc's meta service and FE, indexed by ddc::Part (ddc_decide.h), and
  // its compute groups by StatefulSet name.
  std::array<ComponentState, 2> ddc_parts;
  std::map<std::string, ComponentState> ddc_groups;
  // What a ddc reconcile computed, for its metrics (ddc_metrics_sample.h):
  // the status (JSON) and the drift fields it saw before writing.
  nlohmann::json ddc_status;
  int64_t ddc_drift_fields = 0;
  doris::FeTarget fe;
  Credentials credentials;  // read live, never logged
  // The FE's node lists, read once per reconcile (and again after a
  // membership change of ours); see fe_access.h.
  std::optional<absl::StatusOr<std::vector<doris::NodeRow>>> frontends;
  std::optional<absl::StatusOr<std::vector<doris::NodeRow>>> backends;
  // Doris nodes to pods, through the pods' names and IPs in the log.
  NodeMap node_map;
  // StatefulSets of components taken out of the spec that stay, at this
  // many replicas, until their nodes have left Doris.
  std::map<std::string, int> retained;
  bool removing = false;  // such a removal is under way: look again soon
  // Nodes the FE lists that no pod backs, for status.ghostNodes and the
  // metric (as last written when the FE could not be asked).
  std::vector<model::v1::GhostNode> ghosts;
  absl::Duration ghost_recheck = absl::InfiniteDuration();  // a grace period ends then
  int writes = 0;
  bool failed = false;
  std::vector<std::string> errors;
  // Writes the API server or the FE refused ("verb Kind name: message"),
  // and parts of the spec that could not be applied: both keep
  // observedGeneration where it was and say why in the Synced condition.
  std::vector<std::string> failed_writes;
  std::vector<std::string> not_applied;
  // Failed API writes, each to become a Warning Event (Doris calls have
  // Events of their own).
  std::vector<std::pair<std::string, std::string>> failure_events;  // reason, message
  // Set when the FE must not be called in this access mode (see fe_access.h);
  // said (status, Event) once the reconcile needs the FE.
  std::string doris_refused;
  bool doris_refusal_said = false;
  uint64_t caused_by = 0;  // newest record of the cluster that this run saw
  // The picture holds every watch's first list of this process (see
  // ReconcilerOptions::sync): only then may a decision remove a node.
  bool fresh = true;
  // Since when this process's picture has been complete: a ghost's grace
  // period counts from here at the earliest, not from a `since` written by
  // an earlier process that then stopped looking.
  absl::Time watching_since = absl::InfinitePast();

  ComponentState& of(Component c) { return components[static_cast<size_t>(c)]; }
  const ComponentState& of(Component c) const { return components[static_cast<size_t>(c)]; }

  // Records an action. `critical`: a failure fails the reconcile (an Event
  // that could not be recorded does not).
  void Action(const std::string& verb, const log::v1::ObjectRef& object, const std::string& detail,
              const absl::Status& s, bool critical = true);
  // A Kubernetes Event about the DorisCluster, correlated by the recorder.
  void Event(const std::string& type, const std::string& reason, const std::string& message);
  // options.now() as RFC 3339, for status and stamps.
  std::string Now() const;
};

log::v1::ObjectRef RefFor(const std::string& api_version, const std::string& kind,
                          const std::string& ns, const std::string& name);

// The DorisCluster's status of one component, null when it has none.
const model::v1::ComponentStatus* StatusOf(const model::v1::DorisClusterStatus& s, Component c);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_RUN_H_
