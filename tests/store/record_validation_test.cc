#include "store/record_validation.h"

#include "gtest/gtest.h"
#include "tests/store/test_records.h"

namespace doris_operator::store {
namespace {

using testing::Watch;

TEST(RecordValidation, SecretWithDataIsRejected) {
  for (const char* field : {"data", "stringData"}) {
    log::v1::LogRecord r = Watch({.api_version = "v1", .kind = "Secret", .name = "auth",
                                  .json = absl::StrCat("{\"", field, "\":{\"password\":\"c2VjcmV0\"}}")});
    absl::Status s = ValidateRecord(r);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(field), std::string::npos) << s;
    EXPECT_EQ(s.message().find("c2VjcmV0"), std::string::npos) << "error leaks data";
  }
}

TEST(RecordValidation, SecretWithLastAppliedAnnotationIsRejected) {
  log::v1::LogRecord r = Watch({.api_version = "v1", .kind = "Secret", .name = "auth",
                                .json = R"({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{}}"}}})"});
  EXPECT_EQ(ValidateRecord(r).code(), absl::StatusCode::kInvalidArgument);
}

TEST(RecordValidation, SecretMetadataOnlyIsAccepted) {
  log::v1::LogRecord r = Watch({.api_version = "v1", .kind = "Secret", .name = "auth",
                                .json = "{\"metadata\":{\"name\":\"auth\"},\"type\":\"kubernetes.io/basic-auth\"}"});
  EXPECT_TRUE(ValidateRecord(r).ok());
}

TEST(RecordValidation, SecretWithUnparseableJsonIsRejected) {
  log::v1::LogRecord r = Watch({.api_version = "v1", .kind = "Secret", .name = "s", .json = "{not json"});
  EXPECT_EQ(ValidateRecord(r).code(), absl::StatusCode::kInvalidArgument);
}

TEST(RecordValidation, StructuralRules) {
  log::v1::LogRecord empty;
  EXPECT_EQ(ValidateRecord(empty).code(), absl::StatusCode::kInvalidArgument);

  log::v1::LogRecord no_name = Watch({.name = ""});
  EXPECT_EQ(ValidateRecord(no_name).code(), absl::StatusCode::kInvalidArgument);

  log::v1::LogRecord bookmark;
  bookmark.mutable_watch()->set_type(log::v1::BOOKMARK);
  EXPECT_TRUE(ValidateRecord(bookmark).ok());
  bookmark.mutable_watch()->set_object_json("{}");
  EXPECT_EQ(ValidateRecord(bookmark).code(), absl::StatusCode::kInvalidArgument);

  log::v1::LogRecord unknown = Watch({});
  unknown.mutable_watch()->set_type(static_cast<log::v1::WatchEventType>(42));
  EXPECT_EQ(ValidateRecord(unknown).code(), absl::StatusCode::kInvalidArgument);

  log::v1::LogRecord life;
  life.mutable_lifecycle()->set_kind(log::v1::Lifecycle::START);
  EXPECT_TRUE(ValidateRecord(life).ok());
}

}  // namespace
}  // namespace doris_operator::store
