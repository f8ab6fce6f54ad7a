#include <string>

#include "gtest/gtest.h"
#include "proto/log.pb.h"

namespace doris_operator::log::v1 {
namespace {

// A record written by a future binary with a body kind we do not know must
// still parse, keep its sequence number and report "no known body".
TEST(LogProtoCompat, UnknownBodyKindIsSkippableNotAnError) {
  LogRecord future;
  future.set_seq(42);
  future.mutable_cluster()->set_name("c");
  std::string bytes = future.SerializeAsString();
  // Field 99, wire type 2 (length-delimited), 3 bytes of payload.
  bytes += std::string("\x9a\x06\x03" "abc", 6);

  LogRecord parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(parsed.seq(), 42u);
  EXPECT_EQ(parsed.cluster().name(), "c");
  EXPECT_EQ(parsed.body_case(), LogRecord::BODY_NOT_SET);
  // Re-serialising keeps the unknown field, so copying a record through an
  // older binary (export/import) loses nothing.
  EXPECT_EQ(parsed.SerializeAsString(), bytes);
}

TEST(LogProtoCompat, UnknownEnumValueIsPreservedAndReadable) {
  WatchEvent ev;
  ev.set_type(WatchEventType::DELETED);
  std::string bytes = ev.SerializeAsString();
  ASSERT_EQ(bytes[0], '\x08');  // field 1, varint
  bytes[1] = 77;                // a value this binary does not define
  WatchEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_FALSE(WatchEventType_IsValid(parsed.type()));
  EXPECT_EQ(static_cast<int>(parsed.type()), 77);
}

}  // namespace
}  // namespace doris_operator::log::v1
