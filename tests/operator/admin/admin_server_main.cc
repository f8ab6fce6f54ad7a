// A stand-alone admin server over a small temporary log, for clients written
// in other languages (tests/operator/admin/python_reflection_test.py).
// Prints "port N" once serving; stops when stdin closes.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "operator/admin/server.h"
#include "store/event_log.h"

namespace {

using namespace doris_operator;  // NOLINT: a test tool

log::v1::LogRecord Watch(const std::string& api_version, const std::string& kind,
                         const std::string& name, const std::string& json, int64_t seconds) {
  log::v1::LogRecord r;
  r.mutable_cluster()->set_namespace_("prod");
  r.mutable_cluster()->set_name("c1");
  r.mutable_observed_at()->set_seconds(seconds);
  auto* w = r.mutable_watch();
  w->set_type(log::v1::ADDED);
  w->mutable_object()->set_api_version(api_version);
  w->mutable_object()->set_kind(kind);
  w->mutable_object()->set_namespace_("prod");
  w->mutable_object()->set_name(name);
  w->set_resource_version(absl::StrCat(seconds));
  w->set_stream(kind);
  w->set_object_json(json);
  return r;
}

}  // namespace

int main() {
  const std::string dir = absl::StrCat(std::filesystem::temp_directory_path().string(),
                                       "/admin-server-", getpid());
  std::filesystem::remove_all(dir);
  auto log = store::EventLog::Open(dir, {});
  if (!log.ok()) {
    std::cerr << log.status() << "\n";
    return 1;
  }
  std::vector<log::v1::LogRecord> records;
  records.push_back(Watch("doris.selectdb.com/v1", "DorisCluster", "c1",
                          R"({"apiVersion":"doris.selectdb.com/v1","kind":"DorisCluster",)"
                          R"("metadata":{"name":"c1","namespace":"prod"},)"
                          R"("spec":{"feSpec":{"image":"fe:1","replicas":1}}})",
                          1000));
  for (int i = 0; i < 5; ++i) {
    records.push_back(Watch("apps/v1", "StatefulSet", "c1-fe", absl::StrCat(R"({"n":)", i, "}"),
                            1001 + i));
  }
  log::v1::LogRecord rec;
  *rec.mutable_cluster() = records[0].cluster();
  rec.mutable_reconcile()->set_trigger_seq_begin(1);
  rec.mutable_reconcile()->set_trigger_seq_end(6);
  rec.mutable_reconcile()->set_outcome(log::v1::ReconcileRecord::APPLIED);
  records.push_back(rec);
  if (auto a = (*log)->Append(records); !a.ok()) {
    std::cerr << a.status() << "\n";
    return 1;
  }
  admin::AdminServerOptions o;
  o.address = "127.0.0.1:0";
  auto server = admin::AdminServer::Start(log->get(), o);
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 1;
  }
  std::cout << "port " << (*server)->port() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  (*server)->Shutdown();
  (void)(*log)->Close();
  std::filesystem::remove_all(dir);
  return 0;
}
