#include "operator/kube/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "operator/kube/kubeconfig.h"
#include "tests/testing/eventually.h"
#include "tests/testing/kubesim_process.h"

namespace doris_operator::kube {
namespace {

using Json = nlohmann::json;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = testing::KubesimProcess::Start(testing::TempDir("client_test"));
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = std::make_unique<testing::KubesimProcess>(std::move(*sim));
    auto config = LoadKubeconfig(sim_->kubeconfig());
    ASSERT_TRUE(config.ok()) << config.status();
    ClientOptions options;
    options.retry_base = absl::Milliseconds(5);
    options.retry_max = absl::Milliseconds(50);
    options.on_response = [this](const std::string&, int code) {
      responses_.fetch_add(1);
      if (code == 429 || code == 500) failures_.fetch_add(1);
    };
    auto client = Client::Create(*config, options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(*client);
  }

  // A second client of the same kubesim with other options.
  std::unique_ptr<Client> ClientWith(const ClientOptions& options) {
    auto config = LoadKubeconfig(sim_->kubeconfig());
    EXPECT_TRUE(config.ok()) << config.status();
    if (!config.ok()) return nullptr;
    auto client = Client::Create(*config, options);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }

  void Faults(const Json& faults) {
    Request r;
    r.method = "POST";
    r.path = "/kubesim/faults";
    r.body = faults.dump();
    auto resp = client_->Do(r);
    ASSERT_TRUE(resp.ok() && resp->code == 200);
  }

  static std::string Cm(const std::string& name) {
    return Json{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                {"metadata", {{"name", name}, {"labels", {{"app", "t"}}}}},
                {"data", {{"k", "v"}}}}
        .dump();
  }

  std::unique_ptr<testing::KubesimProcess> sim_;
  std::unique_ptr<Client> client_;
  std::atomic<int> responses_{0};
  std::atomic<int> failures_{0};
  const std::string cms_ = CollectionPath("v1", "default", "configmaps");
};

TEST_F(ClientTest, CrudMapsErrorsToStatusCodes) {
  auto created = client_->Create(cms_, Cm("a"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ((*created)["metadata"]["name"], "a");
  auto dup = client_->Create(cms_, Cm("a"));
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists) << dup.status();
  auto missing = client_->Get(cms_ + "/nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("\"nope\" not found"), std::string::npos)
      << missing.status();

  Json stale = *created;
  auto patched = client_->MergePatch(cms_ + "/a", R"({"data":{"k":"w"}})");
  ASSERT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ((*patched)["data"]["k"], "w");
  stale["data"]["k"] = "x";
  auto conflict = client_->Update(cms_ + "/a", stale.dump());
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kAborted) << conflict.status();

  ASSERT_TRUE(client_->Delete(cms_ + "/a").ok());
  EXPECT_EQ(client_->Get(cms_ + "/a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(client_->Delete(cms_ + "/a").code(), absl::StatusCode::kNotFound);
}

TEST_F(ClientTest, ServerSideApplyIsRepeatable) {
  const std::string body = Cm("ssa");
  auto first = client_->Apply(cms_ + "/ssa", body, "doris-operator");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = client_->Apply(cms_ + "/ssa", body, "doris-operator");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*first)["metadata"]["resourceVersion"], (*second)["metadata"]["resourceVersion"]);
}

TEST_F(ClientTest, ListFollowsContinueTokensAndFillsKind) {
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(client_->Create(cms_, Cm(absl::StrCat("c", i))).ok());
  auto list = client_->List(cms_, "v1", "ConfigMap", "app=t", /*page_size=*/3);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->items.size(), 7u);
  EXPECT_EQ(list->items[6]["kind"], "ConfigMap");
  EXPECT_EQ(list->items[6]["apiVersion"], "v1");
  EXPECT_FALSE(list->resource_version.empty());
  auto none = client_->List(cms_, "v1", "ConfigMap", "app=other");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());
}

TEST_F(ClientTest, WatchDeliversEventsFromAResourceVersion) {
  auto list = client_->List(cms_, "v1", "ConfigMap");
  ASSERT_TRUE(list.ok());
  std::vector<std::string> seen;
  // Written after the list, so a watch from its resourceVersion gets both
  // events whenever it opens.
  std::thread writer([&] {
    ASSERT_TRUE(client_->Create(cms_, Cm("w1")).ok());
    ASSERT_TRUE(client_->Delete(cms_ + "/w1").ok());
  });
  WatchOptions options;
  options.resource_version = list->resource_version;
  options.timeout_seconds = 20;
  absl::Status s = client_->Watch(cms_, options, [&](Json event) {
    if (event["type"] == "BOOKMARK") return true;
    seen.push_back(absl::StrCat(event["type"].get<std::string>(), " ",
                                event["object"]["metadata"]["name"].get<std::string>()));
    return seen.size() < 2;
  });
  writer.join();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED w1", "DELETED w1"}));
}

TEST_F(ClientTest, WatchFromExpiredVersionIsOutOfRange) {
  auto list = client_->List(cms_, "v1", "ConfigMap");
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(client_->Create(cms_, Cm("x")).ok());
  Request expire;
  expire.method = "POST";
  expire.path = "/kubesim/expire-history";
  ASSERT_TRUE(client_->Do(expire).ok());
  WatchOptions options;
  options.resource_version = list->resource_version;
  absl::Status s = client_->Watch(cms_, options, [](Json) { return true; });
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange) << s;
}

// Watches of configmaps kubesim has served to this client so far.
int64_t ConfigMapWatches(Client& client) {
  auto used = client.Get("/kubesim/requests?userAgent=doris-operator");
  int64_t n = 0;
  if (!used.ok()) return -1;
  for (const Json& u : (*used)["requests"]) {
    if (u.value("verb", "") == "watch" && u.value("resource", "") == "configmaps") n += u.value("count", 0);
  }
  return n;
}

TEST_F(ClientTest, WatchStopsPromptlyOnStopFlag) {
  // The flag is raised only once the watch is open on the server, and the
  // server would keep it open for 600s: only the flag can end it within the
  // test's timeout.
  const int64_t before = ConfigMapWatches(*client_);
  ASSERT_GE(before, 0);
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    EXPECT_TRUE(testing::Eventually([&] { return ConfigMapWatches(*client_) > before; }, absl::Seconds(30)));
    stop = true;
  });
  WatchOptions options;
  options.timeout_seconds = 600;
  options.bookmarks = false;
  options.stop = &stop;
  int events = 0;
  absl::Status s = client_->Watch(cms_, options, [&](Json) {
    ++events;
    return true;
  });
  const bool stopped_when_it_returned = stop.load();
  stopper.join();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(stopped_when_it_returned) << "the watch ended before the flag was raised: " << s;
  EXPECT_EQ(events, 0);  // nothing was written
}

TEST_F(ClientTest, IdempotentRequestsRetryThrottlingAndErrors) {
  ASSERT_TRUE(client_->Create(cms_, Cm("r")).ok());
  Faults({{"errorRate", 0.5}, {"errorCode", 500}, {"seed", 3}});
  for (int i = 0; i < 10; ++i) {
    auto got = client_->Get(cms_ + "/r");
    ASSERT_TRUE(got.ok()) << got.status();
  }
  Faults({{"errorRate", 0.5}, {"errorCode", 429}, {"retryAfterSeconds", 0}, {"seed", 4}});
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client_->Apply(cms_ + "/r", Cm("r"), "doris-operator").ok());
  }
  Faults(Json::object());
  EXPECT_GT(failures_.load(), 0);
}

TEST_F(ClientTest, NonIdempotentPostIsNotRepeatedAfterAServerError) {
  Faults({{"errorRate", 1.0}, {"errorCode", 500}});
  const int before = responses_.load();
  auto created = client_->Create(cms_, Cm("once"));
  EXPECT_EQ(created.status().code(), absl::StatusCode::kUnavailable) << created.status();
  EXPECT_EQ(responses_.load() - before, 1);
  Faults(Json::object());
}

TEST_F(ClientTest, UnreachableServerIsUnavailableAfterRetries) {
  ClusterConfig config;
  config.server = "http://127.0.0.1:1";
  ClientOptions options;
  options.max_retries = 2;
  options.retry_base = absl::Milliseconds(1);
  auto client = Client::Create(config, options);
  ASSERT_TRUE(client.ok());
  auto got = (*client)->Get("/api/v1/namespaces");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Client::Create(ClusterConfig{}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientTest, AClosedWriteGateStopsWritesBeforeTheyAreSent) {
  std::atomic<bool> open{false};
  std::atomic<int> sent{0};
  ClientOptions options;
  options.may_write = [&] { return open.load(); };
  options.on_response = [&](const std::string&, int) { sent.fetch_add(1); };
  auto gated = ClientWith(options);
  ASSERT_NE(gated, nullptr);
  EXPECT_FALSE(gated->WritesAllowed());
  auto refused = gated->Create(cms_, Cm("g"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_EQ(gated->Delete(cms_ + "/g").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(sent.load(), 0);
  EXPECT_EQ(gated->Get(cms_ + "/g").status().code(), absl::StatusCode::kNotFound);  // reads pass
  open = true;
  EXPECT_TRUE(gated->Create(cms_, Cm("g")).ok());
  EXPECT_TRUE(client_->Get(cms_ + "/g").ok());
}

TEST_F(ClientTest, AWriteGateClosingDuringRetriesStopsTheNextAttempt) {
  std::atomic<bool> open{true};
  std::atomic<int> sent{0};
  ClientOptions options;
  options.retry_base = absl::Milliseconds(1);
  options.retry_max = absl::Milliseconds(5);
  options.may_write = [&] { return open.load(); };
  options.on_response = [&](const std::string&, int) {
    // Leadership is lost after the second failed attempt.
    if (sent.fetch_add(1) + 1 == 2) open = false;
  };
  auto gated = ClientWith(options);
  ASSERT_NE(gated, nullptr);
  Faults({{"errorRate", 1.0}, {"errorCode", 500}});
  auto applied = gated->Apply(cms_ + "/lost", Cm("lost"), "doris-operator");
  Faults(Json::object());
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kFailedPrecondition) << applied.status();
  EXPECT_EQ(sent.load(), 2);
}

TEST_F(ClientTest, AWriteAttemptEndsWithinItsBound) {
  ClientOptions options;
  options.max_retries = 0;
  options.write_attempt_timeout = absl::Milliseconds(200);
  auto bounded = ClientWith(options);
  ASSERT_NE(bounded, nullptr);
  ASSERT_TRUE(client_->Create(cms_, Cm("slow")).ok());
  // The server answers every request after 3 s: a write may not wait that
  // long, a read may.
  Faults({{"delayMs", 3000}});
  auto written = bounded->MergePatch(cms_ + "/slow", R"({"data":{"k":"w"}})");
  auto read = bounded->Get(cms_ + "/slow");
  Faults(Json::object());
  EXPECT_EQ(written.status().code(), absl::StatusCode::kUnavailable) << written.status();
  EXPECT_TRUE(read.ok()) << read.status();
}

TEST(ClientTokenFileTest, ARotatedServiceAccountTokenIsReadAgain) {
  auto sim = testing::KubesimProcess::Start(testing::TempDir("client_token"), {"--tls"});
  ASSERT_TRUE(sim.ok()) << sim.status();
  auto config = LoadKubeconfig(sim->kubeconfig());
  ASSERT_TRUE(config.ok()) << config.status();
  const std::string valid = config->bearer_token;
  ASSERT_FALSE(valid.empty());
  const std::string token_file = testing::TempDir("client_token_file") + "/token";
  auto write_token = [&](const std::string& token) {
    std::ofstream out(token_file, std::ios::trunc);
    out << token << "\n";
  };
  write_token("expired-token");
  config->bearer_token = "expired-token";
  config->bearer_token_file = token_file;
  ClientOptions rereads;
  rereads.token_file_reread = absl::ZeroDuration();
  ClientOptions caches;
  caches.token_file_reread = absl::Hours(1);
  auto fresh = Client::Create(*config, rereads);
  auto cached = Client::Create(*config, caches);
  ASSERT_TRUE(fresh.ok() && cached.ok());
  const std::string path = CollectionPath("v1", "", "namespaces");
  EXPECT_EQ((*fresh)->Get(path).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ((*cached)->Get(path).status().code(), absl::StatusCode::kUnauthenticated);
  write_token(valid);  // the kubelet rotated the projected token
  EXPECT_TRUE((*fresh)->Get(path).ok());
  EXPECT_EQ((*cached)->Get(path).status().code(), absl::StatusCode::kUnauthenticated);
}

// Limits: what one request may send and one answer may make the client hold.

TEST_F(ClientTest, ARequestBodyOverTheLimitIsRefusedBeforeItIsSent) {
  ClientOptions options;
  options.max_request_bytes = 64;
  auto small = ClientWith(options);
  ASSERT_NE(small, nullptr);
  auto created = small->Create(cms_, Cm("too-big"));
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument) << created.status();
  EXPECT_NE(created.status().message().find("limit of 64 bytes"), std::string::npos)
      << created.status();
  EXPECT_EQ(client_->Get(cms_ + "/too-big").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ClientTest, AnAnswerOverTheLimitIsAnErrorNotAnAllocation) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client_->Create(cms_, Cm(absl::StrCat("r", i))).ok());
  ClientOptions options;
  options.max_response_bytes = 1000;
  auto small = ClientWith(options);
  ASSERT_NE(small, nullptr);
  auto list = small->List(cms_, "v1", "ConfigMap");
  EXPECT_EQ(list.status().code(), absl::StatusCode::kResourceExhausted) << list.status();
  EXPECT_NE(list.status().message().find("limit of 1000 bytes"), std::string::npos)
      << list.status();
  EXPECT_TRUE(small->Get(cms_ + "/r0").ok());  // a small answer still passes
}

TEST_F(ClientTest, AWatchEventOverTheLimitEndsTheWatchNamingIt) {
  ClientOptions options;
  options.max_watch_event_bytes = 2048;
  auto small = ClientWith(options);
  ASSERT_NE(small, nullptr);
  auto list = client_->List(cms_, "v1", "ConfigMap");
  ASSERT_TRUE(list.ok());
  Json big = Json::parse(Cm("big"));
  big["data"]["k"] = std::string(4096, 'x');
  ASSERT_TRUE(client_->Create(cms_, big.dump()).ok());  // after the list: the watch replays it
  WatchOptions w;
  w.resource_version = list->resource_version;
  w.timeout_seconds = 20;
  absl::Status s = small->Watch(cms_, w, [](Json) { return true; });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("limit of 2048 bytes"), std::string::npos) << s;
}

// An HTTP server in this process that answers every request with `body`:
// for answers no API server would send.
class CannedServer {
 public:
  explicit CannedServer(std::string body) : body_(std::move(body)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 8);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        const int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;  // the listening socket was shut down
        char buf[8192];
        std::string request;
        while (request.find("\r\n\r\n") == std::string::npos) {
          const ssize_t n = read(c, buf, sizeof buf);
          if (n <= 0) break;
          request.append(buf, n);
        }
        const std::string answer =
            absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ",
                         body_.size(), "\r\nConnection: close\r\n\r\n", body_);
        for (size_t off = 0; off < answer.size();) {
          const ssize_t n = write(c, answer.data() + off, answer.size() - off);
          if (n <= 0) break;
          off += n;
        }
        close(c);
      }
    });
  }
  ~CannedServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }

 private:
  std::string body_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(ClientLimitsTest, AnswerNestedDeeperThanTheLimitIsRefused) {
  const std::string deep = absl::StrCat("{\"kind\":\"ConfigMap\",\"data\":", std::string(1001, '['),
                                        std::string(1001, ']'), "}\n");
  CannedServer server(deep);
  ClusterConfig config;
  config.server = server.url();
  ClientOptions options;
  options.max_retries = 0;
  auto client = Client::Create(config, options);
  ASSERT_TRUE(client.ok());
  auto got = (*client)->Get("/api/v1/namespaces/default/configmaps/deep");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << got.status();
  EXPECT_NE(got.status().message().find("limit of 1000 levels"), std::string::npos)
      << got.status();
  absl::Status watched = (*client)->Watch(
      "/api/v1/namespaces/default/configmaps", {},
      [](Json) { return true; });
  EXPECT_NE(watched.message().find("limit of 1000 levels"), std::string::npos) << watched;
}

}  // namespace
}  // namespace doris_operator::kube
