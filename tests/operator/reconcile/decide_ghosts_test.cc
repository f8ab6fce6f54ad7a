// DecideGhosts is pure: the ghosts and the drops for given node lists,
// pods and time, with no FE or clock behind it.

#include "operator/reconcile/decide_ghosts.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

using doris::ParseNodeList;
using Kind = MembershipStep::Kind;

constexpr char kFrontends[] = R"({"code":0,"data":{
  "column_names":["Name","Host","EditLogPort","Role","IsMaster","Alive"],
  "rows":[["a","c-fe-0.c-fe-internal.ns.svc.cluster.local","9010","FOLLOWER","true","true"],
          ["b","c-fe-3.c-fe-internal.ns.svc.cluster.local","9010","OBSERVER","false","false"],
          ["c","old-fe.example.com","9010","FOLLOWER","false","false"]]}})";

constexpr char kBackends[] = R"({"code":0,"data":{
  "column_names":["BackendId","Host","HeartbeatPort","Alive","SystemDecommissioned","TabletNum","NodeRole"],
  "rows":[["1","c-be-0.c-be-internal.ns.svc.cluster.local","9050","true","false","120","mix"],
          ["2","c-be-1.c-be-internal.ns.svc.cluster.local","9050","false","false","120","mix"],
          ["3","c-be-2.c-be-internal.ns.svc.cluster.local","9050","false","false","120","mix"],
          ["4","c-cn-1.c-cn-internal.ns.svc.cluster.local","9050","false","false","0","computation"],
          ["5","10.9.9.9","9050","true","false","0","computation"],
          ["6","10.9.9.10","9050","false","false","0","mix"]]}})";

struct Fixture {
  absl::StatusOr<std::vector<doris::NodeRow>> frontends = ParseNodeList(kFrontends);
  absl::StatusOr<std::vector<doris::NodeRow>> backends = ParseNodeList(kBackends);
  // be-1 is missing below its StatefulSet's replicas (restarting): no ghost.
  NodeMap pods{"c", {{"c-fe-0", {"10.0.0.1"}}, {"c-be-0", {"10.0.0.2"}}, {"c-cn-0", {"10.0.0.3"}}}};

  GhostInput Input(absl::Time now, std::vector<model::v1::GhostNode> previous) {
    GhostInput in;
    in.cluster = "c";
    in.now = now;
    in.grace = absl::Minutes(5);
    in.frontends = &*frontends;
    in.backends = &*backends;
    in.node_map = &pods;
    in.live_replicas["fe"] = 1;
    in.live_replicas["be"] = 2;
    in.live_replicas["cn"] = 1;
    in.previous = std::move(previous);
    return in;
  }
};

const model::v1::GhostNode* Find(const GhostPlan& p, const std::string& host_port) {
  for (const auto& g : p.ghosts) {
    if (g.host_port() == host_port) return &g;
  }
  return nullptr;
}

TEST(DecideGhosts, SeenFirstThenReportedAfterTheGracePeriod) {
  Fixture f;
  const absl::Time t0 = absl::FromUnixSeconds(1800000000);
  const GhostPlan first = DecideGhosts(f.Input(t0, {}));
  EXPECT_TRUE(first.steps.empty());  // nothing is said or dropped within the grace period
  ASSERT_EQ(first.ghosts.size(), 6u);
  for (const auto& g : first.ghosts) {
    EXPECT_EQ(g.state(), "InGracePeriod") << g.host_port();
    EXPECT_EQ(g.since(), "2027-01-15T08:00:00Z");
  }
  EXPECT_EQ(Find(first, "c-be-1.c-be-internal.ns.svc.cluster.local:9050"), nullptr);  // restarting
  EXPECT_EQ(Find(first, "c-be-0.c-be-internal.ns.svc.cluster.local:9050"), nullptr);  // has its pod

  // One second short of the grace period: still waiting, since kept.
  GhostPlan early = DecideGhosts(f.Input(t0 + absl::Minutes(5) - absl::Seconds(1), first.ghosts));
  EXPECT_TRUE(early.steps.empty());
  EXPECT_EQ(early.ghosts[0].since(), "2027-01-15T08:00:00Z");

  const GhostPlan late = DecideGhosts(f.Input(t0 + absl::Minutes(5), first.ghosts));
  // A dead observer and a dead compute node go; a dead backend without
  // tablets too (it holds no data).
  const auto* observer = Find(late, "c-fe-3.c-fe-internal.ns.svc.cluster.local:9010");
  ASSERT_NE(observer, nullptr);
  EXPECT_EQ(observer->state(), "Dropping");
  EXPECT_EQ(Find(late, "c-cn-1.c-cn-internal.ns.svc.cluster.local:9050")->state(), "Dropping");
  EXPECT_EQ(Find(late, "10.9.9.10:9050")->state(), "Dropping");
  EXPECT_EQ(Find(late, "10.9.9.10:9050")->component(), "be");
  // A backend holding tablets, a follower and a live node are only reported.
  const auto* be2 = Find(late, "c-be-2.c-be-internal.ns.svc.cluster.local:9050");
  EXPECT_EQ(be2->state(), "Kept");
  EXPECT_EQ(be2->tablets(), 120);
  EXPECT_NE(be2->message().find("holds 120 tablets"), std::string::npos) << be2->message();
  EXPECT_EQ(Find(late, "old-fe.example.com:9010")->state(), "Kept");
  EXPECT_EQ(Find(late, "10.9.9.9:9050")->state(), "Kept");
  EXPECT_EQ(Find(late, "10.9.9.9:9050")->component(), "cn");

  int events = 0;
  std::vector<std::string> dropped;
  for (const MembershipStep& s : late.steps) {
    if (s.kind == Kind::kEvent) {
      EXPECT_EQ(s.reason, "GhostNode");
      ++events;
    } else {
      EXPECT_EQ(s.reason, "GhostNodeDropped");
      dropped.push_back(s.host_ports[0]);
    }
  }
  EXPECT_EQ(events, 6);  // each ghost is reported once
  EXPECT_EQ(dropped, (std::vector<std::string>{"c-fe-3.c-fe-internal.ns.svc.cluster.local:9010",
                                               "c-cn-1.c-cn-internal.ns.svc.cluster.local:9050",
                                               "10.9.9.10:9050"}));
  EXPECT_EQ(late.steps[1].kind, Kind::kDropFrontend);
  EXPECT_EQ(late.steps[1].role, "OBSERVER");

  // Reported already: the kept ones are not said again.
  std::vector<model::v1::GhostNode> kept;
  for (const auto& g : late.ghosts) {
    if (g.state() == "Kept") kept.push_back(g);
  }
  const GhostPlan again = DecideGhosts(f.Input(t0 + absl::Minutes(6), kept));
  EXPECT_EQ(Find(again, "c-be-2.c-be-internal.ns.svc.cluster.local:9050")->state(), "Kept");
  for (const MembershipStep& s : again.steps) {
    EXPECT_EQ(s.message.find("c-be-2"), std::string::npos) << s.message;
  }
}

// After a restart the grace period counts from when this process's picture
// became complete, not from a `since` an earlier process wrote before it
// stopped looking; `since` itself stays as first seen. A stale picture ends
// no grace period.
TEST(DecideGhosts, AGracePeriodNeverEndsOnTheFirstLookAfterARestart) {
  Fixture f;
  const absl::Time t0 = absl::FromUnixSeconds(1800000000);
  const GhostPlan first = DecideGhosts(f.Input(t0, {}));
  const absl::Time restart = t0 + absl::Hours(3);  // down for hours
  GhostInput in = f.Input(restart, first.ghosts);
  in.watching_since = restart;
  const GhostPlan after = DecideGhosts(in);
  EXPECT_TRUE(after.steps.empty());
  for (const auto& g : after.ghosts) {
    EXPECT_EQ(g.state(), "InGracePeriod") << g.host_port();
    EXPECT_EQ(g.since(), "2027-01-15T08:00:00Z");
  }
  EXPECT_EQ(after.recheck_after, absl::Minutes(5));
  // A full grace period of this process's own watching: dropped then.
  in = f.Input(restart + absl::Minutes(5), after.ghosts);
  in.watching_since = restart;
  const GhostPlan later = DecideGhosts(in);
  EXPECT_EQ(Find(later, "c-cn-1.c-cn-internal.ns.svc.cluster.local:9050")->state(), "Dropping");
  // Not fresh: nothing ends, however long ago.
  in = f.Input(restart + absl::Hours(1), after.ghosts);
  in.watching_since = restart;
  in.fresh = false;
  const GhostPlan stale = DecideGhosts(in);
  EXPECT_TRUE(stale.steps.empty());
  EXPECT_EQ(Find(stale, "c-cn-1.c-cn-internal.ns.svc.cluster.local:9050")->state(), "InGracePeriod");
}

// A ghost reported already (Kept) stays reported after a restart, with no
// second Event: its grace period ended under the process that reported it
// (status.ghostNodes is the memory). On a stale picture it keeps its state
// and message; a longer grace period does not put it back in one either.
TEST(DecideGhosts, AReportedGhostStaysReportedAcrossARestart) {
  Fixture f;
  const absl::Time t0 = absl::FromUnixSeconds(1800000000);
  const GhostPlan first = DecideGhosts(f.Input(t0, {}));
  const GhostPlan late = DecideGhosts(f.Input(t0 + absl::Minutes(5), first.ghosts));
  constexpr char kBe2[] = "c-be-2.c-be-internal.ns.svc.cluster.local:9050";
  ASSERT_EQ(Find(late, kBe2)->state(), "Kept");
  const std::string kept_message = Find(late, kBe2)->message();

  const absl::Time restart = t0 + absl::Minutes(7);
  GhostInput in = f.Input(restart, late.ghosts);
  in.watching_since = restart;
  in.fresh = false;
  const GhostPlan stale = DecideGhosts(in);
  EXPECT_TRUE(stale.steps.empty());
  EXPECT_EQ(Find(stale, kBe2)->state(), "Kept");
  EXPECT_EQ(Find(stale, kBe2)->message(), kept_message);

  in.fresh = true;
  in.grace = absl::Hours(1);
  const GhostPlan after = DecideGhosts(in);
  EXPECT_EQ(Find(after, kBe2)->state(), "Kept");
  EXPECT_EQ(Find(after, kBe2)->since(), "2027-01-15T08:00:00Z");
  for (const MembershipStep& s : after.steps) {
    EXPECT_EQ(s.message.find("c-be-2"), std::string::npos) << s.message;
  }
  // A ghost never reported still waits for this process's grace period.
  GhostInput unreported = f.Input(restart, first.ghosts);
  unreported.watching_since = restart;
  EXPECT_EQ(Find(DecideGhosts(unreported), kBe2)->state(), "InGracePeriod");
}

// A pod below the replicas this reconcile restores (a StatefulSet shrunk by
// hand, the spec unchanged) is coming back: its node is no ghost.
TEST(DecideGhosts, APodTheStatefulSetIsRestoredToIsNoGhost) {
  Fixture f;
  GhostInput in = f.Input(absl::FromUnixSeconds(1800000000), {});
  EXPECT_NE(Find(DecideGhosts(in), "c-be-2.c-be-internal.ns.svc.cluster.local:9050"), nullptr);
  in.live_replicas["be"] = 3;
  EXPECT_EQ(Find(DecideGhosts(in), "c-be-2.c-be-internal.ns.svc.cluster.local:9050"), nullptr);
}

// A ddc (ddc_ghosts.h): its compute groups' backends by the group's
// StatefulSet or, for a host naming no pod, by the group in their Tag; a
// backend of a group not in its spec is not its business. Drops are
// recorded against the ddc.
TEST(DecideGhosts, ADdcsGhostsAreBackendsOfItsComputeGroupsThatNoPodBacks) {
  constexpr char kDdcBackends[] = R"({"code":0,"data":{
    "column_names":["BackendId","Host","HeartbeatPort","Alive","SystemDecommissioned","TabletNum","Tag"],
    "rows":[["1","d-cg1-0.d-cg1.ns.svc.cluster.local","9050","true","false","100","{\"compute_group_name\":\"cg1\"}"],
            ["2","d-cg1-3.d-cg1.ns.svc.cluster.local","9050","false","false","0","{\"compute_group_name\":\"cg1\"}"],
            ["3","10.7.7.7","9050","false","false","0","{\"compute_group_name\":\"cg_2\"}"],
            ["4","10.7.7.8","9050","false","false","0","{\"compute_group_name\":\"other\"}"],
            ["5","d-old-0.d-old.ns.svc.cluster.local","9050","false","true","0","{\"compute_group_name\":\"old\"}"],
            ["6","10.7.7.9","9050","false","false","7","{\"compute_group_name\":\"cg1\"}"]]}})";
  const absl::StatusOr<std::vector<doris::NodeRow>> backends = ParseNodeList(kDdcBackends);
  ASSERT_TRUE(backends.ok());
  const std::vector<doris::NodeRow> frontends;
  const NodeMap pods({{"fe", "d-fe"}, {"cg/cg1", "d-cg1"}, {"cg/cg-2", "d-cg-2"}}, {{"d-cg1-0", {"10.1.0.1"}}});
  const absl::Time t0 = absl::FromUnixSeconds(1800000000);
  GhostInput in;
  in.cluster = "d";
  in.owner_api_version = "disaggregated.cluster.doris.com/v1";
  in.owner_kind = "DorisDisaggregatedCluster";
  in.now = t0;
  in.grace = absl::Minutes(5);
  in.frontends = &frontends;
  in.backends = &*backends;
  in.node_map = &pods;
  in.live_replicas = {{"fe", 1}, {"cg/cg1", 2}, {"cg/cg-2", 1}};
  in.compute_groups = {{"cg1", "cg/cg1"}, {"cg_2", "cg/cg-2"}};
  const GhostPlan first = DecideGhosts(in);
  std::vector<std::string> seen;
  for (const auto& g : first.ghosts) seen.push_back(absl::StrCat(g.host_port(), " ", g.component()));
  EXPECT_EQ(seen, (std::vector<std::string>{"d-cg1-3.d-cg1.ns.svc.cluster.local:9050 cg/cg1",
                                            "10.7.7.7:9050 cg/cg-2", "10.7.7.9:9050 cg/cg1"}));
  in.now = t0 + absl::Minutes(5);
  in.previous = first.ghosts;
  const GhostPlan late = DecideGhosts(in);
  EXPECT_EQ(Find(late, "d-cg1-3.d-cg1.ns.svc.cluster.local:9050")->state(), "Dropping");
  EXPECT_EQ(Find(late, "10.7.7.7:9050")->state(), "Dropping");
  EXPECT_EQ(Find(late, "10.7.7.9:9050")->state(), "Kept");  // holds tablets
  std::vector<std::string> drops;
  for (const MembershipStep& s : late.steps) {
    if (s.kind != Kind::kDropBackends) continue;
    drops.push_back(s.host_ports[0]);
    EXPECT_EQ(s.object_kind, "DorisDisaggregatedCluster");
    EXPECT_EQ(s.object_api_version, "disaggregated.cluster.doris.com/v1");
    EXPECT_EQ(s.object_name, "d");
  }
  EXPECT_EQ(drops, (std::vector<std::string>{"d-cg1-3.d-cg1.ns.svc.cluster.local:9050", "10.7.7.7:9050"}));
}

TEST(DecideGhosts, GracePeriodAnnotation) {
  google::protobuf::Map<std::string, std::string> a;
  EXPECT_EQ(*GhostGracePeriod(a), absl::Minutes(10));
  a[kGhostGraceAnnotation] = "90s";
  EXPECT_EQ(*GhostGracePeriod(a), absl::Seconds(90));
  a[kGhostGraceAnnotation] = "0";
  EXPECT_EQ(*GhostGracePeriod(a), absl::ZeroDuration());
  for (const char* bad : {"ten minutes", "-5m", "inf", ""}) {
    a[kGhostGraceAnnotation] = bad;
    const auto d = GhostGracePeriod(a);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.status().message().find("doris-operator.io/ghost-node-grace-period"), std::string::npos);
    EXPECT_NE(d.status().message().find("e.g. \"90s\""), std::string::npos);
  }
}

}  // namespace
}  // namespace doris_operator::reconcile
