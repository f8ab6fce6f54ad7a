#include "operator/logging/log.h"

#include "gtest/gtest.h"

namespace doris_operator::logging {
namespace {

TEST(Logfmt, PlainValuesStayBareOthersAreQuotedAndEscaped) {
  EXPECT_EQ(LogfmtValue("v1/pods"), "v1/pods");
  EXPECT_EQ(LogfmtValue(""), "\"\"");
  EXPECT_EQ(LogfmtValue("two words"), "\"two words\"");
  EXPECT_EQ(LogfmtValue("a=b"), "\"a=b\"");
  EXPECT_EQ(LogfmtValue("say \"hi\"\nback\\slash"), R"("say \"hi\"\nback\\slash")");
}

TEST(Logfmt, OneLinePerEventOnStderr) {
  ::testing::internal::CaptureStderr();
  Log(Level::kWarn, "watch failed", {{"stream", "v1/pods"}, {"error", "HTTP 500: boom"}});
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
  EXPECT_NE(out.find(" level=warn msg=\"watch failed\" stream=v1/pods error=\"HTTP 500: boom\""),
            std::string::npos)
      << out;
  EXPECT_EQ(out.rfind("time=", 0), 0u) << out;
}

}  // namespace
}  // namespace doris_operator::logging
