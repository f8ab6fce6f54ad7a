#include "operator/ingest/relist.h"

#include <filesystem>

#include "gtest/gtest.h"
#include "store/event_log.h"

namespace doris_operator::ingest {
namespace {

using Json = nlohmann::json;

Json Pod(const std::string& name, const std::string& rv, const std::string& image) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "ns"}, {"resourceVersion", rv},
                        {"labels", {{"app.doris.cluster", "c"}}}}},
          {"spec", {{"image", image}}}};
}

class RelistTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    log_ = *store::EventLog::Open(dir_.string(), {});
  }

  void Append(std::vector<log::v1::LogRecord> records) {
    ASSERT_TRUE(log_->Append(std::move(records)).ok());
  }

  std::vector<KnownObject> Known() {
    std::vector<KnownObject> out;
    const store::State state = log_->CurrentState();
    for (const auto& [cluster, objects] : state.clusters()) {
      for (const auto& [id, obj] : objects) out.push_back({cluster.ToRef(), obj});
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::EventLog> log_;
};

TEST_F(RelistTest, RecordsOnlyTheDifferencesAndEndsAtTheListVersion) {
  for (const char* name : {"a", "b", "c"}) {
    Append({*RecordForObject(Pod(name, "1", "x"), {.type = log::v1::ADDED, .stream = "v1/pods"})});
  }
  auto records = RelistRecords({.stream = "v1/pods",
                                .list_resource_version = "90",
                                .listed = {Pod("a", "1", "x"), Pod("b", "5", "y"), Pod("d", "7", "x")},
                                .known = Known()});
  ASSERT_TRUE(records.ok()) << records.status();
  std::vector<std::string> got;
  for (const auto& r : *records) {
    got.push_back(absl::StrCat(log::v1::WatchEventType_Name(r.watch().type()), " ",
                               r.watch().object().name()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"RELIST ", "MODIFIED b", "DELETED c", "ADDED d",
                                           "BOOKMARK "}));
  for (size_t i = 1; i + 1 < records->size(); ++i) {
    EXPECT_TRUE((*records)[i].watch().from_relist());
    EXPECT_EQ((*records)[i].cluster().name(), "c");  // deleted ones too
  }
  Append(*records);
  const store::State state = log_->CurrentState();
  EXPECT_EQ(state.object_count(), 3u);
  EXPECT_EQ(state.Find({"", "Pod", "ns", "c"}), nullptr);
  EXPECT_NE(state.Find({"", "Pod", "ns", "d"}), nullptr);
  EXPECT_EQ(state.Find({"", "Pod", "ns", "b"})->resource_version(), "5");
  EXPECT_EQ(log_->WatchCursors()->at("v1/pods"), "90");
}

TEST_F(RelistTest, NothingChangedMeansJustTheMarker) {
  Append({*RecordForObject(Pod("a", "1", "x"), {.type = log::v1::ADDED, .stream = "v1/pods"})});
  auto records = RelistRecords(
      {.stream = "v1/pods", .list_resource_version = "2", .listed = {Pod("a", "1", "x")}, .known = Known()});
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].watch().type(), log::v1::RELIST);
  Append(*records);
  EXPECT_EQ(log_->WatchCursors()->at("v1/pods"), "2");  // the marker moves the cursor
}

TEST_F(RelistTest, BadItemsAreErrors) {
  auto records = RelistRecords({.stream = "v1/pods", .listed = {Json{{"kind", "Pod"}}}});
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace doris_operator::ingest
