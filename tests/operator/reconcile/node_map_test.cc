#include "operator/reconcile/node_map.h"

#include "gtest/gtest.h"

namespace doris_operator::reconcile {
namespace {

NodeMap Pods() {
  return NodeMap("demo", {{"demo-be-0", {"10.244.0.7"}}, {"demo-be-1", {"10.244.0.8", "fd00::8"}},
                          {"demo-fe-0", {"10.244.1.1"}}, {"demo-cn-2", {}}});
}

TEST(NodeMap, FqdnNamesThePodEvenWhenItIsGone) {
  auto p = Pods().Find("demo-be-1.demo-be-internal.default.svc.cluster.local");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->component, "be");
  EXPECT_EQ(p->ordinal, 1);
  EXPECT_EQ(p->pod, "demo-be-1");
  auto gone = Pods().Find("demo-be-5.demo-be-internal.default.svc.cluster.local");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->ordinal, 5);
  EXPECT_EQ(gone->pod, "");
  EXPECT_FALSE(Pods().Find("other-be-1.other-be-internal.default.svc.cluster.local"));
  EXPECT_FALSE(Pods().Find("demo-bee-1.x"));
}

TEST(NodeMap, PodIpsMapInIpMode) {
  auto p = Pods().Find("10.244.0.7");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->component, "be");
  EXPECT_EQ(p->ordinal, 0);
  EXPECT_EQ(Pods().Find("fd00::8")->ordinal, 1);
  EXPECT_EQ(Pods().Find("10.244.1.1")->component, "fe");
  // An IP no pod has is unmapped (the pod restarted elsewhere, or is gone).
  EXPECT_FALSE(Pods().Find("10.244.9.9"));
  EXPECT_FALSE(Pods().Find(""));
  // 1.2 rows: the first name that maps wins.
  EXPECT_EQ(Pods().FindAny({"10.9.9.9", "demo-cn-2.demo-cn-internal.ns.svc.cluster.local"})->component, "cn");
}

// A ddc's StatefulSets: FE and one per compute group, whose names need not
// follow `<cluster>-<component>`; a group named like a prefix of another
// StatefulSet (`fe-x`) is still told apart by its whole ordinal.
TEST(NodeMap, WorkloadsOfADdcAreItsFeAndComputeGroups) {
  const NodeMap m({{"fe", "d-fe"}, {"cg/cg1", "d-cg1"}, {"cg/fe_x", "d-fe-x"}},
                  {{"d-fe-0", {"10.1.0.1"}}, {"d-cg1-0", {"10.1.0.2"}}, {"d-fe-x-1", {}}});
  EXPECT_EQ(m.Find("d-fe-0.d-fe-internal.ns.svc.cluster.local")->component, "fe");
  EXPECT_EQ(m.Find("10.1.0.2")->component, "cg/cg1");
  const auto x = m.Find("d-fe-x-1.d-fe-x.ns.svc.cluster.local");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->component, "cg/fe_x");
  EXPECT_EQ(x->ordinal, 1);
  EXPECT_EQ(x->pod, "d-fe-x-1");
  const auto gone = m.Find("d-cg1-4.d-cg1.ns.svc.cluster.local");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->component, "cg/cg1");
  EXPECT_EQ(gone->pod, "");
  // Not one of its workloads: a DorisCluster's names mean nothing here.
  EXPECT_FALSE(m.Find("d-be-0.d-be-internal.ns.svc.cluster.local"));
  EXPECT_FALSE(m.Find("d-cg2-0.d-cg2.ns.svc.cluster.local"));
}

}  // namespace
}  // namespace doris_operator::reconcile
