#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_GHOSTS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_GHOSTS_H_

// Decide, ghost nodes: nodes the FE lists that no pod backs, nor will (a
// host that is no pod of the cluster, or a pod above its StatefulSet's
// replicas). Each is watched from when it is first seen (status keeps the
// time); once past the grace period it is reported, and dropped from the FE
// when that loses nothing: a dead compute node, a dead FE observer, a dead
// backend with no tablets. A backend holding tablets, a follower or a node
// that is alive are reported only, and stay reported across a restart
// (status.ghostNodes is the memory). Pure: node lists and the time in, the
// ghosts for status and a plan of Doris calls and Events out.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "operator/doris/node_list.h"
#include "operator/reconcile/decide_membership.h"
#include "operator/reconcile/node_map.h"
#include "proto/doris_cluster.pb.h"

namespace doris_operator::reconcile {

// The annotation that sets the grace period (a Go duration: "90s", "10m",
// "1h"), and its default.
inline constexpr char kGhostGraceAnnotation[] = "doris-operator.io/ghost-node-grace-period";
inline constexpr absl::Duration kDefaultGhostGrace = absl::Minutes(10);

// The grace period the annotations ask for; InvalidArgument (saying what
// is wrong and what to write) for a value that is not a duration >= 0.
absl::StatusOr<absl::Duration> GhostGracePeriod(const google::protobuf::Map<std::string, std::string>& annotations);

struct GhostInput {
  std::string cluster;
  // What the drops are recorded against: the cluster's resource.
  std::string owner_api_version = "doris.selectdb.com/v1";
  std::string owner_kind = "DorisCluster";
  absl::Time now;
  absl::Duration grace = kDefaultGhostGrace;
  const std::vector<doris::NodeRow>* frontends = nullptr;
  const std::vector<doris::NodeRow>* backends = nullptr;
  const NodeMap* node_map = nullptr;
  // Each component's replicas, by the node map's component names: the live
  // StatefulSet's, or more when this reconcile restores it (0 without one).
  // A pod below them is missing for a while (restarting, or coming back),
  // not a ghost; so is a node of a component not listed here.
  std::map<std::string, int> live_replicas;
  // A ddc's compute groups: Doris's group name (a backend's Tag
  // compute_group_name) -> component ("cg/<uniqueId>"). When set, backends
  // are these components only: a host that names no pod belongs to its
  // group, and a backend of a group not listed is not this cluster's. Empty
  // (a DorisCluster): backends are be or cn, by Doris's NodeRole.
  std::map<std::string, std::string> compute_groups;
  // The picture holds every watch's first list of this process; when not,
  // no grace period ends and nothing is dropped.
  bool fresh = true;
  // Since when this process has watched: a grace period counts from here at
  // the earliest, so the first reconcile after a restart never ends one that
  // an earlier process began (it stopped looking while it was down).
  absl::Time watching_since = absl::InfinitePast();
  // status.ghostNodes as last written: when each was first seen.
  std::vector<model::v1::GhostNode> previous;
};

struct GhostPlan {
  std::vector<model::v1::GhostNode> ghosts;  // for status, in list order (FE first)
  std::vector<MembershipStep> steps;         // Events and drops, in order
  // When the first grace period still running ends: look again then.
  absl::Duration recheck_after = absl::InfiniteDuration();
};

GhostPlan DecideGhosts(const GhostInput& in);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_DECIDE_GHOSTS_H_
