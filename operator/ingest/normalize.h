#ifndef DORIS_OPERATOR_OPERATOR_INGEST_NORMALIZE_H_
#define DORIS_OPERATOR_OPERATOR_INGEST_NORMALIZE_H_

// Turns one object seen on a watch into the log record that is stored: the
// object as canonical JSON without Secret data or churn, and the DorisCluster
// it belongs to. The boundary where outside data enters the log.

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "proto/log.pb.h"

namespace doris_operator::ingest {

// Finds the DorisCluster an object without an owner reference or cluster
// label belongs to (e.g. a ConfigMap a cluster references); nullopt if none.
using ClusterResolver =
    std::function<std::optional<log::v1::ClusterRef>(const log::v1::ObjectRef& object)>;

struct EventInput {
  log::v1::WatchEventType type = log::v1::MODIFIED;
  std::string stream;  // the watch stream, e.g. "apps/v1/statefulsets"
  bool from_relist = false;
};

// The object with what must never or need not be logged removed: Secret
// `data`/`stringData` and the last-applied annotation (it holds the same
// data in clear), and `metadata.managedFields` (bookkeeping that changes on
// every write).
nlohmann::json Sanitize(nlohmann::json object);

// InvalidArgument when the object lacks apiVersion, kind or metadata.name.
absl::StatusOr<log::v1::LogRecord> RecordForObject(const nlohmann::json& object,
                                                   const EventInput& input,
                                                   const ClusterResolver& resolve = nullptr);

// The DorisCluster (or DorisDisaggregatedCluster) an object belongs to:
// itself for one of them, else its owner reference to one, else label
// `app.doris.cluster` (`app.doris.disaggregated.cluster`), else `resolve`.
std::optional<log::v1::ClusterRef> OwningCluster(const nlohmann::json& object,
                                                 const ClusterResolver& resolve = nullptr);

}  // namespace doris_operator::ingest

#endif  // DORIS_OPERATOR_OPERATOR_INGEST_NORMALIZE_H_
