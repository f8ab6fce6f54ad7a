#include "store/keys.h"

#include "gtest/gtest.h"

namespace doris_operator::store::keys {
namespace {

TEST(Keys, SeqOrderIsNumericOrder) {
  EXPECT_LT(Seq(1), Seq(2));
  EXPECT_LT(Seq(255), Seq(256));
  EXPECT_LT(Seq(UINT64_MAX - 1), Seq(UINT64_MAX));
  EXPECT_EQ(ParseSeq(Seq(123456789)), 123456789u);
  EXPECT_FALSE(ParseSeq("short").has_value());
}

TEST(Keys, ObjectPrefixesNeverPrefixEachOther) {
  const std::string a = ObjectPrefix({"apps", "StatefulSet", "ns", "a"});
  const std::string ab = ObjectPrefix({"apps", "StatefulSet", "ns", "ab"});
  const std::string shifted = ObjectPrefix({"apps", "StatefulSetn", "s", "a"});
  EXPECT_NE(ab.compare(0, a.size(), a), 0);
  EXPECT_NE(a, shifted);
  EXPECT_NE(ClusterPrefix({"a", "bc"}), ClusterPrefix({"ab", "c"}));
  // An index key parses back to its seq only with its own prefix length.
  const std::string key = a + Seq(77);
  EXPECT_EQ(SeqOfIndexKey(key, a.size()), 77u);
  EXPECT_FALSE(SeqOfIndexKey(key, a.size() + 1).has_value());
}

TEST(ObjectIds, GroupIsTheApiVersionWithoutItsVersion) {
  EXPECT_EQ(GroupOf("apps/v1"), "apps");
  EXPECT_EQ(GroupOf("v1"), "");
  EXPECT_EQ(GroupOf("doris.selectdb.com/v1"), "doris.selectdb.com");
  log::v1::ObjectRef ref;
  ref.set_api_version("autoscaling/v2");
  ref.set_kind("HorizontalPodAutoscaler");
  ref.set_namespace_("ns");
  ref.set_name("h");
  EXPECT_EQ(ObjectId::From(ref), (ObjectId{"autoscaling", "HorizontalPodAutoscaler", "ns", "h"}));
  log::v1::ClusterRef c = ClusterKey{"ns", "dc"}.ToRef();
  EXPECT_EQ(ClusterKey::From(c), (ClusterKey{"ns", "dc"}));
  EXPECT_TRUE(ClusterKey{}.empty());
}

TEST(Keys, LongComponentsUseMultiByteLengths) {
  const std::string long_name(300, 'x');
  const std::string p1 = ClusterPrefix({"ns", long_name});
  const std::string p2 = ClusterPrefix({"ns", long_name + "y"});
  EXPECT_EQ(p1.size(), 1 + 2 + 2 + 300u);
  EXPECT_NE(p2.compare(0, p1.size(), p1), 0);
}

}  // namespace
}  // namespace doris_operator::store::keys
