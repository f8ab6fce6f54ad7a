// dorisctl's admin commands against an in-process admin server over a
// temporary log: output formats, exit codes, help, export and offline replay.

#include "tools/dorisctl/admin_commands.h"

#include <filesystem>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "operator/admin/server.h"
#include "tests/operator/admin/fixture.h"

namespace doris_operator::dorisctl {
namespace {

using nlohmann::json;

struct CmdResult {
  int code;
  std::string out, err;
};

class DorisctlAdminTest : public admin::testing::AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    admin::AdminServerOptions o;
    o.address = "127.0.0.1:0";
    auto s = admin::AdminServer::Start(log_.get(), o);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
  }
  void TearDown() override {
    server_.reset();
    AdminFixture::TearDown();
  }
  CmdResult Cmd(const std::string& command, std::vector<std::string> args, bool connect = true) {
    if (connect) {
      args.push_back("--admin");
      args.push_back(address_);
    }
    std::ostringstream out, err;
    const int code = RunAdminCommand(command, args, out, err);
    return {code, out.str(), err.str()};
  }
  std::unique_ptr<admin::AdminServer> server_;
  std::string address_;
};

TEST_F(DorisctlAdminTest, HelpAndUsageErrors) {
  for (const char* c : {"history", "reconciles", "show", "replay", "drift", "tail", "export"}) {
    ASSERT_TRUE(IsAdminCommand(c));
    CmdResult r = Cmd(c, {"--help"}, false);
    EXPECT_EQ(r.code, 0) << c;
    EXPECT_TRUE(absl::StrContains(r.out, absl::StrCat("usage: dorisctl ", c))) << r.out;
    EXPECT_TRUE(absl::StrContains(r.out, "exit codes")) << c;
  }
  EXPECT_FALSE(IsAdminCommand("render"));
  CmdResult bad = Cmd("history", {"c1", "--bogus"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(absl::StrContains(bad.err, "unknown option --bogus")) << bad.err;
  EXPECT_EQ(Cmd("history", {}).code, 2);
  EXPECT_EQ(Cmd("history", {"c1", "-o", "xml"}).code, 2);
  EXPECT_EQ(Cmd("history", {"c1", "--from-seq", "x"}).code, 2);
  EXPECT_EQ(Cmd("show", {"abc"}).code, 2);
  EXPECT_EQ(Cmd("export", {"c1", "-n", "prod"}).code, 2);  // no -f
  EXPECT_EQ(Cmd("replay", {"c1", "--at-seq", "3", "--at-time", "2024-01-01T00:00:00Z"}).code, 2);
}

TEST_F(DorisctlAdminTest, ServerErrorsExitOne) {
  CmdResult missing = Cmd("history", {"nope", "-n", "prod"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_TRUE(absl::StrContains(missing.err, "NOT_FOUND")) << missing.err;
  CmdResult huge = Cmd("history", {"c1", "-n", "prod", "--limit", "5000"});
  EXPECT_EQ(huge.code, 1);
  EXPECT_TRUE(absl::StrContains(huge.err, "INVALID_ARGUMENT")) << huge.err;
  std::ostringstream out, err;
  const int code = RunAdminCommand("history", {"c1", "--admin", "127.0.0.1:1", "--timeout", "5"},
                                   out, err);
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(absl::StrContains(err.str(), "UNAVAILABLE")) << err.str();
}

TEST_F(DorisctlAdminTest, HistoryAndReconcilesInEachFormat) {
  CmdResult table = Cmd("history", {"c1", "-n", "prod", "--limit", "3"});
  ASSERT_EQ(table.code, 0) << table.err;
  std::vector<std::string> lines = absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << table.out;  // header, 3 records, next page
  EXPECT_TRUE(absl::StartsWith(lines[0], "SEQ")) << table.out;
  EXPECT_TRUE(absl::StartsWith(lines[4], "more: --page-token ")) << table.out;
  const std::string token = lines[4].substr(std::string("more: --page-token ").size());
  CmdResult next = Cmd("history", {"c1", "-n", "prod", "--limit", "3", "--page-token", token});
  ASSERT_EQ(next.code, 0) << next.err;
  EXPECT_NE(next.out, table.out);

  CmdResult js = Cmd("reconciles", {"c1", "-n", "prod", "-o", "json"});
  ASSERT_EQ(js.code, 0) << js.err;
  json j = json::parse(js.out);
  ASSERT_EQ(j["reconciles"].size(), 2u);
  EXPECT_EQ(j["reconciles"][0]["outcome"], "FAILED");
  CmdResult failed = Cmd("reconciles", {"c1", "-n", "prod", "--outcome", "applied"});
  ASSERT_EQ(failed.code, 0) << failed.err;
  lines = absl::StrSplit(failed.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << failed.out;
  EXPECT_TRUE(absl::StartsWith(lines[1], absl::StrCat(reconcile1_, " "))) << failed.out;
  EXPECT_TRUE(absl::StrContains(lines[1], "APPLIED")) << failed.out;

  CmdResult yaml = Cmd("history", {"c1", "-n", "prod", "--type", "watch", "--kind", "DorisCluster",
                             "--objects", "-o", "yaml"});
  ASSERT_EQ(yaml.code, 0) << yaml.err;
  // Object JSON is embedded as structure, not base64.
  EXPECT_TRUE(absl::StrContains(yaml.out, "image: be:2")) << yaml.out;
}

// CLUSTER as kubectl's TYPE/NAME: ddc/NAME names a DorisDisaggregatedCluster,
// whose history is not the DorisCluster's of the same name.
TEST_F(DorisctlAdminTest, ClusterTypeNamesADisaggregatedCluster) {
  log::v1::LogRecord r = admin::testing::WatchRecord(
      "c1", "disaggregated.cluster.doris.com/v1", "DorisDisaggregatedCluster", "c1",
      {{"kind", "DorisDisaggregatedCluster"}}, 2000, log::v1::ADDED);
  r.mutable_cluster()->set_kind("DorisDisaggregatedCluster");
  const uint64_t seq = Append(r);
  CmdResult ddc = Cmd("history", {"ddc/c1", "-n", "prod"});
  ASSERT_EQ(ddc.code, 0) << ddc.err;
  std::vector<std::string> lines = absl::StrSplit(ddc.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << ddc.out;  // header and its one record
  EXPECT_TRUE(absl::StartsWith(lines[1], absl::StrCat(seq, " "))) << ddc.out;
  EXPECT_TRUE(absl::StrContains(lines[1], "DorisDisaggregatedCluster:prod/c1")) << ddc.out;
  for (const char* dc : {"c1", "dcr/c1", "DorisCluster/c1"}) {
    CmdResult d = Cmd("history", {dc, "-n", "prod", "--limit", "1000"});
    ASSERT_EQ(d.code, 0) << d.err;
    EXPECT_FALSE(absl::StrContains(d.out, "DorisDisaggregatedCluster")) << dc << d.out;
    EXPECT_TRUE(absl::StrContains(d.out, " prod/c1 ")) << dc << d.out;
  }
  EXPECT_EQ(Cmd("history", {"ddc/nope", "-n", "prod"}).code, 1);
  CmdResult bad = Cmd("history", {"pod/c1", "-n", "prod"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(absl::StrContains(bad.err, "ddc/NAME")) << bad.err;
  EXPECT_EQ(Cmd("drift", {"ddc/", "-n", "prod"}).code, 2);
}

TEST_F(DorisctlAdminTest, ShowNamesTheCauseOfEachAction) {
  CmdResult r = Cmd("show", {absl::StrCat(reconcile1_)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "outcome:      APPLIED")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, absl::StrCat(created_seq_, " ADDED DorisCluster/c1")))
      << r.out;
  CmdResult notrec = Cmd("show", {absl::StrCat(created_seq_)});
  EXPECT_EQ(notrec.code, 1);
  EXPECT_TRUE(absl::StrContains(notrec.err, "not a reconcile")) << notrec.err;
}

TEST_F(DorisctlAdminTest, ExportThenOfflineReplayMatchesTheServer) {
  const std::string file = (dir_.parent_path() / "c1.bundle").string();
  CmdResult ex = Cmd("export", {"c1", "-n", "prod", "-f", file, "--from-seq", absl::StrCat(other_seq_)});
  ASSERT_EQ(ex.code, 0) << ex.err;
  EXPECT_TRUE(absl::StrContains(ex.out, "to " + file)) << ex.out;
  for (const std::string at : {absl::StrCat(reconcile2_), absl::StrCat(reconcile1_)}) {
    CmdResult online = Cmd("replay", {"c1", "-n", "prod", "--at-seq", at, "--what-if", "--desired",
                                "-o", "json"});
    ASSERT_EQ(online.code, 0) << online.err;
    CmdResult offline = Cmd("replay", {"--bundle", file, "--at-seq", at, "--what-if", "--desired", "-o",
                                 "json"},
                      false);
    ASSERT_EQ(offline.code, 0) << offline.err;
    EXPECT_EQ(online.out, offline.out);
  }
  CmdResult table = Cmd("replay", {"--bundle", file, "--what-if"}, false);
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_TRUE(absl::StrContains(table.out, "CHANGED")) << table.out;
  EXPECT_TRUE(absl::StrContains(table.out, "REMOVED")) << table.out;
  EXPECT_TRUE(absl::StrContains(table.out, "2 of ")) << table.out;
  CmdResult garbage = Cmd("replay", {"--bundle", "/nonexistent/bundle"}, false);
  EXPECT_EQ(garbage.code, 1);
  std::filesystem::remove(file);
}

TEST_F(DorisctlAdminTest, TailStopsAfterCount) {
  CmdResult r = Cmd("tail", {"--from-seq", "1", "--count", "4"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << r.out;
  EXPECT_TRUE(absl::StartsWith(lines[1], "1 ")) << r.out;
  EXPECT_TRUE(absl::StartsWith(lines[4], "4 ")) << r.out;
  CmdResult js = Cmd("tail", {"c1", "-n", "prod", "--from-seq", "1", "--count", "2", "-o", "json",
                        "--type", "reconcile"});
  ASSERT_EQ(js.code, 0) << js.err;
  lines = absl::StrSplit(js.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[1])["seq"], absl::StrCat(reconcile2_));  // uint64 as a string
}

}  // namespace
}  // namespace doris_operator::dorisctl
