#include "operator/kube/watch_stream.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace doris_operator::kube {
namespace {

TEST(WatchFramer, ReassemblesLinesAcrossChunksAndSkipsEmptyOnes) {
  WatchFramer framer;
  std::vector<std::string> lines;
  auto collect = [&](std::string_view l) {
    lines.emplace_back(l);
    return true;
  };
  EXPECT_TRUE(framer.Feed("{\"a\"", collect));
  EXPECT_TRUE(framer.Feed(":1}\n\n{\"b\":2}\n{\"c\"", collect));
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_EQ(framer.buffered(), 4u);
  // A consumer that stops gets nothing more.
  lines.clear();
  EXPECT_FALSE(framer.Feed(":3}\n{}\n", [&](std::string_view l) {
    lines.emplace_back(l);
    return false;
  }));
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"c\":3}"}));
}

TEST(DecodeWatchLine, EventsGoneAndErrors) {
  WatchLine e = DecodeWatchLine(R"({"type":"ADDED","object":{"kind":"Pod"}})");
  EXPECT_EQ(e.kind, WatchLine::Kind::kEvent);
  EXPECT_EQ(e.event["object"]["kind"], "Pod");
  EXPECT_EQ(DecodeWatchLine(R"({"type":"ERROR","object":{"code":410,"message":"too old"}})").kind,
            WatchLine::Kind::kGone);
  WatchLine err = DecodeWatchLine(R"({"type":"ERROR","object":{"code":500,"message":"etcd"}})");
  EXPECT_EQ(err.kind, WatchLine::Kind::kError);
  EXPECT_EQ(err.error, "etcd");
  EXPECT_EQ(DecodeWatchLine("[1]").kind, WatchLine::Kind::kError);
}

// Fields of another type made json::value throw inside curl's write
// callback (an exception through C frames ends the process) before the
// framing moved here for tests/fuzz/watch_stream_fuzzer.
TEST(DecodeWatchLine, FieldsOfAnotherTypeAreNoException) {
  WatchLine l;
  EXPECT_NO_THROW(l = DecodeWatchLine(R"({"type":1,"object":{}})"));
  EXPECT_EQ(l.kind, WatchLine::Kind::kEvent);
  EXPECT_NO_THROW(l = DecodeWatchLine(R"({"type":"ERROR","object":{"code":"410","message":7}})"));
  EXPECT_EQ(l.kind, WatchLine::Kind::kError);
  EXPECT_EQ(l.error, "watch error");
  EXPECT_NO_THROW(l = DecodeWatchLine(R"({"type":"ERROR","object":[]})"));
  EXPECT_EQ(l.kind, WatchLine::Kind::kError);
}

}  // namespace
}  // namespace doris_operator::kube
