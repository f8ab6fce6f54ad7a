// kubesim_bench: requests per second against a kubesim started in-process,
// over keep-alive connections from 1 and 4 client threads, and watch
// fan-out: events per second delivered to 100 watchers of one resource.
//
//   bazel run -c opt //tests/bench:kubesim_bench [-- --tick-only [--default-malloc]]
//
// and the simulated controllers' tick with 6,000 pods (--tick-only: just that).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "tools/kubesim/api_server.h"
#include "tools/kubesim/http_server.h"
#include "tools/kubesim/workloads.h"

namespace {

using Clock = std::chrono::steady_clock;

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return -1;
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Sends `request` and reads one Content-Length response; false on error.
bool RoundTrip(int fd, const std::string& request, std::string* buf) {
  if (send(fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) return false;
  buf->clear();
  char chunk[65536];
  size_t need = std::string::npos;
  while (true) {
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf->append(chunk, static_cast<size_t>(n));
    const size_t head = buf->find("\r\n\r\n");
    if (head == std::string::npos) continue;
    if (need == std::string::npos) {
      const size_t cl = buf->find("Content-Length: ");
      if (cl == std::string::npos) return false;
      need = head + 4 + std::stoul(buf->substr(cl + 16));
    }
    if (buf->size() >= need) return true;
  }
}

double Rate(int port, const std::string& request, int threads, int per_thread) {
  std::atomic<int> errors{0};
  const auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&] {
      const int fd = Connect(port);
      std::string buf;
      for (int i = 0; i < per_thread; ++i) {
        if (!RoundTrip(fd, request, &buf)) ++errors;
      }
      close(fd);
    });
  }
  for (auto& t : ts) t.join();
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (errors) std::printf("  (%d errors)\n", errors.load());
  return threads * per_thread / s;
}

// 100 watchers on the ConfigMaps of the namespace; one client patches a
// ConfigMap `writes` times (each a MODIFIED event); the time from the first
// write until every watcher has read every event.
void WatchFanOut(doris_operator::kubesim::ApiServer& api, int port, int watchers, int writes) {
  const std::string cms = "/api/v1/namespaces/default/configmaps";
  const std::string watch = "GET " + cms + "?watch=true&resourceVersion=" +
                            std::to_string(api.store().CurrentRv()) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  std::atomic<int> connected{0};
  std::atomic<int64_t> delivered{0};
  std::vector<std::thread> ts;
  std::vector<int> fds;
  for (int w = 0; w < watchers; ++w) fds.push_back(Connect(port));
  for (int w = 0; w < watchers; ++w) {
    ts.emplace_back([&, fd = fds[w]] {
      timeval tv{.tv_sec = 10, .tv_usec = 0};  // a lost event ends the run, not hangs it
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      if (send(fd, watch.data(), watch.size(), 0) != static_cast<ssize_t>(watch.size())) return;
      ++connected;
      // Counts events by their type field; the last bytes of a read are kept
      // so a marker split between two reads still counts once.
      const std::string marker = "\"type\":\"MODIFIED\"";
      std::string carry;
      char chunk[65536];
      int seen = 0;
      while (seen < writes) {
        const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) break;
        std::string data = carry + std::string(chunk, static_cast<size_t>(n));
        for (size_t at = data.find(marker); at != std::string::npos; at = data.find(marker, at + marker.size())) {
          ++seen;
        }
        const size_t keep = std::min(data.size(), marker.size() - 1);
        carry = data.substr(data.size() - keep);
      }
      delivered += seen;
    });
  }
  while (connected < watchers) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // watches registered
  const auto t0 = Clock::now();
  const int fd = Connect(port);
  std::string buf;
  for (int i = 0; i < writes; ++i) {
    const std::string body = "{\"data\":{\"k\":\"v" + std::to_string(i) + "\"}}";
    RoundTrip(fd, "PATCH " + cms + "/cm9 HTTP/1.1\r\nHost: x\r\nContent-Type: application/merge-patch+json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body, &buf);
  }
  const double write_s = std::chrono::duration<double>(Clock::now() - t0).count();
  close(fd);
  for (auto& t : ts) t.join();
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  for (int w : fds) close(w);
  std::printf("watch fan-out, %d watchers, %d writes:\n", watchers, writes);
  std::printf("  writes:                 %8.0f req/s\n", writes / write_s);
  std::printf("  events delivered:       %8.0f events/s (%lld of %lld)\n", delivered / s,
              static_cast<long long>(delivered.load()), static_cast<long long>(watchers) * writes);
}

// The simulated controllers' tick with 1,000 StatefulSets of 6 pods (6,000
// pods, 6,000 claims) once everything is Ready: the steady-state cost the
// operator benchmarks run against.
void TickCost(int sets, int replicas) {
  using doris_operator::kubesim::Json;
  doris_operator::kubesim::ApiServer api;
  doris_operator::kubesim::WorkloadOptions options;
  options.start_ms = 0;
  options.ready_ms = 0;
  doris_operator::kubesim::WorkloadController workloads(&api.store(), options);
  const auto sts = *api.store().Find("apps", "v1", "statefulsets");
  for (int i = 0; i < sets; ++i) {
    const std::string name = "db" + std::to_string(i);
    api.store().Create(
        sts, "default",
        {{"metadata", {{"name", name}}},
         {"spec",
          {{"replicas", replicas},
           {"podManagementPolicy", "Parallel"},
           {"selector", {{"matchLabels", {{"app", name}}}}},
           {"volumeClaimTemplates",
            Json::array({{{"metadata", {{"name", "data"}}},
                          {"spec", {{"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}})},
           {"template",
            {{"metadata", {{"labels", {{"app", name}}}}},
             {"spec", {{"containers", Json::array({{{"name", "be"}, {"image", "doris:1"}}})}}}}}}}});
  }
  int64_t now = 0;
  for (int i = 0; i < 6; ++i, now += 50) workloads.Tick(now);  // create, start, become Ready
  // CPU time of this thread, so other processes on the machine do not count.
  auto cpu_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  };
  const int ticks = 5;
  const double t0 = cpu_ms();
  for (int i = 0; i < ticks; ++i, now += 50) workloads.Tick(now);
  const double ms = (cpu_ms() - t0) / ticks;
  std::printf("controller tick, %d StatefulSets x %d pods, all Ready: %.1f ms CPU\n", sets, replicas, ms);
}

}  // namespace

int main(int argc, char** argv) {
  // The kubesim binary's malloc setting (see tools/kubesim/main.cc), so the
  // figures are the binary's.
  if (!(argc > 2 && std::string(argv[2]) == "--default-malloc")) mallopt(M_MXFAST, 0);
  if (argc > 1 && std::string(argv[1]) == "--tick-only") {
    TickCost(1000, 6);
    return 0;
  }
  doris_operator::kubesim::ApiServer api;
  auto server = doris_operator::kubesim::HttpServer::Start(
      0, [&api](const doris_operator::kubesim::HttpRequest& r) { return api.Handle(r); });
  if (!server.ok()) return 1;
  const int port = (*server)->port();
  const std::string cms = "/api/v1/namespaces/default/configmaps";
  // 50 ConfigMaps to list.
  for (int i = 0; i < 50; ++i) {
    const std::string body = "{\"metadata\":{\"name\":\"cm" + std::to_string(i) +
                             "\"},\"data\":{\"fe.conf\":\"http_port = 8030\"}}";
    std::string buf;
    const int fd = Connect(port);
    RoundTrip(fd, "POST " + cms + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body, &buf);
    close(fd);
  }
  const std::string get = "GET " + cms + "/cm7 HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string list = "GET " + cms + " HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string patch_body = "{\"data\":{\"k\":\"v\"}}";
  const std::string patch = "PATCH " + cms + "/cm8 HTTP/1.1\r\nHost: x\r\nContent-Type: application/merge-patch+json\r\nContent-Length: " +
                            std::to_string(patch_body.size()) + "\r\n\r\n" + patch_body;
  for (int threads : {1, 4}) {
    std::printf("%d client thread(s), keep-alive:\n", threads);
    std::printf("  GET one ConfigMap:      %8.0f req/s\n", Rate(port, get, threads, 20000 / threads));
    std::printf("  LIST 50 ConfigMaps:     %8.0f req/s\n", Rate(port, list, threads, 4000 / threads));
    std::printf("  PATCH (merge, no-op):   %8.0f req/s\n", Rate(port, patch, threads, 20000 / threads));
  }
  WatchFanOut(api, port, 0, 2000);  // the writes alone, for comparison
  WatchFanOut(api, port, 100, 2000);
  (*server)->Stop();
  TickCost(1000, 6);
  return 0;
}
