#include "operator/leader/lease_elector.h"

#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "operator/kube/kubeconfig.h"
#include "tests/testing/eventually.h"
#include "tests/testing/kubesim_process.h"

namespace doris_operator::leader {
namespace {

using Json = nlohmann::json;

// What an elector's callbacks said, in order: "leader:<id>", "started", "stopped".
class Recorder {
 public:
  void Wire(LeaderElectorOptions& o) {
    o.on_started_leading = [this] { Add("started"); };
    o.on_stopped_leading = [this] { Add("stopped"); };
    o.on_new_leader = [this](const std::string& id) { Add("leader:" + id); };
  }
  void Add(const std::string& e) {
    absl::MutexLock lock(&mu_);
    events_.push_back(e);
  }
  std::vector<std::string> events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  int Count(const std::string& e) const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(std::count(events_.begin(), events_.end(), e));
  }
  // What holds however often leadership came and went: terms alternate
  // (started, stopped, started, ...), and "" when they do, else why not.
  std::string Malformed() const {
    absl::MutexLock lock(&mu_);
    bool leading = false;
    for (const std::string& e : events_) {
      if (e == "started" && leading) return "started twice in a row";
      if (e == "stopped" && !leading) return "stopped without having started";
      if (e == "started" || e == "stopped") leading = e == "started";
    }
    return "";
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> events_;
};

class LeaseElectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = testing::KubesimProcess::Start(
        testing::TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = std::make_unique<testing::KubesimProcess>(std::move(*sim));
    client_ = NewClient();
    ASSERT_NE(client_, nullptr);
  }

  std::unique_ptr<kube::Client> NewClient() {
    auto config = kube::LoadKubeconfig(sim_->kubeconfig());
    if (!config.ok()) return nullptr;
    kube::ClientOptions options;
    options.max_retries = 0;
    options.request_timeout = absl::Seconds(20);
    auto client = kube::Client::Create(*config, options);
    return client.ok() ? std::move(*client) : nullptr;
  }

  // Short timings so takeovers happen within a test; the ordering between
  // them (retry < renew deadline < lease) is what matters, not the values.
  static LeaderElectorOptions Options(const std::string& identity) {
    LeaderElectorOptions o;
    o.identity = identity;
    o.lease_duration = absl::Milliseconds(2000);
    o.renew_deadline = absl::Milliseconds(1000);
    o.retry_period = absl::Milliseconds(200);
    return o;
  }

  std::unique_ptr<LeaderElector> Elector(kube::Client* client, LeaderElectorOptions o) {
    auto e = LeaderElector::Create(client, std::move(o));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? std::move(*e) : nullptr;
  }

  Json LeaseSpec() {
    auto got = client_->Get(kube::ObjectPath("coordination.k8s.io/v1", "default", "leases",
                                             "doris-operator-leader"));
    return got.ok() && got->contains("spec") ? (*got)["spec"] : Json();
  }

  void Faults(const Json& faults) {
    kube::Request r;
    r.method = "POST";
    r.path = "/kubesim/faults";
    r.body = faults.dump();
    auto resp = client_->Do(r);
    ASSERT_TRUE(resp.ok() && resp->code == 200);
  }

  // Polls `done` every 50 ms for up to `seconds` of wall time.
  static bool Eventually(const std::function<bool()>& done, double seconds = 30) {
    return testing::Eventually(done, absl::Seconds(seconds), absl::Milliseconds(50));
  }

  std::unique_ptr<testing::KubesimProcess> sim_;
  std::unique_ptr<kube::Client> client_;
};

TEST_F(LeaseElectorTest, RejectsTimingsThatCouldLeaveTwoLeaders) {
  LeaderElectorOptions o = Options("a");
  o.renew_deadline = o.lease_duration;
  EXPECT_EQ(LeaderElector::Create(client_.get(), o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = Options("a");
  o.retry_period = o.renew_deadline;
  EXPECT_EQ(LeaderElector::Create(client_.get(), o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = Options("a");
  o.name = "Not_A_Name";
  EXPECT_EQ(LeaderElector::Create(client_.get(), o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = Options("");
  auto e = LeaderElector::Create(client_.get(), o);
  ASSERT_TRUE(e.ok());
  auto f = LeaderElector::Create(client_.get(), o);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE((*e)->identity().empty());
  EXPECT_NE((*e)->identity(), (*f)->identity());  // hostname + random suffix
}

TEST_F(LeaseElectorTest, AcquiresAnAbsentLeaseAndKeepsRenewingIt) {
  Recorder rec;
  LeaderElectorOptions o = Options("a");
  rec.Wire(o);
  auto a = Elector(client_.get(), o);
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->IsLeader());
  a->Start();
  ASSERT_TRUE(Eventually([&] { return a->IsLeader() && rec.Count("started") == 1; }));

  Json spec = LeaseSpec();
  EXPECT_EQ(spec.value("holderIdentity", ""), "a");
  EXPECT_EQ(spec.value("leaseDurationSeconds", 0), 2);
  EXPECT_EQ(spec.value("leaseTransitions", -1), 0);
  const std::regex micro_time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(spec.value("acquireTime", ""), micro_time)) << spec.dump();
  EXPECT_TRUE(std::regex_match(spec.value("renewTime", ""), micro_time)) << spec.dump();

  // Renewed, and still a's: a sole candidate keeps it however late a
  // renewal on a busy machine (its leadership may lapse and come back), and
  // the holder never changes, so neither does the transition count.
  const std::string first_renew = spec["renewTime"];
  ASSERT_TRUE(Eventually([&] { return LeaseSpec().value("renewTime", "") != first_renew; }));
  spec = LeaseSpec();
  EXPECT_EQ(spec.value("holderIdentity", ""), "a");
  EXPECT_EQ(spec.value("leaseTransitions", -1), 0);
  EXPECT_LE(spec.value("acquireTime", ""), spec.value("renewTime", ""));
  const std::vector<std::string> events = rec.events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0], "leader:a");
  EXPECT_EQ(events[1], "started");
  EXPECT_EQ(rec.Count("leader:a"), static_cast<int>(events.size()) - rec.Count("started") - rec.Count("stopped"));
  EXPECT_EQ(rec.Malformed(), "");
}

TEST_F(LeaseElectorTest, ACandidateWaitsWhileTheLeaderRenews) {
  // On fake clocks, so "while the leader renews" is exact: a renews every
  // 900ms of its time, b tries in between, for many lease durations.
  absl::Time ta = absl::FromUnixSeconds(1700000000);
  absl::Time tb = ta - absl::Minutes(3);  // clocks need not agree
  LeaderElectorOptions oa = Options("a"), ob = Options("b");
  oa.now = [&] { return ta; };
  ob.now = [&] { return tb; };
  auto a = Elector(client_.get(), oa);
  auto b = Elector(client_.get(), ob);
  ASSERT_EQ(a->TryAcquireOrRenew().value_or(false), true);
  for (int i = 0; i < 10; ++i) {  // 9s: four and a half lease durations
    tb += absl::Milliseconds(900);
    EXPECT_EQ(b->TryAcquireOrRenew().value_or(true), false) << i;
    EXPECT_FALSE(b->IsLeader());
    EXPECT_EQ(b->observed_leader(), "a");
    ta += absl::Milliseconds(900);
    ASSERT_EQ(a->TryAcquireOrRenew().value_or(false), true) << i;
  }
  Json spec = LeaseSpec();
  EXPECT_EQ(spec.value("holderIdentity", ""), "a");
  EXPECT_EQ(spec.value("leaseTransitions", -1), 0);
  // a stops renewing: b takes it a lease duration after it last saw a
  // change (a's last renewal, which b sees now).
  tb += absl::Milliseconds(100);
  EXPECT_EQ(b->TryAcquireOrRenew().value_or(true), false);
  tb += absl::Milliseconds(1900);
  EXPECT_EQ(b->TryAcquireOrRenew().value_or(true), false);
  tb += absl::Milliseconds(200);
  EXPECT_EQ(b->TryAcquireOrRenew().value_or(false), true);
  EXPECT_EQ(LeaseSpec().value("leaseTransitions", -1), 1);
}

TEST_F(LeaseElectorTest, NeverTwoLeadersAtOnceWhileRenewalsAreSlow) {
  // Three candidates on real clocks; the API now and then answers slower
  // than the renew deadline, so leadership really moves. Whatever the
  // scheduling, no two electors may ever both claim to lead.
  std::vector<std::unique_ptr<kube::Client>> clients;
  std::vector<std::unique_ptr<LeaderElector>> electors;
  std::vector<Recorder> recs(3);
  for (int i = 0; i < 3; ++i) {
    clients.push_back(NewClient());
    LeaderElectorOptions o = Options(std::string(1, static_cast<char>('a' + i)));
    recs[i].Wire(o);
    electors.push_back(Elector(clients.back().get(), o));
    ASSERT_NE(electors.back(), nullptr);
  }
  for (auto& e : electors) e->Start();
  std::set<std::string> leaders;
  std::string both;
  const absl::Time end = absl::Now() + absl::Seconds(12);
  for (int round = 0; absl::Now() < end; ++round) {
    if (round % 40 == 20) Faults({{"delayMs", 1500}});
    if (round % 40 == 35) Faults({{"delayMs", 0}});
    int leading = 0;
    for (auto& e : electors) {
      if (e->IsLeader()) {
        ++leading;
        leaders.insert(e->identity());
      }
    }
    if (leading > 1 && both.empty()) both = LeaseSpec().dump();
    absl::SleepFor(absl::Milliseconds(50));
  }
  Faults({{"delayMs", 0}});
  EXPECT_EQ(both, "") << "two electors led at once";
  EXPECT_FALSE(leaders.empty());
  // And after the slow spell, someone leads again within the bound.
  EXPECT_TRUE(Eventually([&] {
    int leading = 0;
    for (auto& e : electors) leading += e->IsLeader();
    return leading == 1;
  }));
  for (auto& e : electors) e->Stop();
  for (const Recorder& r : recs) EXPECT_EQ(r.Malformed(), "");
}

TEST_F(LeaseElectorTest, StopReleasesSoTheSuccessorNeedNotWaitForExpiry) {
  // A lease far longer than the wait below: only the release explains a
  // takeover within it.
  auto long_lease = [&](const std::string& id) {
    LeaderElectorOptions o = Options(id);
    o.lease_duration = absl::Seconds(60);
    o.renew_deadline = absl::Seconds(30);
    return o;
  };
  Recorder ra, rb;
  LeaderElectorOptions oa = long_lease("a"), ob = long_lease("b");
  ra.Wire(oa);
  rb.Wire(ob);
  auto a = Elector(client_.get(), oa);
  auto b = Elector(client_.get(), ob);
  a->Start();
  ASSERT_TRUE(Eventually([&] { return a->IsLeader(); }));
  b->Start();
  ASSERT_TRUE(Eventually([&] { return b->observed_leader() == "a"; }));

  a->Stop();
  EXPECT_FALSE(a->IsLeader());
  EXPECT_EQ(ra.events(), (std::vector<std::string>{"leader:a", "started", "stopped"}));
  ASSERT_TRUE(Eventually([&] { return b->IsLeader(); }, 15)) << LeaseSpec().dump();
  Json spec = LeaseSpec();
  EXPECT_EQ(spec.value("holderIdentity", ""), "b");
  EXPECT_EQ(spec.value("leaseTransitions", -1), 1);
  EXPECT_EQ(spec.value("leaseDurationSeconds", 0), 60);
  ASSERT_TRUE(Eventually([&] { return rb.Count("started") == 1; }));
  EXPECT_EQ(rb.events(), (std::vector<std::string>{"leader:a", "leader:b", "started"}));
}

TEST_F(LeaseElectorTest, AnUnrenewedLeaseIsTakenOverOnceItExpires) {
  // a "crashes": it stops without releasing, so its Lease just ages.
  LeaderElectorOptions oa = Options("a");
  oa.release_on_stop = false;
  auto a = Elector(client_.get(), oa);
  auto b = Elector(client_.get(), Options("b"));
  auto c = Elector(client_.get(), Options("c"));
  a->Start();
  ASSERT_TRUE(Eventually([&] { return a->IsLeader(); }));
  b->Start();
  ASSERT_TRUE(Eventually([&] { return b->observed_leader() == "a" || b->IsLeader(); }));
  a->Stop();
  EXPECT_FALSE(a->IsLeader());
  // A late renewal may already have handed it to b; otherwise it is still
  // a's, and b is the only candidate left: exactly one more transition.
  const Json at_stop = LeaseSpec();
  const std::string holder = at_stop.value("holderIdentity", "");
  ASSERT_TRUE(holder == "a" || holder == "b") << at_stop.dump();
  ASSERT_TRUE(Eventually([&] { return b->IsLeader(); }));
  EXPECT_EQ(LeaseSpec().value("holderIdentity", ""), "b");
  EXPECT_EQ(LeaseSpec().value("leaseTransitions", -1),
            at_stop.value("leaseTransitions", -1) + (holder == "a" ? 1 : 0));

  // Again, from b to a third candidate: the count goes on.
  c->Start();
  ASSERT_TRUE(Eventually([&] { return c->observed_leader() == "b"; }));
  const int64_t before = LeaseSpec().value("leaseTransitions", -1);
  b->Stop();  // releases
  EXPECT_FALSE(b->IsLeader());
  ASSERT_TRUE(Eventually([&] { return c->IsLeader(); }));
  EXPECT_EQ(LeaseSpec().value("holderIdentity", ""), "c");
  EXPECT_GT(LeaseSpec().value("leaseTransitions", -1), before);
}

TEST_F(LeaseElectorTest, OnAFakeClockLeadershipLapsesAtTheDeadlineAndExpiryCountsFromObservation) {
  absl::Time ta = absl::FromUnixSeconds(1700000000);
  absl::Time tb = ta + absl::Hours(5);  // clocks need not agree
  LeaderElectorOptions oa = Options("a"), ob = Options("b");
  oa.now = [&] { return ta; };
  ob.now = [&] { return tb; };
  auto a = Elector(client_.get(), oa);
  auto b = Elector(client_.get(), ob);

  ASSERT_EQ(a->TryAcquireOrRenew().value_or(false), true);
  EXPECT_TRUE(a->IsLeader());
  EXPECT_EQ(LeaseSpec().value("renewTime", ""), "2023-11-14T22:13:20.000000Z");
  ta += absl::Milliseconds(999);
  EXPECT_TRUE(a->IsLeader());
  ta += absl::Milliseconds(1);
  EXPECT_FALSE(a->IsLeader());  // no request needed to know
  ASSERT_EQ(a->TryAcquireOrRenew().value_or(false), true);  // a fresh renewal: a new term
  EXPECT_TRUE(a->IsLeader());

  // b first sees the Lease at tb; it is valid for 2s of b's time from then,
  // though its renewTime is hours in b's past.
  EXPECT_EQ(b->TryAcquireOrRenew().value_or(true), false);
  tb += absl::Milliseconds(1900);
  EXPECT_EQ(b->TryAcquireOrRenew().value_or(true), false);  // unchanged: the clock keeps running
  EXPECT_FALSE(b->IsLeader());
  tb += absl::Milliseconds(200);
  ASSERT_EQ(b->TryAcquireOrRenew().value_or(false), true);
  EXPECT_TRUE(b->IsLeader());
  Json spec = LeaseSpec();
  EXPECT_EQ(spec.value("holderIdentity", ""), "b");
  EXPECT_EQ(spec.value("leaseTransitions", -1), 1);

  // a's clock stood still: to a the Lease changed just now, it has a holder,
  // so a is out at once and does not take it back.
  EXPECT_EQ(a->TryAcquireOrRenew().value_or(true), false);
  EXPECT_FALSE(a->IsLeader());
  EXPECT_EQ(a->observed_leader(), "b");
}

TEST_F(LeaseElectorTest, LeadershipEndsAtTheDeadlineWhileARenewalIsStillHanging) {
  Recorder rec;
  LeaderElectorOptions o = Options("a");
  rec.Wire(o);
  auto a = Elector(client_.get(), o);
  a->Start();
  ASSERT_TRUE(Eventually([&] { return rec.Count("started") == 1; }));
  // Every API answer now takes 12s, far past the 1s renew deadline (the
  // client's own timeout is 20s). The wait below ends before any delayed
  // answer could arrive, so only the deadline can have ended leadership;
  // its length is slack for a loaded machine, not part of the claim.
  Faults({{"delayMs", 12000}});
  EXPECT_TRUE(Eventually([&] { return rec.Count("stopped") == 1 && !a->IsLeader(); }, 10));
  Faults({{"delayMs", 0}});
  EXPECT_EQ(LeaseSpec().value("holderIdentity", ""), "a");  // nobody took it; a just gave up
  a->Stop();  // waits for the hanging request
  EXPECT_EQ(rec.Count("stopped"), 1);
}

}  // namespace
}  // namespace doris_operator::leader

namespace doris_operator::leader {
namespace {

// The leader write gate with writers racing leadership (as reconcile
// workers do; meant for --config=tsan): a client whose may_write asks the
// elector lets writes through while leading, and once Stop() has returned
// every write, on every thread, is refused before it is sent.
TEST_F(LeaseElectorTest, WriteGateClosesForEveryWriterWhenLeadershipEnds) {
  std::unique_ptr<LeaderElector> elector;
  std::atomic<LeaderElector*> gate{nullptr};
  auto config = kube::LoadKubeconfig(sim_->kubeconfig());
  ASSERT_TRUE(config.ok());
  kube::ClientOptions options;
  options.max_retries = 0;
  options.may_write = [&gate] {
    LeaderElector* e = gate.load();
    return e != nullptr && e->IsLeader();
  };
  auto writes = kube::Client::Create(*config, options);
  ASSERT_TRUE(writes.ok());
  elector = Elector(client_.get(), Options("a"));
  ASSERT_NE(elector, nullptr);
  gate = elector.get();
  elector->Start();
  ASSERT_TRUE(Eventually([&] { return elector->IsLeader(); }));

  std::atomic<bool> stopped{false};
  std::atomic<int> written{0};
  std::atomic<int> refused_after_stop{0};
  std::atomic<int> wrong_after_stop{0};
  const std::string cms = kube::CollectionPath("v1", "default", "configmaps");
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0;; ++i) {
        const bool after_stop = stopped;  // read before the write starts
        const Json cm = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", absl::StrCat("gate-", w, "-", i)}}}};
        absl::StatusOr<Json> r = (*writes)->Create(cms, cm.dump());
        if (!after_stop) {
          if (r.ok()) ++written;
          continue;
        }
        if (absl::IsFailedPrecondition(r.status())) {
          ++refused_after_stop;
        } else {
          ++wrong_after_stop;
        }
        if (i > 0 && refused_after_stop + wrong_after_stop >= 30) return;
      }
    });
  }
  ASSERT_TRUE(Eventually([&] { return written >= 6; }));
  elector->Stop();
  stopped = true;
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(wrong_after_stop, 0) << "a write was sent after leadership ended";
  EXPECT_GE(refused_after_stop, 30);
}

}  // namespace
}  // namespace doris_operator::leader
