#ifndef DORIS_OPERATOR_OPERATOR_INGEST_WATCHER_H_
#define DORIS_OPERATOR_OPERATOR_INGEST_WATCHER_H_

// Keeps one watch stream (a resource kind, optionally one namespace and a
// label selector) flowing into the event log: lists when it starts and after
// 410 Gone (recording only differences), watches from the stored cursor in
// between, and tells the caller which DorisClusters each append touched.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "operator/ingest/normalize.h"
#include "operator/kube/client.h"
#include "store/event_log.h"

namespace doris_operator::ingest {

struct StreamSpec {
  std::string api_version;  // "apps/v1"
  std::string kind;         // "StatefulSet"
  std::string resource;     // "statefulsets"
  std::string ns;           // "" = all namespaces
  std::string label_selector;
  // Objects that belong to no DorisCluster are not logged (e.g. ConfigMaps
  // nobody references).
  bool only_owned = false;
  // Tells apart two streams of one resource (different label selectors,
  // e.g. the DorisCluster's and the ddc's StatefulSets): part of Name().
  std::string tag;

  // The cursor's key in the log: "apps/v1/statefulsets" or
  // "apps/v1/statefulsets@ns" ("apps/v1/statefulsets#ddc@ns" with a tag).
  std::string Name() const;
};

struct WatcherOptions {
  ClusterResolver resolve;
  // Called after every append with the clusters it touched (may be empty).
  std::function<void(const std::vector<store::ClusterKey>&)> on_append;
  // Bookmarks move the cursor in the log at most this often per stream, so
  // an idle cluster does not grow the log.
  absl::Duration bookmark_interval = absl::Minutes(1);
  int watch_timeout_seconds = 300;
  absl::Duration error_backoff = absl::Seconds(1);
  // Called once the first list of this Run is in the log, through `seq`
  // (the initial-sync gate, sync_gate.h). A stored cursor never counts:
  // the watch it resumes may still be replaying what happened while no
  // operator ran, so a picture folded before this list can be stale.
  std::function<void(const std::string& stream, uint64_t seq)> on_synced;
  std::function<void(const std::string& stream, const absl::Status&)> on_error;
};

class Watcher {
 public:
  Watcher(StreamSpec spec, kube::Client* client, store::EventLog* log, WatcherOptions options);

  // Runs until `stop` is set. Errors are retried with backoff and reported
  // through on_error; nothing here ends the loop but `stop`.
  void Run(const std::atomic<bool>& stop);

  // One re-list: RELIST marker and the differences from the folded state.
  absl::Status Relist();

 private:
  absl::Status WatchOnce(const std::atomic<bool>& stop, const std::string& from);
  absl::Status AppendAndNotify(std::vector<log::v1::LogRecord> records);

  const StreamSpec spec_;
  kube::Client* const client_;
  store::EventLog* const log_;
  const WatcherOptions options_;
  absl::Time last_cursor_append_ = absl::InfinitePast();
  uint64_t last_appended_seq_ = 0;
};

}  // namespace doris_operator::ingest

#endif  // DORIS_OPERATOR_OPERATOR_INGEST_WATCHER_H_
