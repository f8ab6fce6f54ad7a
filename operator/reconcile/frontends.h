#ifndef DORIS_OPERATOR_OPERATOR_RECONCILE_FRONTENDS_H_
#define DORIS_OPERATOR_OPERATOR_RECONCILE_FRONTENDS_H_

// Plans FE membership on scale-in: an observer is dropped from the FE group
// before its pod goes; followers are never removed by a scale-in (the
// reference's guard, kept). New pods join by themselves: the image's
// fe_entrypoint.sh registers a pod as follower or observer by ELECT_NUMBER,
// as with the reference operator. Pure.

#include <string>
#include <vector>

namespace doris_operator::reconcile {

struct FrontendView {
  std::string host_port;  // host:edit_log_port
  int ordinal = -1;       // pod ordinal; -1 if not one of this StatefulSet's pods
  std::string role;       // FOLLOWER | OBSERVER
  bool alive = false;
  bool is_master = false;
};

struct FrontendChange {
  std::string role;       // FOLLOWER | OBSERVER
  std::string host_port;  // host:edit_log_port
  int ordinal = -1;       // its pod's ordinal
};

struct FrontendPlan {
  int statefulset_replicas = 0;
  int effective_replicas = 0;  // after the follower guard; write back to the spec if different
  std::vector<FrontendChange> drop;
  std::string warning;  // FollowerScaleDownFailed, when the guard applied
  bool scaling = false;
};

struct FrontendInput {
  int desired_replicas = 0;
  int live_replicas = 0;  // the StatefulSet's current replicas (0 when new)
  int election_number = 3;
  std::vector<FrontendView> frontends;  // as the FE master lists them
};

FrontendPlan PlanFrontends(const FrontendInput& in);

}  // namespace doris_operator::reconcile

#endif  // DORIS_OPERATOR_OPERATOR_RECONCILE_FRONTENDS_H_
