#ifndef DORIS_OPERATOR_OPERATOR_INGEST_RELIST_H_
#define DORIS_OPERATOR_OPERATOR_INGEST_RELIST_H_

// After a (re-)list of one watch stream — first start, or 410 Gone — records
// only what differs from what the log already knows, after a RELIST marker,
// so the log stays a faithful history instead of repeating every object.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "operator/ingest/normalize.h"
#include "proto/log.pb.h"

namespace doris_operator::ingest {

// An object the folded state holds, with the cluster it is filed under.
struct KnownObject {
  log::v1::ClusterRef cluster;
  log::v1::StoredObject object;
};

struct RelistInput {
  std::string stream;
  std::string list_resource_version;  // the LIST's metadata.resourceVersion
  std::vector<nlohmann::json> listed;  // the LIST's items (apiVersion/kind filled in)
  // What the folded state holds for this stream's kind and scope.
  std::vector<KnownObject> known;
  ClusterResolver resolve;
};

// RELIST marker, then ADDED / MODIFIED / DELETED (from_relist) for every
// difference, in name order. Objects that did not change add nothing.
absl::StatusOr<std::vector<log::v1::LogRecord>> RelistRecords(const RelistInput& input);

}  // namespace doris_operator::ingest

#endif  // DORIS_OPERATOR_OPERATOR_INGEST_RELIST_H_
