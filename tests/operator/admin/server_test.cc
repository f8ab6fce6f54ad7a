// The admin API over a real gRPC channel: a server on 127.0.0.1:0 in this
// process, the generated client stub, health checks, TLS with a bearer token
// and the refusal to serve off loopback without them.

#include "operator/admin/server.h"

#include <cstdlib>
#include <fstream>
#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/admin.grpc.pb.h"
#include "tests/operator/admin/fixture.h"

namespace doris_operator::admin {
namespace {

using testing::AdminFixture;

class ServerTest : public AdminFixture {
 protected:
  std::unique_ptr<AdminServer> StartServer(AdminServerOptions o = {}) {
    if (o.address == AdminServerOptions().address) o.address = "127.0.0.1:0";
    auto s = AdminServer::Start(log_.get(), o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static std::unique_ptr<v1::Admin::Stub> Stub(int port) {
    return v1::Admin::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                                  grpc::InsecureChannelCredentials()));
  }
};

TEST_F(ServerTest, UnaryCallsAndErrorsOverTheWire) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  ASSERT_GT(server->port(), 0);
  auto stub = Stub(server->port());

  grpc::ClientContext ctx;
  v1::HistoryRequest req;
  req.mutable_cluster()->set_namespace_("prod");
  req.mutable_cluster()->set_name("c1");
  req.set_page_size(2);
  v1::HistoryResponse resp;
  grpc::Status st = stub->History(&ctx, req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.records_size(), 2);
  EXPECT_FALSE(resp.next_page_token().empty());
  EXPECT_EQ(resp.log_last_seq(), log_->last_seq());

  grpc::ClientContext ctx2;
  req.set_page_size(5000);
  st = stub->History(&ctx2, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(st.error_message(), "at most 1000")) << st.error_message();

  grpc::ClientContext ctx3;
  v1::ReplayRequest replay;
  replay.mutable_cluster()->set_namespace_("prod");
  replay.mutable_cluster()->set_name("missing");
  v1::ReplayResponse rr;
  st = stub->Replay(&ctx3, replay, &rr);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext ctx4;
  replay.mutable_cluster()->set_name("c1");
  replay.set_what_if(true);
  st = stub->Replay(&ctx4, replay, &rr);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(rr.what_if().reconcile_seq(), reconcile2_);

  // grpc.health.v1.Health/Check, encoded by hand: request {service: ""},
  // response {status: SERVING (1)}.
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->port()),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub generic(channel);
  for (const std::string service : {"", "doris_operator.admin.v1.Admin"}) {
    std::string request;
    if (!service.empty()) {
      request = absl::StrCat("\x0a", std::string(1, static_cast<char>(service.size())), service);
    }
    grpc::Slice slice(request);
    grpc::ByteBuffer in(&slice, 1), out;
    grpc::ClientContext hc;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status hs;
    generic.UnaryCall(&hc, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &in, &out,
                      [&](grpc::Status s) {
                        std::lock_guard<std::mutex> l(mu);
                        hs = s;
                        done = true;
                        cv.notify_all();
                      });
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return done; });
    ASSERT_TRUE(hs.ok()) << service << ": " << hs.error_message();
    std::vector<grpc::Slice> slices;
    ASSERT_TRUE(out.Dump(&slices).ok());
    std::string bytes;
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    EXPECT_EQ(bytes, std::string("\x08\x01", 2)) << service;
  }
}

TEST_F(ServerTest, TailStreamsAndEndsOnShutdown) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->port());
  grpc::ClientContext ctx;
  v1::TailRequest req;
  req.set_from_seq(1);
  auto reader = stub->Tail(&ctx, req);
  uint64_t through = 0;
  std::vector<uint64_t> seqs;
  v1::TailResponse piece;
  while (through < log_->last_seq() && reader->Read(&piece)) {
    through = piece.through_seq();
    for (const auto& r : piece.records()) seqs.push_back(r.seq());
  }
  ASSERT_EQ(seqs.size(), log_->last_seq());
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
  // A record appended now reaches the open stream.
  const uint64_t appended =
      Append(testing::WatchRecord("c1", "v1", "Pod", "c1-fe-0", {{"kind", "Pod"}}, 3000));
  ASSERT_TRUE(reader->Read(&piece));
  ASSERT_EQ(piece.records_size(), 1);
  EXPECT_EQ(piece.records(0).seq(), appended);
  // Shutdown ends the stream instead of waiting for a record forever.
  std::thread stopper([&] { server->Shutdown(); });
  while (reader->Read(&piece)) {
  }
  grpc::Status st = reader->Finish();
  stopper.join();
  EXPECT_TRUE(st.ok() || st.error_code() == grpc::StatusCode::UNAVAILABLE ||
              st.error_code() == grpc::StatusCode::CANCELLED)
      << st.error_message();
}

TEST_F(ServerTest, APortInUseIsAStartupError) {
  auto first = StartServer();
  ASSERT_NE(first, nullptr);
  AdminServerOptions o;
  o.address = absl::StrCat("127.0.0.1:", first->port());
  auto second = AdminServer::Start(log_.get(), o);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(absl::StrContains(second.status().message(), "cannot listen")) << second.status();
}

TEST_F(ServerTest, RequestsAndAnswersLargerThanTheLimitsAreRefused) {
  AdminServerOptions o;
  o.max_request_bytes = 4096;
  o.max_response_bytes = 512;
  auto server = StartServer(o);
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->port());
  v1::HistoryRequest req;
  req.mutable_cluster()->set_namespace_("prod");
  req.mutable_cluster()->set_name(std::string(8192, 'c'));
  v1::HistoryResponse resp;
  grpc::ClientContext big;
  grpc::Status st = stub->History(&big, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  EXPECT_TRUE(absl::StrContains(st.error_message(), "4096")) << st.error_message();
  // A small request whose answer (the cluster's records) is over 512 bytes.
  req.mutable_cluster()->set_name("c1");
  grpc::ClientContext small;
  st = stub->History(&small, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  EXPECT_TRUE(absl::StrContains(st.error_message(), "512")) << st.error_message();
}

// Readers on several connections, a tail stream and an appender all at once
// (the shape the operator runs in; meant for --config=tsan): every reader
// sees a consistent answer and the tail sees every appended record in order.
TEST_F(ServerTest, ConcurrentCallsWhileTheLogIsAppended) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const uint64_t before = log_->last_seq();
  constexpr int kAppends = 40;
  std::atomic<bool> appending{true};
  std::thread appender([&] {
    for (int i = 0; i < kAppends; ++i) {
      Append(testing::WatchRecord("c1", "v1", "Pod", absl::StrCat("c1-be-", i), {{"kind", "Pod"}},
                                  4000 + i));
    }
    appending = false;
  });
  std::vector<std::thread> readers;
  std::atomic<int> failures{0};
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      auto stub = Stub(server->port());
      do {
        grpc::ClientContext ctx;
        v1::HistoryRequest req;
        req.mutable_cluster()->set_namespace_("prod");
        req.mutable_cluster()->set_name("c1");
        req.set_page_size(1000);
        req.set_order(v1::OLDEST_FIRST);
        v1::HistoryResponse resp;
        grpc::Status st = stub->History(&ctx, req, &resp);
        if (!st.ok()) ++failures;
        for (int i = 1; i < resp.records_size(); ++i) {
          if (resp.records(i).seq() <= resp.records(i - 1).seq()) ++failures;
        }
      } while (appending);
    });
  }
  auto stub = Stub(server->port());
  grpc::ClientContext ctx;
  v1::TailRequest req;
  req.set_from_seq(before + 1);
  auto reader = stub->Tail(&ctx, req);
  std::vector<uint64_t> seqs;
  v1::TailResponse piece;
  while (seqs.size() < static_cast<size_t>(kAppends) && reader->Read(&piece)) {
    for (const auto& r : piece.records()) seqs.push_back(r.seq());
  }
  appender.join();
  for (std::thread& t : readers) t.join();
  ctx.TryCancel();
  reader->Finish();
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kAppends));
  for (int i = 0; i < kAppends; ++i) EXPECT_EQ(seqs[i], before + 1 + i);
}

TEST(ServerOptions, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:9443"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:9443"));
  EXPECT_TRUE(IsLoopbackAddress("unix:/tmp/admin.sock"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:9443"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:9443"));
  EXPECT_FALSE(IsLoopbackAddress(":9443"));
  EXPECT_FALSE(IsLoopbackAddress("10.1.2.3:9443"));
  EXPECT_FALSE(IsLoopbackAddress("127.0.0.1.example.com:9443"));
}

class TlsServerTest : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    cert_ = (dir_.parent_path() / "admin-cert.pem").string();
    key_ = (dir_.parent_path() / "admin-key.pem").string();
    token_ = (dir_.parent_path() / "admin-token").string();
    const std::string cmd = absl::StrCat(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout ",
        key_, " -out ", cert_, " >/dev/null 2>&1");
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl is needed for this test";
    std::ofstream(token_) << "s3cret-token\n";
  }
  std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string cert_, key_, token_;
};

TEST_F(TlsServerTest, OffLoopbackNeedsTlsAndToken) {
  AdminServerOptions o;
  o.address = "0.0.0.0:0";
  auto refused = AdminServer::Start(log_.get(), o);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "without TLS and a bearer token"))
      << refused.status();
  o.tls_cert_file = cert_;
  o.tls_key_file = key_;
  EXPECT_FALSE(AdminServer::Start(log_.get(), o).ok());  // TLS alone is not enough
  AdminServerOptions plain_token;
  plain_token.address = "127.0.0.1:0";
  plain_token.token_file = token_;
  EXPECT_FALSE(AdminServer::Start(log_.get(), plain_token).ok());

  o.token_file = token_;
  auto server = AdminServer::Start(log_.get(), o);
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Read(cert_);
  auto stub = v1::Admin::NewStub(grpc::CreateChannel(
      absl::StrCat("localhost:", (*server)->port()), grpc::SslCredentials(ssl)));
  v1::ListReconcilesRequest req;
  req.mutable_cluster()->set_namespace_("prod");
  req.mutable_cluster()->set_name("c1");
  v1::ListReconcilesResponse resp;
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->ListReconciles(&ctx, req, &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer wrong-token!");
    EXPECT_EQ(stub->ListReconciles(&ctx, req, &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer s3cret-token");
    grpc::Status st = stub->ListReconciles(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.reconciles_size(), 2);
  }
}

}  // namespace
}  // namespace doris_operator::admin
