#ifndef DORIS_OPERATOR_TESTS_STORE_TEST_RECORDS_H_
#define DORIS_OPERATOR_TESTS_STORE_TEST_RECORDS_H_

// Builders for log records used by the store tests and benchmarks.

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "proto/log.pb.h"

namespace doris_operator::store::testing {

struct WatchSpec {
  log::v1::WatchEventType type = log::v1::MODIFIED;
  std::string api_version = "apps/v1";
  std::string kind = "StatefulSet";
  std::string ns = "default";
  std::string name = "c1-fe";
  std::string cluster = "c1";
  std::string resource_version = "1";
  std::string stream = "apps/v1/statefulsets";
  std::string json = "{}";
};

inline log::v1::LogRecord Watch(const WatchSpec& s) {
  log::v1::LogRecord r;
  if (!s.cluster.empty()) {
    r.mutable_cluster()->set_namespace_(s.ns);
    r.mutable_cluster()->set_name(s.cluster);
  }
  log::v1::WatchEvent* w = r.mutable_watch();
  w->set_type(s.type);
  w->mutable_object()->set_api_version(s.api_version);
  w->mutable_object()->set_kind(s.kind);
  w->mutable_object()->set_namespace_(s.ns);
  w->mutable_object()->set_name(s.name);
  w->mutable_object()->set_uid(absl::StrCat("uid-", s.name));
  w->set_resource_version(s.resource_version);
  w->set_stream(s.stream);
  w->set_object_json(s.json);
  return r;
}

// A deterministic record whose content is a function of `n` alone, about
// `objects` distinct objects spread over `clusters` clusters, with a JSON
// payload of about `payload` bytes.
inline log::v1::LogRecord Synthetic(uint64_t n, int objects = 50, int clusters = 5,
                                    size_t payload = 2048) {
  WatchSpec s;
  const uint64_t obj = (n * 2654435761u) % objects;
  s.cluster = absl::StrCat("c", obj % clusters);
  s.name = absl::StrCat(s.cluster, "-obj", obj);
  s.type = (n % 17 == 0) ? log::v1::DELETED : log::v1::MODIFIED;
  s.resource_version = absl::StrCat(n);
  s.stream = absl::StrCat("apps/v1/statefulsets/", n % 3);
  std::string body = absl::StrCat("{\"n\":", n, ",\"pad\":\"");
  while (body.size() + 2 < payload) body.push_back(static_cast<char>('a' + (n + body.size()) % 26));
  body += "\"}";
  s.json = body;
  log::v1::LogRecord r = Watch(s);
  r.mutable_observed_at()->set_seconds(1700000000 + static_cast<int64_t>(n));
  return r;
}

}  // namespace doris_operator::store::testing

#endif  // DORIS_OPERATOR_TESTS_STORE_TEST_RECORDS_H_
